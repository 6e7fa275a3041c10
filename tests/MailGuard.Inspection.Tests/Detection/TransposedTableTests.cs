namespace MailGuard.Inspection.Tests.Detection;

/// <summary>Tables written a record a column: the labels down one column, a person in each column beside them.</summary>
public sealed class TransposedTableTests
{
    private static readonly ContentLocation s_sheet = new("/2", "tenants.xlsx") { Sheet = "Tenants" };

    // Labels in column A (preceded by `blankColumns` empty columns), one person a column after them.
    private static IEnumerable<string[]> RecordPerColumn(int people, int blankColumns = 0, params string[] labels)
    {
        var pad = Enumerable.Repeat(string.Empty, blankColumns);
        foreach (var label in labels)
        {
            yield return pad.Append(label).Concat(Enumerable.Range(0, people).Select(i => label switch
            {
                "Name" => $"{TestData.Forename(i)} {TestData.Surname(i)}",
                "Date of birth" => TestData.Dob(i),
                "NI number" => TestData.Nino(i),
                "Mobile" => TestData.Mobile(i),
                "Address" => $"{i + 3} Rowan Close, Leeds {TestData.Postcode(i)}",
                _ => "n/a",
            })).ToArray();
        }
    }

    [Fact]
    public void BeginTable_PeopleInColumns_CountedAsPeopleWithCellsWhereTheyAre()
    {
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_sheet, RecordPerColumn(15, 0, "Name", "Date of birth", "NI number", "Address"));

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(15, personal.Count);
        Assert.Equal("15 columns: name, date of birth, NI number, postal address", personal.Summary);
        // The people are columns: the finding names the sheet, not a range of rows.
        Assert.Null(personal.Location.Row);
        Assert.Equal("Tenants", personal.Location.Sheet);

        // An NI number's evidence is at its own cell: the third row (row 3), the person's column.
        var nino = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino);
        Assert.Equal(15, nino.Count);
        Assert.Equal(3, nino.Location.Row);
        Assert.Equal(1, nino.Location.Column);
        Assert.Equal(15, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.DateOfBirth).Count);
        Assert.Null(Assert.Single(analyzer.Tables).HeaderRowIndex);
        TestData.AssertNoRawValues(analyzer.Findings, Enumerable.Range(0, 15).Select(TestData.Nino));
    }

    [Fact]
    public void BeginTable_PeopleInColumnsBesideEmptyColumnsAndAHeadingRow_Counted()
    {
        // A Word shortlist: an empty corner cell, "Candidate 1..8" across the top, labels in the
        // second column, no identifier, only dates of birth, home addresses and mobiles.
        var analyzer = TestData.NewAnalyzer();
        var rows = RecordPerColumn(8, 1, "Name", "Date of birth", "Address", "Mobile")
            .Prepend(new[] { string.Empty, string.Empty }.Concat(Enumerable.Range(1, 8).Select(i => $"Candidate {i}")).ToArray());
        TestData.SendTable(analyzer, s_sheet, rows);

        Assert.Equal(8, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void BeginTable_ThreeLabelsDownAColumnAtLeast_Turned(int labels, bool turned)
    {
        // Two personal labels down a column may be a form's; three make the columns records.
        var analyzer = TestData.NewAnalyzer(minPeople: 1);
        TestData.SendTable(analyzer, s_sheet, RecordPerColumn(6, 0, new[] { "Name", "Date of birth", "NI number" }[..labels]));

        Assert.Equal(turned, analyzer.Findings.Any(f => f.Summary?.Contains(" columns", StringComparison.Ordinal) == true));
    }

    [Fact]
    public void BeginTable_ProductsInColumns_NoPeople()
    {
        // A product sheet laid out the same way: its labels are no personal kind.
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_sheet,
        [
            ["Product", "Widget A", "Widget B", "Gadget C", "Sprocket D"],
            ["Price", "4.99", "5.49", "12.00", "0.80"],
            ["Weight", "120 g", "140 g", "900 g", "15 g"],
            ["Colour", "Red", "Blue", "Green", "Black"],
        ]);

        Assert.Equal(0, analyzer.MaxPeopleCount);
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void BeginTable_BudgetWithANationalInsuranceLine_NoPeopleNoNiNumbers()
    {
        // Employer's costs by month: "National Insurance" is a label, its values are money.
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, s_sheet,
        [
            ["Cost", "April", "May", "June", "July"],
            ["Salaries", "41200", "41200", "42650", "42650"],
            ["National Insurance", "4870", "4870", "5031", "5031"],
            ["Pension", "3090", "3090", "3198", "3198"],
            ["Travel", "310", "122", "508", "95"],
        ]);

        Assert.Equal(0, analyzer.MaxPeopleCount);
        Assert.DoesNotContain(analyzer.Findings, f => f.Kind is FindingKinds.PersonalData or FindingKinds.UkNino);
    }

    [Fact]
    public void BeginTable_OrdinaryTableWhoseFirstColumnHoldsLabels_ReadAsWritten()
    {
        // A header row naming its columns is a table read as written, whatever its first column holds.
        var analyzer = TestData.NewAnalyzer();
        var rows = Enumerable.Range(0, 12).Select(i => new[] { $"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Dob(i), TestData.Nino(i) })
            .Prepend(["Name", "Date of birth", "NI number"]);
        TestData.SendTable(analyzer, s_sheet, rows);

        var personal = Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal("12 rows: name, date of birth, NI number", personal.Summary);
        Assert.Equal(2, personal.Location.Row);
        Assert.Equal(0, Assert.Single(analyzer.Tables).HeaderRowIndex);
    }

    [Fact]
    public void BeginTable_LabelsDownAColumnOfATableTooLongToBuffer_ReadAsWritten()
    {
        // Only a table held whole may be turned: one of more rows than are buffered streams as written.
        var analyzer = TestData.NewAnalyzer();
        var labels = Enumerable.Range(0, 100).Select(i => new[] { "Name", "Date of birth", "NI number", "Address" }[i % 4]).ToArray();
        TestData.SendTable(analyzer, s_sheet, RecordPerColumn(6, 0, labels));

        Assert.DoesNotContain(analyzer.Findings, f => f.Summary?.Contains(" columns", StringComparison.Ordinal) == true);
    }
}
