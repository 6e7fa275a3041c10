using System.Globalization;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Questions asked of one cell's text while a table is read: trimmed, a placeholder, a
/// postcode, how many digits. Cells are short: plain loops beat a vectorised search's setup on
/// a dozen characters, and nothing here allocates.
/// </summary>
internal static class CellText
{
    /// <summary><see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/>, without the calls when both ends are visible ASCII (nearly always).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> raw) =>
        raw.Length > 0 && raw[0] is > ' ' and < '\u007f' && raw[^1] is > ' ' and < '\u007f' ? raw : raw.Trim();

    public static bool HasDigit(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    public static int CountDigits(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Any letter; a name's first character answers at once, in the table's loop.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool HasLetter(ReadOnlySpan<char> text) => (text.Length > 0 && char.IsAsciiLetter(text[0])) || HasLetterAnywhere(text);

    private static bool HasLetterAnywhere(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsAlphanumeric(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsAllDigitsOrPunctuation(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not ('.' or ',' or '-' or ' ' or '£' or '$' or '%'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A UK postcode in either case ("ls6 3qt"), with or without the space before the inward code.</summary>
    public static bool IsPostcode(ReadOnlySpan<char> text) =>
        text.Length is >= 5 and <= 8 && (UkPostcode.IsValidIgnoringAsciiCase(text) || IsPostcodeAnyScript(text));

    // The rare rest (spaces around it, letters outside ASCII that upper-case to ASCII ones): upper-cased by the culture rules first.
    private static bool IsPostcodeAnyScript(ReadOnlySpan<char> text)
    {
        if (text[0] > ' ' && text[^1] > ' ' && IsAscii(text))
        {
            // Plain ASCII without spaces at the ends: the one-pass check has answered.
            return false;
        }

        Span<char> upper = stackalloc char[text.Length];
        text.ToUpperInvariant(upper);
        return UkPostcode.IsValid(upper);
    }

    // A short cell's characters are all ASCII: a plain loop (Ascii.IsValid's setup costs more on eight).
    private static bool IsAscii(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A whole number as its digits (a spreadsheet's 9.43E+09 is 9434765919); anything else as displayed.</summary>
    public static ReadOnlySpan<char> NumberText(double number, Span<char> destination, ReadOnlySpan<char> fallback)
    {
        if (IsWrittenAs(fallback, number))
        {
            // Already the digits formatting would write (an id, a count): nothing to format.
            return fallback;
        }

        if (number >= 0 && number < 1e15 && Math.Floor(number) == number
            && ((long)number).TryFormat(destination, out var written, provider: CultureInfo.InvariantCulture))
        {
            return destination[..written];
        }

        return fallback;
    }

    // text is number's digits as formatting writes them: 1 to 15 ASCII digits, no leading zero.
    private static bool IsWrittenAs(ReadOnlySpan<char> text, double number)
    {
        if (text.IsEmpty || text.Length > 15 || (text[0] == '0' && text.Length > 1))
        {
            return false;
        }

        long value = 0;
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return value == number;
    }

    // Every placeholder starts with one of - ? # 0 n u t (either case): one table lookup rules
    // out an NI number, a postcode or most names before any comparison.
    private static ReadOnlySpan<byte> PlaceholderStart =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>"n/a", "none", "tbc", "-" and the like: a cell that says nothing is known.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool IsPlaceholder(ReadOnlySpan<char> text) =>
        text.Length <= 9 && text[0] < 128 && PlaceholderStart[text[0]] != 0 && IsPlaceholderWord(text);

    private static bool IsPlaceholderWord(ReadOnlySpan<char> text)
    {
        if (text.Length is >= 2 and <= 4 && TryFoldShort(text, out var folded))
        {
            // "Noah", "Taylor"'s cousins and every other short cell that starts like a placeholder:
            // one compare each instead of a case-insensitive string compare per candidate word.
            return text.Length switch
            {
                2 => folded == s_doubleDash || folded == s_na,
                3 => folded == s_slashNa || folded == s_nil || folded == s_tbc,
                _ => folded == s_none || folded == s_null || folded == s_hashNa,
            };
        }

        return text.Length switch
        {
            1 => text[0] is '-' or '?' or '0',
            2 => text.Equals("--", StringComparison.Ordinal) || text.Equals("na", StringComparison.OrdinalIgnoreCase),
            3 => text.Equals("n/a", StringComparison.OrdinalIgnoreCase) || text.Equals("nil", StringComparison.OrdinalIgnoreCase) || text.Equals("tbc", StringComparison.OrdinalIgnoreCase),
            4 => text.Equals("none", StringComparison.OrdinalIgnoreCase) || text.Equals("null", StringComparison.OrdinalIgnoreCase) || text.Equals("#n/a", StringComparison.OrdinalIgnoreCase),
            7 => text.Equals("unknown", StringComparison.OrdinalIgnoreCase),
            9 => text.Equals("not known", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    private static readonly ulong s_doubleDash = FoldShort("--");
    private static readonly ulong s_na = FoldShort("na");
    private static readonly ulong s_slashNa = FoldShort("n/a");
    private static readonly ulong s_nil = FoldShort("nil");
    private static readonly ulong s_tbc = FoldShort("tbc");
    private static readonly ulong s_none = FoldShort("none");
    private static readonly ulong s_null = FoldShort("null");
    private static readonly ulong s_hashNa = FoldShort("#n/a");

    private static ulong FoldShort(string word) => TryFoldShort(word, out var folded) ? folded : throw new ArgumentException(word, nameof(word));

    // Up to four ASCII characters, letters lower-cased, as one number (16 bits each); false when
    // any is outside ASCII (whose case rules the culture-aware compare above keeps).
    private static bool TryFoldShort(ReadOnlySpan<char> text, out ulong folded)
    {
        folded = 0;
        for (var k = 0; k < text.Length && k < 4; k++)
        {
            var c = text[k];
            if (c >= 0x80)
            {
                return false;
            }

            folded |= (ulong)(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c) << (16 * k);
        }

        return true;
    }

    /// <summary>FNV-1a over the letters and digits, case-folded: "LS6 3QT" and "ls63qt" are one value.</summary>
    public static int FoldedHash(ReadOnlySpan<char> text) => FoldedHash(text, unchecked((int)2166136261u));

    /// <summary>
    /// <see cref="FoldedHash(ReadOnlySpan{char})"/> continued from <paramref name="seed"/>: a forename
    /// cell then a surname cell hash as the one text "Tom Haddad" does.
    /// </summary>
    public static int FoldedHash(ReadOnlySpan<char> text, int seed)
    {
        var hash = unchecked((uint)seed);
        foreach (var c in text)
        {
            if (c is ' ' or '-' or '.' or ',')
            {
                continue;
            }

            hash = (hash ^ (c is >= 'A' and <= 'Z' ? (uint)(c | 0x20) : c)) * 16777619u;
        }

        return (int)hash;
    }
}
