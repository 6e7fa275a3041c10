namespace MailGuard.Inspection.Detection;

/// <summary>
/// Keywords that make a pattern match mean what it looks like. Purview uses a 300-character
/// proximity; prose that lists several people puts the label right beside each value, and a
/// long window would let one "date of birth" heading turn every date on a page into a DOB,
/// so the windows here are short and mostly look backwards (labels precede values).
/// </summary>
internal static class ContextWords
{
    public static readonly KeywordSet Nino = new(["national insurance", "nino", "ni number", "ni no", "ni num", "nat ins", "ni"]);
    public static readonly KeywordSet Nhs = new(["nhs", "nhs number", "nhs no", "patient"]);
    public static readonly KeywordSet DateOfBirth = new(["date of birth", "birth date", "birthdate", "dob", "d.o.b", "d.o.b.", "born", "birthday"]);

    // Substrings that every DateOfBirth keyword contains: the cheap test for "could any date here be a DOB".
    public static readonly string[] DateOfBirthStems = ["birth", "dob", "d.o.b", "born"];
    public static readonly KeywordSet Phone = new(["tel", "telephone", "phone", "mobile", "mob", "landline", "contact number", "call", "text", "sms"]);
    public static readonly KeywordSet Card = new(["card", "visa", "mastercard", "amex", "american express", "maestro", "credit", "debit", "payment", "pan"]);
    public static readonly KeywordSet Passport = new(["passport"]);
    public static readonly KeywordSet DateOfBirthHeadings = new(["dob", "d.o.b", "date of birth", "birth date", "birthdate"]);
    public static readonly KeywordSet Prisoner = new(["prisoner", "prisoners", "prison no", "prison number", "noms", "prison ref", "inmate"]);

    // Labels that turn a number into something else: order 9434765919 is not an NHS number.
    public static readonly KeywordSet NotPersonalNumber = new(
        ["order", "invoice", "inv", "po", "ref", "reference", "account", "acct", "a/c", "tracking", "ticket", "serial", "sku", "part", "barcode", "isbn", "transaction", "txn", "booking", "policy", "id:"]);

    // Column names that appear beside a DOB or NHS heading in a table flattened to text.
    public static readonly string[] ColumnHeadings =
        ["name", "surname", "forename", "dob", "d.o.b", "date of birth", "nhs", "nhs no", "nhs number", "address", "postcode",
         "ni number", "nino", "prison no", "prisoner", "nationality", "status", "condition", "diagnosis", "ward", "gender"];

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
        while (offset < window.Length)
        {
            var at = window[offset..].IndexOfAny(words.Values);
            if (at < 0)
            {
                return false;
            }

            at += offset;
            if (at == 0 || !IsWordChar(window[at - 1]))
            {
                foreach (var word in words.Words)
                {
                    var endAt = at + word.Length;
                    if (endAt <= window.Length && window.Slice(at, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase)
                        && (endAt == window.Length || !IsWordChar(window[endAt]) || !IsWordChar(word[^1])))
                    {
                        return true;
                    }
                }
            }

            offset = at + 1;
        }

        return false;
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
