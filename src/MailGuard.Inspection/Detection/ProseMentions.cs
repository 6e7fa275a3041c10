using System.Text.RegularExpressions;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// People named in sentences (issue 14): "her children Amy Lowe, aged 7, and Ben Lowe, aged 5",
/// "Susan Bell (mother) - 07700 900123", "Mother: Kerry Walsh, aged 34", "A1234BC Tom Haddad".
/// A name counts when something personal is said about that person right beside it: an age, a
/// relationship, a date of birth or another identifier, or a phone number or address that the
/// words between call theirs ("lives at", "'s mobile is") or a mobile number straight after the
/// name ("Amy Lowe (07700 900123)"), where no business cue (a job title, an office) claims it for
/// an organisation. People are keyed by their name, so the same person named twice in one
/// location is one person.
/// </summary>
internal static partial class ProseMentions
{
    // How far after a name its attributes are looked for (up to the next name or a blank line).
    private const int After = 160;

    // How far after a name an address or phone may start for the words between to make it the
    // person's own ("lives at", "'s mobile is"): a clause, not the rest of a paragraph.
    private const int OwnCueReach = 48;

    // How far after a name a mobile number may start to be that person's own with no words saying
    // so: "Amy Lowe (07700 900123)", "Mr Tom Haddad on 07700 900456", "Amy Lowe, mobile 07700 ...".
    private const int MobileReach = 12;

    // How far before a name (a job title's two words) and after its mobile the words around
    // them are read for a job or an organisation (IsOwnMobile).
    private const int TitleReach = 40;
    private const int ClauseReach = 40;

    // How far back the sentence a name and its mobile stand in is read for a job: a list of
    // eight names with their mobiles is about 250 characters.
    private const int SentenceReach = 400;

