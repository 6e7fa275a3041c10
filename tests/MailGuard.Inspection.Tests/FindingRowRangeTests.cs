using System.Text;
using MailGuard.Inspection.Tests.Detection;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests;

/// <summary>
/// A table's personal-data finding covers the rows its people are on, first to last, numbered as a
/// spreadsheet numbers them ("rows 2-31" for a header and 30 people); findings stored before the
/// range was kept (the first row only) still load.
/// </summary>
public sealed class FindingRowRangeTests
{
    private static InspectionResult InspectCsv(string csv) => Inspect(
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n" +
        "--b\r\nContent-Type: text/csv; name=\"claimants.csv\"\r\nContent-Disposition: attachment; filename=\"claimants.csv\"\r\n\r\n" + csv + "--b--\r\n");

    private static InspectionResult InspectHtml(string html) =>
        Inspect("Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + html + "</body></html>\r\n");

    // A message from corp.example to a partner: its content type and body as given.
    private static InspectionResult Inspect(string contentAndBody)
    {
        string message = "From: hr@corp.example\r\nTo: someone@partner.example\r\nSubject: list\r\nMIME-Version: 1.0\r\n" + contentAndBody;
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["corp.example"]), new DomainSet([]));
        using var doc = MimeDocument.Load(Encoding.UTF8.GetBytes(message));
        return inspector.Inspect(doc, null);
    }

    [Fact]
    public void HtmlTableOfStaff_ReadAsTableAndAsText_ReportedOnce()
    {
        // The table is read as a table and again from the text it flattens to; a table of people
        // was reported once already, and now so is one of staff's work addresses (no people).
        string Table(int n, int from) => "<table><tr><td>Name</td><td>Organisation</td><td>Email</td></tr>" + string.Concat(Enumerable.Range(from, n).Select(i =>
            $"<tr><td>{TestData.Forename(i)} {TestData.Surname(i)}</td><td>Partner Agency {i}</td><td>{TestData.Forename(i).ToLowerInvariant()}@agency{i}.example.org</td></tr>")) + "</table>";
        var findings = InspectHtml("<p>Contacts for the project:</p>" + Table(8, 0)).Findings;
        Assert.Equal(8, Assert.Single(findings, f => f.Kind == FindingKinds.BusinessContacts).Count);
        Assert.Single(findings, f => f.Kind == FindingKinds.EmailAddress);

        // Two different tables are two findings.
        findings = InspectHtml(Table(8, 0) + "<p>And the reserves:</p>" + Table(6, 20)).Findings;
        Assert.Equal([6, 8], findings.Where(f => f.Kind == FindingKinds.BusinessContacts).Select(f => f.Count).Order());
    }

    private static string PersonRow(int i) => $"{TestData.Forename(i)} {TestData.Surname(i)},{TestData.Dob(i)},{TestData.Nino(i)}\r\n";

    [Fact]
    public void Csv_HeaderAnd30People_PersonalDataCoversRows2To31()
    {
        string csv = "Name,Date of birth,NI number\r\n" + string.Concat(Enumerable.Range(0, 30).Select(PersonRow));
        var personal = Assert.Single(InspectCsv(csv).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(30, personal.Count);
        Assert.Equal((2L, 31L), (personal.Location.Row!.Value, personal.Location.LastRow!.Value));
        Assert.Null(personal.Location.Column);
        Assert.Equal("rows 2-31", personal.Location.RowText());
        Assert.Equal("claimants.csv, rows 2-31", personal.Location.ToString());

        // A value's finding still names the cell it was first seen in.
        var nino = Assert.Single(InspectCsv(csv).Findings, f => f.Kind == FindingKinds.UkNino);
        Assert.Equal((2L, (long?)null), (nino.Location.Row!.Value, nino.Location.LastRow));
        Assert.Equal("claimants.csv, row 2, column 3", nino.Location.ToString());
    }

    [Fact]
    public void Csv_PeopleBetweenOtherRows_RangeIsTheirsOnly()
    {
        // Rows 2-3 are a note and a blank line, people are on rows 4-13, then a total and a footer.
        string csv = "Name,Date of birth,NI number\r\nDraft - do not circulate,,\r\n,,\r\n"
            + string.Concat(Enumerable.Range(0, 10).Select(PersonRow))
            + "Total,,10\r\nPrepared by the benefits team,,\r\n";
        var personal = Assert.Single(InspectCsv(csv).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(10, personal.Count);
        Assert.Equal("rows 4-13", personal.Location.RowText());
    }

    [Fact]
    public void RowText_OneRowRangeCellAndNone()
    {
        var csv = new ContentLocation("/2", "people.csv");
        Assert.Equal("row 2", csv.WithRows(2, 2).RowText());
        Assert.Equal("rows 2-3", csv.WithRows(2, 3).RowText());
        Assert.Equal("people.csv, sheet S, row 7", (csv with { Sheet = "S" }).WithRows(7, 7).ToString());
        Assert.Equal("row 5", csv.WithRows(2, 9).WithCell(5, null).RowText());
        Assert.Null(csv.RowText());
        Assert.Null(csv.WithRows(2, 31).Child("inner.csv").LastRow);
    }

    [Fact]
    public void FindingsJson_RangeRoundTrips_OldRowsWithoutItStillLoad()
    {
        var range = new Finding(FindingKinds.PersonalData, 30, Confidence.High, new ContentLocation("/2", "claimants.csv").WithRows(2, 31), ["AB****56C"], "30 rows: name, NI number");
        var cell = new Finding(FindingKinds.UkNino, 30, Confidence.High, new ContentLocation("/2", "claimants.csv").WithCell(2, 2), ["AB****56C"]);
        Assert.Equal([range, cell], FindingsJson.Deserialize(FindingsJson.Serialize([range, cell])), new FindingComparer());

        // As a version before the range stored it: no LastRow, no Reason.
        const string old = """
            [{"Kind":"personal-data","Count":30,"Confidence":3,"PartPath":"/2","FileName":"claimants.csv","Sheet":null,"Row":2,"Column":null,"Evidence":["AB****56C"],"Summary":"30 rows: name, NI number"},
             {"Kind":"uk-nino","Count":30,"Confidence":3,"PartPath":"/2","FileName":"claimants.csv","Sheet":null,"Row":2,"Column":2,"Evidence":["AB****56C"],"Summary":null}]
            """;
        var loaded = FindingsJson.Deserialize(old);
        Assert.Equal(2, loaded.Count);
        Assert.Equal(new ContentLocation("/2", "claimants.csv", null, 2), loaded[0].Location);
        Assert.Null(loaded[0].Location.LastRow);
        Assert.Equal("claimants.csv, row 2", loaded[0].Location.ToString());
        Assert.Equal(new ContentLocation("/2", "claimants.csv", null, 2, 2), loaded[1].Location);
    }

    /// <summary>Findings are equal when every field is (Evidence compared by its items).</summary>
    private sealed class FindingComparer : IEqualityComparer<Finding>
    {
        public bool Equals(Finding? x, Finding? y) =>
            x is not null && y is not null && x with { Evidence = [] } == y with { Evidence = [] } && x.Evidence.SequenceEqual(y.Evidence);

        public int GetHashCode(Finding obj) => obj.Kind.GetHashCode(StringComparison.Ordinal);
    }
}
