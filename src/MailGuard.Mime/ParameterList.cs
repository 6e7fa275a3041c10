using System.Text;
using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>
/// MIME parameters (RFC 2045 §5.1) with RFC 2231 continuations, charsets and languages
/// decoded, and RFC 2047 encoded words inside quoted values decoded (a widespread violation
/// that Outlook and Gmail write for non-ASCII file names).
/// </summary>
public sealed class ParameterList
{
    private readonly List<KeyValuePair<string, string>> _items = new();
    private bool _lastWins;

    /// <summary>The list of a field without parameters; shared, as every list is read-only once parsed.</summary>
    public static ParameterList Empty { get; } = new();

    /// <summary>Entries in <see cref="Items"/>: the sections of one RFC 2231 parameter (name*0, name*1) count once.</summary>
    public int Count => _items.Count;

    /// <summary>
    /// Names in lower case with decoded values: plain parameters in order, then the RFC 2231 ones in
    /// order of first appearance. A name given twice is listed twice, and a plain and an RFC 2231
    /// form of one name both appear, the plain one first (the one the indexer returns unless parsed with lastWins).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

    /// <summary>The first parameter of that name (case-insensitive; the last when parsed with lastWins), or null.</summary>
    public string? this[string name]
    {
        get
        {
            string? found = null;
            foreach (var kv in _items)
            {
                if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    if (!_lastWins)
                    {
                        return kv.Value;
                    }

                    found = kv.Value;
                }
            }

            return found;
        }
    }

    /// <summary>
    /// Parses the parameter section of a field value (everything after the first ';').
    /// Never fails: malformed pieces are skipped.
    /// </summary>
    public static ParameterList Parse(string text) => Parse(text, lastWins: false);

    /// <summary>As <see cref="Parse(string)"/>, choosing which of a repeated parameter the indexer returns.</summary>
    /// <param name="text">The text after the first ';' of the field value.</param>
    /// <param name="lastWins">A parameter given twice reads as its last value (as some clients read it).</param>
    public static ParameterList Parse(string text, bool lastWins)
    {
        var list = new ParameterList { _lastWins = lastWins };
        var plain = new List<KeyValuePair<string, string>>();
        var extended = new Dictionary<string, List<(int Index, string Value, bool Encoded)>>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (var (rawName, rawValue) in SplitParameters(text))
        {
            string name = rawName.Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                continue;
            }

            bool encoded = name.EndsWith('*');
            string baseName = encoded ? name[..^1] : name;
            int index = -1;
            int star = baseName.IndexOf('*');
            if (star > 0 && int.TryParse(baseName.AsSpan(star + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int section))
            {
                index = section;
                baseName = baseName[..star];
            }
            else if (star >= 0)
            {
                // "name*x": not an RFC 2231 form; keep it as a plain parameter.
                plain.Add(new(name, Unquote(rawValue.Trim())));
                continue;
            }

            if (!encoded && index < 0)
            {
                plain.Add(new(name, DecodeWordsInValue(rawValue.Trim())));
                continue;
            }

            if (!extended.TryGetValue(baseName, out var sections))
            {
                sections = new();
                extended[baseName] = sections;
                order.Add(baseName);
            }

            sections.Add((index < 0 ? 0 : index, Unquote(rawValue.Trim()), encoded));
        }

        list._items.AddRange(plain);
        foreach (string name in order)
        {
            list._items.Add(new(name, JoinRfc2231(extended[name])));
        }

        return list;
    }

    // RFC 2231 §3-4: sections are joined in numeric order; "*"-marked sections are
    // percent-encoded in the charset named by the first section's charset'language' prefix.
    private static string JoinRfc2231(List<(int Index, string Value, bool Encoded)> sections)
    {
        sections.Sort((a, b) => a.Index.CompareTo(b.Index));
        string? charset = null;
        var bytes = new List<byte>();
        bool first = true;
        bool anyEncoded = false;
        foreach (var (_, value, encoded) in sections)
        {
            string v = value;
            if (encoded)
            {
                anyEncoded = true;
                if (first)
                {
                    int t1 = v.IndexOf('\'');
                    int t2 = t1 >= 0 ? v.IndexOf('\'', t1 + 1) : -1;
                    if (t2 > t1)
                    {
                        charset = v[..t1];
                        v = v[(t2 + 1)..];
                    }
                }

                PercentDecode(v, bytes);
            }
            else
            {
                foreach (char c in v)
                {
                    AppendChar(c, bytes);
                }
            }

            first = false;
        }

        byte[] raw = bytes.ToArray();
        if (!anyEncoded)
        {
            return Charsets.DecodeHeaderBytes(raw);
        }

        Encoding enc = Charsets.TryGet(charset) ?? (charset is null or "" ? Encoding.UTF8 : Charsets.Latin1);
        return enc.GetString(raw);
    }

    private static void AppendChar(char c, List<byte> bytes)
    {
        if (c < 256)
        {
            bytes.Add((byte)c);
        }
        else
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
    }

    private static void PercentDecode(string v, List<byte> bytes)
    {
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] == '%' && i + 2 < v.Length &&
                EncodedWords.HexValue(v[i + 1]) >= 0 && EncodedWords.HexValue(v[i + 2]) >= 0)
            {
                bytes.Add((byte)((EncodedWords.HexValue(v[i + 1]) << 4) | EncodedWords.HexValue(v[i + 2])));
                i += 2;
            }
            else
            {
                AppendChar(v[i], bytes);
            }
        }
    }

    private static string DecodeWordsInValue(string value)
    {
        string v = Unquote(value);
        return v.Contains("=?", StringComparison.Ordinal) ? EncodedWords.DecodeUnstructured(v) : v;
    }

    /// <summary>Removes surrounding double quotes and backslash escapes (RFC 5322 quoted-string).</summary>
    internal static string Unquote(string value)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            var sb = new StringBuilder(value.Length);
            for (int i = 1; i < value.Length - 1; i++)
            {
                if (value[i] == '\\' && i + 1 < value.Length - 1)
                {
                    i++;
                }

                sb.Append(value[i]);
            }

            return sb.ToString();
        }

        return value;
    }

    // Splits "a=1; b="x;y"; c" at semicolons outside quoted strings and comments.
    private static IEnumerable<(string Name, string Value)> SplitParameters(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            bool inQuote = false;
            int commentDepth = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (inQuote)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '"')
                    {
                        inQuote = false;
                    }
                }
                else if (commentDepth > 0)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '(')
                    {
                        commentDepth++;
                    }
                    else if (c == ')')
                    {
                        commentDepth--;
                    }
                }
                else if (c == '"')
                {
                    inQuote = true;
                }
                else if (c == '(')
                {
                    commentDepth++;
                }
                else if (c == ';')
                {
                    break;
                }

                i++;
            }

            string piece = text[start..Math.Min(i, text.Length)];
            i++;
            int eq = piece.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            string name = StripComments(piece[..eq]).Trim();
            string value = piece[(eq + 1)..].Trim();
            if (value.Length > 0 && value[0] != '"')
            {
                value = StripComments(value).Trim();
            }
            else if (value.Length > 0)
            {
                // Drop a comment after the closing quote: name="v" (comment)
                int close = ClosingQuote(value);
                if (close > 0)
                {
                    value = value[..(close + 1)];
                }
            }

            yield return (name, value);
        }
    }

    private static int ClosingQuote(string value)
    {
        for (int i = 1; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
            }
            else if (value[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    internal static string StripComments(string text)
    {
        if (!text.Contains('('))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        int depth = 0;
        bool inQuote = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (depth == 0 && c == '"')
            {
                inQuote = !inQuote;
            }

            if (!inQuote && c == '(')
            {
                depth++;
                continue;
            }

            if (!inQuote && depth > 0)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == ')')
                {
                    depth--;
                }

                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
