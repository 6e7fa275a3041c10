using System.Text;

namespace MailGuard.Core.Notices;

/// <summary>Text from outside (a subject, an envelope address, a sender's justification) made safe to show on one line.</summary>
public static class NoticeText
{
    /// <summary>
    /// Control characters (line breaks and tabs included) become spaces and runs of white space one
    /// space; bidirectional embedding, override and isolate marks go (they can make a reviewer read
    /// text in another order than it was written); a lone surrogate becomes U+FFFD. Trimmed, then
    /// cut to at most <paramref name="maxChars"/> characters without splitting a surrogate pair.
    /// </summary>
    /// <summary>
    /// Free text that every reviewer will read (a reviewer's reason, a sender's justification): one
    /// safe line as <see cref="OneLine"/> makes it, with every identifier the detectors know masked
    /// like finding evidence. Empty when nothing is left.
    /// </summary>
    public static string ForReviewers(string? value, int maxChars, DateOnly today) =>
        Inspection.Detection.TextRedactor.Redact(OneLine(value, maxChars), today);

    public static string OneLine(string? value, int maxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        var sb = new StringBuilder(Math.Min(value.Length, maxChars));
        bool space = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                continue;
            }

            bool pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (sb.Length + (space ? 1 : 0) + (pair ? 2 : 1) > maxChars)
            {
                break;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            if (pair)
            {
                sb.Append(c).Append(value[++i]);
            }
            else
            {
                sb.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return sb.ToString();
    }
}
