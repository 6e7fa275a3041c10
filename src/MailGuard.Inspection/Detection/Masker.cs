using System.Globalization;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// The one place where detected values become evidence. Every finding's evidence passes
/// through here, so a reviewer sees enough to recognise the kind of data (and find it in the
/// attachment) but never the value itself. Each method keeps what the finding's reader needs
/// and no more.
/// </summary>
public static class Masker
{
    private const char MaskChar = '*';

    /// <summary><c>AB123456C</c> becomes <c>AB****56C</c>; accepts any spacing.</summary>
    public static string Nino(ReadOnlySpan<char> value)
    {
        Span<char> compact = stackalloc char[9];
        if (!UkNino.TryParse(value, compact, out var hasSuffix, ignoreCase: true))
        {
            return Generic(value);
        }

        Span<char> result = stackalloc char[9];
        compact.CopyTo(result);
        result[2..6].Fill(MaskChar);
        return new string(hasSuffix ? result : result[..8]);
    }

    /// <summary><c>jane.doe@example.com</c> becomes <c>j***@example.com</c>: the domain says whose mail system it is, the local part says who.</summary>
    public static string Email(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        var at = value.IndexOf('@');
        if (at <= 0)
        {
            return Generic(value);
        }

        return string.Concat(value[..1], "***", value[at..]);
    }

    /// <summary><c>14/03/1987</c> becomes <c>14/**/19**</c>, whatever the input format.</summary>
    public static string Date(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date.Day:D2}/**/{date.Year / 100:D2}**");

    /// <summary><c>9434765919</c> becomes <c>943 *** **19</c>.</summary>
    public static string Nhs(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 10)
        {
            return Generic(digits);
        }

        return string.Concat(digits[..3], " *** **", digits[8..]);
    }

    /// <summary>The first digit (the scheme) and the last four, grouped in fours: <c>4*** **** **** 1111</c>.</summary>
    public static string Card(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 12)
        {
            return Generic(digits);
        }

        Span<char> result = stackalloc char[digits.Length + (digits.Length / 4)];
        var n = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                result[n++] = ' ';
            }

            result[n++] = i == 0 || i >= digits.Length - 4 ? digits[i] : MaskChar;
        }

        return new string(result[..n]);
    }

    /// <summary>
    /// Keeps the first five digits (the area or mobile range) and the last three, keeps the
    /// writer's layout: <c>07700 900123</c> becomes <c>07700 ***123</c>.
    /// </summary>
    public static string Phone(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        var digits = 0;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
        }

        Span<char> result = value.Length <= 64 ? stackalloc char[value.Length] : new char[value.Length];
        var seen = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                seen++;
                result[i] = seen <= 5 || seen > digits - 3 ? c : MaskChar;
            }
            else
            {
                result[i] = c;
            }
        }

        return new string(result);
    }

    /// <summary>The outward code locates a district of thousands of homes; the inward code narrows it to a street, so it goes: <c>LS6 ***</c>.</summary>
    public static string Postcode(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length < 5)
        {
            return Generic(value);
        }

        var outward = value[..^3].TrimEnd();
        Span<char> upper = stackalloc char[outward.Length];
        outward.ToUpperInvariant(upper);
        return string.Concat(upper, " ***");
    }

    /// <summary>Country, check digits and last four characters: <c>GB82 **** **** **** **54 32</c>.</summary>
    public static string Iban(ReadOnlySpan<char> compact)
    {
        if (compact.Length < 8)
        {
            return Generic(compact);
        }

        Span<char> result = stackalloc char[compact.Length + (compact.Length / 4)];
        var n = 0;
        for (var i = 0; i < compact.Length; i++)
        {
            if (i > 0 && i % 4 == 0)
            {
                result[n++] = ' ';
            }

            result[n++] = i < 4 || i >= compact.Length - 4 ? compact[i] : MaskChar;
        }

        return new string(result[..n]);
    }

    /// <summary>
    /// House numbers and street names are masked; a street-type word (Road, Lane) is kept so a
    /// reviewer can see it is an address: <c>12 Acacia Road</c> becomes <c>** A***** Road</c>.
    /// </summary>
    public static string Address(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length > 80)
        {
            value = value[..80];
        }

        Span<char> result = stackalloc char[value.Length];
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (!char.IsLetterOrDigit(c))
            {
                result[i] = c;
                i++;
                continue;
            }

            var start = i;
            while (i < value.Length && (char.IsLetterOrDigit(value[i]) || value[i] is '\'' or '-'))
            {
                i++;
            }

            var word = value[start..i];
            var keep = AddressWords.IsStreetSuffix(word);
            for (var k = start; k < i; k++)
            {
                result[k] = keep || (k == start && char.IsLetter(value[k])) ? value[k] : MaskChar;
            }
        }

        return new string(result);
    }

    /// <summary>Anything else: the first and last character, the rest masked, length capped.</summary>
    public static string Generic(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length <= 2)
        {
            return new string(MaskChar, value.Length);
        }

        var middle = Math.Min(value.Length - 2, 12);
        return string.Concat(value[..1], new string(MaskChar, middle), value[^1..]);
    }
}
