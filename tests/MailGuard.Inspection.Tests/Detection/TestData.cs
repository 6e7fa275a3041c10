using System.Globalization;
using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

/// <summary>Invented people and identifiers, generated to pass (or fail) the published rules.</summary>
internal static class TestData
{
    public static readonly DateOnly Today = new(2026, 11, 21);

    private static readonly string[] s_forenames = ["Ada", "Bram", "Cleo", "Dov", "Esme", "Fitz", "Greta", "Hollis", "Ines", "Jory", "Kit", "Lark"];
    private static readonly string[] s_surnames = ["Quillfeather", "Brackenridge", "Ottersby", "Fennimore", "Hawthwaite", "Larkspur", "Marrowby", "Tillingham"];

    /// <summary>
    /// Inspects a message from officer@council.example.gov.uk (the internal domain) to an
    /// external partner, with a line of text and one attachment, as the relay would.
    /// </summary>
    public static InspectionResult InspectAttachment(string fileName, string contentType, byte[] content)
    {
        string message = "From: officer@council.example.gov.uk\r\nTo: someone@partner.example\r\nSubject: attached\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n" +
            $"--b\r\nContent-Type: {contentType}; name=\"{fileName}\"\r\nContent-Disposition: attachment; filename=\"{fileName}\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(content, Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n";
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["council.example.gov.uk"]), DomainSet.PersonalMailboxes);
        using var doc = MailGuard.Mime.MimeDocument.Load(System.Text.Encoding.ASCII.GetBytes(message));
        return inspector.Inspect(doc, null);
    }

    public static ContentAnalyzer NewAnalyzer(int minPeople = 2, DomainSet? personalMailboxes = null, DomainSet? internalDomains = null) =>
        new(new ContentAnalyzerOptions { ReferenceDate = Today, MinPeople = minPeople }, null,
            new MailboxDomains(personalMailboxes ?? DomainSet.PersonalMailboxes, internalDomains));

    public static string Forename(int i) => s_forenames[i % s_forenames.Length];

    public static string Surname(int i) => s_surnames[(i / s_forenames.Length + i) % s_surnames.Length];

    /// <summary>A NI number that follows HMRC's rules (NIM39110), different for each i.</summary>
    public static string Nino(int i)
    {
        const string firsts = "ABCEGHJKLMNPRSTWXYZ";
        const string seconds = "ABCEGHJKLMNPRSTWXYZ";
        while (true)
        {
            var a = firsts[i % firsts.Length];
            var b = seconds[(i / firsts.Length) % seconds.Length];
            var digits = (100000 + ((i * 7919) % 899999)).ToString(CultureInfo.InvariantCulture);
            var candidate = $"{a}{b}{digits}{"ABCD"[i % 4]}";
            if (UkNino.IsValid(candidate))
            {
                return candidate;
            }

            i += 1000;
        }
    }

    /// <summary>A valid NHS number in the 999 test range.</summary>
    public static string NhsTestNumber(int i)
    {
        for (var n = 999000000 + (i * 13); ; n++)
        {
            var nine = n.ToString(CultureInfo.InvariantCulture);
            for (var d = 0; d <= 9; d++)
            {
                var candidate = nine + d.ToString(CultureInfo.InvariantCulture);
                if (NhsNumber.IsValidDigits(candidate))
                {
                    return candidate;
                }
            }
        }
    }

    public static string Dob(int i) => new DateOnly(1950 + (i % 60), 1 + (i % 12), 1 + (i % 28)).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    public static string Postcode(int i) => $"LS{1 + (i % 20)} {i % 10}{"ABDEFGHJLNPQRSTUWXYZ"[i % 20]}{"ABDEFGHJLNPQRSTUWXYZ"[(i / 3) % 20]}";

    public static string Mobile(int i) => $"07700 900{i % 1000:D3}";

    public static void SendTable(IContentSink sink, ContentLocation location, IEnumerable<string[]> rows)
    {
        var table = sink.BeginTable(location);
        long index = 0;
        foreach (var row in rows)
        {
            table.OnRow(index++, row.Select(Cell.FromText).ToArray());
        }

        table.Complete();
    }

    public static void AssertNoRawValues(IEnumerable<Finding> findings, IEnumerable<string> rawValues)
    {
        var raw = rawValues.ToArray();
        foreach (var finding in findings)
        {
            Assert.True(finding.Evidence.Count <= 5, $"{finding.Kind} keeps {finding.Evidence.Count} examples");
            foreach (var evidence in finding.Evidence.Append(finding.Summary ?? string.Empty))
            {
                foreach (var value in raw)
                {
                    Assert.DoesNotContain(value, evidence, StringComparison.OrdinalIgnoreCase);
                }
            }
        }
    }
}
