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
}
