using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

/// <summary>The masked previews reviewers see of offending content: nothing unmasked may come out.</summary>
public class ContentPreviewTests
{
    private static readonly ContentLocation s_csv = new("/2", "people.csv");

    private static IEnumerable<string[]> PeopleRows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return [TestData.Nino(i), TestData.Forename(i), TestData.Surname(i), TestData.Dob(i), "Widget"];
        }
    }

    [Fact]
    public void TableOfPeople_HeaderAndFirstFiveRows_PersonalColumnsMasked()
    {
        var analyzer = TestData.NewAnalyzer();
        var rows = PeopleRows(30).ToList();
        TestData.SendTable(analyzer, s_csv, rows.Prepend(["NINO", "Forename", "Surname", "D.O.B", "Product"]));

        var preview = Assert.Single(analyzer.Previews);
        Assert.Equal(s_csv, preview.Location);
        Assert.Equal(["NINO", "Forename", "Surname", "D.O.B", "Product"], preview.Header);
        Assert.Equal(ContentPreviews.MaxRows, preview.Rows.Count);
        Assert.Equal(30, preview.TotalRows);
        Assert.Empty(preview.Sentences);
        for (var i = 0; i < preview.Rows.Count; i++)
        {
            var row = preview.Rows[i];
            Assert.Equal(5, row.Count);
            // Personal columns masked whole (first and last character kept, as finding evidence is);
            // the product column, not personal, is shown.
            for (var c = 0; c < 4; c++)
            {
                Assert.NotEqual(rows[i][c], row[c]);
                Assert.Contains('*', row[c]);
            }

            Assert.Equal("Widget", row[4]);
        }

        var everything = string.Join("|", preview.Rows.SelectMany(r => r));
        foreach (var row in rows)
        {
            Assert.DoesNotContain(row[0], everything, StringComparison.Ordinal);
            Assert.DoesNotContain(row[3], everything, StringComparison.Ordinal);
            Assert.DoesNotContain(row[2], everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TableWithoutPeople_NoPreview()
    {
        var analyzer = TestData.NewAnalyzer();
        TestData.SendTable(analyzer, new ContentLocation("/2", "stock.csv"), Enumerable.Range(0, 20).Select(i => new[] { "Widget " + i, (i * 3).ToString(System.Globalization.CultureInfo.InvariantCulture), "Leeds" }).Prepend(["Item", "Quantity", "Store"]));
        Assert.Empty(analyzer.Previews);
    }

    [Fact]
    public void Prose_SentencesAroundIdentifiers_Masked()
    {
        var analyzer = TestData.NewAnalyzer();
        var body = new ContentLocation("/1");
        string text =
            "Hello team. The meeting is on Tuesday.\n" +
            $"Jane Smith, NI number {TestData.Nino(1)}, was born on {TestData.Dob(1)}. She lives in Leeds.\n" +
            $"John Brown has NI number {TestData.Nino(2)} and was born on {TestData.Dob(2)}!\n" +
            $"Amy Green: {TestData.Nino(3)}, born {TestData.Dob(3)}.\n" +
            $"Bob White: {TestData.Nino(4)}, born {TestData.Dob(4)}.\n" +
            "Regards, the office.";
        analyzer.OnText(body, text);

        var preview = Assert.Single(analyzer.Previews);
        Assert.Equal(body, preview.Location);
        Assert.Empty(preview.Rows);
        Assert.Equal(ContentPreviews.MaxSentences, preview.Sentences.Count);
        // Names are masked too (the scanner masks identifiers; a preview must not hold a name in clear).
        Assert.StartsWith("J**e S***h, NI number ", preview.Sentences[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Jane", string.Join(" ", preview.Sentences), StringComparison.Ordinal);
        Assert.DoesNotContain("Brown", string.Join(" ", preview.Sentences), StringComparison.Ordinal);
        Assert.DoesNotContain("meeting", string.Join(" ", preview.Sentences), StringComparison.Ordinal);
        foreach (int i in new[] { 1, 2, 3, 4 })
        {
            Assert.DoesNotContain(TestData.Nino(i), string.Join(" ", preview.Sentences), StringComparison.Ordinal);
            Assert.DoesNotContain(TestData.Dob(i), string.Join(" ", preview.Sentences), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AddSentences_LongTextCutAtBound_NeverHalfAnIdentifier()
    {
        // An identifier right at the point where the sentence bound falls is masked whole or left out.
        var analyzer = TestData.NewAnalyzer();
        string filler = string.Concat(Enumerable.Repeat("word ", 80));
        string text = filler + TestData.Nino(7) + " " + filler + "and " + TestData.Nino(8) + " " + filler + TestData.Nino(9) + " " + TestData.Dob(9) + " end";
        analyzer.OnText(new ContentLocation("/1"), text);
        var sentences = analyzer.Previews.SelectMany(p => p.Sentences).ToList();
        foreach (int i in new[] { 7, 8, 9 })
        {
            string nino = TestData.Nino(i);
            Assert.All(sentences, s => Assert.DoesNotContain(nino[2..8], s, StringComparison.Ordinal));
        }
    }
}
