namespace MailGuard.Inspection.Detection;

/// <summary>
/// UK postcode format (BS 7666, as published in the ONS/Royal Mail postcode guidance): outward
/// code A9, A99, AA9, AA99, A9A or AA9A, then inward code 9AA; plus the special GIR 0AA.
/// </summary>
public static class UkPostcode
{
    // Position rules: first letter never Q, V, X; second letter never I, J, Z; a letter in the
    // third position (A9A) only from ABCDEFGHJKPSTUW; in the fourth (AA9A) only from
    // ABEHMNPRVWXY; the inward letters never C, I, K, M, O, V. Each rule is a bit mask over A-Z.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsFirst(char c) => (uint)(c - 'A') < 26 && ((0x35EFFFFu >> (c - 'A')) & 1) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsSecond(char c) => (uint)(c - 'A') < 26 && ((0x1FFFCFFu >> (c - 'A')) & 1) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsThird(char c) => (uint)(c - 'A') < 26 && ((0x05C86FFu >> (c - 'A')) & 1) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsFourth(char c) => (uint)(c - 'A') < 26 && ((0x1E2B093u >> (c - 'A')) & 1) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsInwardLetter(char c) => (uint)(c - 'A') < 26 && ((0x3DFAAFBu >> (c - 'A')) & 1) != 0;

    /// <summary>Upper case, with or without the single space before the inward code.</summary>
    public static bool IsValid(ReadOnlySpan<char> value) => TryGetOutwardLength(value.Trim(), out _);

    /// <summary>As <see cref="IsValid"/>; <paramref name="outwardLength"/> is the length of the outward code.</summary>
    public static bool TryGetOutwardLength(ReadOnlySpan<char> value, out int outwardLength) =>
        TryGetOutwardLength(value, foldCase: false, out outwardLength);

    /// <summary>
    /// As <see cref="IsValid"/> for text without spaces around it, with ASCII letters in either
    /// case ("ls6 3qt" is LS6 3QT), in one pass and without an upper-cased copy. False for any
    /// character outside ASCII: <see cref="CellText.IsPostcode"/> asks the culture-aware path then.
    /// </summary>
    internal static bool IsValidIgnoringAsciiCase(ReadOnlySpan<char> value) => TryGetOutwardLength(value, foldCase: true, out _);

    // With foldCase, an ASCII lower-case letter is read as its upper case; nothing else changes.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static char At(ReadOnlySpan<char> value, int i, bool foldCase)
    {
        var c = value[i];
        return foldCase && (uint)(c - 'a') < 26 ? (char)(c - ('a' - 'A')) : c;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool TryGetOutwardLength(ReadOnlySpan<char> value, bool foldCase, out int outwardLength)
    {
        outwardLength = 0;
        var n = value.Length;
        if (n is < 5 or > 8)
        {
            return false;
        }

        // Inward code: the last three characters.
        if (!char.IsAsciiDigit(value[n - 3]) || !IsInwardLetter(At(value, n - 2, foldCase)) || !IsInwardLetter(At(value, n - 1, foldCase)))
        {
            return false;
        }

        // Outward code: the rest, less the one space before the inward code.
        var outward = value[n - 4] == ' ' ? n - 4 : n - 3;
        outwardLength = outward;
        var first = At(value, 0, foldCase);
        var valid = outward switch
        {
            2 => IsFirst(first) && char.IsAsciiDigit(value[1]),
            3 => IsFirst(first) && (
                (char.IsAsciiDigit(value[1]) && (char.IsAsciiDigit(value[2]) || IsThird(At(value, 2, foldCase))))
                || (IsSecond(At(value, 1, foldCase)) && char.IsAsciiDigit(value[2]))),
            4 => IsFirst(first) && IsSecond(At(value, 1, foldCase)) && char.IsAsciiDigit(value[2])
                && (char.IsAsciiDigit(value[3]) || IsFourth(At(value, 3, foldCase))),
            _ => false,
        };

        // GIR 0AA (Girobank) breaks the rules (I is never second): the one exception.
        return valid || (outward == 3 && first == 'G' && At(value, 1, foldCase) == 'I' && At(value, 2, foldCase) == 'R'
            && value[n - 3] == '0' && At(value, n - 2, foldCase) == 'A' && At(value, n - 1, foldCase) == 'A');
    }
}
