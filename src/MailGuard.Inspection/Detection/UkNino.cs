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

    // For each first letter A-Z, the second letters that may follow it (bit 0 = A): 0 for a first
    // letter that is never used; the seven unallocated pairs taken out. Built once from the rules above.
    private static readonly uint[] s_secondAfter = BuildSecondAfter();

    private static uint[] BuildSecondAfter()
    {
        var table = new uint[26];
        for (var first = 'A'; first <= 'Z'; first++)
        {
            for (var second = 'A'; second <= 'Z'; second++)
            {
                var unallocated = (first, second) is ('B', 'G') or ('G', 'B') or ('K', 'N') or ('N', 'K') or ('N', 'T') or ('T', 'N') or ('Z', 'Z');
                if (IsValidFirstLetter(first) && IsValidSecondLetter(second) && !unallocated)
                {
                    table[first - 'A'] |= 1u << (second - 'A');
                }
            }
        }

        return table;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool IsValidPrefix(char first, char second) =>
        (uint)(first - 'A') < 26 && (uint)(second - 'A') < 26 && ((s_secondAfter[first - 'A'] >> (second - 'A')) & 1) != 0;

    // With ignoreCase, a letter as upper case: ASCII by arithmetic, anything else by the invariant culture's rules.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static char Upper(char c, bool ignoreCase) =>
        !ignoreCase ? c : (uint)(c - 'a') < 26 ? (char)(c - ('a' - 'A')) : c < 0x80 ? c : char.ToUpperInvariant(c);

    /// <summary>
    /// Parses <c>AB123456C</c>, <c>AB 12 34 56 C</c>, <c>AB 123456 C</c>, the same with hyphens
    /// (<c>AB-12-34-56-C</c>, one kind of separator in a value) and the suffix-less forms.
    /// Writes the nine-character compact form (a space where the suffix is absent) into
    /// <paramref name="compact"/>. Letters must be upper case unless <paramref name="ignoreCase"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> compact, out bool hasSuffix, bool ignoreCase = false)
    {
        hasSuffix = false;
        value = CellText.Trim(value);
        if (value.Length < 8 || value.Length > 13 || compact.Length < 9)
        {
            return false;
        }

        var first = Upper(value[0], ignoreCase);
        var second = Upper(value[1], ignoreCase);
        if (!IsValidPrefix(first, second))
        {
            return false;
        }

        compact[0] = first;
        compact[1] = second;
        var i = 2;
        var digits = 0;
        var allZero = true;

        // The separator the value uses, once seen: a space, a hyphen or a full stop ("AB.12.34.56.C").
        var separator = '\0';
        while (i < value.Length && digits < 6)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                compact[2 + digits] = c;
                allZero &= c == '0';
                digits++;
            }
            else if (!IsSeparator(c, ref separator) || (i + 1 < value.Length && value[i + 1] == c))
            {
                // Single separators only: "AB  12" is two tokens in prose, not one number.
                return false;
            }

            i++;
        }

        if (digits != 6 || allZero)
        {
            return false;
        }

        if (i < value.Length && IsSeparator(value[i], ref separator))
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

        var suffix = Upper(value[i], ignoreCase);
        if (suffix is < 'A' or > 'D')
        {
            return false;
        }

        compact[8] = suffix;
        hasSuffix = true;
        return true;
    }

    private static bool IsSeparator(char c, ref char separator)
    {
        if (c is not (' ' or '-' or '.') || (separator != '\0' && c != separator))
        {
            return false;
        }

        separator = c;
        return true;
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> compact = stackalloc char[9];
        return TryParse(value, compact, out var hasSuffix) && hasSuffix;
    }
}
