namespace MailGuard.Inspection.Detection;

/// <summary>
/// Runs of digits in text (with the spaces, dashes and brackets people write between groups)
/// read as UK phone numbers, NHS numbers or payment card numbers, by their validators and the
/// words around them; timestamps and long reference numbers are ruled out.
/// </summary>
internal static class DigitGroupScanner
{
    public static void Scan(string text, List<TextMatch> matches)
    {
        Span<int> chunkStart = stackalloc int[8];
        Span<int> chunkEnd = stackalloc int[8];
        HeadingTracker? nhsHeading = null;
        var n = text.Length;
        var i = 0;
        while (i < n)
        {
            var c = text[i];
            var opens = char.IsAsciiDigit(c)
                || (c is '+' or '(' && i + 1 < n && char.IsAsciiDigit(text[i + 1]));
            if (!opens)
            {
                i++;
                continue;
            }

            // A number glued to letters or to another number ("ID9434765919", "1.9434765919",
            // "12/9434765919") is part of something longer: skip the whole run.
            if (i > 0 && (char.IsLetterOrDigit(text[i - 1])
                || (text[i - 1] is '/' or '.' or ':' or ',' or '_' && i > 1 && char.IsAsciiDigit(text[i - 2]))))
            {
                // Past the opener first: a '(' or '+' glued to a word ("alert(1)") is not a
                // letter or digit, and without this step the loop would never move on.
                i++;
                while (i < n && char.IsLetterOrDigit(text[i]))
                {
                    i++;
                }

                continue;
            }

            var count = 0;
            var j = i;
            var overflow = false;
            var bracketOpen = false;
            while (j < n)
            {
                var start = j;
                if (text[j] is '+' or '(')
                {
                    bracketOpen = text[j] == '(';
                    j++;
                }

                while (j < n && char.IsAsciiDigit(text[j]))
                {
                    j++;
                }

                if (count == chunkStart.Length)
                {
                    overflow = true;
                }
                else
                {
                    chunkStart[count] = start;
                    chunkEnd[count] = j;
                    count++;
                }

                if (bracketOpen && j < n && text[j] == ')')
                {
                    bracketOpen = false;
                    j++;
                    if (j < n && char.IsAsciiDigit(text[j]))
                    {
                        continue;
                    }
                }

                // One space or hyphen between digit chunks continues the group; "+44 (0)20" too.
                if (j + 1 < n && text[j] is ' ' or '-'
                    && (char.IsAsciiDigit(text[j + 1]) || (text[j + 1] == '(' && j + 2 < n && char.IsAsciiDigit(text[j + 2]))))
                {
                    j++;
                    continue;
                }

                break;
            }

            var touches = j < n && (char.IsLetter(text[j])
                || (text[j] is '/' or '.' or ':' or ',' && j + 1 < n && char.IsAsciiDigit(text[j + 1])));
            if (!overflow && !touches)
            {
                ClassifyGroup(text, chunkStart[..count], chunkEnd[..count], matches, ref nhsHeading);
            }
            else if (!overflow && count > 1 && text[chunkStart[count - 1] - 1] == ' ')
            {
                // "9991624295 21/09/1946": the last chunk is the start of a date, the ones before it
                // stand alone.
                ClassifyGroup(text, chunkStart[..(count - 1)], chunkEnd[..(count - 1)], matches, ref nhsHeading);
            }

            i = Math.Max(j, i + 1);
        }
    }

