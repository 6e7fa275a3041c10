using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public sealed class FormTableTests
{
    private static readonly ContentLocation s_doc = new("/2", "complaints.docx");

    private static void Form(ContentAnalyzer analyzer, int n, params (string Label, string Value)[] rows)
    {
        var sink = analyzer.BeginTable(s_doc with { Sheet = $"table {n}" });
        long r = 0;
        foreach (var (label, value) in rows)
        {
            sink.OnRow(r++, [new Cell(label), new Cell(value)]);
        }

        sink.Complete();
    }

    private static (string, string)[] Person(int i) =>
    [
        ("Name:", $"Person {(char)('A' + i)} Example"),
        ("Home address", $"{i + 1} Example Road, Leeds"),
        ("Postcode", $"LS{i + 1} 3QT"),
        ("Phone", $"07700 900{i:D3}"),
        ("Complaint", "The officer did not reply to my letters."),
    ];

    [Fact]
    public void BeginTable_ManyLabelValueForms_CountedAsPeopleOfOneDocument()
    {
        var analyzer = new ContentAnalyzer(new ContentAnalyzerOptions { ReferenceDate = new DateOnly(2026, 11, 21) });
        for (int i = 0; i < 8; i++)
        {
            Form(analyzer, i + 1, Person(i));
        }

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(8, personal.Count);
        Assert.Equal(8, analyzer.MaxPeopleCount);
    }

    [Fact]
    public void BeginTable_OneForm_IsOnePersonOnly()
    {
        var analyzer = new ContentAnalyzer();
        Form(analyzer, 1, Person(0));
        Assert.True(analyzer.MaxPeopleCount <= 1);
    }

    [Fact]
    public void BeginTable_TwoColumnTableOfNonLabels_IsAnOrdinaryTable()
    {
        var analyzer = new ContentAnalyzer();
        Form(analyzer, 1, ("Product", "Price"), ("Stapler", "4.99"), ("Paper", "3.50"), ("Toner", "60.00"));
        Assert.Single(analyzer.Tables);
        Assert.Equal(0, analyzer.MaxPeopleCount);
    }

    [Fact]
    public void BeginTable_CsvPastedIntoOneColumn_ReadAsLinesOfText()
    {
        // CSV text pasted into column A of a workbook without "Text to Columns": a table of one
        // column whose cells are the CSV's lines. Its header cell names four columns at once, so
        // as a column it was one "name" column and nothing in it was scanned.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 20).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)},{TestData.Dob(i)},{TestData.Nino(i)}" })
            .Prepend(["Name,DOB,NI number"]);
        TestData.SendTable(analyzer, new ContentLocation("/2", "pasted.xlsx") with { Sheet = "Sheet1" }, rows);

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(20, personal.Count);
        Assert.Equal("pasted.xlsx, sheet Sheet1, rows 2-21", personal.Location.ToString());
        Assert.Equal(20, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Fact]
    public void BeginTable_LetterLaidOutInOneCellColumn_ReadAsProse()
    {
        // A letter template that keeps its text in a one-column table: its sentences are prose.
        var analyzer = TestData.NewAnalyzer();
        var sink = analyzer.BeginTable(s_doc with { Sheet = "table 1" });
        sink.OnRow(0, [new Cell("Dear Sirs,")]);
        sink.OnRow(1, [new Cell("The applicant now lives with her children Amy Holt, aged 7, Ben Holt, aged 4, Cara Holt, aged 12, Dan Holt, aged 3, and Eve Holt, aged 9.")]);
        sink.OnRow(2, [new Cell("Yours faithfully,")]);
        sink.Complete();

        Assert.Equal(5, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }
}
