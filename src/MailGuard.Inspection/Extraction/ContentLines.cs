using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The content lines of vCard (RFC 6350, and the 2.1 and 3.0 forms still exported) and
/// iCalendar (RFC 5545): "NAME;PARAM=x:value", folded over physical lines.
/// </summary>
internal static class ContentLines
{
    /// <summary>Logical lines: folds joined, vCard 2.1 quoted-printable values decoded; escapes left for the caller.</summary>
    public static IEnumerable<string> Read(ExtractionContext context, TextReader reader)
    {
        var logical = new StringBuilder();

        // Whether the logical line's parameters say ENCODING=QUOTED-PRINTABLE: decided from its
        // first physical line, once, however many soft line breaks follow.
        var quotedPrintable = false;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            context.ThrowIfCancelled();
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                // RFC 5545 §3.1: a CRLF followed by one space or tab continues the line.
                logical.Append(line.AsSpan(1));
                continue;
            }

            if (quotedPrintable && logical.Length > 0 && logical[^1] == '=')
            {
                // vCard 2.1 quoted-printable values continue after a soft line break "=".
                logical.Length--;
                logical.Append(line);
                continue;
            }

            if (logical.Length > 0)
            {
                yield return quotedPrintable ? DecodeQuotedPrintable(logical.ToString()) : logical.ToString();
            }

            logical.Clear().Append(line);
            quotedPrintable = IsQuotedPrintable(line);
        }

        if (logical.Length > 0)
        {
            yield return quotedPrintable ? DecodeQuotedPrintable(logical.ToString()) : logical.ToString();
        }
    }

    /// <summary>Splits "item1.TEL;TYPE=cell,voice;PREF=1:+44 7700 900123" into its name ("TEL"), its type words and its value.</summary>
    public static bool TryParse(string line, out string name, out HashSet<string> types, out string value)
    {
        types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        name = value = string.Empty;
        var colon = -1;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                quoted = !quoted;
            }
            else if (line[i] == ':' && !quoted)
            {
                colon = i;
                break;
            }
        }

        if (colon <= 0)
        {
            return false;
        }

        value = line[(colon + 1)..];
        var parts = line[..colon].Split(';');
        name = parts[0][(parts[0].LastIndexOf('.') + 1)..].Trim().ToUpperInvariant();
        foreach (var parameter in parts.AsSpan(1))
        {
            var eq = parameter.IndexOf('=');
            var key = eq < 0 ? "TYPE" : parameter[..eq].Trim();
            if (!key.Equals("TYPE", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // vCard 2.1 writes bare types ("TEL;CELL;VOICE"), 3.0 and 4.0 "TYPE=cell,voice".
            foreach (var type in parameter[(eq + 1)..].Trim('"').Split(','))
            {
                types.Add(type.Trim());
            }
        }

        return name.Length > 0;
    }

    /// <summary>The value's components, split at ';' not escaped ("ADR:;;14 Mill Lane;Leeds;;LS6 2AB;UK"), each unescaped.</summary>
    public static List<string> Components(string value)
    {
        var components = new List<string>();
        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == ';')
            {
                components.Add(Unescape(value[start..i]));
                start = i + 1;
            }
            else if (value[i] == '\\')
            {
                i++;
            }
        }

        return components;
    }

    /// <summary>Undoes the value escapes: "\n" a line break, "\," "\;" "\\" the character.</summary>
    public static string Unescape(string text)
    {
        if (!text.Contains('\\'))
        {
            return text;
        }

        var unescaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                var next = text[++i];
                unescaped.Append(next is 'n' or 'N' ? '\n' : next);
            }
            else
            {
                unescaped.Append(c);
            }
        }

        return unescaped.ToString();
    }

    private static bool IsQuotedPrintable(string line)
    {
        int colon = line.IndexOf(':');
        return colon > 0 && line.AsSpan(0, colon).Contains("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Decodes a vCard 2.1 ENCODING=QUOTED-PRINTABLE value in its CHARSET (UTF-8 if none or unknown).</summary>
    private static string DecodeQuotedPrintable(string line)
    {
        int colon = line.IndexOf(':');
        string parameters = line[..colon];
        Encoding encoding = Encoding.UTF8;
        foreach (string p in parameters.Split(';'))
        {
            if (p.StartsWith("CHARSET=", StringComparison.OrdinalIgnoreCase))
            {
                encoding = MailGuard.Mime.MimeCharsets.Resolve(p[8..]) ?? Encoding.UTF8;
            }
        }

        // The value is ASCII on the wire; the decoder is the one MIME parts go through.
        byte[] encoded = Encoding.Latin1.GetBytes(line, colon + 1, line.Length - colon - 1);
        byte[] decoded = new byte[encoded.Length + 2];
        var decoder = new MailGuard.Mime.QuotedPrintableDecoder();
        int n = decoder.Decode(encoded, decoded);
        n += decoder.Flush(decoded.AsSpan(n));
        return parameters + ":" + encoding.GetString(decoded, 0, n);
    }
}
