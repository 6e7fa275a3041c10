using System.Globalization;
using System.Text;

namespace MailGuard.Core.Notices;

/// <summary>Text from outside (a subject, a file name, an envelope address, a sender's justification) made safe to show on one line.</summary>
public static class NoticeText
{
    /// <summary>
    /// Room beyond the limit that <see cref="Masked"/> reads before it cuts, so that an identifier
    /// straddling the limit is seen whole by the detectors (the longest, an e-mail address, is at
    /// most 254 characters) and cut only once masked.
    /// </summary>
    private const int IdentifierMargin = 320;

    /// <summary>
    /// The one way a field copied from a message (subject, file and sheet names, display names,
    /// reasons, summaries, a sender's justification) enters MailGuard's own text, be it a notice to
    /// the sender, the security team's alert or digest, or the reviewers' audit trail: one line as
    /// <see cref="OneLine"/> makes it, with every identifier the detectors know masked like finding
    /// evidence. The text is made one line before it is scanned (so a line break or an invisible
    /// character cannot hide an identifier from the detectors) and cut to
    /// <paramref name="maxChars"/> only after masking (so the cut cannot leave the unmasked part
    /// of an identifier). Empty when nothing is left.
    /// </summary>
    public static string Masked(string? value, int maxChars, DateOnly today)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        string line = OneLine(value, maxChars > int.MaxValue - IdentifierMargin ? int.MaxValue : maxChars + IdentifierMargin);
        return line.Length == 0 ? line : OneLine(Inspection.Detection.TextRedactor.Redact(line, today), maxChars);
    }

    /// <summary>
    /// Control characters and every kind of white space (line breaks, tabs, NEL, U+2028 LINE
    /// SEPARATOR and U+2029 PARAGRAPH SEPARATOR included) become spaces, and runs of them one space;
    /// format characters go: the bidirectional embedding, override, isolate and mark characters
    /// (they can make a reader see text in another order than it was written) and the zero-width
    /// ones (they can split an identifier so that no detector sees it). A lone surrogate becomes
    /// U+FFFD. Trimmed, then cut to at most <paramref name="maxChars"/> characters without
    /// splitting a surrogate pair.
    /// </summary>
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

            bool pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            if (CharUnicodeInfo.GetUnicodeCategory(value, i) == UnicodeCategory.Format)
            {
                // Cf: U+200B-U+200F, U+202A-U+202E, U+2060-U+2069, U+061C, U+FEFF, the tag characters, ...
                i += pair ? 1 : 0;
                continue;
            }

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
