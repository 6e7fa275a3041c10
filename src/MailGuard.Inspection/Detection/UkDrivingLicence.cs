namespace MailGuard.Inspection.Detection;

/// <summary>
/// A GB driving licence number (DVLA): 16 characters, often written in three groups
/// ("MORGA 753116 SM9IJ"). The first five are the surname's letters padded with 9s; then the
/// decade digit of the year of birth, the month (51-62 for women), the day and the year digit;
/// two initials (a 9 for no second one), an arbitrary digit and two check characters. The date
/// and the padding make it a structure few other codes share.
/// </summary>
public static class UkDrivingLicence
{
    public const int Length = 16;

    /// <summary>Whether <paramref name="value"/> (spaces allowed between the groups, any case) is a licence number; its 16 characters go to <paramref name="normalized"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, Span<char> normalized)
    {
        int n = 0;
        foreach (char c in value.Trim())
        {
            if (c == ' ')
            {
                continue;
            }

            if (n == Length || !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }

            normalized[n++] = char.ToUpperInvariant(c);
        }

        return n == Length && IsValid(normalized[..Length]);
    }

    private static bool IsValid(ReadOnlySpan<char> v)
    {
        // Surname: a letter, then letters, then 9s to pad (no letter after a 9).
        if (!char.IsAsciiLetterUpper(v[0]))
        {
            return false;
        }

        bool padding = false;
        for (int i = 1; i < 5; i++)
        {
            if (v[i] == '9')
            {
                padding = true;
            }
            else if (padding || !char.IsAsciiLetterUpper(v[i]))
            {
                return false;
            }
        }

        for (int i = 5; i < 11; i++)
        {
            if (!char.IsAsciiDigit(v[i]))
            {
                return false;
            }
        }

        int month = ((v[6] - '0') * 10) + (v[7] - '0');
        int day = ((v[8] - '0') * 10) + (v[9] - '0');
        if (month is not ((>= 1 and <= 12) or (>= 51 and <= 62)) || day is < 1 or > 31)
        {
            return false;
        }

        // Initials: a letter, then a letter or 9; an arbitrary digit; two check characters.
        return char.IsAsciiLetterUpper(v[11]) && (char.IsAsciiLetterUpper(v[12]) || v[12] == '9') && char.IsAsciiDigit(v[13])
            && char.IsAsciiLetterUpper(v[14]) && char.IsAsciiLetterUpper(v[15]);
    }
}
