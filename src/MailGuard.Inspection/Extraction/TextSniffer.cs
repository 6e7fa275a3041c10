using System.Text;
using System.Text.Unicode;

namespace MailGuard.Inspection.Extraction;

/// <summary>How a text-like part is to be decoded and read.</summary>
internal sealed record TextSniff(ContentFormat Format, Encoding Encoding, int BomLength, char Delimiter);

/// <summary>
/// Decides whether bytes are text, in which encoding, and which text format (HTML, CSV,
/// vCard, iCalendar, an RFC 5322 message, plain). Order: BOM, UTF-16/32 by NUL pattern,
/// valid UTF-8, the declared charset, Windows-1252 (what unlabelled 8-bit mail almost always is).
/// </summary>
internal static class TextSniffer
{
    private static readonly string[] _htmlStarts =
    [
        // The WHATWG MIME Sniffing "text/html" patterns (§7.1), plus XML, stripped the same way.
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE",
        "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--", "<?XML", "<META", "<SPAN",
    ];

    private static readonly string[] _messageHeaders =
    [
        "from", "to", "cc", "subject", "date", "received", "return-path", "message-id", "mime-version",
        "delivered-to", "reply-to", "sender", "content-type", "x-mailer", "dkim-signature", "authentication-results",
    ];

    public static TextSniff? Sniff(ReadOnlySpan<byte> head, bool complete, string? fileName, string? declaredContentType)
    {
        (Encoding? encoding, int bom) = DetectBom(head);
        encoding ??= DetectUtf16WithoutBom(head);
        if (encoding is null && MailGuard.Mime.MimeCharsets.IsUtf7(ContentTypeParameter(declaredContentType, "charset")))
        {
            // UTF-7 is plain ASCII on the wire, so it would pass for UTF-8, yet it can spell any
            // character in base64 ("+AEEAQg-" is "AB"): a declared UTF-7 is believed.
            encoding = MailGuard.Mime.MimeCharsets.Utf7;
        }

        if (encoding is null)
        {
            if (LooksBinary(head))
            {
                return null;
            }

            ReadOnlySpan<byte> check = complete ? head : TrimIncompleteUtf8(head);
            if (Utf8.IsValid(check))
            {
                encoding = Utf8WithLegacyFallback;
            }
            else
            {
                encoding = DeclaredEncoding(declaredContentType) ?? Windows1252;
            }
        }

        string sample = encoding.GetString(head[bom..]);
        ContentFormat format = Classify(sample, complete, fileName, declaredContentType, out char delimiter);
        return new TextSniff(format, encoding, bom, delimiter);
    }

    /// <summary>
    /// Whether bytes decoded from a run of base64 or hex found in text can be text a person wrote:
    /// a byte order mark, UTF-16 without one, valid UTF-8, or mostly printable ASCII (legacy 8-bit
    /// text with some accented letters). Runs that only look like base64 (a line of X characters,
    /// a long word) decode to bytes that are none of these and are not read as text.
    /// </summary>
    public static bool MayBeText(ReadOnlySpan<byte> head, bool complete)
    {
        if (DetectBom(head).Encoding is not null || DetectUtf16WithoutBom(head) is not null)
        {
            return true;
        }

        if (LooksBinary(head))
        {
            return false;
        }

        if (Utf8.IsValid(complete ? head : TrimIncompleteUtf8(head)))
        {
            return true;
        }

        int printable = 0;
        foreach (byte b in head)
        {
            if (b is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                printable++;
            }
        }

        return printable * 10 >= head.Length * 9;
    }

