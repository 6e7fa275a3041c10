namespace MailGuard.Core.Inspection.Extraction;

/// <summary>Magic numbers of the binary formats. Text-like content is left to <see cref="TextSniffer"/>.</summary>
internal static class FormatSniffer
{
    public static ContentFormat SniffBinary(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            return ContentFormat.Empty;
        }

        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8) || head.StartsWith("PK\x07\x08"u8))
        {
            return ContentFormat.Zip;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return ContentFormat.OtherCompoundFile;
        }

        // ISO 32000-1 §7.5.2 lets readers accept the header within the first 1024 bytes.
        if (head[..Math.Min(head.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return ContentFormat.Pdf;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return ContentFormat.Gzip;
        }

        if (head.StartsWith("{\\rtf"u8))
        {
            return ContentFormat.Rtf;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G'])
            || head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
            || head.StartsWith("GIF87a"u8)
            || head.StartsWith("GIF89a"u8)
            || (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
            || head.StartsWith("II*\0"u8)
            || head.StartsWith("MM\0*"u8))
        {
            return ContentFormat.Image;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]))
        {
            return ContentFormat.SevenZip;
        }

        // TNEF's signature, 0x223E9F78, little-endian (MS-OXTNEF §2.1.3.1).
        if (head.StartsWith((ReadOnlySpan<byte>)[0x78, 0x9F, 0x3E, 0x22]))
        {
            return ContentFormat.Tnef;
        }

        if (head.StartsWith("Rar!\x1A\x07"u8))
        {
            return ContentFormat.Rar;
        }

        // POSIX ustar and GNU tar both put "ustar" at offset 257 of the first header.
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return ContentFormat.Tar;
        }

        return ContentFormat.Unknown;
    }
}
