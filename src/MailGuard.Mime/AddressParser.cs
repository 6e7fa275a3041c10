using System.Text;

namespace MailGuard.Mime;

/// <summary>
/// RFC 5322 §3.4 address lists, one method per grammar rule, accepting the obsolete syntax of
/// §4.4 (routes, CFWS around dots, empty list elements) and RFC 6532 UTF-8 in atoms.
/// Groups are flattened into their members. Parsing never throws: a mailbox that cannot be
/// read is skipped up to the next comma and counted in <see cref="AddressListResult.Errors"/>.
/// </summary>
public static class AddressParser
{
    /// <summary>Parses an address-list (To, Cc, Bcc, Reply-To) or mailbox-list (From).</summary>
    public static AddressListResult ParseAddressList(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var state = new State(value);
        var result = new List<MailboxAddress>();
        int errors = 0;
        while (true)
        {
            state.SkipCfws();
            if (state.AtEnd)
            {
                break;
            }

            if (state.Peek == ',')
            {
                // obs-addr-list allows empty elements: "a@b,,c@d".
                state.Pos++;
                continue;
            }

            int before = state.Pos;
            if (!TryParseAddress(ref state, result))
            {
                errors++;
                state.Pos = before;
                state.SkipToTopLevelComma();
                continue;
            }

            state.SkipCfws();
            if (!state.AtEnd && state.Peek != ',')
            {
                errors++;
                state.SkipToTopLevelComma();
            }
        }

        return new AddressListResult(result, errors);
    }

    // address = mailbox / group
    private static bool TryParseAddress(ref State s, List<MailboxAddress> output)
    {
        int start = s.Pos;
        // Look ahead (cheaply, without building strings) for what can follow: a group needs a
        // ":" before any "<" or "@"; a name-addr needs a "<". Hostile fields of thousands of
        // quoted strings then cost one pass, not one per alternative.
        s.LookAhead(out bool colonFirst, out bool hasAngle);
        if (colonFirst && TryParseGroup(ref s, output))
        {
            return true;
        }

        s.Pos = start;
        if (TryParseMailbox(ref s, null, out var mailbox, hasAngle))
        {
            output.Add(mailbox);
            return true;
        }

        return false;
    }

    // group = display-name ":" [group-list] ";" [CFWS]
    private static bool TryParseGroup(ref State s, List<MailboxAddress> output)
    {
        if (!TryParsePhrase(ref s, out string? name) || s.AtEnd || s.Peek != ':')
        {
            return false;
        }

        s.Pos++;
        var members = new List<MailboxAddress>();
        while (true)
        {
            s.SkipCfws();
            if (s.AtEnd)
            {
                // A group without its ";" still lists its members.
                break;
            }

            char c = s.Peek;
            if (c == ';')
            {
                s.Pos++;
                break;
            }

            if (c == ',')
            {
                s.Pos++;
                continue;
            }

            int before = s.Pos;
            if (TryParseMailbox(ref s, name, out var mailbox))
            {
                members.Add(mailbox);
            }
            else
            {
                s.Pos = before;
                s.SkipToGroupEnd();
            }
        }

        output.AddRange(members);
        return true;
    }

    // mailbox = name-addr / addr-spec
    private static bool TryParseMailbox(ref State s, string? group, out MailboxAddress mailbox, bool mayHaveAngle = true)
    {
        int start = s.Pos;
        mailbox = null!;
        if (mayHaveAngle && TryParseNameAddr(ref s, group, out mailbox))
        {
            return true;
        }

        s.Pos = start;
        if (TryParseAddrSpec(ref s, out string local, out string? domain))
        {
            mailbox = new MailboxAddress(null, local, domain, group);
            return true;
        }

        s.Pos = start;
        mailbox = null!;
        return false;
    }

