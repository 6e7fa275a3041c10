namespace MailGuard.Inspection.Detection;

/// <summary>UK telephone numbers in national (0...) or international (+44 / 0044) form.</summary>
public static class UkPhone
{
    public const int MaxDigits = 11;

    /// <summary>
    /// Parses a whole value such as <c>07700 900123</c>, <c>+44 (0)20 7946 0123</c> or
    /// <c>(0113) 496 0123</c> and writes the national significant number with its leading 0.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> national, out int length)
    {
        length = 0;
        value = value.Trim();
        if (value.Length is < 10 or > 22)
        {
            return false;
        }

        var i = 0;
        var international = false;
        if (value[0] == '+')
        {
            if (!value[1..].StartsWith("44"))
            {
                return false;
            }

            international = true;
            i = 3;
        }
        else if (value.StartsWith("0044"))
        {
            international = true;
            i = 4;
        }

        if (international)
        {
            national[length++] = '0';
            while (i < value.Length && value[i] is ' ' or '-')
            {
                i++;
            }

            // "+44 (0)20 ..." keeps the trunk 0 in brackets for national callers.
            if (value[i..].StartsWith("(0)"))
            {
                i += 3;
            }
        }

        var previousSeparator = true;
        var openBracket = false;
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                if (length == MaxDigits)
                {
                    return false;
                }

                if (international && length == 1 && c == '0')
                {
                    return false;
                }

                national[length++] = c;
                previousSeparator = false;
            }
            else if (c is ' ' or '-' && !previousSeparator)
            {
                previousSeparator = true;
            }
            else if (c == '(' && length == 0 && !openBracket)
            {
                openBracket = true;
            }
            else if (c == ')' && openBracket && !previousSeparator)
            {
                openBracket = false;
                if (i + 1 < value.Length && value[i + 1] == ' ')
                {
                    i++;
                }

                previousSeparator = true;
            }
            else
            {
                return false;
            }
        }

        return !openBracket && IsValidNational(national[..length]);
    }

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        Span<char> national = stackalloc char[MaxDigits];
        return TryParse(value, national, out _);
    }

    /// <summary>
    /// Ofcom National Telephone Numbering Plan: 01 geographic numbers have 9 or 10 digits after
    /// the 0 (a few areas such as 016977 use 9); 02, 03, 07 and 09 numbers have 10; 08 has 9
    /// (0800 xxxxxx) or 10. 04 and 06 are not allocated, 00 is the international prefix.
    /// </summary>
    public static bool IsValidNational(ReadOnlySpan<char> digits)
    {
        if (digits.Length < 10 || digits[0] != '0')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return digits[1] switch
        {
            '1' => digits.Length is 10 or 11,
            '2' or '3' or '9' => digits.Length == 11,
            '7' => digits.Length == 11,
            '8' => digits.Length is 10 or 11,
            _ => false,
        };
    }

    /// <summary>07 numbers other than 070 (personal numbering) are mobiles (Ofcom numbering plan).</summary>
    public static bool IsMobile(ReadOnlySpan<char> national) => national.Length == 11 && national[1] == '7' && national[2] != '0';
}
