using System.Buffers.Binary;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Pixel dimensions from an image's header, without decoding it: enough to tell a signature
/// logo from a screenshot before paying for OCR. PNG (IHDR), GIF (logical screen), BMP
/// (BITMAPINFOHEADER and later), JPEG (the first SOFn marker), TIFF (tags 256/257 of the first
/// IFD) and WebP (VP8, VP8L, VP8X).
/// </summary>
internal static class ImageInfo
{
    public static bool TryGetSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        if (data.Length >= 24 && data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']) && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return Set(BinaryPrimitives.ReadInt32BigEndian(data[16..]), BinaryPrimitives.ReadInt32BigEndian(data[20..]), out width, out height);
        }

        if (data.Length >= 10 && (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)))
        {
            return Set(BinaryPrimitives.ReadUInt16LittleEndian(data[6..]), BinaryPrimitives.ReadUInt16LittleEndian(data[8..]), out width, out height);
        }

        if (data.Length >= 26 && data.StartsWith("BM"u8) && BinaryPrimitives.ReadUInt32LittleEndian(data[14..]) >= 40)
        {
            // Height is negative for top-down bitmaps.
            return Set(BinaryPrimitives.ReadInt32LittleEndian(data[18..]), Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(data[22..])), out width, out height);
        }

        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8)
        {
            return TryJpeg(data, out width, out height);
        }

        if (data.Length >= 8 && (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)))
        {
            return TryTiff(data, out width, out height);
        }

        if (data.Length >= 30 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return TryWebP(data, out width, out height);
        }

        return false;
    }

    private static bool Set(long w, long h, out int width, out int height)
    {
        width = (int)Math.Clamp(w, 0, int.MaxValue);
        height = (int)Math.Clamp(h, 0, int.MaxValue);
        return w > 0 && h > 0;
    }

    /// <summary>Walks the marker segments (ITU T.81 B.1.1) to the first SOF0-SOF15 other than DHT (C4), JPG (C8) and DAC (CC).</summary>
    private static bool TryJpeg(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        int pos = 2;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF)
            {
                return false;
            }

            byte marker = data[pos + 1];
            if (marker == 0xFF)
            {
                pos++;
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                return pos + 9 <= data.Length
                    && Set(BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 5)..]), out width, out height);
            }

            if (length < 2)
            {
                return false;
            }

            pos += 2 + length;
        }

        return false;
    }

    private static bool TryTiff(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        bool little = data[0] == (byte)'I';
        uint ifd = U32(data, 4, little);
        if (ifd > data.Length - 2)
        {
            return false;
        }

        int count = U16(data, (int)ifd, little);
        long w = 0, h = 0;
        for (int i = 0; i < count; i++)
        {
            int entry = (int)ifd + 2 + (i * 12);
            if (entry + 12 > data.Length)
            {
                break;
            }

            ushort tag = U16(data, entry, little);
            ushort type = U16(data, entry + 2, little);
            long value = type == 3 ? U16(data, entry + 8, little) : U32(data, entry + 8, little);
            if (tag == 256)
            {
                w = value;
            }
            else if (tag == 257)
            {
                h = value;
            }
        }

        return Set(w, h, out width, out height);
    }

    private static uint U32(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt32BigEndian(data[at..]);

    private static ushort U16(ReadOnlySpan<byte> data, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(data[at..]) : BinaryPrimitives.ReadUInt16BigEndian(data[at..]);

    private static bool TryWebP(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        ReadOnlySpan<byte> chunk = data.Slice(12, 4);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            return Set(BinaryPrimitives.ReadUInt16LittleEndian(data[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(data[28..]) & 0x3FFF, out width, out height);
        }

        if (chunk.SequenceEqual("VP8L"u8) && data.Length >= 25)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(data[21..]);
            return Set((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, out width, out height);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            int w = data[24] | (data[25] << 8) | (data[26] << 16);
            int h = data[27] | (data[28] << 8) | (data[29] << 16);
            return Set(w + 1L, h + 1L, out width, out height);
        }

        return false;
    }
}
