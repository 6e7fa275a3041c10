namespace MailGuard.Inspection.Detection;

/// <summary>
/// Keywords that make a pattern match mean what it looks like. Purview uses a 300-character
/// proximity; prose that lists several people puts the label right beside each value, and a
/// long window would let one "date of birth" heading turn every date on a page into a DOB,
/// so the windows here are short and mostly look backwards (labels precede values).
/// </summary>
internal static class ContextWords
{
    private static readonly WordLists s_file = WordLists.Load("context-words.txt");

    public static readonly KeywordSet Nino = new(s_file["nino"]);
    public static readonly KeywordSet Nhs = new(s_file["nhs"]);
    public static readonly KeywordSet DateOfBirth = new(s_file["date-of-birth"]);

    // Substrings that every DateOfBirth keyword contains: the cheap test for "could any date here be a DOB".
    public static readonly string[] DateOfBirthStems = s_file["date-of-birth-stems"];
    public static readonly KeywordSet Phone = new(s_file["phone"]);
    public static readonly KeywordSet Card = new(s_file["card"]);
    public static readonly KeywordSet Passport = new(s_file["passport"]);
    public static readonly KeywordSet DrivingLicence = new(s_file["driving-licence"]);
    public static readonly KeywordSet DateOfBirthHeadings = new(s_file["date-of-birth-headings"]);
    public static readonly KeywordSet Prisoner = new(s_file["prisoner"]);

    // What a date is when it is not a birth ("appointment on", "released"): Words/context-words.txt [not-birth-date].
    public static readonly KeywordSet NotBirthDate = new(s_file["not-birth-date"]);

    // Labels that turn a number into something else: order 9434765919 is not an NHS number.
    public static readonly KeywordSet NotPersonalNumber = new(s_file["not-personal-number"]);

    // Column names that appear beside a DOB or NHS heading in a table flattened to text.
    public static readonly string[] ColumnHeadings = s_file["column-headings"];

    // What TextScanner searches for before running the keyword-bound scanners at all.
    public static readonly string[] ScanGateStems = CheckedGate(s_file["scan-gate-stems"]);

    /// <summary>
    /// The prechecks skip a scanner when no stem is present, so a keyword without a stem would
    /// never be seen: refused when the list is loaded, not discovered as a missed finding.
    /// </summary>
    private static string[] CheckedGate(string[] gate)
    {
        RequireStems(DateOfBirth.Words, DateOfBirthStems, "date-of-birth", "date-of-birth-stems");
        foreach (var (words, section) in new[] { (DateOfBirth.Words, "date-of-birth"), (Passport.Words, "passport"), (DrivingLicence.Words, "driving-licence"), (Prisoner.Words, "prisoner") })
        {
            RequireStems(words, gate, section, "scan-gate-stems");
        }

        return gate;

        static void RequireStems(string[] words, string[] stems, string section, string stemSection)
        {
            foreach (var word in words)
            {
                if (!stems.Any(stem => word.Contains(stem, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InvalidDataException($"word list context-words.txt: [{section}] entry '{word}' contains none of [{stemSection}]");
                }
            }
        }
    }

    internal static int CountWords(ReadOnlySpan<char> line, string[] words)
    {
        var n = 0;
        foreach (var word in words)
        {
            if (ContainsWord(line, [word]))
            {
                n++;
            }
        }

        return n;
    }

    public static bool ContainsAny(string text, string[] stems)
    {
        foreach (var stem in stems)
        {
            if (text.Contains(stem, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsWordChar(char c) => char.IsLetterOrDigit(c);

    /// <summary>True when one of the words occurs as whole words within <paramref name="before"/> characters before <paramref name="start"/> or <paramref name="after"/> characters after <paramref name="end"/>.</summary>
    public static bool Near(ReadOnlySpan<char> text, int start, int end, KeywordSet words, int before, int after)
    {
        var from = Math.Max(0, start - before);
        var to = Math.Min(text.Length, end + after);
        return ContainsWord(text[from..start], words) || ContainsWord(text[end..to], words);
    }

    /// <summary>One vectorised search for all the words, then a whole-word check where one starts.</summary>
    public static bool ContainsWord(ReadOnlySpan<char> window, KeywordSet words)
    {
        var offset = 0;
        return NextWord(window, words, ref offset) >= 0;
    }

    /// <summary>Where the last of <paramref name="words"/> standing as a whole word in <paramref name="window"/> ends; -1 for none.</summary>
    public static int LastWordEnd(ReadOnlySpan<char> window, KeywordSet words)
    {
        var offset = 0;
        var last = -1;
        for (var end = NextWord(window, words, ref offset); end >= 0; end = NextWord(window, words, ref offset))
        {
            last = Math.Max(last, end);
        }

        return last;
    }

    // The end of the next whole word of words at or after offset (moved past its start), or -1.
    private static int NextWord(ReadOnlySpan<char> window, KeywordSet words, ref int offset)
    {
        while (offset < window.Length)
        {
            var at = window[offset..].IndexOfAny(words.Values);
            if (at < 0)
            {
                offset = window.Length;
                return -1;
            }

            at += offset;
            offset = at + 1;
            if (at == 0 || !IsWordChar(window[at - 1]))
            {
                foreach (var word in words.Words)
                {
                    var endAt = at + word.Length;
                    if (endAt <= window.Length && window.Slice(at, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
                        && (endAt == window.Length || !IsWordChar(window[endAt]) || !IsWordChar(word[^1])))
                    {
                        return endAt;
                    }
                }
            }
        }

        return -1;
    }

    public static bool ContainsWord(ReadOnlySpan<char> window, ReadOnlySpan<string> words)
    {
        foreach (var word in words)
        {
            var offset = 0;
            while (offset < window.Length)
            {
                var at = window[offset..].IndexOf(word, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }

                at += offset;
                var endAt = at + word.Length;
                var leftOk = at == 0 || !IsWordChar(window[at - 1]);
                var rightOk = endAt >= window.Length || !IsWordChar(window[endAt]) || !IsWordChar(word[^1]);
                if (leftOk && rightOk)
                {
                    return true;
                }

                offset = at + 1;
            }
        }

        return false;
    }
}

/// <summary>Keywords with a precomputed multi-string searcher (SearchValues, .NET 9+).</summary>
internal sealed class KeywordSet(string[] words)
{
    public string[] Words { get; } = words;

    public System.Buffers.SearchValues<string> Values { get; } = System.Buffers.SearchValues.Create(words, StringComparison.OrdinalIgnoreCase);
}