    /// <summary>UTF-8 whose invalid bytes decode as Windows-1252, so a stray legacy byte late in a file is not lost.</summary>
    public static Encoding Utf8WithLegacyFallback { get; } =
        Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, new Windows1252DecoderFallback());

    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    private static (Encoding? Encoding, int Bom) DetectBom(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (Utf8WithLegacyFallback, 3);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return (new UTF32Encoding(bigEndian: true, byteOrderMark: false), 4);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2);
        }

        return (null, 0);
    }

    /// <summary>Latin-script UTF-16 has a NUL in every other byte: odd positions for LE, even for BE.</summary>
    private static Encoding? DetectUtf16WithoutBom(ReadOnlySpan<byte> head)
    {
        int pairs = Math.Min(head.Length, 4096) / 2;
        if (pairs < 2)
        {
            return null;
        }

        int evenZero = 0;
        int oddZero = 0;
        for (int i = 0; i < pairs; i++)
        {
            if (head[2 * i] == 0)
            {
                evenZero++;
            }

            if (head[(2 * i) + 1] == 0)
            {
                oddZero++;
            }
        }

        if (oddZero * 10 >= pairs * 4 && evenZero * 20 < pairs)
        {
            return new UnicodeEncoding(bigEndian: false, byteOrderMark: false);
        }

        if (evenZero * 10 >= pairs * 4 && oddZero * 20 < pairs)
        {
            return new UnicodeEncoding(bigEndian: true, byteOrderMark: false);
        }

        return null;
    }

    /// <summary>NULs or many C0 controls (other than tab, CR, LF, FF, ESC) mean binary, not 8-bit text.</summary>
    private static bool LooksBinary(ReadOnlySpan<byte> head)
    {
        int controls = 0;
        foreach (byte b in head)
        {
            if (b == 0)
            {
                return true;
            }

            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C or 0x1B))
            {
                controls++;
            }
        }

        return controls * 100 > head.Length;
    }

    private static ReadOnlySpan<byte> TrimIncompleteUtf8(ReadOnlySpan<byte> head)
    {
        // A sniff window can end inside a multi-byte sequence; drop up to 3 trailing bytes of it.
        int end = head.Length;
        for (int i = 1; i <= 3 && i <= head.Length; i++)
        {
            byte b = head[^i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            if (b >= 0xC0)
            {
                end = head.Length - i;
            }

            break;
        }

        return head[..end];
    }

    internal static Encoding? DeclaredEncoding(string? declaredContentType)
    {
        string? charset = ContentTypeParameter(declaredContentType, "charset");
        if (string.IsNullOrWhiteSpace(charset))
        {
            return null;
        }

        if (MailGuard.Mime.MimeCharsets.IsUtf7(charset))
        {
            return MailGuard.Mime.MimeCharsets.Utf7;
        }

        try
        {
            Encoding e = Encoding.GetEncoding(charset.Trim());
            // Declared UTF-8 on bytes that are not valid UTF-8 is a lie; the legacy fallback is better.
            return e.CodePage is 65001 or 20127 ? null : e;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    internal static string? ContentTypeParameter(string? contentType, string name)
    {
        if (contentType is null)
        {
            return null;
        }

        foreach (string part in contentType.Split(';').Skip(1))
        {
            int eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return part[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    private static ContentFormat Classify(string sample, bool complete, string? fileName, string? declaredContentType, out char delimiter)
    {
        delimiter = ',';
        ReadOnlySpan<char> start = sample.AsSpan().TrimStart();
        if (start.StartsWith("BEGIN:VCARD", StringComparison.OrdinalIgnoreCase))
        {
            return ContentFormat.VCard;
        }

        if (start.StartsWith("BEGIN:VCALENDAR", StringComparison.OrdinalIgnoreCase))
        {
            return ContentFormat.Calendar;
        }

        if (LooksLikeJson(start, fileName, declaredContentType))
        {
            return ContentFormat.Json;
        }

        if (LooksLikeXml(start, fileName, declaredContentType))
        {
            return ContentFormat.Xml;
        }

        foreach (string pattern in _htmlStarts)
        {
            if (start.StartsWith(pattern, StringComparison.OrdinalIgnoreCase)
                && start.Length > pattern.Length
                && (pattern == "<?XML" || start[pattern.Length] is ' ' or '>' or '\t' or '\r' or '\n' or '/'))
            {
                return ContentFormat.Html;
            }
        }

        if (LooksLikeMessage(start))
        {
            return ContentFormat.MailMessage;
        }

        // Text named or typed as a table; Windows labels a .csv application/vnd.ms-excel (Excel opens it).
        bool tableHint = TypeCheck.ExtensionOf(fileName) is "csv" or "tsv" or "tab"
            || TypeCheck.MediaType(declaredContentType) is "text/csv" or "text/tab-separated-values" or "application/csv" or "application/vnd.ms-excel";
        char? sniffed = CsvSniffer.SniffDelimiter(sample, complete, tableHint);

        // Exports write "a,b,c"; people write "OKAFOR, Amelia - DOB 12/03/1965 - 14 Fern Road,
        // Leeds LS6 2AB". Commas each followed by a space, with no CSV name or type (a body, a
        // .txt), are read as text, where a run of comma rows is still a table (TextTables) and,
        // holding nobody, is read again as the lines of records it may be.
        if (sniffed == ',' && !tableHint && CsvSniffer.WrittenByHand(sample, complete))
        {
            return ContentFormat.PlainText;
        }

        if (sniffed is not null)
        {
            delimiter = sniffed.Value;
            return ContentFormat.Csv;
        }

        if (tableHint)
        {
            delimiter = TypeCheck.ExtensionOf(fileName) is "tsv" or "tab" ? '\t' : ',';
            return ContentFormat.Csv;
        }

        return ContentFormat.PlainText;
    }

    /// <summary>
    /// JSON: an object starting with a member name or empty, or an array of objects, arrays or
    /// strings; a bare "[" starts too many other texts ("[Section]", "[1] See...") to be enough.
    /// </summary>
    private static bool LooksLikeJson(ReadOnlySpan<char> start, string? fileName, string? declaredContentType)
    {
        if (start.IsEmpty || start[0] is not ('{' or '['))
        {
            return false;
        }

        var next = start[1..].TrimStart();
        if (next.IsEmpty)
        {
            return false;
        }

        var declared = TypeCheck.ExtensionOf(fileName) is "json" or "ndjson" or "jsonl" or "geojson"
            || TypeCheck.MediaType(declaredContentType) is { } type && (type == "application/json" || type.EndsWith("+json", StringComparison.Ordinal));
        return start[0] == '{' ? next[0] is '"' || (next[0] == '}' && declared) : next[0] is '{' or '[' or '"' || declared;
    }

    /// <summary>XML whose root element is not HTML's: a prolog, or a declared XML type before any element.</summary>
    private static bool LooksLikeXml(ReadOnlySpan<char> start, string? fileName, string? declaredContentType)
    {
        if (start.IsEmpty || start[0] != '<')
        {
            return false;
        }

        var declared = TypeCheck.ExtensionOf(fileName) is "xml"
            || TypeCheck.MediaType(declaredContentType) is { } type && (type is "application/xml" or "text/xml" || type.EndsWith("+xml", StringComparison.Ordinal));
        if (!start.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) && !declared)
        {
            return false;
        }

        // The first element after the prolog's declarations, comments and doctype.
        var rest = start;
        while (true)
        {
            var open = rest.IndexOf('<');
            if (open < 0 || open + 1 >= rest.Length)
            {
                return declared;
            }

            rest = rest[(open + 1)..];
            if (rest[0] is '?' or '!')
            {
                continue;
            }

            var end = rest.IndexOfAny(" \t\r\n/>");
            var name = end < 0 ? rest : rest[..end];
            var colon = name.IndexOf(':');
            return !(colon >= 0 ? name[(colon + 1)..] : name).Equals("html", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>An RFC 5322 header block: field lines up to the first blank line, naming common mail fields.</summary>
    private static bool LooksLikeMessage(ReadOnlySpan<char> text)
    {
        int known = 0;
        int lines = 0;
        foreach (ReadOnlySpan<char> raw in text.EnumerateLines())
        {
            if (raw.IsEmpty)
            {
                break;
            }

            if (++lines > 200)
            {
                break;
            }

            if (raw[0] is ' ' or '\t')
            {
                continue;
            }

            int colon = raw.IndexOf(':');
            if (colon <= 0)
            {
                return false;
            }

            ReadOnlySpan<char> name = raw[..colon];
            foreach (char c in name)
            {
                if (c <= ' ' || c > '~')
                {
                    return false;
                }
            }

            foreach (string header in _messageHeaders)
            {
                if (name.Equals(header, StringComparison.OrdinalIgnoreCase))
                {
                    known++;
                    break;
                }
            }
        }

        return known >= 3;
    }
}

/// <summary>Maps each byte that is not valid UTF-8 to its Windows-1252 character.</summary>
internal sealed class Windows1252DecoderFallback : DecoderFallback
{
    // 0x80-0x9F of Windows-1252; the five unassigned bytes map to the C1 control, as browsers do.
    private static readonly char[] _c1 =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021', '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014', '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    public override int MaxCharCount => 4;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

    internal static char Map(byte b) => b is >= 0x80 and <= 0x9F ? _c1[b - 0x80] : (char)b;

    private sealed class Buffer : DecoderFallbackBuffer
    {
        private readonly char[] _chars = new char[4];
        private int _count;
        private int _index;

        public override int Remaining => _count - _index;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            _count = Math.Min(bytesUnknown.Length, _chars.Length);
            for (int i = 0; i < _count; i++)
            {
                _chars[i] = Map(bytesUnknown[i]);
            }

            _index = 0;
            return _count > 0;
        }

        public override char GetNextChar() => _index < _count ? _chars[_index++] : '\0';

        public override bool MovePrevious()
        {
            if (_index == 0)
            {
                return false;
            }

            _index--;
            return true;
        }

        public override void Reset()
        {
            _count = 0;
            _index = 0;
        }
    }
}
