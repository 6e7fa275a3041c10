using System.Globalization;
using MailGuard.Inspection;

namespace MailGuard.Core.Notices;

/// <summary>What was found in one file (or the message body), in the words a sender reads.</summary>
/// <param name="Where">The file's name (masked), or "The message itself" for the body and header.</param>
/// <param name="Lines">One sentence per finding.</param>
public sealed record FileFindings(string Where, IReadOnlyList<string> Lines);

/// <summary>
/// Findings in plain English for senders: the one table from finding kind ids (uk-nino) to the
/// names people use ("National Insurance numbers"), and per file one sentence per finding with its
/// count, the rows it covers or where it starts (rows numbered as a spreadsheet numbers them: a header on row 1, data from row 2)
/// and masked examples. Every value from the message (file and sheet names, summaries, examples)
/// goes through <see cref="NoticeText.Masked"/>.
/// </summary>
public static class FindingWords
{
    private const int MaxFieldChars = 200;

    /// <summary>Finding kind id to the plain name, singular and plural.</summary>
    private static readonly Dictionary<string, (string One, string Many)> s_names = new(StringComparer.OrdinalIgnoreCase)
    {
        [FindingKinds.UkNino] = ("National Insurance number", "National Insurance numbers"),
        [FindingKinds.UkNhsNumber] = ("NHS number", "NHS numbers"),
        [FindingKinds.DateOfBirth] = ("date of birth", "dates of birth"),
        [FindingKinds.UkPostcode] = ("postcode", "postcodes"),
        [FindingKinds.PostalAddress] = ("postal address", "postal addresses"),
        [FindingKinds.EmailAddress] = ("email address", "email addresses"),
        [FindingKinds.PhoneNumber] = ("phone number", "phone numbers"),
        [FindingKinds.PaymentCard] = ("payment card number", "payment card numbers"),
        [FindingKinds.Iban] = ("bank account number (IBAN)", "bank account numbers (IBAN)"),
        [FindingKinds.UkPassport] = ("passport number", "passport numbers"),
        [FindingKinds.UkDrivingLicence] = ("driving licence number", "driving licence numbers"),
        [FindingKinds.PersonalData] = ("record about a person", "records about people"),
        [FindingKinds.BusinessContacts] = ("work contact detail of a named person", "work contact details of named people"),
        [FindingKinds.ExposedRecipients] = ("external address visible to the other recipients", "external addresses visible to the other recipients"),
        [FindingKinds.Unscannable] = ("part MailGuard could not read", "parts MailGuard could not read"),
        [FindingKinds.MalformedStructure] = ("unusual message structure", "unusual message structures"),
        [FindingKinds.TypeMismatch] = ("file whose name does not match its content", "files whose names do not match their content"),
    };

    /// <summary>The plain name of a finding kind for <paramref name="count"/> of them; an unknown kind id is shown as it is.</summary>
    public static string Name(string kind, long count)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return s_names.TryGetValue(kind, out var name) ? (count == 1 ? name.One : name.Many) : NoticeText.OneLine(kind, 40);
    }

    /// <summary>
    /// The findings grouped by file in the order first seen, exposed recipients left out (the
    /// notice says that separately). At most <paramref name="maxLines"/> sentences in all.
    /// </summary>
    public static IReadOnlyList<FileFindings> ByFile(IEnumerable<Finding> findings, DateOnly today, int maxLines = 20)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var files = new List<(string Where, List<string> Lines)>();
        int total = 0;
        foreach (var f in findings)
        {
            if (f.Kind == FindingKinds.ExposedRecipients || total >= maxLines)
            {
                continue;
            }

            string where = f.Location.FileName is { } file ? Or(NoticeText.Masked(file, MaxFieldChars, today), "(unnamed file)") : "The message itself";
            var entry = files.FirstOrDefault(x => x.Where == where);
            if (entry.Lines is null)
            {
                entry = (where, []);
                files.Add(entry);
            }

            entry.Lines.Add(Sentence(f, today));
            total++;
        }

        return files.Select(x => new FileFindings(x.Where, x.Lines)).ToList();
    }

    /// <summary>One finding as a sentence: "Personal data about 30 people: name, NI number (sheet Claims, rows 2-31)." or "30 National Insurance numbers, for example AB****56C (from row 2)."</summary>
    public static string Sentence(Finding f, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(f);
        string count = f.Count.ToString("N0", CultureInfo.InvariantCulture);
        string what = f.Kind switch
        {
            FindingKinds.PersonalData => $"Personal data about {count} {(f.Count == 1 ? "person" : "people")}{Kinds(f.Summary, today)}",
            FindingKinds.Unscannable => "MailGuard could not check this: " + Unreadable(f.Reason),
            FindingKinds.MalformedStructure => "The message is put together in a way mail programs may read differently, so MailGuard could not be sure what the recipients would see",
            FindingKinds.TypeMismatch => "The file's name does not match what it contains",
            _ => $"{count} {Name(f.Kind, f.Count)}",
        };
        string examples = f.Kind is FindingKinds.Unscannable or FindingKinds.MalformedStructure or FindingKinds.TypeMismatch || f.Evidence.Count == 0
            ? ""
            : ", for example " + string.Join(", ", f.Evidence.Take(3).Select(e => NoticeText.Masked(e, 100, today)));
        var place = new List<string>(2);
        if (f.Location.Sheet is { } sheet)
        {
            place.Add("sheet " + NoticeText.Masked(sheet, MaxFieldChars, today));
        }

        if (f.Location.RowText() is { } rows)
        {
            // Numbered as the console and the CLI show it, as a spreadsheet numbers rows: the rows a
            // table's people are on ("rows 2-31"), or where the values start (a cell, or a finding
            // stored before ranges were).
            place.Add(f.Location.LastRow is null ? "from " + rows : rows);
        }

        return what + examples + (place.Count == 0 ? "" : " (" + string.Join(", ", place) + ")") + ".";
    }

    /// <summary>": name, NI number, date of birth" from a summary "30 rows: name, NI number, date of birth" (masked); empty when it has no list.</summary>
    private static string Kinds(string? summary, DateOnly today)
    {
        int colon = summary?.IndexOf(": ", StringComparison.Ordinal) ?? -1;
        if (summary is null || colon < 0)
        {
            return "";
        }

        string kinds = NoticeText.Masked(summary[(colon + 2)..], MaxFieldChars, today);
        return kinds.Length == 0 ? "" : ": " + kinds;
    }

    private static string Unreadable(string? reason) => Enum.TryParse<UnscannableReason>(reason, ignoreCase: true, out var r)
        ? r switch
        {
            UnscannableReason.Encrypted or UnscannableReason.PasswordProtected => "it is encrypted or protected by a password",
            UnscannableReason.Corrupt => "it is damaged, or not the kind of file its name says",
            UnscannableReason.UnsupportedFormat => "it is a kind of file MailGuard cannot read",
            UnscannableReason.TimeBudgetExceeded => "checking it took longer than allowed",
            UnscannableReason.Incomplete => "it is one piece of a message split into several",
            _ => "it is too large or too deeply nested to check",
        }
        : "it could not be read";

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;
}
