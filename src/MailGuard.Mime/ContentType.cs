namespace MailGuard.Mime;

/// <summary>Content-Type (RFC 2045 §5): type/subtype and parameters.</summary>
public sealed class ContentType
{
    internal ContentType(string mediaType, string mediaSubtype, ParameterList parameters, bool isValid = true)
    {
        MediaType = mediaType;
        MediaSubtype = mediaSubtype;
        Parameters = parameters;
        IsValid = isValid;
    }

    /// <summary>The parameters followed the media type without a ';' and were read anyway ("multipart/mixed boundary=x").</summary>
    public bool ParametersRecovered { get; private init; }

    /// <summary>RFC 2045 §5.2: no Content-Type field means text/plain; charset=us-ascii.</summary>
    public static ContentType TextPlain { get; } = new("text", "plain", ParameterList.Empty);

    /// <summary>RFC 2046 §5.1.5: the default inside multipart/digest.</summary>
    public static ContentType MessageRfc822 { get; } = new("message", "rfc822", ParameterList.Empty);

    /// <summary>The top-level type in lower case ("text"); "text" also when the field was invalid.</summary>
    public string MediaType { get; }

    /// <summary>The subtype in lower case ("plain"); compare with <see cref="Is"/>.</summary>
    public string MediaSubtype { get; }

    /// <summary>"type/subtype" in lower case, without parameters.</summary>
    public string MimeType => MediaType + "/" + MediaSubtype;

    /// <summary>Everything after the first ';' outside comments, RFC 2231 sections joined; <see cref="ParameterList.Empty"/> when there is none.</summary>
    public ParameterList Parameters { get; }

    /// <summary>False when the field was present but not type/subtype (it then reads as text/plain).</summary>
    public bool IsValid { get; }

    /// <summary>The charset parameter, trimmed, in lower case; null when absent, which for text/* means us-ascii (RFC 2046 §4.1.2).</summary>
    public string? Charset => Parameters["charset"]?.Trim().ToLowerInvariant();

    /// <summary>The boundary parameter with trailing white space removed, or null.</summary>
    public string? Boundary => Parameters["boundary"]?.TrimEnd();

    /// <summary>
    /// The name parameter, decoded but untrimmed; null when absent. RFC 2046 §4.5.1 leaves file
    /// names to Content-Disposition (RFC 2183), yet many clients still write and read this one.
    /// </summary>
    public string? Name => Parameters["name"];

    /// <summary>Any multipart/* subtype: an unrecognised one is read as mixed (RFC 2046 §5.1.3).</summary>
    public bool IsMultipart => MediaType == "multipart";

    /// <summary>message/rfc822, message/global (RFC 6532) and message/news encapsulate a message; other message/* subtypes do not.</summary>
    public bool IsEncapsulatedMessage => MediaType == "message" && MediaSubtype is "rfc822" or "global" or "news";

    /// <summary>Ordinal comparison with the lower-case parsed values: pass lower-case arguments ("text", "html").</summary>
    public bool Is(string type, string subtype) => MediaType == type && MediaSubtype == subtype;

    /// <summary>
    /// Parses a Content-Type value. A value that is not type/subtype yields text/plain with
    /// <see cref="IsValid"/> false (RFC 2045 §5.2 "default to text/plain"), parameters kept.
    /// </summary>
    public static ContentType Parse(string value) => Parse(value, lastWins: false);

    /// <summary>As <see cref="Parse(string)"/>, choosing which of a repeated parameter counts.</summary>
    /// <param name="value">The unfolded field value; comments around the media type are ignored.</param>
    /// <param name="lastWins">A parameter given twice reads as its last value.</param>
    public static ContentType Parse(string value, bool lastWins)
    {
        ArgumentNullException.ThrowIfNull(value);
        int semi = IndexOfParameterStart(value);
        string main = ParameterList.StripComments(semi < 0 ? value : value[..semi]).Trim();
        var parameters = semi < 0 ? ParameterList.Empty : ParameterList.Parse(value[(semi + 1)..], lastWins);
        if (TryParseTypeSubtype(main, out string type, out string subtype))
        {
            return new ContentType(type, subtype, parameters);
        }

        if (TrySplitMissingSeparator(main, out string typed, out string rest) && TryParseTypeSubtype(typed, out type, out subtype))
        {
            // "multipart/mixed boundary=x": clients read the parameter; so must we, or the
            // structure they show is invisible here.
            string all = semi < 0 ? rest : rest + ";" + value[(semi + 1)..];
            return new ContentType(type, subtype, ParameterList.Parse(all, lastWins)) { ParametersRecovered = true };
        }

        return new ContentType("text", "plain", parameters, isValid: false);
    }

