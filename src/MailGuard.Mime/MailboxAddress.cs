namespace MailGuard.Mime;

/// <summary>
/// One mailbox from an address field: display name (RFC 2047 decoded), the addr-spec, and the
/// group it was listed in (groups are flattened; an empty group contributes nothing).
/// </summary>
public sealed record MailboxAddress(string? Name, string LocalPart, string? Domain, string? Group = null)
{
    /// <summary>
    /// local-part@domain, the local part written as a dot-atom when it is one and as a quoted
    /// string otherwise (RFC 5322 §3.4.1); the local part alone without a domain; "" for &lt;&gt;.
    /// </summary>
    public string Address
    {
        get
        {
            string lp = NeedsQuoting(LocalPart) ? Quote(LocalPart) : LocalPart;
            if (!string.IsNullOrEmpty(Domain))
            {
                return lp + "@" + Domain;
            }

            return lp;
        }
    }

    /// <summary>The domain in lower case with IDNA (RFC 5890) A-labels converted to Unicode, for comparisons.</summary>
    public string? NormalizedDomain
    {
        get
        {
            if (string.IsNullOrEmpty(Domain))
            {
                return null;
            }

            string d = Domain.TrimEnd('.').ToLowerInvariant();
            if (d.Contains("xn--", StringComparison.Ordinal))
            {
                try
                {
                    d = new System.Globalization.IdnMapping().GetUnicode(d);
                }
                catch (ArgumentException)
                {
                }
            }

            return d;
        }
    }

    private static bool NeedsQuoting(string localPart)
    {
        foreach (char c in localPart)
        {
            if (c is '(' or ')' or '<' or '>' or '@' or ',' or ':' or ';' or '\\' or '"' or '[' or ']' or ' ' or '\t')
            {
                return true;
            }
        }

        return false;
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>"Name &lt;Address&gt;", or the address alone; the name is neither quoted nor encoded, so this is for display, not for writing a field.</summary>
    public override string ToString() => Name is null ? Address : $"{Name} <{Address}>";
}
