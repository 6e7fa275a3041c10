using System.Text;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Masks every identifier the detectors recognise in a piece of text (NI and NHS numbers, dates
/// of birth, postcodes and address lines, phone and card numbers, IBANs, passport numbers,
/// e-mail addresses), each in the same masked form as finding evidence. The review console
/// shows message bodies to reviewers through this.
/// </summary>
public static class TextRedactor
{
    public static string Redact(string text, DateOnly reference)
    {
        ArgumentNullException.ThrowIfNull(text);
        var matches = new List<TextMatch>();
        TextScanner.Scan(text, reference, matches);
        if (matches.Count == 0)
        {
            return text;
        }

        matches.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var result = new StringBuilder(text.Length);
        int position = 0;
        foreach (var match in matches)
        {
            if (match.Start < position)
            {
                // Overlaps a longer match already masked.
                continue;
            }

            result.Append(text, position, match.Start - position);
            result.Append(TextScanner.Mask(text, match));
            position = match.End;
        }

        result.Append(text, position, text.Length - position);
        return result.ToString();
    }
}
