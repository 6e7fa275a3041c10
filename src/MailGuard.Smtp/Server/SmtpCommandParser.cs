using System.Text;

namespace MailGuard.Smtp.Server;

/// <summary>
/// Parsers for the RFC 5321 §4.1.2 command-argument grammar, one method per rule, extended by
/// RFC 6531 §3.3 (UTF-8 in local parts and domains). Methods work on the decoded command line and
/// report where parsing stopped; callers turn failures into 501 replies.
/// </summary>
internal static class SmtpCommandParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Splits a command line (CRLF removed) into verb and argument text. Returns false for invalid UTF-8.</summary>
    public static bool TrySplit(ReadOnlySpan<byte> line, out SmtpVerb verb, out string arguments)
    {
        var space = line.IndexOf((byte)' ');
        var word = space < 0 ? line : line[..space];
        verb = ToVerb(word);
        arguments = string.Empty;
        if (space < 0)
        {
            return true;
        }

        try
        {
            arguments = s_strictUtf8.GetString(line[(space + 1)..]);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static SmtpVerb ToVerb(ReadOnlySpan<byte> word)
    {
        if (word.Length == 4)
        {
            // Verbs are case-insensitive ASCII (RFC 5321 §2.4).
            Span<byte> upper = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                upper[i] = (byte)(word[i] & 0xDF);
            }

            return upper switch
            {
                _ when upper.SequenceEqual("HELO"u8) => SmtpVerb.Helo,
                _ when upper.SequenceEqual("EHLO"u8) => SmtpVerb.Ehlo,
                _ when upper.SequenceEqual("MAIL"u8) => SmtpVerb.Mail,
                _ when upper.SequenceEqual("RCPT"u8) => SmtpVerb.Rcpt,
                _ when upper.SequenceEqual("DATA"u8) => SmtpVerb.Data,
                _ when upper.SequenceEqual("BDAT"u8) => SmtpVerb.Bdat,
                _ when upper.SequenceEqual("RSET"u8) => SmtpVerb.Rset,
                _ when upper.SequenceEqual("NOOP"u8) => SmtpVerb.Noop,
                _ when upper.SequenceEqual("QUIT"u8) => SmtpVerb.Quit,
                _ when upper.SequenceEqual("VRFY"u8) => SmtpVerb.Vrfy,
                _ when upper.SequenceEqual("HELP"u8) => SmtpVerb.Help,
                _ when upper.SequenceEqual("AUTH"u8) => SmtpVerb.Auth,
                _ => SmtpVerb.Unknown,
            };
        }

        return word.Length == 8 && Ascii.EqualsIgnoreCase(word, "STARTTLS"u8) ? SmtpVerb.StartTls : SmtpVerb.Unknown;
    }

    /// <summary>
    /// "FROM:" Reverse-path [SP Mail-parameters] (RFC 5321 §4.1.1.2). A space after the colon is
    /// tolerated, as most servers do, because some clients send one.
    /// </summary>
    public static bool TryParseMailFromArguments(string arguments, out string reversePath, out Dictionary<string, string?> parameters, out bool pathError)
        => TryParsePathCommand(arguments, "FROM:", allowNullPath: true, out reversePath, out parameters, out pathError);

    /// <summary>"TO:" ( "&lt;Postmaster@" Domain "&gt;" / "&lt;Postmaster&gt;" / Forward-path ) [SP Rcpt-parameters] (RFC 5321 §4.1.1.3).</summary>
    public static bool TryParseRcptToArguments(string arguments, out string forwardPath, out Dictionary<string, string?> parameters, out bool pathError)
        => TryParsePathCommand(arguments, "TO:", allowNullPath: false, out forwardPath, out parameters, out pathError);

    private static bool TryParsePathCommand(string arguments, string prefix, bool allowNullPath, out string path, out Dictionary<string, string?> parameters, out bool pathError)
    {
        path = string.Empty;
        parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        pathError = false;
        var s = arguments.AsSpan();
        if (!s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var pos = prefix.Length;
        while (pos < s.Length && s[pos] == ' ')
        {
            pos++;
        }

        if (allowNullPath && s[pos..].StartsWith("<>"))
        {
            pos += 2;
        }
        else if (!allowNullPath && s[pos..].StartsWith("<Postmaster>", StringComparison.OrdinalIgnoreCase))
        {
            path = s.Slice(pos + 1, 10).ToString();
            pos += 12;
        }
        else if (!TryParsePath(s, ref pos, out path))
        {
            pathError = true;
            return false;
        }

        return TryParseMailParameters(s, ref pos, parameters);
    }

    /// <summary>Path = "&lt;" [ A-d-l ":" ] Mailbox "&gt;" (RFC 5321 §4.1.2). The obsolete source route is skipped (§C).</summary>
    public static bool TryParsePath(ReadOnlySpan<char> s, ref int pos, out string mailbox)
    {
        mailbox = string.Empty;
        if (pos >= s.Length || s[pos] != '<')
        {
            return false;
        }

        var p = pos + 1;
        if (p < s.Length && s[p] == '@')
        {
            var colon = s[p..].IndexOf(':');
            if (colon < 0)
            {
                return false;
            }

            p += colon + 1;
        }

        var start = p;
        if (!TryParseMailbox(s, ref p) || p >= s.Length || s[p] != '>')
        {
            return false;
        }

        mailbox = s[start..p].ToString();
        pos = p + 1;
        return true;
    }

    /// <summary>Mailbox = Local-part "@" ( Domain / address-literal ).</summary>
    public static bool TryParseMailbox(ReadOnlySpan<char> s, ref int pos)
    {
        var p = pos;
        if (!TryParseLocalPart(s, ref p) || p >= s.Length || s[p] != '@')
        {
            return false;
        }

        p++;
        if (!(p < s.Length && s[p] == '[' ? TryParseAddressLiteral(s, ref p) : TryParseDomain(s, ref p)))
        {
            return false;
        }

        pos = p;
        return true;
    }

    /// <summary>Local-part = Dot-string / Quoted-string; 64 octets at most (RFC 5321 §4.5.3.1.1).</summary>
    public static bool TryParseLocalPart(ReadOnlySpan<char> s, ref int pos)
    {
        var p = pos;
        if (p < s.Length && s[p] == '"')
        {
            p++;
            while (p < s.Length && s[p] != '"')
            {
                // quoted-pairSMTP = %d92 %d32-126
                if (s[p] == '\\')
                {
                    p++;
                    if (p >= s.Length || s[p] < 32 || s[p] > 126)
                    {
                        return false;
                    }
                }
                else if (!(s[p] is >= ' ' and <= '~' || s[p] >= 0x80))
                {
                    return false;
                }

                p++;
            }

            if (p >= s.Length)
            {
                return false;
            }

            p++;
        }
        else
        {
            // Dot-string = Atom *("." Atom)
            var atomStart = true;
            while (p < s.Length && (IsAtext(s[p]) || s[p] == '.'))
            {
                if (s[p] == '.')
                {
                    if (atomStart)
                    {
                        return false;
                    }

                    atomStart = true;
                }
                else
                {
                    atomStart = false;
                }

                p++;
            }

            if (atomStart)
            {
                return false;
            }
        }

        if (Encoding.UTF8.GetByteCount(s[pos..p]) > 64)
        {
            return false;
        }

        pos = p;
        return true;
    }

    /// <summary>Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str], with U-labels allowed (RFC 6531 §3.3); 255 octets at most.</summary>
    public static bool TryParseDomain(ReadOnlySpan<char> s, ref int pos)
    {
        var p = pos;
        while (true)
        {
            var labelStart = p;
            while (p < s.Length && (char.IsAsciiLetterOrDigit(s[p]) || s[p] == '-' || s[p] >= 0x80))
            {
                p++;
            }

            if (p == labelStart || s[labelStart] == '-' || s[p - 1] == '-' || p - labelStart > 63)
            {
                return false;
            }

            if (p < s.Length && s[p] == '.')
            {
                p++;
                continue;
            }

            break;
        }

        if (p - pos > 255)
        {
            return false;
        }

        pos = p;
        return true;
    }

    /// <summary>address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]".</summary>
    public static bool TryParseAddressLiteral(ReadOnlySpan<char> s, ref int pos)
    {
        if (pos >= s.Length || s[pos] != '[')
        {
            return false;
        }

        var close = s[pos..].IndexOf(']');
        if (close < 2)
        {
            return false;
        }

        var inner = s.Slice(pos + 1, close - 1);
        var ok = inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase)
            ? System.Net.IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            : System.Net.IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && inner.Count('.') == 3;
        if (!ok)
        {
            return false;
        }

        pos += close + 1;
        return true;
    }

    /// <summary>Mail-parameters = esmtp-param *(SP esmtp-param); esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2, UTF-8 values per RFC 6531 §3.3).</summary>
    public static bool TryParseMailParameters(ReadOnlySpan<char> s, ref int pos, Dictionary<string, string?> parameters)
    {
        while (pos < s.Length)
        {
            if (s[pos] != ' ')
            {
                return false;
            }

            while (pos < s.Length && s[pos] == ' ')
            {
                pos++;
            }

            if (pos == s.Length)
            {
                break;
            }

            var keyStart = pos;
            while (pos < s.Length && (char.IsAsciiLetterOrDigit(s[pos]) || (s[pos] == '-' && pos > keyStart)))
            {
                pos++;
            }

            if (pos == keyStart)
            {
                return false;
            }

            var key = s[keyStart..pos].ToString().ToUpperInvariant();
            string? value = null;
            if (pos < s.Length && s[pos] == '=')
            {
                pos++;
                var valueStart = pos;
                while (pos < s.Length && (s[pos] is >= '!' and <= '~' && s[pos] != '=' || s[pos] >= 0x80))
                {
                    pos++;
                }

                if (pos == valueStart)
                {
                    return false;
                }

                value = s[valueStart..pos].ToString();
            }

            // A repeated keyword is ambiguous (which SIZE counts?), so it is a syntax error.
            if (!parameters.TryAdd(key, value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>BDAT SP chunk-size [ SP end-marker ] (RFC 3030 §3): chunk-size = 1*DIGIT, end-marker = "LAST".</summary>
    public static bool TryParseBdatArguments(string arguments, out long size, out bool last)
    {
        size = 0;
        last = false;
        var s = arguments.AsSpan().TrimEnd(' ');
        var space = s.IndexOf(' ');
        var number = space < 0 ? s : s[..space];
        if (number.Length is 0 or > 18 || !long.TryParse(number, System.Globalization.NumberStyles.None, null, out size))
        {
            return false;
        }

        if (space >= 0)
        {
            if (!s[(space + 1)..].Trim(' ').Equals("LAST", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            last = true;
        }

        return true;
    }

    /// <summary>True when <paramref name="value"/> has characters beyond ASCII (needs SMTPUTF8, RFC 6531 §3.4).</summary>
    public static bool HasNonAscii(string value) => !Ascii.IsValid(value);

    // atext (RFC 5322 §3.2.3) plus UTF8-non-ascii (RFC 6532 §3.2).
    private static bool IsAtext(char c) =>
        char.IsAsciiLetterOrDigit(c) || c >= 0x80 || "!#$%&'*+-/=?^_`{|}~".Contains(c);
}
