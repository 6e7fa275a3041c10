using System.Collections.Frozen;

namespace MailGuard.Inspection.Detection;

/// <summary>International Bank Account Number (ISO 13616): country, two check digits, BBAN.</summary>
public static class Iban
{
    // Lengths from the SWIFT IBAN registry (the ISO 13616 registration authority).
    private static readonly FrozenDictionary<string, int> s_lengths = new Dictionary<string, int>
    {
        ["AD"] = 24,
        ["AE"] = 23,
        ["AL"] = 28,
        ["AT"] = 20,
        ["AZ"] = 28,
        ["BA"] = 20,
        ["BE"] = 16,
        ["BG"] = 22,
        ["BH"] = 22,
        ["BR"] = 29,
        ["CH"] = 21,
        ["CR"] = 22,
        ["CY"] = 28,
        ["CZ"] = 24,
        ["DE"] = 22,
        ["DK"] = 18,
        ["DO"] = 28,
        ["EE"] = 20,
        ["EG"] = 29,
        ["ES"] = 24,
        ["FI"] = 18,
        ["FO"] = 18,
        ["FR"] = 27,
        ["GB"] = 22,
        ["GE"] = 22,
        ["GI"] = 23,
        ["GL"] = 18,
        ["GR"] = 27,
        ["GT"] = 28,
        ["HR"] = 21,
        ["HU"] = 28,
        ["IE"] = 22,
        ["IL"] = 23,
        ["IS"] = 26,
        ["IT"] = 27,
        ["JO"] = 30,
        ["KW"] = 30,
        ["KZ"] = 20,
        ["LB"] = 28,
        ["LI"] = 21,
        ["LT"] = 20,
        ["LU"] = 20,
        ["LV"] = 21,
        ["MC"] = 27,
        ["MD"] = 24,
        ["ME"] = 22,
        ["MK"] = 19,
        ["MR"] = 27,
        ["MT"] = 31,
        ["MU"] = 30,
        ["NL"] = 18,
        ["NO"] = 15,
        ["PK"] = 24,
        ["PL"] = 28,
        ["PS"] = 29,
        ["PT"] = 25,
        ["QA"] = 29,
        ["RO"] = 24,
        ["RS"] = 22,
        ["SA"] = 24,
        ["SE"] = 24,
        ["SI"] = 19,
        ["SK"] = 24,
        ["SM"] = 27,
        ["TN"] = 24,
        ["TR"] = 26,
        ["UA"] = 29,
        ["VG"] = 24,
        ["XK"] = 20,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public const int MaxLength = 34;

    public static bool TryGetLength(ReadOnlySpan<char> country, out int length) =>
        s_lengths.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(country, out length);

    /// <summary>Accepts the electronic form and the print form (groups of four separated by single spaces).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> compact, out int length)
    {
        length = 0;
        value = value.Trim();
        if (value.Length < 15 || value.Length > MaxLength + 9)
        {
            return false;
        }

        var previousSpace = true;
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (length == MaxLength)
                {
                    return false;
                }

                compact[length++] = char.ToUpperInvariant(c);
                previousSpace = false;
            }
            else if (c == ' ' && !previousSpace)
            {
                previousSpace = true;
            }
            else
            {
                return false;
            }
        }

        return IsValidCompact(compact[..length]);
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> compact = stackalloc char[MaxLength];
        return TryParse(value, compact, out _);
    }

    public static bool IsValidCompact(ReadOnlySpan<char> iban)
    {
        if (iban.Length < 15 || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1])
            || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return false;
        }

        if (!TryGetLength(iban[..2], out var expected) || expected != iban.Length)
        {
            return false;
        }

        // ISO 13616-1 / ISO 7064 MOD 97-10: move the first four characters to the end, letters
        // become 10..35, and the whole number mod 97 must be 1. Computed digit by digit so no
        // big integer is needed.
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var c = iban[(i + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }
}
