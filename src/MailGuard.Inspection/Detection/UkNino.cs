namespace MailGuard.Inspection.Detection;

/// <summary>UK National Insurance number rules.</summary>
public static class UkNino
{
    // HMRC NIM39110: the first letter is never D, F, I, Q, U or V; the second never D, F, I, O,
    // Q, U or V; BG, GB, KN, NK, NT, TN and ZZ are never allocated. TN is also the prefix of
    // temporary numbers (TN + date of birth + sex), which identify nobody reliably.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsValidFirstLetter(char c) => (uint)(c - 'A') < 26 && ((0x3CEFED7u >> (c - 'A')) & 1) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsValidSecondLetter(char c) => (uint)(c - 'A') < 26 && ((0x3CEBED7u >> (c - 'A')) & 1) != 0;

    public static bool IsValidPrefix(char first, char second)
    {
        if (!IsValidFirstLetter(first) || !IsValidSecondLetter(second))
        {
            return false;
        }

        return (first, second) switch
        {
            ('B', 'G') or ('G', 'B') or ('K', 'N') or ('N', 'K') or ('N', 'T') or ('T', 'N') or ('Z', 'Z') => false,
            _ => true,
        };
    }

    /// <summary>
    /// Parses <c>AB123456C</c>, <c>AB 12 34 56 C</c>, <c>AB 123456 C</c> and the suffix-less forms.
    /// Writes the nine-character compact form (a space where the suffix is absent) into
    /// <paramref name="compact"/>. Letters must be upper case unless <paramref name="ignoreCase"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> compact, out bool hasSuffix, bool ignoreCase = false)
    {
        hasSuffix = false;
        value = value.Trim();
        if (value.Length < 8 || value.Length > 13 || compact.Length < 9)
        {
            return false;
        }

        var first = ignoreCase ? char.ToUpperInvariant(value[0]) : value[0];
        var second = ignoreCase ? char.ToUpperInvariant(value[1]) : value[1];
        if (!IsValidPrefix(first, second))
        {
            return false;
        }

        compact[0] = first;
        compact[1] = second;
        var i = 2;
        var digits = 0;
        var allZero = true;
        while (i < value.Length && digits < 6)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                compact[2 + digits] = c;
                allZero &= c == '0';
                digits++;
            }
            else if (c != ' ' || (i + 1 < value.Length && value[i + 1] == ' '))
            {
                // Single spaces only: "AB  12" is two tokens in prose, not one number.
                return false;
            }

            i++;
        }

        if (digits != 6 || allZero)
        {
            return false;
        }

        if (i < value.Length && value[i] == ' ')
        {
            i++;
        }

        if (i == value.Length)
        {
            compact[8] = ' ';
            return true;
        }

        if (i != value.Length - 1)
        {
            return false;
        }

        var suffix = ignoreCase ? char.ToUpperInvariant(value[i]) : value[i];
        if (suffix is < 'A' or > 'D')
        {
            return false;
        }

        compact[8] = suffix;
        hasSuffix = true;
        return true;
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> compact = stackalloc char[9];
        return TryParse(value, compact, out var hasSuffix) && hasSuffix;
    }
}
