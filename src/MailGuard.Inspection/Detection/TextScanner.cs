using System.Text.RegularExpressions;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Finds validated identifiers in free text. Hand-written scanners handle the hot shapes (NI
/// numbers, digit groups for NHS/phone/card) because they run on every cell and paragraph;
/// source-generated regular expressions handle the rarer shapes, each behind a cheap
/// precheck (an '@' for e-mail, a keyword for passports) so most text never reaches them.
/// </summary>
internal static partial class TextScanner
{
    [GeneratedRegex(@"[A-Za-z0-9][A-Za-z0-9._%+'\-]*@[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})\b", RegexOptions.CultureInvariant)]
    private static partial Regex PostcodePattern();

    [GeneratedRegex(
        @"\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?(?: of)?[ \-](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?[ \-,]{1,2}\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", RegexOptions.CultureInvariant)]
    private static partial Regex IbanPattern();

    // NOMIS prison numbers: a letter, four digits, two letters (e.g. A1234BC).
    [GeneratedRegex(@"\b[A-Z][0-9]{4}[A-Z]{2}\b", RegexOptions.CultureInvariant)]
    private static partial Regex PrisonNumberPattern();

    // Microsoft Purview "U.S./U.K. passport number": nine characters, one letter or digit then
    // eight digits. HM Passport Office numbers in circulation are nine digits; without the word
    // "passport" nearby any nine-digit number would match, so the keyword is required.
    [GeneratedRegex(@"\b[A-Z0-9][0-9]{8}\b", RegexOptions.CultureInvariant)]
    private static partial Regex PassportPattern();

    // GB driving licence numbers, 16 characters in one run or three groups (UkDrivingLicence validates).
    [GeneratedRegex(@"\b[A-Z][A-Z9]{4} ?[0-9]{6} ?[A-Z][A-Z9][0-9][A-Z]{2}\b", RegexOptions.CultureInvariant)]
    private static partial Regex DrivingLicencePattern();

    [GeneratedRegex(
        @"\b\d{1,4}[A-Za-z]?,? (?:[A-Z][A-Za-z'\-]+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|Crescent|Court|Place|Terrace|Gardens|Grove|Park|Square|Hill|Row|Walk|Mews|View|Rise|Green|Parade|Boulevard|Gate|Yard|Wharf|Vale|Croft|Fold|Mount|Villas|Bank|Chase|Wynd|Brae|Approach|Meadows?|Quay|Ridge|Broadway)\b",
        RegexOptions.CultureInvariant)]
    private static partial Regex AddressLinePattern();

    private static readonly System.Buffers.SearchValues<string> s_keywordStems = System.Buffers.SearchValues.Create(
        ContextWords.ScanGateStems, StringComparison.OrdinalIgnoreCase);

    private static readonly Comparer<TextMatch> s_byStart = Comparer<TextMatch>.Create((a, b) => a.Start.CompareTo(b.Start));

    [Flags]
    private enum Shapes
    {
        None = 0,
        Digit = 1,
        CapitalPair = 2, // "AB": an NI number can start here
        CapitalDigit = 4, // "S6": a postcode's outward code
        CapitalPairDigits = 8, // "GB82": an IBAN's country and check digits
        At = 16,
    }

    /// <summary>
    /// One pass that says which scanners can possibly match. A table cell of free text is
    /// usually ruled out for all but one of them; no scanner or regex runs on what cannot hold
    /// its shape.
    /// </summary>
    private static Shapes ShapesOf(ReadOnlySpan<char> text)
    {
        var shapes = Shapes.None;
        var previous = '\0';
        var beforePrevious = '\0';
        var twoBack = '\0';
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                shapes |= Shapes.Digit;
                if (char.IsAsciiLetterUpper(previous) || (previous == ' ' && char.IsAsciiLetterUpper(beforePrevious)))
                {
                    // "S6", and "R 0" for the one postcode without a digit outward: GIR 0AA.
                    shapes |= Shapes.CapitalDigit;
                }
                else if (char.IsAsciiDigit(previous) && char.IsAsciiLetterUpper(beforePrevious) && char.IsAsciiLetterUpper(twoBack))
                {
                    shapes |= Shapes.CapitalPairDigits;
                }
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                if (char.IsAsciiLetterUpper(previous))
                {
                    shapes |= Shapes.CapitalPair;
                }
            }
            else if (c == '@')
            {
                shapes |= Shapes.At;
            }

            twoBack = beforePrevious;
            beforePrevious = previous;
            previous = c;
        }

        return shapes;
    }

    public static void Scan(string text, DateOnly reference, List<TextMatch> matches)
    {
        if (text.Length < 5)
        {
            return;
        }

        var shapes = ShapesOf(text);
        if ((shapes & (Shapes.Digit | Shapes.At)) == 0)
        {
            return;
        }

        var first = matches.Count;
        if ((shapes & Shapes.Digit) != 0)
        {
            if ((shapes & Shapes.CapitalPair) != 0)
            {
                ScanNinos(text, matches);
            }

            DigitGroupScanner.Scan(text, matches);

            // Dates, passports and prison numbers count only beside their keywords; one
            // vectorised search for all the keywords rules most text out at once.
            var keyed = text.AsSpan().IndexOfAny(s_keywordStems) >= 0;
            if (keyed && ContextWords.ContainsAny(text, ContextWords.DateOfBirthStems))
            {
                ScanDates(text, reference, matches);
            }

            if ((shapes & Shapes.CapitalDigit) != 0)
            {
                ScanPostcodesAndAddresses(text, matches);
            }

            if ((shapes & Shapes.CapitalPairDigits) != 0)
            {
                ScanIbans(text, matches);
            }

            if (keyed && ContextWords.ContainsAny(text, ContextWords.Passport.Words))
            {
                ScanKeyed(text, PassportPattern(), DataKind.PassportNumber, ContextWords.Passport, matches);
            }

            if (keyed && ContextWords.ContainsAny(text, ContextWords.DrivingLicence.Words))
            {
                ScanDrivingLicences(text, matches, first);
            }

            if (keyed && ContextWords.ContainsWord(text, ContextWords.Prisoner))
            {
                ScanKeyed(text, PrisonNumberPattern(), DataKind.PrisonerNumber, ContextWords.Prisoner, matches);
            }
        }

        if ((shapes & Shapes.At) != 0)
        {
            ScanEmails(text, matches);
        }

        if (matches.Count - first > 1)
        {
            matches.Sort(first, matches.Count - first, s_byStart);
        }
    }

    /// <summary>Masked evidence for a match: re-reads the span and formats it by kind.</summary>
    public static string Mask(string text, in TextMatch match)
    {
        var value = text.AsSpan(match.Start, match.Length);
        switch (match.Kind)
        {
            case DataKind.NiNumber:
                return Masker.Nino(value);
            case DataKind.NhsNumber:
                {
                    Span<char> digits = stackalloc char[10];
                    return NhsNumber.TryParse(value, digits) ? Masker.Nhs(digits) : Masker.Generic(value);
                }

            case DataKind.PaymentCard:
                {
                    Span<char> digits = stackalloc char[19];
                    return PaymentCard.TryParse(value, digits, out var n) ? Masker.Card(digits[..n]) : Masker.Generic(value);
                }

            case DataKind.BankAccount:
                {
                    Span<char> compact = stackalloc char[Iban.MaxLength];
                    return Iban.TryParse(value, compact, out var n) ? Masker.Iban(compact[..n]) : Masker.Generic(value);
                }

            case DataKind.DateOfBirth:
                return Masker.Date(DateOnly.FromDayNumber(match.ValueHash));
            case DataKind.Phone:
                return Masker.Phone(value);
            case DataKind.Postcode:
                return Masker.Postcode(value);
            case DataKind.PostalAddress:
                return Masker.Address(value);
            case DataKind.EmailAddress:
                return Masker.Email(value);
            default:
                return Masker.Generic(value);
        }
    }

    internal static int Hash(ReadOnlySpan<char> normalised) => string.GetHashCode(normalised, StringComparison.OrdinalIgnoreCase);

    internal static bool IsBoundaryBefore(string text, int i) => i == 0 || !char.IsLetterOrDigit(text[i - 1]);

    internal static bool IsBoundaryAfter(string text, int end) => end >= text.Length || !char.IsLetterOrDigit(text[end]);

    private static void ScanNinos(string text, List<TextMatch> matches)
    {
        Span<char> compact = stackalloc char[9];
        var span = text.AsSpan();
        var limit = text.Length - 8;
        for (var i = 0; i <= limit; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetterUpper(c) || !char.IsAsciiLetterUpper(text[i + 1]) || !IsBoundaryBefore(text, i))
            {
                continue;
            }

            var next = text[i + 2];
            if (!char.IsAsciiDigit(next) && !(next is ' ' or '-' or '.' && char.IsAsciiDigit(text[i + 3])))
            {
                continue;
            }

            // Longest form first: "AB 12 34 56 C" is 13 characters, "AB123456" 8.
            for (var length = Math.Min(13, text.Length - i); length >= 8; length--)
            {
                if (!IsBoundaryAfter(text, i + length) || text[i + length - 1] is ' ' or '-' or '.')
                {
                    continue;
                }

                if (!UkNino.TryParse(span.Slice(i, length), compact, out var hasSuffix))
                {
                    continue;
                }

                var context = ContextWords.Near(span, i, i + length, ContextWords.Nino, 40, 10);
                var confidence = (hasSuffix, context) switch
                {
                    (true, true) => Confidence.High,
                    (true, false) => Confidence.Medium,
                    (false, true) => Confidence.Medium,
                    _ => (Confidence)0,
                };
                if (confidence != 0)
                {
                    matches.Add(new TextMatch(DataKind.NiNumber, i, length, confidence, Hash(compact[..8])));
                    i += length - 1;
                }

                break;
            }
        }
    }

    private static void ScanDates(string text, DateOnly reference, List<TextMatch> matches)
    {
        var span = text.AsSpan();
        var lastDobEnd = -1000;
        var lastDateEnd = -1000;
        var heading = new HeadingTracker(text, ContextWords.DateOfBirthHeadings);
        foreach (var m in DatePattern().EnumerateMatches(span))
        {
            var value = span.Slice(m.Index, m.Length);
            var twoDigitYear = false;
            if (!DateValue.TryParse(value, out var date))
            {
                // "DOB 01/02/90" is common in case notes; a two-digit year is read only right
                // beside a birth keyword, never in running text where "1/2/24" is anything.
                if (!DateValue.TryParse(value, out date, allowTwoDigitYear: true, reference: reference))
                {
                    continue;
                }

                twoDigitYear = true;
            }

            var start = m.Index;
            var end = m.Index + m.Length;
            var previousDateEnd = lastDateEnd;
            lastDateEnd = end;
            if (!DateValue.IsPlausibleBirthDate(date, reference))
            {
                continue;
            }

            // The words between the previous date (or 30 characters) and this one say what it is:
            // "born 1 May 1990, arrived on 2 March 2024" has a birth keyword 30 characters before
            // the second date, but an arrival word and another date stand between them.
            var from = Math.Max(Math.Max(0, start - (twoDigitYear ? 12 : 30)), previousDateEnd);
            var before = span[from..start];
            var after = span[end..Math.Min(span.Length, end + (twoDigitYear ? 0 : 8))];
            // Whichever label stands nearer the date says what it is: "Home visit - Amy Lowe (DOB
            // 17/06/1938)" is a birth date, "DOB 1/5/1990, released 2/3/2024"'s second is not.
            var birthLabelEnd = ContextWords.LastWordEnd(before, ContextWords.DateOfBirth);
            var contrary = ContextWords.LastWordEnd(before, ContextWords.NotBirthDate) > birthLabelEnd;
            var confidence = (Confidence)0;
            if (!contrary && (birthLabelEnd >= 0 || ContextWords.ContainsWord(after, ContextWords.DateOfBirth)))
            {
                confidence = Confidence.High;
            }
            else if (twoDigitYear || contrary)
            {
                continue;
            }
            else if (AgeAgrees(span[end..Math.Min(span.Length, end + 20)], date, reference))
            {
                // "14/02/2017 (aged 7)": a date that agrees with the age beside it is a birth date.
                confidence = Confidence.High;
            }
            else if ((start - lastDobEnd <= 60 && span[lastDobEnd..start].IndexOf("\n\n") < 0
                    && !ContextWords.ContainsWord(span[lastDobEnd..start], ContextWords.NotBirthDate))
                || heading.IsActive(start))
            {
                // A run of dates right after a labelled one ("Amy (born 1 May 2015), Ben (3 June
                // 2017)") continues the list of birth dates.
                confidence = Confidence.Medium;
            }

            if (confidence != 0)
            {
                matches.Add(new TextMatch(DataKind.DateOfBirth, start, m.Length, confidence, date.DayNumber));
                lastDobEnd = end;
            }
        }
    }

    /// <summary>
    /// "(aged 7)", "aged 7", "age 7" right after a date, and the date makes the person that old
    /// (allowing for a letter read a few years after it was written).
    /// </summary>
    internal static bool AgeAgrees(ReadOnlySpan<char> after, DateOnly date, DateOnly reference)
    {
        var at = after.IndexOf("age", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || (at > 0 && char.IsLetter(after[at - 1])))
        {
            return false;
        }

        var i = at + 3;
        if (i < after.Length && after[i] is 'd' or 'D')
        {
            i++;
        }

        while (i < after.Length && after[i] is ' ' or ':')
        {
            i++;
        }

        var digits = 0;
        var age = 0;
        while (i < after.Length && char.IsAsciiDigit(after[i]) && digits < 3)
        {
            age = (age * 10) + (after[i] - '0');
            digits++;
            i++;
        }

        if (digits == 0)
        {
            return false;
        }

        var actual = reference.Year - date.Year - (reference.DayOfYear < date.DayOfYear ? 1 : 0);
        return actual - age is >= -1 and <= 3;
    }

    private static void ScanPostcodesAndAddresses(string text, List<TextMatch> matches)
    {
        var span = text.AsSpan();
        var firstPostcode = matches.Count;
        Span<char> compact = stackalloc char[8];
        foreach (var m in PostcodePattern().EnumerateMatches(span))
        {
            var value = span.Slice(m.Index, m.Length);
            if (UkPostcode.IsValid(value))
            {
                var n = 0;
                foreach (var c in value)
                {
                    if (c != ' ')
                    {
                        compact[n++] = c;
                    }
                }

                matches.Add(new TextMatch(DataKind.Postcode, m.Index, m.Length, Confidence.Medium, Hash(compact[..n])));
            }
        }

        var postcodes = matches.Count - firstPostcode;
        if (postcodes == 0)
        {
            return;
        }

        // An address line counts when a postcode follows within a few lines (or precedes it
        // closely, as in "LS6 3QT, 12 Acacia Road" table-like text). Postcodes and address lines
        // both come in text order, so the nearest postcode after and before each line is found
        // by two cursors that only move forward: linear in the text, not lines times postcodes.
        var lastPostcode = firstPostcode + postcodes;
        var after = firstPostcode;
        var before = firstPostcode - 1;
        foreach (var m in AddressLinePattern().EnumerateMatches(span))
        {
            var end = m.Index + m.Length;
            while (after < lastPostcode && matches[after].Start < end)
            {
                after++;
            }

            while (before + 1 < lastPostcode && matches[before + 1].End <= m.Index)
            {
                before++;
            }

            if ((after < lastPostcode && matches[after].Start - end <= 120)
                || (before >= firstPostcode && m.Index - matches[before].End <= 20))
            {
                matches.Add(new TextMatch(DataKind.PostalAddress, m.Index, m.Length, Confidence.High, Hash(span.Slice(m.Index, m.Length))));
            }
        }
    }

    private static void ScanIbans(string text, List<TextMatch> matches)
    {
        Span<char> compact = stackalloc char[Iban.MaxLength];
        var span = text.AsSpan();
        foreach (var m in IbanPattern().EnumerateMatches(span))
        {
            // The pattern may run into a following word of four capitals; shorten to the
            // country's registered length.
            var value = span.Slice(m.Index, m.Length);
            if (!Iban.TryGetLength(value[..2], out var expected))
            {
                continue;
            }

            var taken = 0;
            var length = 0;
            while (length < value.Length && taken < expected)
            {
                if (value[length] != ' ')
                {
                    taken++;
                }

                length++;
            }

            if (taken == expected && IsBoundaryAfter(text, m.Index + length) && Iban.TryParse(value[..length], compact, out var n))
            {
                matches.Add(new TextMatch(DataKind.BankAccount, m.Index, length, Confidence.High, Hash(compact[..n])));
            }
        }
    }

    // Puts a matched value in its canonical form; returns its length, or 0 when it is not valid.
    private delegate int Canonical(ReadOnlySpan<char> value, Span<char> canonical);

    private static void ScanKeyed(string text, Regex pattern, DataKind kind, KeywordSet keywords, List<TextMatch> matches, Canonical? canonical = null)
    {
        var span = text.AsSpan();
        var heading = new HeadingTracker(text, keywords);
        Span<char> buffer = stackalloc char[32];
        foreach (var m in pattern.EnumerateMatches(span))
        {
            var value = span.Slice(m.Index, m.Length);
            var length = canonical is null ? value.Length : canonical(value, buffer);
            if (length > 0 && (ContextWords.Near(span, m.Index, m.Index + m.Length, keywords, 40, 10) || heading.IsActive(m.Index)))
            {
                matches.Add(new TextMatch(kind, m.Index, m.Length, Confidence.Medium, Hash(canonical is null ? value : buffer[..length])));
            }
        }
    }

    private static void ScanDrivingLicences(string text, List<TextMatch> matches, int first)
    {
        var scanned = matches.Count;
        ScanKeyed(text, DrivingLicencePattern(), DataKind.DrivingLicence, ContextWords.DrivingLicence, matches,
            static (value, canonical) => UkDrivingLicence.TryParse(value, canonical) ? UkDrivingLicence.Length : 0);
        if (matches.Count > scanned)
        {
            // A licence's last group can look like a postcode ("F93HA"): what lies inside a licence is the licence.
            DropMatchesInside(matches, first, scanned);
        }
    }

    /// <summary>
    /// Removes the matches in [first, outerStart) that lie inside one of the matches from
    /// outerStart on (found in text order, so sorted and apart): one pass, a binary search each.
    /// </summary>
    private static void DropMatchesInside(List<TextMatch> matches, int first, int outerStart)
    {
        var outer = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(matches)[outerStart..];
        var kept = first;
        for (var i = first; i < outerStart; i++)
        {
            var inner = matches[i];
            int lo = 0, hi = outer.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (outer[mid].Start <= inner.Start)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            // outer[lo - 1] is the last outer match starting at or before the inner one.
            if (lo == 0 || inner.End > outer[lo - 1].End)
            {
                matches[kept++] = inner;
            }
        }

        if (kept < outerStart)
        {
            matches.RemoveRange(kept, outerStart - kept);
        }
    }

    private static void ScanEmails(string text, List<TextMatch> matches)
    {
        var span = text.AsSpan();
        foreach (var m in EmailPattern().EnumerateMatches(span))
        {
            var value = span.Slice(m.Index, m.Length).TrimEnd(".-");
            if (EmailAddress.IsValid(value))
            {
                matches.Add(new TextMatch(DataKind.EmailAddress, m.Index, value.Length, Confidence.Medium, Hash(value)));
            }
        }
    }
}
