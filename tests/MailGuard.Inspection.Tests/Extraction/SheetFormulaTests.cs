using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Formula cells (SheetFormulas): a formula without a saved value reads as its string literals,
/// and literals beside a different saved value are read as the sheet's text, each once.
/// </summary>
public class SheetFormulaTests
{
    private static RecordingSink Read(string rows)
    {
        string sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" + rows + "</sheetData></worksheet>";
        var sink = new RecordingSink();
        XlsxExtractor.ReadSheetPart(sink, null, new MemoryStream(Encoding.UTF8.GetBytes(sheet)), [false], fast: true, 64 * 1024);
        return sink;
    }

    [Fact]
    public void ReadSheet_FormulaWithoutValue_ReadAsItsLiterals()
    {
        // What Excel shows once it has calculated them: a literal, literals joined by CONCATENATE
        // or &, a quote written twice; a formula of references alone (or only white space
        // between them) shows nothing MailGuard can know, and is an empty cell.
        var sink = Read("<row r=\"1\"><c r=\"A1\" t=\"str\"><f>\"Amy Lowe\"</f></c><c r=\"B1\" t=\"str\"><f>CONCATENATE(\"AB\",\"123456C\")</f></c>"
            + "<c r=\"C1\"><f>\"AB\"&amp;\"12\"&amp;\"3456C\"</f><v></v></c><c r=\"D1\" t=\"str\"><f><![CDATA[\"say \"\"hi\"\"\"]]></f></c>"
            + "<c r=\"E1\" t=\"str\"><f>A1&amp;\" \"&amp;B1</f></c><c r=\"F1\" t=\"str\"><f>X1</f></c><c r=\"G1\"><v>7</v></c></row>");

        Assert.Equal(["Amy Lowe", "AB123456C", "AB123456C", "say \"hi\"", "", "", "7"], Assert.Single(sink.Tables).RowTexts(0));
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void ReadSheet_FormulaBesideADifferentValue_LiteralsReadAsTextOnce()
    {
        // The saved value is the cell's; literals that say something else are the sheet's text,
        // once however many cells repeat them; literals the value repeats add nothing.
        var rows = Enumerable.Range(1, 3).Select(r =>
            $"<row r=\"{r}\"><c r=\"A{r}\" t=\"str\"><f>\"AB123456C\"</f><v>x</v></c><c r=\"B{r}\" t=\"str\"><f>\"same\"</f><v>same</v></c>"
            + $"<c r=\"C{r}\"><f>IF(A{r}=\"\",\"\",1)</f><v>1</v></c></row>");
        var sink = Read(string.Concat(rows));

        Assert.Equal(["x", "same", "1"], sink.Tables[0].RowTexts(2));
        Assert.Equal("AB123456C\n", sink.AllText);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void ReadSheet_FormulaAtTheLengthLimit_ReadWhole_PastItCut(int past, bool whole)
    {
        // A formula is read to MaxFormulaChars characters: a literal whose closing quote is the
        // last of them is read whole; one more loses only the quote; two, its last character.
        string literal = new string('a', SheetFormulas.MaxFormulaChars - 3 + past) + "Z";
        var sink = Read($"<row r=\"1\"><c r=\"A1\" t=\"str\"><f>\"{literal}\"</f></c></row>");

        Assert.Equal(SheetFormulas.MaxFormulaChars + past, literal.Length + 2);
        string cell = Assert.Single(sink.Tables).RowTexts(0)[0];
        Assert.Equal(whole ? literal : literal[..^1], cell);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 2)]
    public void ReadSheet_FormulaLiteralsRemembered_ToTheLimit(int past, int times)
    {
        // Literals written are remembered until MaxRemembered are; once that many are, a repeat is written again.
        int distinct = SheetFormulas.MaxRemembered + past;
        var rows = Enumerable.Range(0, distinct).Append(0).Select((n, r) =>
            $"<row r=\"{r + 1}\"><c r=\"A{r + 1}\" t=\"str\"><f>\"literal {n}\"</f><v>x</v></c></row>");
        var sink = Read(string.Concat(rows));

        Assert.Equal(times, sink.AllText.Split('\n').Count(line => line == "literal 0"));
    }
}
