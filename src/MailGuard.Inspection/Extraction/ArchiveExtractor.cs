using System.IO.Compression;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>gzip (RFC 1952), bzip2, xz and tar (POSIX ustar, GNU long names, pax paths), all read strictly forward.</summary>
internal static class ArchiveExtractor
{
    public static void ExtractGzip(ExtractionContext context, Stream stream, ReadOnlySpan<byte> head, string? fileName, ContentLocation location, int depth)
    {
        string member = GzipMemberName(head) ?? StripGzipExtension(fileName) ?? "content";
        ContentLocation child = location.Child(member);
        context.AddEntry();
        var counting = new CountingStream(stream);
        try
        {
            using var gzip = new GZipStream(counting, CompressionMode.Decompress, leaveOpen: true);
            using var guard = new ExpansionGuardStream(gzip, context, () => counting.BytesRead, null, member);
            ContentExtractor.ExtractPart(context, guard, member, null, child, depth + 1);
        }
        catch (ExtractionLimitException ex)
        {
            if (ex.ReportOnce(context.Sink, child))
            {
                throw;
            }
        }
    }

    /// <summary>
    /// bzip2 and xz: one compressed stream, like gzip, decoded by SharpCompress behind our
    /// expansion guard. The member is named after the file without its extension.
    /// </summary>
    public static void ExtractCompressed(ExtractionContext context, Stream stream, ContentFormat format, string? fileName, ContentLocation location, int depth)
    {
        string member = StripExtension(fileName, format) ?? "content";
        ContentLocation child = location.Child(member);
        context.AddEntry();
        var counting = new CountingStream(stream);
        try
        {
            // Concatenated bzip2 streams (pbzip2, lbzip2 output) are one file to every bunzip2.
            using Stream decoder = format == ContentFormat.Bzip2
                ? SharpCompress.Compressors.BZip2.BZip2Stream.Create(counting, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true)
                : new SharpCompress.Compressors.Xz.XZStream(counting);
            using var guard = new ExpansionGuardStream(decoder, context, () => counting.BytesRead, null, member);
            ContentExtractor.ExtractPart(context, guard, member, null, child, depth + 1);
        }
        catch (ExtractionLimitException ex)
        {
            if (ex.ReportOnce(context.Sink, child))
            {
                throw;
            }
        }
    }

    private static string? StripExtension(string? fileName, ContentFormat format)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return null;
        }

        foreach (var (suffix, replacement) in format == ContentFormat.Bzip2
            ? new[] { (".tbz2", ".tar"), (".tbz", ".tar"), (".bz2", "") }
            : [(".txz", ".tar"), (".xz", "")])
        {
            if (fileName.Length > suffix.Length && fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return fileName[..^suffix.Length] + replacement;
            }
        }

        return fileName;
    }

    /// <summary>FNAME of the gzip header (RFC 1952 §2.3.1), if set and within the sniffed bytes.</summary>
    private static string? GzipMemberName(ReadOnlySpan<byte> head)
    {
        if (head.Length < 10 || (head[3] & 0x08) == 0)
        {
            return null;
        }

        int pos = 10;
        if ((head[3] & 0x04) != 0)
        {
            if (head.Length < 12)
            {
                return null;
            }

            pos += 2 + (head[10] | (head[11] << 8));
        }

        if (pos >= head.Length)
        {
            return null;
        }

        int end = head[pos..].IndexOf((byte)0);
        if (end <= 0)
        {
            return null;
        }

        // RFC 1952: FNAME is ISO 8859-1.
        string name = Encoding.Latin1.GetString(head.Slice(pos, end));
        int slash = Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
        return slash >= 0 ? name[(slash + 1)..] : name;
    }

    private static string? StripGzipExtension(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return null;
        }

        if (fileName.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return fileName[..^4] + ".tar";
        }

        return fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && fileName.Length > 3 ? fileName[..^3] : fileName;
    }

    public static void ExtractTar(ExtractionContext context, Stream stream, ContentLocation location, int depth)
    {
        byte[] header = new byte[512];
        string? longName = null;
        while (true)
        {
            context.ThrowIfCancelled();
            int n = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (n == 0)
            {
                return;
            }

            if (n < header.Length)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, "tar header truncated");
                return;
            }

            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                return;
            }

            if (!ChecksumValid(header))
            {
                context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, "tar header checksum mismatch");
                return;
            }

            long size = ParseNumber(header.AsSpan(124, 12));
            if (size < 0)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, "tar member size unreadable");
                return;
            }

            long padded = (size + 511) & ~511L;
            byte type = header[156];
            string name = longName ?? HeaderName(header);
            longName = null;
            switch (type)
            {
                case (byte)'L':
                case (byte)'x':
                    longName = ReadMetadataName(stream, size, type == (byte)'x');
                    Skip(stream, padded - Math.Min(size, 65536));
                    continue;
                case (byte)'0':
                case 0:
                case (byte)'7':
                    context.AddEntry();
                    ContentLocation child = location.Child(name);
                    var member = new WindowStream(stream, stream.CanSeek ? stream.Position : 0, size);
                    long start = stream.CanSeek ? stream.Position : 0;
                    ContentExtractor.ExtractPart(context, member, name, null, child, depth + 1);
                    if (stream.CanSeek)
                    {
                        stream.Position = start + padded;
                    }
                    else
                    {
                        Skip(member, long.MaxValue);
                        Skip(stream, padded - size);
                    }

                    continue;
                default:
                    Skip(stream, padded);
                    continue;
            }
        }
    }

    private static string HeaderName(byte[] header)
    {
        string name = CString(header.AsSpan(0, 100));
        if (header.AsSpan(257, 5).SequenceEqual("ustar"u8))
        {
            string prefix = CString(header.AsSpan(345, 155));
            if (prefix.Length > 0)
            {
                name = prefix + "/" + name;
            }
        }

        return name;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? field[..end] : field);
    }

    /// <summary>Reads a GNU 'L' long name or the path of a pax 'x' header; at most 64 KB is kept.</summary>
    private static string? ReadMetadataName(Stream stream, long size, bool pax)
    {
        int keep = (int)Math.Min(size, 65536);
        byte[] data = new byte[keep];
        stream.ReadExactly(data);
        if (!pax)
        {
            return CString(data);
        }

        // pax records: "<length> <key>=<value>\n".
        foreach (string record in Encoding.UTF8.GetString(data).Split('\n'))
        {
            int space = record.IndexOf(' ');
            if (space > 0 && record.AsSpan(space + 1).StartsWith("path="))
            {
                return record[(space + 6)..];
            }
        }

        return null;
    }

    private static bool ChecksumValid(byte[] header)
    {
        long stored = ParseNumber(header.AsSpan(148, 8));
        long sum = 0;
        for (int i = 0; i < header.Length; i++)
        {
            sum += i is >= 148 and < 156 ? (byte)' ' : header[i];
        }

        return stored == sum;
    }

    /// <summary>Octal, NUL/space padded; or GNU base-256 when the high bit is set.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            for (int i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8))
                {
                    return -1;
                }

                value = (value << 8) | field[i];
            }

            return value;
        }

        long result = 0;
        bool any = false;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                result = (result * 8) + (b - '0');
                any = true;
            }
            else if (b is 0 or (byte)' ')
            {
                if (any)
                {
                    break;
                }
            }
            else
            {
                return -1;
            }
        }

        return result;
    }

    private static void Skip(Stream stream, long count)
    {
        if (count <= 0)
        {
            return;
        }

        byte[] buffer = new byte[16 * 1024];
        while (count > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                return;
            }

            count -= n;
        }
    }
}
