using System.Buffers.Binary;

namespace MailGuard.Inspection.Extraction;

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

        // bzip2: "BZh", the block size digit, then a block header (BCD pi) or the end-of-stream mark (sqrt pi).
        if (head.Length >= 10 && head.StartsWith("BZh"u8) && head[3] is >= (byte)'1' and <= (byte)'9'
            && (head.Slice(4, 6).SequenceEqual((ReadOnlySpan<byte>)[0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
                || head.Slice(4, 6).SequenceEqual((ReadOnlySpan<byte>)[0x17, 0x72, 0x45, 0x38, 0x50, 0x90])))
        {
            return ContentFormat.Bzip2;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return ContentFormat.Xz;
        }

        // POSIX ustar and GNU tar both put "ustar" at offset 257 of the first header.
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8))
        {
            return ContentFormat.Tar;
        }

        return SniffMedia(head);
    }

    /// <summary>
    /// Executables, audio, video, fonts and vector pictures. They carry no document text, so they are reported by
    /// type, not as unscannable; their printable strings are still read (<see cref="BinaryStrings"/>),
    /// so a magic number put in front of a table hides nothing. Weak signatures are checked
    /// against the structure they announce (a PE header where MZ points, a font's table count).
    /// </summary>
    private static ContentFormat SniffMedia(ReadOnlySpan<byte> head)
    {
        if (head.Length < 12)
        {
            return ContentFormat.Unknown;
        }

        // ELF (class and data bytes valid), PE (e_lfanew points at "PE\0\0"), Mach-O thin and fat, Java class files.
        if ((head.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']) && head[4] is 1 or 2 && head[5] is 1 or 2)
            || IsPe(head)
            || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xED, 0xFA, 0xCF])
            || head.StartsWith((ReadOnlySpan<byte>)[0xCE, 0xFA, 0xED, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xCF, 0xFA, 0xED, 0xFE])
            || head.StartsWith((ReadOnlySpan<byte>)[0xCA, 0xFE, 0xBA, 0xBE]))
        {
            return ContentFormat.Executable;
        }

        ReadOnlySpan<byte> at4 = head.Slice(4, 4);
        ReadOnlySpan<byte> at8 = head.Slice(8, 4);
        if (at4.SequenceEqual("ftyp"u8))
        {
            // ISO base media: the major brand says audio (M4A/M4B/M4P), a still image (HEIF, AVIF) or video.
            if (at8.SequenceEqual("M4A "u8) || at8.SequenceEqual("M4B "u8) || at8.SequenceEqual("M4P "u8))
            {
                return ContentFormat.Audio;
            }

            return at8.SequenceEqual("heic"u8) || at8.SequenceEqual("heix"u8) || at8.SequenceEqual("mif1"u8) || at8.SequenceEqual("msf1"u8) || at8.SequenceEqual("avif"u8)
                ? ContentFormat.Image
                : ContentFormat.Video;
        }

        if ((head.StartsWith("ID3"u8) && head[3] is >= 2 and <= 4)
            || (head.StartsWith("RIFF"u8) && at8.SequenceEqual("WAVE"u8))
            || (head.StartsWith("FORM"u8) && (at8.SequenceEqual("AIFF"u8) || at8.SequenceEqual("AIFC"u8)))
            || head.StartsWith("OggS\0"u8)
            || head.StartsWith("fLaC"u8)
            || head.StartsWith("#!AMR"u8)
            || head.StartsWith("MThd\0\0\0\x06"u8)
            || IsMpegAudioFrame(head))
        {
            return ContentFormat.Audio;
        }

        if ((head.StartsWith("RIFF"u8) && at8.SequenceEqual("AVI "u8))
            || head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])
            || head.StartsWith("FLV\x01"u8)
            || head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x01, 0xBA])
            || head.StartsWith((ReadOnlySpan<byte>)[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]))
        {
            return ContentFormat.Video;
        }

        if (head.StartsWith("OTTO"u8) || head.StartsWith("ttcf"u8) || head.StartsWith("wOFF"u8) || head.StartsWith("wOF2"u8)
            || ((head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x01, 0x00, 0x00]) || head.StartsWith("true"u8))
                && BinaryPrimitives.ReadUInt16BigEndian(head[4..]) is >= 4 and <= 64)
            || IsEmbeddedOpenType(head))
        {
            return ContentFormat.Font;
        }

        return IsMetafile(head) ? ContentFormat.Metafile : ContentFormat.Unknown;
    }

    /// <summary>
    /// EMF (an EMR_HEADER record, " EMF" at offset 40), WMF (the placeable header's key, or a
    /// standard header: type 1 or 2, nine words long, version 1 or 3) and LibreOffice's SVM ("VCLMTF").
    /// </summary>
    private static bool IsMetafile(ReadOnlySpan<byte> head) =>
        (head.Length >= 44 && BinaryPrimitives.ReadUInt32LittleEndian(head) == 1 && head.Slice(40, 4).SequenceEqual(" EMF"u8))
        || head.StartsWith((ReadOnlySpan<byte>)[0xD7, 0xCD, 0xC6, 0x9A])
        || (BinaryPrimitives.ReadUInt16LittleEndian(head) is 1 or 2 && BinaryPrimitives.ReadUInt16LittleEndian(head[2..]) == 9
            && BinaryPrimitives.ReadUInt16LittleEndian(head[4..]) is 0x0100 or 0x0300)
        || head.StartsWith("VCLMTF"u8);

    /// <summary>Embedded OpenType (what PowerPoint embeds fonts as, .fntdata): its version word and the 0x504C magic at offset 34.</summary>
    private static bool IsEmbeddedOpenType(ReadOnlySpan<byte> head) =>
        head.Length >= 36 && BinaryPrimitives.ReadUInt32LittleEndian(head[8..]) is 0x00010000 or 0x00020001 or 0x00020002
        && BinaryPrimitives.ReadUInt16LittleEndian(head[34..]) == 0x504C;

    private static bool IsPe(ReadOnlySpan<byte> head)
    {
        if (head.Length < 0x40 || !head.StartsWith("MZ"u8))
        {
            return false;
        }

        uint peOffset = BinaryPrimitives.ReadUInt32LittleEndian(head[0x3C..]);
        return peOffset <= (uint)(head.Length - 4) && head.Slice((int)peOffset, 4).SequenceEqual("PE\0\0"u8);
    }

    /// <summary>An MPEG audio frame header (MP3 without ID3) or an AAC ADTS header: 11 sync bits, then valid version, layer and bitrate fields.</summary>
    private static bool IsMpegAudioFrame(ReadOnlySpan<byte> head)
    {
        if (head[0] != 0xFF || (head[1] & 0xE0) != 0xE0)
        {
            return false;
        }

        if ((head[1] & 0xF6) == 0xF0)
        {
            return true; // ADTS: MPEG-4/2 AAC, layer bits 00.
        }

        // Layers II and III only: layer I's bits (FF FE, FF FF) would take in UTF-16LE and UTF-32LE byte order marks.
        int version = (head[1] >> 3) & 0x03;
        int layer = (head[1] >> 1) & 0x03;
        int bitrate = head[2] >> 4;
        int rate = (head[2] >> 2) & 0x03;
        return version != 1 && layer is 1 or 2 && bitrate is not (0 or 15) && rate != 3;
    }
}