    private static void ClassifyGroup(string text, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, List<TextMatch> matches, ref HeadingTracker? nhsHeading)
    {
        Span<char> digits = stackalloc char[19];
        var k = starts.Length;
        var s = 0;
        while (s < k)
        {
            var found = false;
            for (var e = Math.Min(k - 1, s + 5); e >= s; e--)
            {
                var start = starts[s];
                var end = ends[e];
                if (end - start > 24)
                {
                    continue;
                }

                // A sub-run counts as standing alone when spaces (not hyphens) divide it from
                // its neighbours: "1987-03-14 9990000018" is a date and a number.
                var whole = (s == 0 || text[start - 1] == ' ') && (e == k - 1 || text[end] == ' ');
                if (TryClassify(text, start, end, whole, digits, ref nhsHeading, out var match))
                {
                    matches.Add(match);
                    s = e + 1;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                s++;
            }
        }
    }

    private static bool TryClassify(string text, int start, int end, bool whole, Span<char> digits, ref HeadingTracker? nhsHeading, out TextMatch match)
    {
        match = default;
        var value = text.AsSpan(start, end - start);
        var first = value[0];
        if (first is '0' or '+' or '(')
        {
            if (UkPhone.TryParse(value, digits, out var length))
            {
                var context = ContextWords.Near(text, start, end, ContextWords.Phone, 25, 0);
                if (!context && ContextWords.Near(text, start, end, ContextWords.NotPersonalNumber, 25, 0))
                {
                    // "Serial 07700900123", "Order 01632 960123": a number shaped like a phone.
                    return false;
                }

                match = new TextMatch(DataKind.Phone, start, end - start, context ? Confidence.High : Confidence.Medium, TextScanner.Hash(digits[..length]));
                return true;
            }

            if (first == '(' && value.IndexOf(')') < 0 && value.Length > 1)
            {
                // "Amy Holt (07700 900123)": brackets around the whole number, not an area code's.
                return TryClassify(text, start + 1, end, whole, digits, ref nhsHeading, out match);
            }

            if (first != '0')
            {
                return false;
            }
        }

        // NHS numbers and card numbers are whole groups: a valid-looking tail of a longer
        // hyphenated number (a reference "12-943-476-5919") is not one.
        if (!whole)
        {
            return false;
        }

        if (NhsNumber.TryParse(value, digits))
        {
            var context = ContextWords.Near(text, start, end, ContextWords.Nhs, 40, 15);
            // Created on first need: most cells and texts never get here.
            var headed = !context && (nhsHeading ??= new HeadingTracker(text, ContextWords.Nhs)).IsActive(start);
            if (!context && !headed)
            {
                // Presidio reports every ten-digit number that passes mod 11, i.e. one random
                // number in eleven. Without the word NHS nearby we keep it only at Low and drop
                // it outright when it reads as an order/invoice number or a timestamp.
                if (ContextWords.Near(text, start, end, ContextWords.NotPersonalNumber, 25, 0) || LooksLikeTimestamp(value))
                {
                    return false;
                }
            }

            var test = NhsNumber.IsTestRange(digits[..10]);
            var confidence = context ? Confidence.High : headed ? Confidence.Medium : Confidence.Low;
            match = new TextMatch(DataKind.NhsNumber, start, end - start, confidence, TextScanner.Hash(digits[..10]), test);
            return true;
        }

        if (end - start >= 13 && PaymentCard.TryParse(value, digits, out var cardLength))
        {
            // A card needs card context (a card word nearby), a plausible issuer (the validator's
            // IIN ranges) and no contrary word: a Luhn-valid invoice, application or barcode
            // number is not a card. Without a card word it is kept only at Low.
            if (ContextWords.Near(text, start, end, ContextWords.NotPersonalNumber, 25, 0))
            {
                return false;
            }

            var context = ContextWords.Near(text, start, end, ContextWords.Card, 40, 10);
            match = new TextMatch(DataKind.PaymentCard, start, end - start, context ? Confidence.High : Confidence.Low, TextScanner.Hash(digits[..cardLength]));
            return true;
        }

        return false;
    }

    /// <summary>Unix seconds (1,000,000,000 to 1,999,999,999 is 2001 to 2033) and yyyymmddhh stamps.</summary>
    internal static bool LooksLikeTimestamp(ReadOnlySpan<char> value)
    {
        if (value.Length != 10)
        {
            return false;
        }

        if (value[0] == '1')
        {
            return true;
        }

        var year = ((value[0] - '0') * 1000) + ((value[1] - '0') * 100) + ((value[2] - '0') * 10) + (value[3] - '0');
        var month = ((value[4] - '0') * 10) + (value[5] - '0');
        var day = ((value[6] - '0') * 10) + (value[7] - '0');
        return year is >= 1900 and <= 2099 && month is >= 1 and <= 12 && day is >= 1 and <= 31;
    }
}
