using System.Buffers;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>
/// Encoded data pasted into text: a uuencoded file ("begin 644 name" ... "end"), a yEnc one
/// ("=ybegin" ... "=yend"), a long base64 run (line-wrapped or on one line, as in a data: URI) or
/// a long hex run. A reader who decodes it has the file, so inspection decodes it too. Runs are
/// only taken when far longer than any word, hash or token in ordinary prose.
/// </summary>
internal static class EmbeddedBlocks
{
    /// <summary>Base64 characters a run needs (about 190 bytes decoded: a few rows of a table).</summary>
    public const int MinBase64Chars = 256;

    /// <summary>Hex digits a run needs (64 bytes decoded; longer than a SHA-256 digest's 64 digits).</summary>
    public const int MinHexChars = 128;

    /// <summary>Blocks taken from one text; past it the rest of the text is still scanned as text.</summary>
    public const int MaxBlocks = 64;

    private static readonly SearchValues<byte> s_base64 = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8);
    private static readonly SearchValues<byte> s_startOrBreak = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\r\n"u8);
    private static readonly SearchValues<byte> s_hex = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    /// <summary>Characters of a long run decoded first to judge it (at least 16 KiB of bytes from base64 or hex).</summary>
    private const int JudgedChars = 34 * 1024;

    public sealed record Block(string Kind, int Line, byte[] Data, string? Name);

    /// <summary>Whether the first decoded bytes of a run are worth decoding the rest for.</summary>
    public delegate bool WorthReading(ReadOnlySpan<byte> head);

    /// <summary>The decoded blocks of a text, at most <paramref name="maxTotalBytes"/> of them in all.</summary>
    /// <remarks>
    /// Linear and quick on prose: a base64 or hex run lies inside one stretch of alphabet
    /// characters and line breaks, so text is passed over a window at a time until a stretch at
    /// least as long as the shortest run (128 characters) appears; ordinary words never make one.
    /// uuencode and yEnc blocks are found by their "begin" lines.
    /// </remarks>
    /// <param name="worthReading">
    /// When given, a base64 or hex run is decoded whole only if this says yes to its first
    /// decoded bytes (up to 16 KiB): a long run that decodes to noise costs a look, not a decoding.
    /// </param>
    public static List<Block> Find(ReadOnlySpan<byte> text, long maxTotalBytes, WorthReading? worthReading = null)
    {
        var blocks = new List<Block>();
        long total = 0;
        int pos = 0;
        var lines = new LineCounter();
        int keyword = NextKeywordLine(text, 0);
        while (pos < text.Length && blocks.Count < MaxBlocks && total < maxTotalBytes)
        {
            Block? block = null;
            int start;
            int consumed;
            if (pos == keyword)
            {
                start = pos;
                var rest = text[pos..];
                block = rest.StartsWith("begin "u8) ? Uuencoded(rest, lines.LineOf(text, pos), out consumed) : YEncoded(rest, lines.LineOf(text, pos), out consumed);
                if (consumed <= 0)
                {
                    consumed = 1;
                }
            }
            else
            {
                // A stretch long enough for a run has no other byte among its first MinHexChars:
                // past the last such byte in the window ahead, nothing before it can start one.
                int limit = keyword < 0 ? text.Length : keyword;
                if (limit - pos < MinHexChars)
                {
                    pos = limit;
                    continue;
                }

                int other = text.Slice(pos, MinHexChars).LastIndexOfAnyExcept(s_startOrBreak);
                if (other >= 0)
                {
                    pos += other + 1;
                    continue;
                }

                int first = text[pos..limit].IndexOfAny(s_base64);
                if (first < 0)
                {
                    pos = limit;
                    continue;
                }

                start = pos + first;
                int stretch = text[start..limit].IndexOfAnyExcept(s_startOrBreak);
                int end = stretch < 0 ? limit : start + stretch;
                if (end - start < MinHexChars)
                {
                    pos = end;
                    continue;
                }

                block = Run(text[start..], lines.LineOf(text, start), worthReading, out consumed);
                consumed = Math.Max(consumed, 1);
            }

            if (block is not null && block.Data.Length > 0)
            {
                blocks.Add(block);
                total += block.Data.Length;
            }

            pos = start + consumed;
            if (keyword >= 0 && keyword < pos)
            {
                keyword = NextKeywordLine(text, pos);
            }
        }

        return blocks;
    }

    // The next line at or after from that starts with "begin " or "=ybegin ", or -1.
    private static int NextKeywordLine(ReadOnlySpan<byte> text, int from)
    {
        int uu = NextLineStarting(text, from, "begin "u8);
        int y = NextLineStarting(text, from, "=ybegin "u8);
        return uu < 0 ? y : y < 0 ? uu : Math.Min(uu, y);
    }

    private static int NextLineStarting(ReadOnlySpan<byte> text, int from, ReadOnlySpan<byte> word)
    {
        int at = from;
        while (at < text.Length)
        {
            int hit = text[at..].IndexOf(word);
            if (hit < 0)
            {
                return -1;
            }

            hit += at;
            if (hit == 0 || text[hit - 1] is (byte)'\n' or (byte)'\r')
            {
                return hit;
            }

            at = hit + 1;
        }

        return -1;
    }

    /// <summary>Line numbers (from 1) for positions met in increasing order, each newline counted once.</summary>
    private struct LineCounter
    {
        private int _counted;
        private int _newlines;

        public int LineOf(ReadOnlySpan<byte> text, int position)
        {
            if (position > _counted)
            {
                _newlines += text[_counted..position].Count((byte)'\n');
                _counted = position;
            }

            return _newlines + 1;
        }
    }

    // begin <mode> <name> ... end (POSIX uuencode).
    private static Block? Uuencoded(ReadOnlySpan<byte> rest, int line, out int consumed)
    {
        consumed = 0;
        int eol = rest.IndexOfAny((byte)'\r', (byte)'\n');
        var first = eol < 0 ? rest : rest[..eol];
        var words = System.Text.Encoding.ASCII.GetString(first).Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || words[1].Length is < 3 or > 4 || !words[1].All(c => c is >= '0' and <= '7'))
        {
            return null;
        }

        int end = IndexOfLine(rest, "end"u8);
        var data = end < 0 ? rest : rest[..end];
        // The "end" line is the block's own: what follows it starts afresh.
        int endEol = end < 0 ? -1 : rest[end..].IndexOfAny((byte)'\r', (byte)'\n');
        consumed = end < 0 ? rest.Length : endEol < 0 ? rest.Length : end + endEol;
        return new Block("uuencoded", line, Decode(new UUDecoder(), data), words[2].Trim());
    }

    // =ybegin ... name=<name> ... =yend.
    private static Block? YEncoded(ReadOnlySpan<byte> rest, int line, out int consumed)
    {
        int end = IndexOfLine(rest, "=yend"u8);
        consumed = end < 0 ? rest.Length : end;
        int eol = rest.IndexOfAny((byte)'\r', (byte)'\n');
        string first = System.Text.Encoding.Latin1.GetString(eol < 0 ? rest : rest[..eol]);
        int name = first.IndexOf(" name=", StringComparison.Ordinal);
        var data = rest[..consumed];
        if (end >= 0)
        {
            int endEol = rest[end..].IndexOfAny((byte)'\r', (byte)'\n');
            consumed = endEol < 0 ? rest.Length : end + endEol;
            data = rest[..consumed];
        }

        return new Block("yEnc", line, Decode(new YEncDecoder(), data), name < 0 ? null : first[(name + 6)..].Trim());
    }

    // A run of base64 characters that may go on across line breaks (a wrapped block), with its
    // padding. Hex-only runs are decoded as hex.
    private static Block? Run(ReadOnlySpan<byte> rest, int line, WorthReading? worthReading, out int consumed)
    {
        int chars = 0;
        int i = 0;
        bool hexOnly = true;
        while (i < rest.Length)
        {
            int len = rest[i..].IndexOfAnyExcept(s_base64);
            if (len < 0)
            {
                len = rest.Length - i;
            }

            hexOnly &= rest.Slice(i, len).IndexOfAnyExcept(s_hex) < 0;
            chars += len;
            i += len;
            int pads = 0;
            while (i < rest.Length && rest[i] == (byte)'=' && pads < 2)
            {
                i++;
                pads++;
            }

            if (pads > 0)
            {
                // Padding ends base64 data.
                break;
            }

            // Go on to the next line only when this segment ran to the end of its line. Any line
            // break counts, and a few together: CR CR LF (a CRLF file sent by a tool that adds its
            // own CR) shows as a blank line between the lines in readers that end lines at a bare CR.
            int next = i;
            while (next < rest.Length && next - i < 4 && rest[next] is (byte)'\r' or (byte)'\n')
            {
                next++;
            }

            if (next == i || next >= rest.Length || !s_base64.Contains(rest[next]))
            {
                break;
            }

            i = next;
        }

        consumed = i;
        bool hex = hexOnly && chars >= MinHexChars;
        if (!hex && chars < MinBase64Chars)
        {
            return null;
        }

        var run = rest[..i];
        if (worthReading is not null)
        {
            var judged = run[..Math.Min(run.Length, JudgedChars)];
            byte[] head = hex ? DecodeHex(judged) : Decode(new Base64Decoder(), judged);
            if (!worthReading(head))
            {
                return null;
            }

            if (judged.Length == run.Length)
            {
                return new Block(hex ? "hex" : "base64", line, head, null);
            }
        }

        return new Block(hex ? "hex" : "base64", line, hex ? DecodeHex(run) : Decode(new Base64Decoder(), run), null);
    }

    private static int IndexOfLine(ReadOnlySpan<byte> text, ReadOnlySpan<byte> keyword)
    {
        int from = 0;
        while (true)
        {
            int eol = text[from..].IndexOf((byte)'\n');
            if (eol < 0)
            {
                return -1;
            }

            from += eol + 1;
            if (text[from..].StartsWith(keyword))
            {
                return from;
            }
        }
    }

    private static byte[] Decode(IMimeDecoder decoder, ReadOnlySpan<byte> encoded)
    {
        var output = new byte[encoded.Length + 16];
        int n = decoder.Decode(encoded, output);
        n += decoder.Flush(output.AsSpan(n));
        return output.AsSpan(0, n).ToArray();
    }

    private static byte[] DecodeHex(ReadOnlySpan<byte> run)
    {
        var digits = new List<byte>(run.Length);
        foreach (byte b in run)
        {
            if (s_hex.Contains(b))
            {
                digits.Add(b);
            }
        }

        var output = new byte[digits.Count / 2];
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (byte)((HexValue(digits[2 * i]) << 4) | HexValue(digits[(2 * i) + 1]));
        }

        return output;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => b - 'A' + 10,
    };
}