    // A run of capitalised words, with an optional title; validated word by word in code.
    [GeneratedRegex(@"(?:\b(?<title>Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?[ \t]+)?\b[A-Z][A-Za-z'\-]+\b(?:[ \t]+[A-Z][A-Za-z'\-]+\b){0,3}|\b[A-Z]{2,}(?:[-'][A-Z]+)?,[ \t][A-Z][a-z'\-]+\b|^[A-Z][a-z'\-]+\n[A-Z][A-Za-z'\-]+$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex CandidatePattern();

    // An age right after a name: ", aged 7", "(aged 67)", ", 34 years old".
    [GeneratedRegex(@"^[ \t]*(?:[,(\-–][ \t]*)?\(?(?:aged?[ \t:]*\d{1,3}\b|\d{1,3}[ \t]*(?:years?[ \t]+old|yrs?\b|y/o))", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AgePattern();

    // A bare number in brackets after a name, "(45)": an age, unless the paragraph counts things.
    [GeneratedRegex(@"^[ \t]*\(\d{1,3}\)", RegexOptions.CultureInvariant)]
    private static partial Regex BracketedNumberPattern();

    // How far back from a name the paragraph is searched for a word that makes "(2)" a count.
    private const int CountContextReach = 400;

    [GeneratedRegex(@"\b[A-Z][0-9]{4}[A-Z]{2}[ \t,:\-–]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PrisonNumberBefore();

    private static readonly ulong s_strongBits = DataKinds.Bits(DataKind.NiNumber, DataKind.NhsNumber, DataKind.DateOfBirth,
        DataKind.PassportNumber, DataKind.PrisonerNumber, DataKind.PaymentCard, DataKind.BankAccount, DataKind.DrivingLicence);

    private static readonly ulong s_contactBits = DataKinds.Bits(DataKind.Phone, DataKind.Postcode, DataKind.PostalAddress);

    // Surname: where the name's last word starts, when a title stands before that word alone
    // ("Ms Holt"), else -1; such a name is the same person as a fuller name ending in that word.
    private readonly record struct Candidate(int Start, int End, int Key, int Surname = -1, bool Titled = false);

    /// <summary>Adds the keys of people named with an attribute in <paramref name="text"/>; returns the kinds said about them.</summary>
    public static ulong Collect(string text, List<TextMatch> matches, HashSet<int> people, int cap, out int firstNew)
    {
        firstNew = -1;
        var candidates = new List<Candidate>();
        foreach (var m in CandidatePattern().EnumerateMatches(text))
        {
            if (TryName(text, m.Index, m.Length, out var candidate))
            {
                candidates.Add(candidate);
            }
        }

        ulong kinds = 0;
        var matchIndex = 0;
        Dictionary<string, (int? Titled, int? Untitled)>? fuller = null;
        for (var c = 0; c < candidates.Count; c++)
        {
            var name = candidates[c];
            var key = name.Surname < 0 ? name.Key : FullerNameKey(text, candidates, name, ref fuller);
            var limit = Math.Min(text.Length, name.End + After);
            if (c + 1 < candidates.Count)
            {
                limit = Math.Min(limit, candidates[c + 1].Start);
            }

            var blank = text.AsSpan(name.End, limit - name.End).IndexOf("\n\n", StringComparison.Ordinal);
            if (blank >= 0)
            {
                limit = name.End + blank;
            }

            var found = Attributes(text, name, limit, c == 0 ? 0 : candidates[c - 1].End, matches, ref matchIndex);
            if (found != 0 && people.Count < cap)
            {
                if (people.Add(key) && firstNew < 0)
                {
                    firstNew = name.Start;
                }

                kinds |= found | DataKinds.Bit(DataKind.Name);
            }
        }

        return kinds;
    }

    /// <summary>
    /// "Ms Holt" after (or before) "Ms Karen Holt" in the same text is her again: the key of the
    /// first fuller name ending in the same word, one with a title first; else its own key. The
    /// fuller names are indexed by last word once per text, when the first such name is met.
    /// </summary>
    private static int FullerNameKey(string text, List<Candidate> candidates, Candidate name, ref Dictionary<string, (int? Titled, int? Untitled)>? fuller)
    {
        if (fuller is null)
        {
            fuller = new Dictionary<string, (int? Titled, int? Untitled)>(StringComparer.Ordinal);
            foreach (var other in candidates)
            {
                if (other.Surname >= 0)
                {
                    continue;
                }

                var run = text.AsSpan(other.Start, other.End - other.Start);
                var last = run[(run.LastIndexOfAny(' ', '\t', '\n') + 1)..].ToString();
                var known = fuller.GetValueOrDefault(last);
                fuller[last] = other.Titled ? (known.Titled ?? other.Key, known.Untitled) : (known.Titled, known.Untitled ?? other.Key);
            }
        }

        return fuller.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text.AsSpan(name.Surname, name.End - name.Surname), out var found)
            ? found.Titled ?? found.Untitled ?? name.Key
            : name.Key;
    }

    private static ulong Attributes(string text, Candidate name, int limit, int previousEnd, List<TextMatch> matches, ref int matchIndex)
    {
        ulong kinds = 0;
        ulong contacts = 0;
        var ownCue = false;
        var segment = text.AsSpan(name.End, limit - name.End);
        if (AgePattern().IsMatch(segment) || (BracketedNumberPattern().IsMatch(segment) && !CountsThings(text, name.Start)))
        {
            kinds |= DataKinds.Bit(DataKind.Age);
        }

        // A relationship just after the name ("(mother)", ", neighbour", "- son") or just before it
        // ("her son Amy Lowe", "Mother: Kerry Walsh", "the applicant, Jane Roe").
        if (RelationshipAfter(segment[..Math.Min(segment.Length, 24)]) || RelationshipBefore(text, Math.Max(previousEnd, name.Start - 28), name.Start))
        {
            kinds |= DataKinds.Bit(DataKind.Name);
        }

        // A prison number just before the name, as rolls and headings write them ("A1234BC Tom Haddad").
        if (PrisonNumberBefore().IsMatch(text.AsSpan(Math.Max(previousEnd, name.Start - 12), name.Start - Math.Max(previousEnd, name.Start - 12))))
        {
            kinds |= DataKinds.Bit(DataKind.PrisonerNumber);
        }

        // Identifiers and contact details between this name and the next; a strong identifier
        // just before the name on its line ("NI AB123456C Tom Haddad") too.
        var lineStart = text.LastIndexOf('\n', Math.Max(0, name.Start - 1)) + 1;
        var from = Math.Max(Math.Max(previousEnd, lineStart), name.Start - 16);
        while (matchIndex < matches.Count && matches[matchIndex].End <= from)
        {
            matchIndex++;
        }

        for (var i = matchIndex; i < matches.Count && matches[i].Start < limit; i++)
        {
            var m = matches[i];
            if (m.Confidence < Confidence.Medium)
            {
                continue;
            }

            var bit = DataKinds.Bit(m.Kind);
            if (m.Start < name.Start)
            {
                if ((bit & s_strongBits) != 0)
                {
                    kinds |= bit;
                }

                continue;
            }

            if ((bit & s_strongBits) != 0)
            {
                kinds |= bit;
            }
            else if ((bit & s_contactBits) != 0)
            {
                var between = text.AsSpan(name.End, Math.Max(0, m.Start - name.End));
                var oneClause = between.Length <= OwnCueReach && OneClause(between);
                var mobileBeside = oneClause && between.Length <= MobileReach && IsOwnMobile(text, name.Start, m, previousEnd, limit);
                if (mobileBeside || !IsBusinessSpan(text, name.Start, m.End))
                {
                    contacts |= bit;
                    ownCue |= mobileBeside || (oneClause && PersonWords.HasOwnContactCue(between));
                }
            }
        }

        // A landline or an address alone beside a capitalised pair is too weak here (a wrapped
        // table of services, a building's name): those records are the paragraph reader's. With an
        // age, a relationship or an identifier they are said about the person too, and so they are
        // when the words between say so ("Karen Holt lives at 14 Mill Lane") or a mobile follows
        // the name in the same clause (a signature's mobile is on a line of its own).
        return kinds == 0 && !ownCue ? 0 : kinds | contacts;
    }

    // A mobile straight after a name is the person's own unless a job or an organisation is named
    // around it: in the two words before the name or the clause after the number ("duty officer
    // Amy Holt (07700 ...)", "Amy Holt (07700 ...), site manager"), or anywhere in the sentence
    // ("your account managers are ..."). Only its clause and sentence are read: a long
    // paragraph's other words ("pass changes to the coordinator") say nothing about whose it is.
    private static bool IsOwnMobile(string text, int nameStart, TextMatch mobile, int previousEnd, int limit)
    {
        if (!IsMobile(text.AsSpan(mobile.Start, mobile.End - mobile.Start)))
        {
            return false;
        }

        // The two words before the name, not past a line, sentence, comma, colon or bracket.
        var from = Math.Max(previousEnd, nameStart - TitleReach);
        var start = from + AfterLastBreak(text.AsSpan(from, nameStart - from), "\n,:;(");
        var words = 0;
        for (var i = nameStart - 1; i > start; i--)
        {
            if (text[i] is ' ' or '\t' && !char.IsWhiteSpace(text[i - 1]) && ++words == 3)
            {
                start = i;
                break;
            }
        }

        // To the end of the number's clause (a line, a sentence or a semicolon), within reach.
        var after = text.AsSpan(nameStart, Math.Min(limit, mobile.End + ClauseReach) - nameStart);
        var clause = text.AsSpan(start, nameStart + FirstBreak(after) - start);
        if (ProseAnalyzer.HasBusinessCue(clause) || PersonWords.HasOrganisationWord(clause))
        {
            return false;
        }

        var sentenceFrom = Math.Max(0, mobile.End - SentenceReach);
        var sentence = text.AsSpan(sentenceFrom, mobile.End - sentenceFrom);
        return !PersonWords.HasJobWord(sentence[AfterLastBreak(sentence, "\n")..]);
    }

    // Where the text after the last break in span starts: one of the break characters, or a
    // sentence's end (". ", "? ", "! "); 0 for none.
    private static int AfterLastBreak(ReadOnlySpan<char> span, ReadOnlySpan<char> breaks)
    {
        for (var i = span.Length - 1; i >= 0; i--)
        {
            if (breaks.Contains(span[i]) || (span[i] == ' ' && i > 0 && span[i - 1] is '.' or '?' or '!'))
            {
                return i + 1;
            }
        }

        return 0;
    }

    // Where the first line, sentence or semicolon break in span is; its length for none.
    private static int FirstBreak(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] is '\n' or ';' || (span[i] is '.' or '?' or '!' && i + 1 < span.Length && span[i + 1] == ' '))
            {
                return i;
            }
        }

        return span.Length;
    }

    // A UK mobile number (071-075, 077-079): a person's own phone far more often than an
    // office's; 070 (personal numbering, often a business's forwarding line) and 076 (pagers) are not.
    private static bool IsMobile(ReadOnlySpan<char> phone)
    {
        Span<char> national = stackalloc char[UkPhone.MaxDigits];
        return UkPhone.TryParse(phone, national, out var length) && length == 11 && national[1] == '7' && national[2] is not ('0' or '6');
    }

    // "Scorers: Harry Kane (2), ...": a counting word in the paragraph before the name.
    private static bool CountsThings(string text, int nameStart)
    {
        var from = Math.Max(0, nameStart - CountContextReach);
        var before = text.AsSpan(from, nameStart - from);
        var paragraph = before.LastIndexOf("\n\n", StringComparison.Ordinal);
        return PersonWords.HasCountWord(paragraph < 0 ? before : before[(paragraph + 2)..]);
    }

    // The words between a name and a detail are one clause: no sentence or line ends in them
    // ("Regards, Jane Smith. Our address is ..." is not her address).
    private static bool OneClause(ReadOnlySpan<char> between) =>
        between.IndexOfAny('\n', ';') < 0 && between.IndexOf(". ", StringComparison.Ordinal) < 0;

    private static bool IsBusinessSpan(string text, int start, int end)
    {
        // The lines from the name to the contact detail, the rest of the detail's line, and the two
        // lines above the name (a signature's job title and organisation above a building's name).
        var lineStart = start > 0 ? text.LastIndexOf('\n', start - 1) + 1 : 0;
        start = lineStart;
        for (var up = 0; up < 2 && start > 0; up++)
        {
            var above = text.LastIndexOf('\n', start - 2) + 1;
            if (text.AsSpan(above, start - 1 - above).IsWhiteSpace())
            {
                break;
            }

            start = above;
        }

        var lineEnd = text.IndexOf('\n', end);
        var span = text.AsSpan(start, (lineEnd < 0 ? text.Length : lineEnd) - start);
        return ProseAnalyzer.HasBusinessCue(span) || PersonWords.HasOrganisationWord(span);
    }

    private static bool RelationshipAfter(ReadOnlySpan<char> window)
    {
        var i = 0;
        while (i < window.Length && window[i] is ' ' or '\t')
        {
            i++;
        }

        if (i >= window.Length || window[i] is not ('(' or ',' or '-' or '–' or '—'))
        {
            return false;
        }

        i++;
        while (i < window.Length && window[i] is ' ' or '\t')
        {
            i++;
        }

        var start = i;
        while (i < window.Length && (char.IsLetter(window[i]) || window[i] == '-'))
        {
            i++;
        }

        return i > start && PersonWords.IsRelationship(window[start..i]);
    }

    private static bool RelationshipBefore(string text, int from, int nameStart)
    {
        if (from >= nameStart)
        {
            return false;
        }

        // The last word before the name, past punctuation: "son", "Mother:", "applicant,".
        var window = text.AsSpan(from, nameStart - from).TrimEnd(" \t:,-–—");
        if (window.IsEmpty || window.IndexOf('\n') >= 0 && window[(window.LastIndexOf('\n') + 1)..].IsEmpty)
        {
            return false;
        }

        var end = window.Length;
        var start = end;
        while (start > 0 && (char.IsLetter(window[start - 1]) || window[start - 1] == '-'))
        {
            start--;
        }

        return start < end && PersonWords.IsRelationship(window[start..end]);
    }

    private static bool TryName(string text, int index, int length, out Candidate candidate)
    {
        candidate = default;
        var span = text.AsSpan(index, length);
        if (span.IndexOf(',') > 0)
        {
            // "HADDAD, Tom": surname first.
            var comma = span.IndexOf(',');
            var surname = span[..comma];
            var given = span[(comma + 1)..].Trim();
            if (!IsNameWord(given) || ProseAnalyzer.IsNotName(surname) || PersonWords.IsOrganisationName(surname))
            {
                return false;
            }

            candidate = new Candidate(index, index + length, Key(string.Concat(given, " ", surname)));
            return true;
        }

        // Words of the run, with the title (if any) first.
        Span<Range> words = stackalloc Range[6];
        // A PDF table cell wraps a long name onto a second line: "Kirsty\nLewandowski".
        var count = span.SplitAny(words, " \t\n", StringSplitOptions.RemoveEmptyEntries);
        // Words before the name that are never names ("Dear", "From", "Thanks") are passed over.
        var first = 0;
        while (first < count && !IsTitle(span[words[first]]) && !IsNameWord(span[words[first]]))
        {
            first++;
        }

        var titled = first < count && IsTitle(span[words[first]]);
        if (titled)
        {
            first++;
        }

        var nameWords = 0;
        for (var w = first; w < count; w++)
        {
            if (!IsNameWord(span[words[w]]))
            {
                break;
            }

            nameWords++;
        }

        // A name is two or three words ("Amy Lowe", "Mary-Ann O'Neil Jones"), or a title and one.
        if (nameWords == 0 || (!titled && nameWords < 2) || nameWords > 3)
        {
            return false;
        }

        // Anything else in the run (a place, an organisation word) makes it not a person's name.
        if (first + nameWords < count || PersonWords.IsOrganisationName(span))
        {
            return false;
        }

        var runStart = words[titled ? first - 1 : first].Start.GetOffset(span.Length);
        var nameStart = words[first].Start.GetOffset(span.Length);
        var nameEnd = words[first + nameWords - 1].End.GetOffset(span.Length);

        // "Amy Holt's mobile": the person is Amy Holt, keyed as where her name stands alone.
        if (span[nameStart..nameEnd].EndsWith("'s", StringComparison.Ordinal) && nameEnd - nameStart > 3)
        {
            nameEnd -= 2;
        }

        var hash = Key(span[nameStart..nameEnd].Contains('\n') ? span[nameStart..nameEnd].ToString().Replace('\n', ' ') : span[nameStart..nameEnd]);
        candidate = new Candidate(index + runStart, index + nameEnd, hash, titled && nameWords == 1 ? index + nameStart : -1, titled);
        return true;
    }

    private static bool IsTitle(ReadOnlySpan<char> word) =>
        word.TrimEnd('.') is "Mr" or "Mrs" or "Ms" or "Miss" or "Mx" or "Dr" or "Master";

    private static bool IsNameWord(ReadOnlySpan<char> word)
    {
        if (word.Length < 2 || !char.IsUpper(word[0]) || ProseAnalyzer.IsNotName(word) || AddressWords.IsStreetSuffix(word))
        {
            return false;
        }

        // "Amy", "O'Neil", "McAllister": letters with some lower case (all capitals is a code, an
        // acronym or a postcode's area: "LS", "NHS").
        var lower = false;
        foreach (var c in word)
        {
            if (!char.IsLetter(c) && c is not ('\'' or '-'))
            {
                return false;
            }

            lower |= char.IsLower(c);
        }

        return lower;
    }

    /// <summary>The name's letters, case-folded (<see cref="CellText.FoldedHash(ReadOnlySpan{char})"/>), as a table's name cells hash.</summary>
    private static int Key(ReadOnlySpan<char> name) => CellText.FoldedHash(name);
}
