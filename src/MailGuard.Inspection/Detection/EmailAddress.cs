namespace MailGuard.Inspection.Detection;

/// <summary>
/// E-mail addresses as people write them (RFC 5322 dot-atom local part, a dotted domain).
/// Quoted local parts are legal but never seen in lists of people, so they are not matched.
/// </summary>
public static class EmailAddress
{
    private static bool IsLocalChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '%' or '+' or '-' or '\'' or '!' or '#' or '$' or '&' or '*' or '=' or '?' or '^' or '`' or '{' or '|' or '}' or '~' or '/';

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        var at = value.IndexOf('@');
        if (at <= 0 || at != value.LastIndexOf('@') || at > 64 || value.Length - at - 1 > 253)
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!IsLocalChar(c))
            {
                return false;
            }
        }

        return IsValidDomain(domain);
    }

    public static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length < 3)
        {
            return false;
        }

        var labels = 0;
        var labelLength = 0;
        var lastLabelStart = 0;
        for (var i = 0; i < domain.Length; i++)
        {
            var c = domain[i];
            if (c == '.')
            {
                if (labelLength == 0 || domain[i - 1] == '-')
                {
                    return false;
                }

                labels++;
                labelLength = 0;
                lastLabelStart = i + 1;
            }
            else if (char.IsAsciiLetterOrDigit(c) || (c == '-' && labelLength > 0))
            {
                labelLength++;
                if (labelLength > 63)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (labelLength == 0)
        {
            return false;
        }

        // The top-level label is alphabetic and at least two letters (no "user@host.1").
        var tld = domain[lastLabelStart..];
        if (labels < 1 || tld.Length < 2)
        {
            return false;
        }

        foreach (var c in tld)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    // Words/role-mailboxes.txt: info, enquiries, noreply...
    private static readonly string[] s_roleLocalParts = WordLists.Load("role-mailboxes.txt")[string.Empty];

    /// <summary>Role mailboxes (info@, enquiries@...) are business contact data, not a person's.</summary>
    public static bool IsRoleAddress(ReadOnlySpan<char> value)
    {
        var at = value.IndexOf('@');
        if (at <= 0)
        {
            return false;
        }

        var local = value[..at];
        foreach (var role in s_roleLocalParts)
        {
            if (local.Equals(role, StringComparison.OrdinalIgnoreCase)
                || (local.StartsWith(role, StringComparison.OrdinalIgnoreCase) && local.Length > role.Length && local[role.Length] is '.' or '-' or '_'))
            {
                return true;
            }
        }

        return local.Contains("office", StringComparison.OrdinalIgnoreCase) || local.Contains("team", StringComparison.OrdinalIgnoreCase);
    }
}
