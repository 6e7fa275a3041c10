namespace MailGuard.Inspection.Detection;

/// <summary>Payment card numbers (PANs): issuer prefix, length and the Luhn check (ISO/IEC 7812-1).</summary>
public static class PaymentCard
{
    /// <summary>Strips single spaces or hyphens between digit groups; 13-19 digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> digits, out int length)
    {
        length = 0;
        value = value.Trim();
        if (value.Length is < 13 or > 23)
        {
            return false;
        }

        var previousSeparator = true;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                if (length == 19)
                {
                    return false;
                }

                digits[length++] = c;
                previousSeparator = false;
            }
            else if (c is ' ' or '-' && !previousSeparator)
            {
                previousSeparator = true;
            }
            else
            {
                return false;
            }
        }

        return !previousSeparator && IsValidDigits(digits[..length]);
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> digits = stackalloc char[19];
        return TryParse(value, digits, out _);
    }

    public static bool IsValidDigits(ReadOnlySpan<char> digits)
    {
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var allSame = true;
        foreach (var c in digits)
        {
            allSame &= c == digits[0];
        }

        return !allSame && HasKnownIssuer(digits) && PassesLuhn(digits);
    }

    public static bool PassesLuhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return sum % 10 == 0;
    }

    /// <summary>
    /// Issuer identification ranges of the schemes a UK mailbox sees, with their lengths.
    /// A number outside them is an order or account number that happens to pass Luhn (1 in 10 do).
    /// </summary>
    public static bool HasKnownIssuer(ReadOnlySpan<char> digits)
    {
        var n = digits.Length;
        var p1 = digits[0] - '0';
        var p2 = (p1 * 10) + (digits[1] - '0');
        var p3 = (p2 * 10) + (digits[2] - '0');
        var p4 = (p3 * 10) + (digits[3] - '0');

        return
            (p1 == 4 && n is 13 or 16 or 19) // Visa
            || (p2 is >= 51 and <= 55 && n == 16) // Mastercard
            || (p4 is >= 2221 and <= 2720 && n == 16) // Mastercard 2-series
            || (p2 is 34 or 37 && n == 15) // American Express
            || ((p4 == 6011 || p2 == 65 || p3 is >= 644 and <= 649) && n is >= 16 and <= 19) // Discover
            || (p4 is >= 3528 and <= 3589 && n is >= 16 and <= 19) // JCB
            || ((p2 is 36 or 38 || p3 is >= 300 and <= 305) && n is >= 14 and <= 16) // Diners Club
            || ((p2 is 50 or (>= 56 and <= 58) || p2 is 63 or 67) && n is >= 12 and <= 19) // Maestro
            || (p2 == 62 && n is >= 16 and <= 19); // UnionPay
    }
}