    // name-addr = [display-name] angle-addr
    private static bool TryParseNameAddr(ref State s, string? group, out MailboxAddress mailbox)
    {
        mailbox = null!;
        int start = s.Pos;
        if (!TryParsePhrase(ref s, out string? name))
        {
            s.Pos = start;
            name = null;
        }

        s.SkipCfws();
        if (!TryParseAngleAddr(ref s, out string local, out string? domain))
        {
            return false;
        }

        mailbox = new MailboxAddress(string.IsNullOrEmpty(name) ? null : name, local, domain, group);
        return true;
    }

    // angle-addr = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr ("<" obs-route addr-spec ">")
    private static bool TryParseAngleAddr(ref State s, out string local, out string? domain)
    {
        local = string.Empty;
        domain = null;
        s.SkipCfws();
        if (s.AtEnd || s.Peek != '<')
        {
            return false;
        }

        s.Pos++;
        s.SkipCfws();
        if (!s.AtEnd && s.Peek == '>')
        {
            // The null reverse path "<>".
            s.Pos++;
            return true;
        }

        TrySkipObsRoute(ref s);
        if (!TryParseAddrSpec(ref s, out local, out domain))
        {
            return false;
        }

        s.SkipCfws();
        if (s.AtEnd || s.Peek != '>')
        {
            return false;
        }

        s.Pos++;
        return true;
    }

    // obs-route = obs-domain-list ":"  where obs-domain-list = *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain])
    private static void TrySkipObsRoute(ref State s)
    {
        int start = s.Pos;
        if (s.AtEnd || s.Peek != '@')
        {
            return;
        }

        while (!s.AtEnd && s.Peek != ':' && s.Peek != '>')
        {
            s.Pos++;
        }

        if (!s.AtEnd && s.Peek == ':')
        {
            s.Pos++;
            s.SkipCfws();
        }
        else
        {
            s.Pos = start;
        }
    }

    // addr-spec = local-part "@" domain ; a missing domain is tolerated (RFC 822 local mailboxes).
    private static bool TryParseAddrSpec(ref State s, out string local, out string? domain)
    {
        domain = null;
        if (!TryParseLocalPart(ref s, out local))
        {
            return false;
        }

        s.SkipCfws();
        if (!s.AtEnd && s.Peek == '@')
        {
            s.Pos++;
            s.SkipCfws();
            if (!TryParseDomain(ref s, out domain))
            {
                return false;
            }
        }

        return true;
    }

    // local-part = dot-atom / quoted-string / obs-local-part (word *("." word))
    private static bool TryParseLocalPart(ref State s, out string local)
    {
        var sb = new StringBuilder();
        local = string.Empty;
        s.SkipCfws();
        if (!TryParseWord(ref s, sb))
        {
            return false;
        }

        while (true)
        {
            int save = s.Pos;
            s.SkipCfws();
            if (!s.AtEnd && s.Peek == '.')
            {
                s.Pos++;
                sb.Append('.');
                s.SkipCfws();
                if (!TryParseWord(ref s, sb))
                {
                    // "john.@example.com": keep the trailing dot as written.
                    continue;
                }
            }
            else
            {
                s.Pos = save;
                break;
            }
        }

        local = sb.ToString();
        return true;
    }

    // word = atom / quoted-string
    private static bool TryParseWord(ref State s, StringBuilder sb)
    {
        if (s.AtEnd)
        {
            return false;
        }

        if (s.Peek == '"')
        {
            return TryParseQuotedString(ref s, sb);
        }

        return TryParseAtom(ref s, sb);
    }

    // domain = dot-atom / domain-literal / obs-domain
    private static bool TryParseDomain(ref State s, out string? domain)
    {
        domain = null;
        if (s.AtEnd)
        {
            return false;
        }

        if (s.Peek == '[')
        {
            return TryParseDomainLiteral(ref s, out domain);
        }

        var sb = new StringBuilder();
        if (!TryParseAtom(ref s, sb))
        {
            return false;
        }

        while (true)
        {
            int save = s.Pos;
            s.SkipCfws();
            if (!s.AtEnd && s.Peek == '.')
            {
                s.Pos++;
                s.SkipCfws();
                sb.Append('.');
                if (!TryParseAtom(ref s, sb))
                {
                    continue;
                }
            }
            else
            {
                s.Pos = save;
                break;
            }
        }

        domain = sb.ToString();
        return true;
    }

    // domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]
    private static bool TryParseDomainLiteral(ref State s, out string? domain)
    {
        int start = s.Pos;
        domain = null;
        var sb = new StringBuilder("[");
        s.Pos++;
        while (!s.AtEnd && s.Peek != ']')
        {
            char c = s.Peek;
            if (c == '\\' && s.Pos + 1 < s.Text.Length)
            {
                s.Pos++;
                c = s.Peek;
            }

            if (c is not (' ' or '\t'))
            {
                sb.Append(c);
            }

            s.Pos++;
        }

        if (s.AtEnd)
        {
            s.Pos = start;
            return false;
        }

        s.Pos++;
        sb.Append(']');
        domain = sb.ToString();
        return true;
    }

    // atom = [CFWS] 1*atext [CFWS]; atext includes UTF-8 (RFC 6532 §3.2).
    private static bool TryParseAtom(ref State s, StringBuilder sb)
    {
        s.SkipCfws();
        int start = s.Pos;
        while (!s.AtEnd && IsAtext(s.Peek))
        {
            s.Pos++;
        }

        if (s.Pos == start)
        {
            return false;
        }

        sb.Append(s.Text, start, s.Pos - start);
        return true;
    }

    // quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
    private static bool TryParseQuotedString(ref State s, StringBuilder sb)
    {
        if (s.AtEnd || s.Peek != '"')
        {
            return false;
        }

        s.Pos++;
        while (!s.AtEnd)
        {
            char c = s.Peek;
            if (c == '"')
            {
                s.Pos++;
                return true;
            }

            if (c == '\\' && s.Pos + 1 < s.Text.Length)
            {
                s.Pos++;
                c = s.Peek;
            }

            sb.Append(c);
            s.Pos++;
        }

        // Unterminated: take what there is (a common truncation in the wild).
        return true;
    }

    // phrase = 1*word / obs-phrase (word *(word / "." / CFWS)); encoded words decoded (RFC 2047 §5(3)).
    private static bool TryParsePhrase(ref State s, out string? phrase)
    {
        phrase = null;
        var parts = new List<(string Text, bool EncodedWord, bool SpaceBefore)>();
        bool first = true;
        while (true)
        {
            int save = s.Pos;
            bool ws = s.SkipCfws();
            if (s.AtEnd)
            {
                s.Pos = save;
                break;
            }

            char c = s.Peek;
            if (c == '"')
            {
                var sb = new StringBuilder();
                TryParseQuotedString(ref s, sb);
                string text = sb.ToString();
                bool ew = text.Contains("=?", StringComparison.Ordinal);
                parts.Add((ew ? EncodedWords.DecodeUnstructured(text) : text, false, ws));
            }
            else if (c == '.' && !first)
            {
                s.Pos++;
                parts.Add((".", false, ws));
            }
            else if (IsAtext(c))
            {
                int start = s.Pos;
                while (!s.AtEnd && IsAtext(s.Peek))
                {
                    s.Pos++;
                }

                string atom = s.Text[start..s.Pos];
                if (atom.StartsWith("=?", StringComparison.Ordinal) && EncodedWords.TryParseEncodedWord(atom, 0, out int end, out string? decoded) && end == atom.Length)
                {
                    parts.Add((decoded!, true, ws));
                }
                else
                {
                    parts.Add((atom.Contains("=?", StringComparison.Ordinal) ? EncodedWords.DecodeUnstructured(atom) : atom, false, ws));
                }
            }
            else
            {
                s.Pos = save;
                break;
            }

            first = false;
        }

        if (parts.Count == 0)
        {
            return false;
        }

        var result = new StringBuilder();
        for (int i = 0; i < parts.Count; i++)
        {
            var p = parts[i];
            bool space = i > 0 && p.SpaceBefore;
            if (i > 0 && p.EncodedWord && parts[i - 1].EncodedWord)
            {
                space = false;
            }

            if (space)
            {
                result.Append(' ');
            }

            result.Append(p.Text);
        }

        phrase = result.ToString().Trim();
        return true;
    }

