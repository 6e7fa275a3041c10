using System.Text;
using MailGuard.Inspection.Extraction;
using MailGuard.Inspection.Tests.Detection;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>Numbers shown with text of their format's own (SheetNumberFormat), as Excel shows them.</summary>
public class SheetNumberFormatTests
{
    [Theory]
    [InlineData("\"AB\"000000\"C\"", 123456, "AB123456C")]
    [InlineData("\"AB\"000000\"C\"", 1234, "AB001234C")]
    [InlineData("\\A\\B 00 00 00 \\C", 123456, "AB 12 34 56 C")]
    [InlineData("\"0\"0000 000000", 7700900123, "07700 900123")]
    [InlineData("\"ID-\"#", 1234567, "ID-1234567")]
    [InlineData("[$-809]\"NHS \"000 000 0000;\"neg\"", 9434765919, "NHS 943 476 5919")]
    // Digits past the placeholders go in the first; a ? is a space, a # nothing.
    [InlineData("\"X\"00", 12345, "X12345")]
    [InlineData("\"X\"??0", 5, "X  5")]
    public void Show_FormatsWithTextOfTheirOwn_AsExcelShowsThem(string code, double number, string shown) =>
        Assert.Equal(shown, SheetNumberFormat.Parse(code)?.Show(number));

    [Theory]
    // No letters or digits of their own (currency, plain patterns), or what this does not write
    // (decimals, thousands, exponents, text sections, dates): the plain number is read.
    [InlineData("\"£\"#")]
    [InlineData("000 000 0000")]
    [InlineData("0.0\" kg\"")]
    [InlineData("#,##0\" staff\"")]
    [InlineData("0.00E+00\"x\"")]
    [InlineData("@\" ref\"")]
    [InlineData("\"AB")]
    public void Parse_OtherFormats_NotKept(string code) => Assert.Null(SheetNumberFormat.Parse(code));

    [Theory]
    [InlineData(-5)]
    [InlineData(1.5)]
    [InlineData(1e15)]
    public void Show_NumbersItDoesNotFit_Null(double number) => Assert.Null(SheetNumberFormat.Parse("\"AB\"000000\"C\"")!.Show(number));

    [Fact]
    public void Extract_NiNumbersStoredAsNumbersWithTheirLettersInTheFormat_Found()
    {
        // Twelve NI numbers typed as their six digits, the letters added by the cell's format: a
        // reader sees AB123456C; so does MailGuard.
        var rows = Enumerable.Range(0, 12).Select(i =>
            $"<row r=\"{i + 2}\"><c r=\"A{i + 2}\" t=\"inlineStr\"><is><t>{TestData.Forename(i)} {TestData.Surname(i)}</t></is></c><c r=\"B{i + 2}\" s=\"1\"><v>{123450 + i}</v></c></row>");
        string sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>Reference</t></is></c></row>" + string.Concat(rows) + "</sheetData></worksheet>";
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        byte[] xlsx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("xl/workbook.xml", Encoding.UTF8.GetBytes($"<workbook xmlns=\"{ns}\" xmlns:r=\"{rel}\"><sheets><sheet name=\"People\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
            ("xl/_rels/workbook.xml.rels", Encoding.UTF8.GetBytes($"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + $"<Relationship Id=\"rId2\" Type=\"{rel}/styles\" Target=\"styles.xml\"/></Relationships>")),
            ("xl/styles.xml", Encoding.UTF8.GetBytes($"<styleSheet xmlns=\"{ns}\"><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"&quot;AB&quot;000000&quot;C&quot;\"/></numFmts>"
                + "<cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>")),
            ("xl/worksheets/sheet1.xml", Encoding.UTF8.GetBytes(sheet)),
        ]);

        RecordingSink sink = Extract.Run(xlsx, "people.xlsx");
        Assert.Equal([$"{TestData.Forename(0)} {TestData.Surname(0)}", "AB123450C"], sink.Tables[0].RowTexts(1));

        var analyzer = TestData.NewAnalyzer();
        ContentExtractor.Extract(new MemoryStream(xlsx), "people.xlsx", null, new ContentLocation("/2", "people.xlsx"), analyzer, new ExtractionLimits(), CancellationToken.None);
        Assert.Equal(12, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
    }
}
