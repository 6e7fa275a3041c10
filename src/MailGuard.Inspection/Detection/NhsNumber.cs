namespace MailGuard.Inspection.Detection;

/// <summary>NHS number: ten digits, the last a modulus 11 check digit.</summary>
public static class NhsNumber
{
    /// <summary>Accepts <c>9434765919</c>, <c>943 476 5919</c> and <c>943-476-5919</c> (one separator style).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> digits)
    {
        value = value.Trim();
        if (value.Length == 10)
        {
            for (var i = 0; i < 10; i++)
            {
                if (!char.IsAsciiDigit(value[i]))
                {
                    return false;
                }

                digits[i] = value[i];
            }

            return IsValidDigits(digits[..10]);
        }

        if (value.Length != 12)
        {
            return false;
        }

        // 3-3-4 grouping is the only layout the NHS prints (NHS Data Dictionary, "NHS Number").
        var separator = value[3];
        if (separator is not (' ' or '-') || value[7] != separator)
        {
            return false;
        }

        var d = 0;
        for (var i = 0; i < 12; i++)
        {
            if (i is 3 or 7)
            {
                continue;
            }

            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }

            digits[d++] = value[i];
        }

        return IsValidDigits(digits[..10]);
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> digits = stackalloc char[10];
        return TryParse(value, digits);
    }

    /// <summary>
    /// NHS Data Dictionary, "NHS Number": weights 10 down to 2 on the first nine digits, check
    /// digit = 11 - (sum mod 11), 11 becomes 0 and 10 means the number is invalid.
    /// </summary>
    public static bool IsValidDigits(ReadOnlySpan<char> digits)
    {
        if (digits.Length != 10)
        {
            return false;
        }

        var sum = 0;
        var allSame = true;
        for (var i = 0; i < 10; i++)
        {
            if (!char.IsAsciiDigit(digits[i]))
            {
                return false;
            }

            allSame &= digits[i] == digits[0];
            if (i < 9)
            {
                sum += (digits[i] - '0') * (10 - i);
            }
        }

        // 0000000000 and 1111111111 etc. pass the arithmetic but are fillers, never issued numbers.
        if (allSame)
        {
            return false;
        }

        var check = 11 - (sum % 11);
        if (check == 11)
        {
            check = 0;
        }

        return check != 10 && check == digits[9] - '0';
    }

    /// <summary>999 000 0000 to 999 999 9999 are reserved for test data and never issued to patients.</summary>
    public static bool IsTestRange(ReadOnlySpan<char> digits) => digits.Length >= 3 && digits[0] == '9' && digits[1] == '9' && digits[2] == '9';
}