    // "type/subtype attribute=value ...": the media type ends at the first white space, and
    // what follows must look like a parameter.
    private static bool TrySplitMissingSeparator(string main, out string typed, out string rest)
    {
        typed = rest = string.Empty;
        int ws = main.IndexOfAny([' ', '\t']);
        if (ws <= 0)
        {
            return false;
        }

        string after = main[ws..].TrimStart();
        int eq = after.IndexOf('=');
        if (eq <= 0 || !IsToken(after.AsSpan(0, eq).TrimEnd()))
        {
            return false;
        }

        typed = main[..ws];
        rest = after;
        return true;
    }

    private static int IndexOfParameterStart(string value)
    {
        int depth = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (c == ';' && depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    // RFC 2045 §5.1: type "/" subtype, both tokens.
    private static bool TryParseTypeSubtype(string main, out string type, out string subtype)
    {
        type = subtype = string.Empty;
        int slash = main.IndexOf('/');
        if (slash <= 0 || slash == main.Length - 1 || main.IndexOf('/', slash + 1) >= 0)
        {
            return false;
        }

        var t = main.AsSpan(0, slash).Trim();
        var s = main.AsSpan(slash + 1).Trim();
        if (!IsToken(t) || !IsToken(s))
        {
            return false;
        }

        type = t.ToString().ToLowerInvariant();
        subtype = s.ToString().ToLowerInvariant();
        return true;
    }

    internal static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?=".Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The <see cref="MimeType"/>; parameters are left out.</summary>
    public override string ToString() => MimeType;
}

/// <summary>Content-Disposition (RFC 2183).</summary>
public sealed class ContentDisposition
{
    internal ContentDisposition(string disposition, ParameterList parameters)
    {
        Disposition = disposition;
        Parameters = parameters;
    }

    /// <summary>Lower-case disposition type ("inline", "attachment", ...); may be empty when malformed.</summary>
    public string Disposition { get; }

    /// <summary>Everything after the first ';', decoded as for Content-Type; <see cref="ParameterList.Empty"/> when there is none.</summary>
    public ParameterList Parameters { get; }

    /// <summary>
    /// The filename parameter, decoded (RFC 2231, or encoded words in a quoted value) but neither
    /// trimmed nor sanitised: it may carry a path. Null when absent.
    /// </summary>
    public string? FileName => Parameters["filename"];

    /// <summary>
    /// True for the "attachment" type only. RFC 2183 §2.8 says to treat unknown types as attachment;
    /// <see cref="MimeEntity.IsAttachment"/> is the reading that also counts named leaves.
    /// </summary>
    public bool IsAttachment => Disposition == "attachment";

    /// <summary>Never fails: a malformed value gives an empty or unknown <see cref="Disposition"/>. The first of a repeated parameter counts.</summary>
    public static ContentDisposition Parse(string value) => Parse(value, lastWins: false);

    /// <summary>As <see cref="Parse(string)"/>, choosing which of a repeated parameter counts.</summary>
    /// <param name="value">The unfolded field value.</param>
    /// <param name="lastWins">A parameter given twice reads as its last value.</param>
    public static ContentDisposition Parse(string value, bool lastWins)
    {
        ArgumentNullException.ThrowIfNull(value);
        int semi = value.IndexOf(';');
        string main = ParameterList.StripComments(semi < 0 ? value : value[..semi]).Trim().ToLowerInvariant();
        var parameters = semi < 0 ? ParameterList.Empty : ParameterList.Parse(value[(semi + 1)..], lastWins);
        return new ContentDisposition(main, parameters);
    }
}

/// <summary>Content-Transfer-Encoding (RFC 2045 §6).</summary>
public static class TransferEncoding
{
    /// <summary>The lower-case mechanism token with comments and white space dropped; null for an empty value.</summary>
    public static string? Normalize(string? value)
    {
        if (value is null)
        {
            return null;
        }

        string v = ParameterList.StripComments(value).Trim().ToLowerInvariant();
        int ws = v.IndexOfAny([' ', '\t', ';']);
        if (ws > 0)
        {
            v = v[..ws];
        }

        return v.Length == 0 ? null : v;
    }

    /// <summary>A decoder for the mechanism; identity for 7bit, 8bit, binary and unknown tokens (RFC 2045 §6.4).</summary>
    public static IMimeDecoder CreateDecoder(string? mechanism) => mechanism switch
    {
        "base64" => new Base64Decoder(),
        "quoted-printable" => new QuotedPrintableDecoder(),
        "x-uuencode" or "uuencode" or "uue" or "x-uue" => new UUDecoder(),
        _ => new PassThroughDecoder(),
    };
}
