using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection;

/// <summary>
/// The copy of a message handed to MimeKit for the second-opinion parse, with every header-like
/// field cut to <see cref="MaxFieldBytes"/>. MimeKit grows its header buffer 64 bytes at a time,
/// so one field costs it allocation quadratic in its length (a 128 KiB field, 122 MB; a 900 KB To
/// field, 6 GB). Long fields matter only to our own parse, which reads them in full; the structure
/// MimeKit is asked about lives in short fields. A body line can look like a field; cutting one
/// that runs past the cap changes only MimeKit's copy, never what the primary parse inspected.
/// </summary>
internal static class HeaderCappedCopy
{
    /// <summary>Bytes kept of one field (its first line and continuations): 8 KiB costs MimeKit about 0.5 MB.</summary>
    public const int MaxFieldBytes = 8 * 1024;

    public static Stream Create(Stream source, long maxInMemory, CancellationToken cancellationToken)
    {
        Stream target = new MemoryStream();
        var reader = new StreamLineReader(source);
        int fieldBytes = -1; // -1: not inside a field
        while (reader.ReadLine(out var line))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var content = line.TrimEnd("\r\n"u8);
            bool continuation = !content.IsEmpty && content[0] is (byte)' ' or (byte)'\t';
            if (continuation && fieldBytes >= 0)
            {
                fieldBytes += line.Length;
                if (fieldBytes > MaxFieldBytes)
                {
                    continue;
                }
            }
            else
            {
                fieldBytes = LooksLikeField(content) ? line.Length : -1;
                if (fieldBytes > MaxFieldBytes)
                {
                    // One physical line longer than the cap: keep its start and its line break.
                    target.Write(line[..MaxFieldBytes]);
                    target.Write(line[content.Length..]);
                    continue;
                }
            }

            target.Write(line);
            if (target is MemoryStream memory && memory.Length > maxInMemory)
            {
                target = ContentSpool.ToFile(memory);
            }
        }

        target.Position = 0;
        return target;
    }

    private static bool LooksLikeField(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        // Real field names are letters, digits and hyphens (RFC 5322 allows more, nobody uses it);
        // "<div style=\"color:" is markup, not a field.
        foreach (byte b in line[..colon].TrimEnd(" \t"u8))
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.'))
            {
                return false;
            }
        }

        return true;
    }

    // Whole lines of a stream, however long, one buffer at a time (a line longer than the
    // buffer is returned in pieces; only the first piece can start a field).
    private sealed class StreamLineReader(Stream source)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _eof;

        public bool ReadLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                var available = _buffer.AsSpan(_start, _end - _start);
                int lf = available.IndexOf((byte)'\n');
                if (lf >= 0 || (_eof && !available.IsEmpty) || available.Length == _buffer.Length)
                {
                    int take = lf >= 0 ? lf + 1 : available.Length;
                    line = available[..take];
                    _start += take;
                    return true;
                }

                if (_eof)
                {
                    line = default;
                    return false;
                }

                available.CopyTo(_buffer);
                _end = available.Length;
                _start = 0;
                int n = source.Read(_buffer, _end, _buffer.Length - _end);
                if (n <= 0)
                {
                    _eof = true;
                }

                _end += n;
            }
        }
    }
}
