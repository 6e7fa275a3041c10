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
    public static bool TryGetOutwardLength(ReadOnlySpan<char> value, out int outwardLength)
    {
        outwardLength = 0;
        if (value.Length is < 5 or > 8)
        {
            return false;
        }

        // Inward code: the last three characters.
        var inward = value[^3..];
        if (!char.IsAsciiDigit(inward[0]) || !IsInwardLetter(inward[1]) || !IsInwardLetter(inward[2]))
        {
            return false;
        }

        var outward = value[..^3];
        if (outward.Length > 0 && outward[^1] == ' ')
        {
            outward = outward[..^1];
        }

        outwardLength = outward.Length;
        if (outward.SequenceEqual("GIR"))
        {
            return inward.SequenceEqual("0AA");
        }

        return outward.Length switch
        {
            2 => IsFirst(outward[0]) && char.IsAsciiDigit(outward[1]),
            3 => IsFirst(outward[0]) && (
                (char.IsAsciiDigit(outward[1]) && (char.IsAsciiDigit(outward[2]) || IsThird(outward[2])))
                || (IsSecond(outward[1]) && char.IsAsciiDigit(outward[2]))),
            4 => IsFirst(outward[0]) && IsSecond(outward[1]) && char.IsAsciiDigit(outward[2])
                && (char.IsAsciiDigit(outward[3]) || IsFourth(outward[3])),
            _ => false,
        };
    }
}
