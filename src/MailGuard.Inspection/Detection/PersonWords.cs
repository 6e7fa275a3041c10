using System.Collections.Frozen;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Who a record is about (Words/people-words.txt): whether a capitalised name is an
/// organisation's rather than a person's, the words for how people are related, and the
/// column-header words that make a contact detail someone's own.
/// </summary>
internal static class PersonWords
{
    private static readonly WordLists s_file = WordLists.Load("people-words.txt");

    private static readonly FrozenSet<string> s_organisation = s_file["organisation-name"].ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_relationship = s_file["relationship"].ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static readonly string[] PrivateContact = s_file["private-contact"];

    private static readonly string[] s_ownContactCues = s_file["own-contact-cue"];

    private static readonly FrozenSet<string> s_countWords = s_file["count-word"].ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_jobWords = s_file["job-word"].ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>A whole word of <paramref name="text"/>, or its singular, names a job (Words/people-words.txt [job-word]).</summary>
    public static bool HasJobWord(ReadOnlySpan<char> text) => AnyWord(text, s_jobWords, plurals: true);

    /// <summary>A whole word of <paramref name="text"/> says what follows counts things (Words/people-words.txt [count-word]).</summary>
    public static bool HasCountWord(ReadOnlySpan<char> text) => AnyWord(text, s_countWords);

    /// <summary>
    /// Words that make the address or phone after a name that person's own: "lives at", "mobile
    /// is" (Words/people-words.txt [own-contact-cue]), in <paramref name="between"/>, the text
    /// from the name to the detail.
    /// </summary>
    public static bool HasOwnContactCue(ReadOnlySpan<char> between)
    {
        foreach (var cue in s_ownContactCues)
        {
            if (between.Contains(cue, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A word of the name is an organisation word ("Leeds Women's Aid", "Hull Combined Court").</summary>
    public static bool IsOrganisationName(ReadOnlySpan<char> name) => AnyWord(name, s_organisation);

    // A word of the text (letters, apostrophes and hyphens inside it; a possessive 's or s' taken
    // off, and with plurals, a plural s) is in the set.
    private static bool AnyWord(ReadOnlySpan<char> text, FrozenSet<string> words, bool plurals = false)
    {
        var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var letter = i < text.Length && (char.IsLetter(text[i]) || text[i] == '\'' || (plurals && text[i] == '-' && start >= 0));
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                var word = text[start..i];
                if (word.EndsWith("'s", StringComparison.Ordinal) || word.EndsWith("s'", StringComparison.Ordinal))
                {
                    word = word[..^2];
                }

                word = word.TrimEnd('\'');
                if (lookup.Contains(word) || (plurals && word.Length > 2 && word[^1] is 's' or 'S' && lookup.Contains(word[..^1])))
                {
                    return true;
                }

                start = -1;
            }
        }

        return false;
    }

    /// <summary>
    /// A capitalised organisation word in the text ("Probation Service", "Leeds Women's Aid"),
    /// not one that names a street ("Station Road", "Court Lane"): contact details beside it are
    /// an organisation's.
    /// </summary>
    public static bool HasOrganisationWord(ReadOnlySpan<char> text)
    {
        var lookup = s_organisation.GetAlternateLookup<ReadOnlySpan<char>>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsUpper(text[i]) || (i > 0 && char.IsLetter(text[i - 1])))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && (char.IsLetter(text[i]) || text[i] == '\''))
            {
                i++;
            }

            var word = text[start..i];
            if (word.EndsWith("'s", StringComparison.Ordinal))
            {
                word = word[..^2];
            }

            if (word.Length < 2 || !lookup.Contains(word.TrimEnd('\'')))
            {
                continue;
            }

            // "Station Road": the next word is a street type.
            var next = i;
            while (next < text.Length && text[next] == ' ')
            {
                next++;
            }

            var nextEnd = next;
            while (nextEnd < text.Length && char.IsLetter(text[nextEnd]))
            {
                nextEnd++;
            }

            if (nextEnd > next && AddressWords.IsStreetSuffix(text[next..nextEnd]))
            {
                continue;
            }

            return true;
        }

        return false;
    }

    public static bool IsRelationship(ReadOnlySpan<char> word) =>
        s_relationship.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
}
