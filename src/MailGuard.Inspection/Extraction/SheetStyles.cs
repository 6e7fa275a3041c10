using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// What a workbook's cell styles (xl/styles.xml cellXfs) say about the numbers they show: which
/// show a date, and which show a number with words or digits of their own around it
/// (<see cref="SheetNumberFormat"/>).
/// </summary>
internal sealed class SheetStyles(bool[] dates, SheetNumberFormat?[] shown)
{
    public static readonly SheetStyles None = new([], []);

    /// <summary>Whether style <paramref name="style"/> shows a number as a date.</summary>
    public bool IsDate(int style) => (uint)style < (uint)dates.Length && dates[style];

    /// <summary>The format style <paramref name="style"/> shows a number in, when it writes text of its own.</summary>
    public SheetNumberFormat? Shown(int style) => (uint)style < (uint)shown.Length ? shown[style] : null;
}

/// <summary>
/// A custom number format that writes letters or digits of its own around a whole number's
/// digits, as Excel shows it: <c>"AB"000000"C"</c> shows 123456 as AB123456C, <c>"0"0000 000000</c>
/// shows 7700900123 as 07700 900123. Only such formats are kept: digit placeholders (0, #, ?),
/// quoted or escaped literals, spaces, hyphens and brackets. Formats with decimals, thousands
/// separators, exponents, fractions, text or colour sections are left to the plain number.
/// </summary>
internal sealed class SheetNumberFormat
{
    // Literal text (null: a digit placeholder, its kind in Placeholder).
    private readonly List<(string? Literal, char Placeholder)> _parts;

    private SheetNumberFormat(List<(string? Literal, char Placeholder)> parts) => _parts = parts;

    /// <summary>The format of <paramref name="code"/>'s first section, or null when it is not one kept.</summary>
    public static SheetNumberFormat? Parse(string code)
    {
        var parts = new List<(string?, char)>();
        bool own = false;
        int placeholders = 0;
        for (int i = 0; i < code.Length; i++)
        {
            char c = code[i];
            switch (c)
            {
                case ';':
                    i = code.Length;
                    break;
                case '0' or '#' or '?':
                    parts.Add((null, c));
                    placeholders++;
                    break;
                case '"':
                    int close = code.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        return null;
                    }

                    string quoted = code[(i + 1)..close];
                    own |= quoted.Any(char.IsLetterOrDigit);
                    parts.Add((quoted, '\0'));
                    i = close;
                    break;
                case '\\' when i + 1 < code.Length:
                    own |= char.IsLetterOrDigit(code[i + 1]);
                    parts.Add((code[i + 1].ToString(), '\0'));
                    i++;
                    break;
                case ' ' or '-' or '(' or ')' or '/' or ':':
                    parts.Add((c.ToString(), '\0'));
                    break;
                case '[' when code.AsSpan(i).StartsWith("[$-", StringComparison.Ordinal):
                    // A locale tag ([$-809]) changes nothing here.
                    int end = code.IndexOf(']', i);
                    i = end < 0 ? code.Length : end;
                    break;
                default:
                    return null;
            }
        }

        return own && placeholders > 0 ? new SheetNumberFormat(parts) : null;
    }

    /// <summary>
    /// <paramref name="number"/> as the format shows it, or null for a number it does not fit
    /// (negative, not whole, or too large to write as digits).
    /// </summary>
    public string? Show(double number)
    {
        if (number < 0 || number != Math.Floor(number) || number >= 1e15)
        {
            return null;
        }

        string digits = ((long)number).ToString(CultureInfo.InvariantCulture);
        int placeholders = _parts.Count(p => p.Literal is null);

        // Right-aligned as Excel fills them: a missing digit is 0 under a 0, nothing under a #,
        // a space under a ?; digits beyond the placeholders go in the first one.
        var text = new StringBuilder();
        int next = digits.Length - placeholders;
        foreach (var (literal, placeholder) in _parts)
        {
            if (literal is not null)
            {
                text.Append(literal);
                continue;
            }

            if (next < 0)
            {
                text.Append(placeholder switch { '0' => "0", '?' => " ", _ => "" });
            }
            else if (next == digits.Length - placeholders && next > 0)
            {
                text.Append(digits, 0, next + 1);
            }
            else
            {
                text.Append(digits[next]);
            }

            next++;
        }

        return text.ToString();
    }
}