    private static bool IsAtext(char c) =>
        c > 127 ||
        (c > ' ' && c < 127 && c is not ('(' or ')' or '<' or '>' or '[' or ']' or ':' or ';' or '@' or '\\' or ',' or '.' or '"'));

    private ref struct State
    {
        public State(string text)
        {
            Text = text;
            Pos = 0;
        }

        public string Text;
        public int Pos;

        public readonly bool AtEnd => Pos >= Text.Length;

        public readonly char Peek => Text[Pos];

        // CFWS = (1*([FWS] comment) [FWS]) / FWS ; comments nest (RFC 5322 §3.2.2).
        public bool SkipCfws()
        {
            bool any = false;
            while (Pos < Text.Length)
            {
                char c = Text[Pos];
                if (c is ' ' or '\t' or '\r' or '\n')
                {
                    Pos++;
                    any = true;
                }
                else if (c == '(')
                {
                    SkipComment();
                    any = true;
                }
                else
                {
                    break;
                }
            }

            return any;
        }

        private void SkipComment()
        {
            int depth = 0;
            while (Pos < Text.Length)
            {
                char c = Text[Pos++];
                if (c == '\\')
                {
                    Pos++;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')' && --depth == 0)
                {
                    return;
                }
            }
        }

        public void SkipToTopLevelComma() => SkipUntil(stopAtSemicolon: false);

        /// <summary>Up to the next top-level comma: is there a ":" before any "&lt;" or "@", and is there a "&lt;"?</summary>
        public readonly void LookAhead(out bool colonFirst, out bool hasAngle)
        {
            colonFirst = false;
            hasAngle = false;
            bool decided = false;
            bool inQuote = false;
            int depth = 0;
            for (int i = Pos; i < Text.Length; i++)
            {
                char c = Text[i];
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

                    continue;
                }

                if (depth > 0)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == '(')
                    {
                        depth++;
                    }
                    else if (c == ')')
                    {
                        depth--;
                    }

                    continue;
                }

                switch (c)
                {
                    case '"':
                        inQuote = true;
                        break;
                    case '(':
                        depth++;
                        break;
                    case ':':
                        if (!decided)
                        {
                            colonFirst = true;
                            decided = true;
                        }

                        break;
                    case '<':
                        hasAngle = true;
                        decided = true;
                        break;
                    case '@':
                        decided = true;
                        break;
                    case ',' when !colonFirst:
                        return;
                    case ';' when colonFirst:
                        // The end of a group: a later "<" belongs to the next address.
                        return;
                }
            }
        }

        public void SkipToGroupEnd() => SkipUntil(stopAtSemicolon: true);

        private void SkipUntil(bool stopAtSemicolon)
        {
            // Angle brackets are not tracked: in a damaged list they are often unbalanced.
            bool inQuote = false;
            while (Pos < Text.Length)
            {
                char c = Text[Pos];
                if (inQuote)
                {
                    if (c == '\\')
                    {
                        Pos++;
                    }
                    else if (c == '"')
                    {
                        inQuote = false;
                    }
                }
                else if (c == '"')
                {
                    inQuote = true;
                }
                else if (c == '(')
                {
                    SkipComment();
                    continue;
                }
                else if (c == ',' || (stopAtSemicolon && c == ';'))
                {
                    return;
                }

                Pos++;
            }
        }
    }
}

/// <summary>The mailboxes of an address field and how many elements could not be read.</summary>
public sealed record AddressListResult(IReadOnlyList<MailboxAddress> Mailboxes, int Errors);
