using System.Text;

namespace MailGuard.Mime;

/// <summary>
/// RFC 5322 §3.4 address lists, one method per grammar rule, accepting the obsolete syntax of
/// §4.4 (routes, CFWS around dots, empty list elements) and RFC 6532 UTF-8 in atoms.
/// Groups are flattened into their members. Parsing never throws: a mailbox that cannot be
/// read is skipped up to the next comma and counted in <see cref="AddressListResult.Errors"/>.
/// </summary>
public static partial class AddressParser
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
}

/// <summary>The mailboxes of an address field and how many elements could not be read.</summary>
public sealed record AddressListResult(IReadOnlyList<MailboxAddress> Mailboxes, int Errors);
