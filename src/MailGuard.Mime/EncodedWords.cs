using System.Text;
using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>RFC 2047 encoded words: <c>=?charset?B|Q?text?=</c>.</summary>
public static class EncodedWords
{
    /// <summary>
    /// Decodes every well-formed encoded word in unstructured text (RFC 2047 §5(1)), dropping
    /// white space that separates two adjacent encoded words (§6.2). Malformed words and words in
    /// unknown charsets are left as written (unknown charsets decode as Latin-1).
    /// </summary>
    public static string DecodeUnstructured(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = text.IndexOf("=?", StringComparison.Ordinal);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, first);
        int i = first;
        int pendingWsStart = -1;
        bool lastWasWord = false;
        while (i < text.Length)
        {
            if (text[i] == '=' && i + 1 < text.Length && text[i + 1] == '?' &&
                TryParseEncodedWord(text, i, out int end, out string? decoded))
            {
                if (pendingWsStart >= 0 && !lastWasWord)
                {
                    sb.Append(text, pendingWsStart, i - pendingWsStart);
                }

                pendingWsStart = -1;
                sb.Append(decoded);
                lastWasWord = true;
                i = end;
                continue;
            }

            char c = text[i];
            if (c is ' ' or '\t')
            {
                if (pendingWsStart < 0)
                {
                    pendingWsStart = i;
                }

                i++;
                continue;
            }

            if (pendingWsStart >= 0)
            {
                sb.Append(text, pendingWsStart, i - pendingWsStart);
                pendingWsStart = -1;
            }

            lastWasWord = false;
            sb.Append(c);
            i++;
        }

        if (pendingWsStart >= 0)
        {
            sb.Append(text, pendingWsStart, text.Length - pendingWsStart);
        }

        return sb.ToString();
    }

    /// <summary>Parses one encoded-word starting at <paramref name="start"/> (which holds "=?").</summary>
    internal static bool TryParseEncodedWord(string text, int start, out int end, out string? decoded)
    {
        end = start;
        decoded = null;
        int q1 = text.IndexOf('?', start + 2);
        if (q1 < 0 || q1 + 2 >= text.Length || text[q1 + 2] != '?')
        {
            return false;
        }

        char encoding = char.ToUpperInvariant(text[q1 + 1]);
        if (encoding is not ('B' or 'Q'))
        {
            return false;
        }

        int textStart = q1 + 3;
        int close = text.IndexOf("?=", textStart, StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        string charset = text.Substring(start + 2, q1 - start - 2);
        if (charset.Length == 0 || charset.AsSpan().ContainsAny(" \t()<>@,;:\"/[]?.="))
        {
            return false;
        }

        ReadOnlySpan<char> payload = text.AsSpan(textStart, close - textStart);
        byte[] bytes = encoding == 'B' ? DecodeB(payload) : DecodeQ(payload);
        Encoding enc = Charsets.TryGet(charset) ?? Charsets.Latin1;
        decoded = enc.GetString(bytes);
        end = close + 2;
        return true;
    }

    private static byte[] DecodeB(ReadOnlySpan<char> payload)
    {
        var decoder = new Base64Decoder();
        var input = new byte[payload.Length];
        for (int i = 0; i < payload.Length; i++)
        {
            input[i] = payload[i] < 128 ? (byte)payload[i] : (byte)'?';
        }

        var output = new byte[(payload.Length * 3 / 4) + 3];
        int n = decoder.Decode(input, output);
        n += decoder.Flush(output.AsSpan(n));
        return output.AsSpan(0, n).ToArray();
    }

    private static byte[] DecodeQ(ReadOnlySpan<char> payload)
    {
        var output = new List<byte>(payload.Length);
        for (int i = 0; i < payload.Length; i++)
        {
            char c = payload[i];
            if (c == '_')
            {
                output.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < payload.Length && HexValue(payload[i + 1]) >= 0 && HexValue(payload[i + 2]) >= 0)
            {
                output.Add((byte)((HexValue(payload[i + 1]) << 4) | HexValue(payload[i + 2])));
                i += 2;
            }
            else if (c < 256)
            {
                output.Add((byte)c);
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return output.ToArray();
    }

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
