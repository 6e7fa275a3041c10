using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace MailGuard.Inspection.Detection;

/// <summary>How <see cref="ProseAnalyzer"/> tells names and form labels in a line.</summary>
internal sealed partial class ProseAnalyzer
{
    // Form-style labels ("Name: Jane Doe", "Nationality: Ruritanian") at a line start or after
    // a separator; the label is classified with the column-header vocabulary.
    [GeneratedRegex(@"(?:^|[,;|\t]|\s{2})[ \t]*(?<label>[A-Za-z][A-Za-z0-9 .'/()]{1,30}?)[ \t]*:[ \t]*(?<value>[^\s,;|][^,;|\r\n]{0,80})", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?\s+[A-Z][A-Za-z'\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex TitledNamePattern();

    [GeneratedRegex(@"\b[A-Z][a-z'\-]+(?:\s[A-Z][A-Za-z'\-]+){1,2}\b|\b[A-Z]{2,}(?:-[A-Z]+)?,\s[A-Z][a-z'\-]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex CapitalisedPairPattern();

    [GeneratedRegex(@"\b[A-Z][a-z'\-]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex CapitalisedWordPattern();

    // Signs that contact details belong to an organisation: offices, switchboards, job titles,
    // company forms. Checked only on the lines that carry the contact details.
    [GeneratedRegex(
        @"\b(?:office|offices|switchboard|reception|headquarters|hq|ltd|limited|plc|llp|council|department|directorate|ministry|agency|team|unit|centre|center|floor|suite|enquiries|registered|company|officer|manager|director|head of|caseworker|adviser|advisor|co-?ordinator|administrator|assistant|secretary|clerk|solicitors?|chambers|tribunal|hospital|surgery|university|college|trust|www\.|http)\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BusinessCuePattern();

    // Words/not-names.txt: capitalised words that are never a name ("Dear", "Date", "Regards").
    private static readonly FrozenSet<string> s_notNames =
        WordLists.Load("not-names.txt")[string.Empty].ToFrozenSet(StringComparer.Ordinal);

    /// <summary>A job title, an office, a company form on the lines: contact details there are an organisation's.</summary>
    internal static bool HasBusinessCue(ReadOnlySpan<char> lines) => BusinessCuePattern().IsMatch(lines);

    /// <summary>A capitalised word that is never a name ("Dear", "Date", "Regards"; Words/not-names.txt).</summary>
    internal static bool IsNotName(ReadOnlySpan<char> word) => s_notNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);

    private static ulong LabelKinds(string text, int start, int end, ref bool named)
    {
        ulong kinds = 0;
        foreach (var m in LabelPattern().EnumerateMatches(text.AsSpan(start, end - start)))
        {
            var piece = text.AsSpan(start + m.Index, m.Length);
            var colon = piece.IndexOf(':');
            var label = piece[..colon].Trim(" \t,;|");
            var value = piece[(colon + 1)..].Trim();
            if (value.IsEmpty || value.Length < 2 || value.Equals("n/a", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var kind = HeaderClassifier.Classify(label.ToString());
            if (kind is DataKind.Unknown or DataKind.NotPersonal)
            {
                continue;
            }

            // A label only vouches for values its kind can hold: "Name: 12345" is not a name.
            if (kind == DataKind.Name)
            {
                if (!char.IsUpper(value[0]))
                {
                    continue;
                }

                named = true;
            }

            // Identifier kinds with validators (NI, NHS, dates) are counted from their validated
            // matches, not from the label, so a look-alike under a "NI number:" label stays out.
            if (kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.DateOfBirth or DataKind.EmailAddress
                or DataKind.Phone or DataKind.Postcode or DataKind.PaymentCard or DataKind.BankAccount or DataKind.PassportNumber or DataKind.DrivingLicence)
            {
                continue;
            }

            kinds |= DataKinds.Bit(kind);
        }

        return kinds;
    }

    private static bool HasName(string text, int start, int end)
    {
        var line = text.AsSpan(start, end - start);
        if (TitledNamePattern().IsMatch(line))
        {
            return true;
        }

        foreach (var m in CapitalisedPairPattern().EnumerateMatches(line))
        {
            var candidate = line.Slice(m.Index, m.Length);
            if (candidate.Contains(',') && !IsSurnameFirst(line, m.Index, m.Length))
            {
                continue;
            }

            if (IsNameLike(candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// "OKAFOR, Amelia" is a surname then a forename when the capitals are a surname (one or two
    /// words, no '&amp;'), not the tail of a heading ("AGE UK CALDERDALE &amp; KIRKLEES, Older
    /// people"), and the forename does not run on into a sentence ("KIRKLEES, Older people").
    /// </summary>
    private static bool IsSurnameFirst(ReadOnlySpan<char> line, int index, int length)
    {
        var after = line[(index + length)..];
        if (after.Length >= 2 && after[0] == ' ' && char.IsLower(after[1]))
        {
            return false;
        }

        var before = line[..index].TrimEnd(' ');
        if (before.EndsWith('&'))
        {
            return false;
        }

        // At most one more capitalised word before it on the line ("SMITH JONES, Amy").
        var words = 0;
        while (before.Length > 0 && char.IsUpper(before[^1]))
        {
            var space = before.LastIndexOf(' ');
            var word = before[(space + 1)..];
            if (word.ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZ'-"))
            {
                break;
            }

            if (++words > 1)
            {
                return false;
            }

            before = space < 0 ? [] : before[..space].TrimEnd(' ');
            if (before.EndsWith('&'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameLike(ReadOnlySpan<char> candidate)
    {
        foreach (var range in candidate.SplitAny(" ,"))
        {
            var word = candidate[range];
            if (word.IsEmpty)
            {
                continue;
            }

            if (s_notNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word) || AddressWords.IsStreetSuffix(word))
            {
                return false;
            }
        }

        // "Leeds Hub", "Bradford Reporting Centre" are offices, not people.
        return !PersonWords.IsOrganisationName(candidate);
    }

    private static bool HasCapitalisedWord(string text, int start, int end)
    {
        var span = text.AsSpan(start, end - start);
        foreach (var m in CapitalisedWordPattern().EnumerateMatches(span))
        {
            var word = span.Slice(m.Index, m.Length);
            if (!s_notNames.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word) && !AddressWords.IsStreetSuffix(word))
            {
                return true;
            }
        }

        return false;
    }
}
