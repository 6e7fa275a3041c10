using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The two things read from a PDF's raw bytes when PdfPig cannot open it. PdfPig refuses a
/// trailer without /Size (ISO 32000-1 §7.5.5 requires it), which hand-made and some generated
/// PDFs lack even though every reader opens them; its own search for objects, which runs when
/// the cross-reference table is missing or wrong, does not need the value. And a file that
/// names an /Encrypt dictionary but cannot be opened is reported as needing a password, not
/// as corrupt: a reader that knew the password might open it.
/// </summary>
internal static class PdfTrailer
{
    /// <summary>A copy with /Size added to every trailer dictionary that lacks it, or null when none does.</summary>
    public static byte[]? WithSize(byte[] data)
    {
        ReadOnlySpan<byte> span = data;
        var insertAt = new List<int>();
        int from = 0;
        while (from < span.Length)
        {
            int at = span[from..].IndexOf("trailer"u8);
            if (at < 0)
            {
                break;
            }

            at += from;
            int open = at + 7;
            while (open < span.Length && IsWhiteSpace(span[open]))
            {
                open++;
            }

            from = at + 7;
            if (open + 1 >= span.Length || span[open] != '<' || span[open + 1] != '<')
            {
                continue;
            }

            int close = span[open..].IndexOf(">>"u8);
            ReadOnlySpan<byte> dictionary = close < 0 ? span[open..] : span.Slice(open, close);
            if (dictionary.IndexOf("/Size"u8) < 0)
            {
                insertAt.Add(open + 2);
            }
        }

        if (insertAt.Count == 0)
        {
            return null;
        }

        // One more than the largest object number, as §7.5.5 defines it.
        byte[] size = Encoding.ASCII.GetBytes(" /Size " + (MaxObjectNumber(span) + 1).ToString(CultureInfo.InvariantCulture) + " ");
        var repaired = new byte[data.Length + (insertAt.Count * size.Length)];
        int read = 0;
        int written = 0;
        foreach (int at in insertAt)
        {
            span[read..at].CopyTo(repaired.AsSpan(written));
            written += at - read;
            size.CopyTo(repaired, written);
            written += size.Length;
            read = at;
        }

        span[read..].CopyTo(repaired.AsSpan(written));
        return repaired;
    }

    /// <summary>The largest N of the "N G obj" headers in the file (§7.3.10).</summary>
    private static long MaxObjectNumber(ReadOnlySpan<byte> span)
    {
        long max = 0;
        int from = 0;
        while (from < span.Length)
        {
            int at = span[from..].IndexOf("obj"u8);
            if (at < 0)
            {
                break;
            }

            at += from;
            from = at + 3;
            int i = at - 1;
            if (SkipBack(span, ref i, IsWhiteSpace) && SkipBack(span, ref i, char.IsAsciiDigit) && SkipBack(span, ref i, IsWhiteSpace))
            {
                int end = i;
                SkipBack(span, ref i, char.IsAsciiDigit);
                if (i < end && long.TryParse(span[(i + 1)..(end + 1)], NumberStyles.None, CultureInfo.InvariantCulture, out long number))
                {
                    max = Math.Max(max, number);
                }
            }
        }

        return max;

        static bool SkipBack(ReadOnlySpan<byte> span, ref int i, Func<char, bool> match)
        {
            int start = i;
            while (i >= 0 && match((char)span[i]))
            {
                i--;
            }

            return i < start;
        }
    }

    /// <summary>Whether a trailer or cross-reference stream dictionary names an encryption dictionary.</summary>
    public static bool NamesEncryption(byte[] data) => data.AsSpan().IndexOf("/Encrypt"u8) >= 0;

    private static bool IsWhiteSpace(byte b) => IsWhiteSpace((char)b);

    private static bool IsWhiteSpace(char c) => c is ' ' or '\r' or '\n' or '\t' or '\f' or '\0';
}
