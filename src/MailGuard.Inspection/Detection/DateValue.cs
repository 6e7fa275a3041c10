using System.Globalization;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Parses the ways UK mail writes a calendar date: 14/03/1987, 14.03.1987, 14-03-1987,
/// 1987-03-14, 14-Mar-1987, 14 March 1987, 14th March 1987, March 14, 1987 (and, for table cells,
/// two-digit years and an ISO time part). Day-month order is assumed, as in the UK, unless only
/// the month-first reading is a real date.
/// </summary>
public static class DateValue
{
    private static readonly string[] s_months =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static int MonthFromName(ReadOnlySpan<char> name)
    {
        if (name.Length < 3 || name.Length > 9)
        {
            return 0;
        }

        for (var m = 0; m < 12; m++)
        {
            if (!name[..3].Equals(s_months[m], StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.Length == 3 || (m == 8 && name.Equals("sept", StringComparison.OrdinalIgnoreCase)))
            {
                return m + 1;
            }

            var full = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames[m];
            return name.Equals(full, StringComparison.OrdinalIgnoreCase) ? m + 1 : 0;
        }

        return 0;
    }

    private enum TokenType
    {
        Number,
        Month,
    }

    /// <param name="allowTwoDigitYear">Cells under a date-of-birth header may use 14/03/87; prose may not (too many fractions and scores look like it).</param>
    public static bool TryParse(ReadOnlySpan<char> value, out DateOnly date, bool allowTwoDigitYear = false, DateOnly? reference = null)
    {
        // Fast path for the commonest cell shapes, dd/mm/yyyy and yyyy-mm-dd: no tokenising,
        // and none of the general parser's frame set-up (this runs for every date cell).
        var trimmed = CellText.Trim(value);
        if (trimmed.Length == 10 && TryParseFixed(trimmed, out date))
        {
            return true;
        }

        return TryParseGeneral(trimmed, out date, allowTwoDigitYear, reference);
    }

    private static bool TryParseGeneral(ReadOnlySpan<char> value, out DateOnly date, bool allowTwoDigitYear, DateOnly? reference)
    {
        date = default;
        if (value.Length is < 6 or > 40)
        {
            return false;
        }

        // Spreadsheet exports often write "1987-03-14T00:00:00" or "14/03/1987 00:00".
        var timeAt = value.IndexOfAny('T', ':');
        if (timeAt > 0)
        {
            if (value[timeAt] == ':')
            {
                timeAt = value[..timeAt].LastIndexOf(' ');
                if (timeAt <= 0)
                {
                    return false;
                }
            }

            value = value[..timeAt].TrimEnd();
        }

        Span<int> numbers = stackalloc int[3];
        Span<int> widths = stackalloc int[3];
        Span<TokenType> types = stackalloc TokenType[3];
        var count = 0;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (char.IsAsciiDigit(c))
            {
                var start = i;
                var n = 0;
                while (i < value.Length && char.IsAsciiDigit(value[i]))
                {
                    n = (n * 10) + (value[i] - '0');
                    i++;
                    if (i - start > 4)
                    {
                        return false;
                    }
                }

                var digitCount = i - start;

                // Ordinal suffixes: 14th, 1st, 2nd, 3rd.
                if (i + 1 < value.Length && char.IsAsciiLetterLower(value[i]) && char.IsAsciiLetterLower(value[i + 1]))
                {
                    var suffix = value.Slice(i, 2);
                    if (suffix is "st" or "nd" or "rd" or "th")
                    {
                        i += 2;
                    }
                }

                if (count == 3)
                {
                    return false;
                }

                numbers[count] = n;
                widths[count] = digitCount;
                types[count++] = TokenType.Number;
            }
            else if (char.IsAsciiLetter(c))
            {
                var start = i;
                while (i < value.Length && char.IsAsciiLetter(value[i]))
                {
                    i++;
                }

                // "12th of March 1965": the "of" between day and month says nothing.
                if (value[start..i].Equals("of", StringComparison.OrdinalIgnoreCase) && count == 1 && types[0] == TokenType.Number)
                {
                    continue;
                }

                var month = MonthFromName(value[start..i]);
                if (month == 0 || count == 3)
                {
                    return false;
                }

                numbers[count] = month;
                widths[count] = i - start;
                types[count++] = TokenType.Month;
                if (i < value.Length && value[i] == '.')
                {
                    i++;
                }
            }
            else if (c is '/' or '-' or '.' or ' ' or ',')
            {
                i++;
                if (i < value.Length && value[i] == ' ' && c is ',' or '.')
                {
                    i++;
                }

                if (i < value.Length && value[i] is '/' or '-' or '.' or ',')
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (count != 3)
        {
            return false;
        }

        int day, monthValue, year;
        int yearWidth;
        if (types[0] == TokenType.Number && types[1] == TokenType.Number && types[2] == TokenType.Number)
        {
            if (widths[0] == 4)
            {
                (year, monthValue, day, yearWidth) = (numbers[0], numbers[1], numbers[2], 4);
                if (widths[1] > 2 || widths[2] > 2)
                {
                    return false;
                }
            }
            else
            {
                if (widths[0] > 2 || widths[1] > 2)
                {
                    return false;
                }

                (day, monthValue, year, yearWidth) = (numbers[0], numbers[1], numbers[2], widths[2]);
                if (monthValue > 12 && day <= 12)
                {
                    (day, monthValue) = (monthValue, day);
                }
            }
        }
        else if (types[0] == TokenType.Number && types[1] == TokenType.Month && types[2] == TokenType.Number)
        {
            (day, monthValue, year, yearWidth) = (numbers[0], numbers[1], numbers[2], widths[2]);
            if (widths[0] > 2)
            {
                return false;
            }
        }
        else if (types[0] == TokenType.Month && types[1] == TokenType.Number && types[2] == TokenType.Number)
        {
            (monthValue, day, year, yearWidth) = (numbers[0], numbers[1], numbers[2], widths[2]);
            if (widths[1] > 2)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (yearWidth == 2)
        {
            if (!allowTwoDigitYear)
            {
                return false;
            }

            // A two-digit year is in the past century relative to the reference date.
            var refYear = (reference ?? new DateOnly(2000, 1, 1)).Year;
            year += (refYear / 100) * 100;
            if (year > refYear)
            {
                year -= 100;
            }
        }
        else if (yearWidth != 4)
        {
            return false;
        }

        if (year is < 1800 or > 2200 || monthValue is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, monthValue))
        {
            return false;
        }

        date = new DateOnly(year, monthValue, day);
        return true;
    }

    private static bool TryParseFixed(ReadOnlySpan<char> value, out DateOnly date)
    {
        date = default;
        if (value.Length != 10)
        {
            return false;
        }

        // Each pair of digits read as a number, or far below zero when either is not a digit,
        // so that one range check below refuses every bad digit too.
        int day, month, year;
        var separator = value[2];
        if (separator is '/' or '.' or '-' && value[5] == separator)
        {
            day = TwoDigits(value[0], value[1]);
            month = TwoDigits(value[3], value[4]);
            year = (TwoDigits(value[6], value[7]) * 100) + TwoDigits(value[8], value[9]);
            if (month > 12 && day <= 12)
            {
                (day, month) = (month, day);
            }
        }
        else if (value[4] == '-' && value[7] == '-')
        {
            year = (TwoDigits(value[0], value[1]) * 100) + TwoDigits(value[2], value[3]);
            month = TwoDigits(value[5], value[6]);
            day = TwoDigits(value[8], value[9]);
        }
        else
        {
            return false;
        }

        if ((uint)(year - 1800) > 400 || (uint)(month - 1) > 11 || day < 1)
        {
            return false;
        }

        var leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);

        // 31 days in January, March, May, July, August, October, December; 30 in the rest but February.
        var daysInMonth = month == 2 ? (leap ? 29 : 28) : 30 + ((month + (month >> 3)) & 1);
        if (day > daysInMonth)
        {
            return false;
        }

        date = DateOnly.FromDayNumber(DayNumber(year, month, day, leap));
        return true;
    }

    private static ReadOnlySpan<short> DaysBeforeMonth => [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    /// <summary>
    /// Days since 0001-01-01 of a valid proleptic Gregorian date: what <c>new DateOnly(y, m, d)</c>
    /// computes, without its 64-bit tick division (this runs for every cell of a date column);
    /// <paramref name="leap"/> is whether <paramref name="year"/> is a leap year, known to the caller.
    /// </summary>
    internal static int DayNumber(int year, int month, int day, bool leap)
    {
        var y = year - 1;
        var leapDay = month > 2 && leap ? 1 : 0;
        return (y * 365) + (y / 4) - (y / 100) + (y / 400) + DaysBeforeMonth[month - 1] + leapDay + day - 1;
    }

    // Two ASCII digits as a number; -100000 (every range check fails on it) when either is not a digit.
    private static int TwoDigits(char tens, char units)
    {
        var a = tens - '0';
        var b = units - '0';
        return (uint)a <= 9 && (uint)b <= 9 ? (a * 10) + b : -100000;
    }

    /// <summary>A date of birth is 0 to 120 years before the reference date (the oldest verified human lived to 122).</summary>
    public static bool IsPlausibleBirthDate(DateOnly date, DateOnly reference) =>
        date <= reference && date > reference.AddYears(-120);
}
