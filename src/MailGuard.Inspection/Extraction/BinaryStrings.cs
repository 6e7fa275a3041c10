using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Reads the printable strings of a binary that is reported by type rather than opened
/// (executables, audio, video, fonts), as `strings` does: runs of ASCII, and of ASCII in
/// UTF-16LE, at least <see cref="MinRun"/> characters long, sent to the sink as text. A table
/// pasted behind an MP3 header, or into an executable's resources, is then still read. An
/// archive inside (a self-extracting executable, a zip appended to a video) is not opened and
/// makes the part unscannable, since that is where a file would travel unread.
/// </summary>
internal static class BinaryStrings
{
    /// <summary>Shorter runs are mostly chance in compressed data; an NI number is 9 characters, a CSV line more.</summary>
    public const int MinRun = 6;

    private const int FlushChars = 64 * 1024;

    /// <summary>Zip's end-of-central-directory record lies within its last 64 KB comment plus 22 bytes (APPNOTE 4.3.16).</summary>
    private const long EocdWindow = 65_535 + 22;

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, ContentFormat format)
    {
        var text = new StringBuilder();
        var ascii = new StringBuilder();
        var wide = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        long offset = 0;
        long localHeader = -1;
        long endOfDirectory = -1;
        string? embedded = null;
        int widePhase = 0;
        byte previous = 0;
        byte[] tail = new byte[6];
        int tailLength = 0;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            context.ThrowIfCancelled();
            ReadOnlySpan<byte> span = buffer.AsSpan(0, n);
            FindSignatures(tail.AsSpan(0, tailLength), span, offset, ref localHeader, ref endOfDirectory, ref embedded);
            for (int i = 0; i < span.Length; i++)
            {
                byte b = span[i];
                bool printable = b is (>= 0x20 and <= 0x7E) or (byte)'\t';
                if (printable)
                {
                    ascii.Append((char)b);
                }
                else
                {
                    EndRun(ascii, text);
                }

                // UTF-16LE: a printable byte followed by a zero byte, pair after pair.
                if (widePhase == 1)
                {
                    if (b == 0 && previous is (>= 0x20 and <= 0x7E) or (byte)'\t')
                    {
                        wide.Append((char)previous);
                        widePhase = 0;
                    }
                    else
                    {
                        EndRun(wide, text);
                        widePhase = printable ? 1 : 0;
                    }
                }
                else if (printable)
                {
                    widePhase = 1;
                }
                else
                {
                    EndRun(wide, text);
                }

                previous = b;
            }

            if (text.Length >= FlushChars)
            {
                context.Sink.OnText(location, text.ToString());
                text.Clear();
            }

            tailLength = Math.Min(tail.Length, n);
            span[^tailLength..].CopyTo(tail);
            offset += n;
        }

        EndRun(ascii, text);
        EndRun(wide, text);
        if (text.Length > 0)
        {
            context.Sink.OnText(location, text.ToString());
        }

        if (embedded is null && localHeader > 0 && endOfDirectory >= 0 && offset - endOfDirectory <= EocdWindow)
        {
            embedded = $"zip archive at offset {localHeader}";
        }

        if (embedded is not null)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.UnsupportedFormat, $"{format.ToString().ToLowerInvariant()} holds an embedded {embedded} (self-extracting or appended), which is not opened");
        }
    }

    private static void EndRun(StringBuilder run, StringBuilder text)
    {
        if (run.Length >= MinRun)
        {
            text.Append(run).Append('\n');
        }

        run.Clear();
    }

    /// <summary>Looks for archive signatures past offset 0, including across the previous chunk's last bytes.</summary>
    private static void FindSignatures(ReadOnlySpan<byte> tail, ReadOnlySpan<byte> chunk, long chunkOffset, ref long localHeader, ref long endOfDirectory, ref string? embedded)
    {
        byte[] joined = new byte[tail.Length + Math.Min(chunk.Length, 8)];
        tail.CopyTo(joined);
        chunk[..Math.Min(chunk.Length, 8)].CopyTo(joined.AsSpan(tail.Length));
        Scan(joined, chunkOffset - tail.Length, ref localHeader, ref endOfDirectory, ref embedded);
        Scan(chunk, chunkOffset, ref localHeader, ref endOfDirectory, ref embedded);
    }

    private static void Scan(ReadOnlySpan<byte> data, long baseOffset, ref long localHeader, ref long endOfDirectory, ref string? embedded)
    {
        int from = 0;
        while (true)
        {
            int i = data[from..].IndexOfAny((byte)'P', (byte)'7', (byte)'R');
            if (i < 0)
            {
                return;
            }

            i += from;
            from = i + 1;
            long at = baseOffset + i;
            if (at <= 0)
            {
                continue;
            }

            ReadOnlySpan<byte> rest = data[i..];
            if (rest.StartsWith("PK\x03\x04"u8) && localHeader < 0)
            {
                localHeader = at;
            }
            else if (rest.StartsWith("PK\x05\x06"u8))
            {
                endOfDirectory = at;
            }
            else if (embedded is null && rest.StartsWith((ReadOnlySpan<byte>)[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]))
            {
                embedded = $"7z archive at offset {at}";
            }
            else if (embedded is null && rest.StartsWith("Rar!\x1A\x07"u8))
            {
                embedded = $"rar archive at offset {at}";
            }
        }
    }
}
