using System.Text;
using MailGuard.Inspection.Tests.Detection;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// What a workbook holds beside its sheets: a pivot table's cache of its source rows (kept when the
/// source sheet is deleted, listed again by "Show Details"), notes and comments, text in drawings.
/// </summary>
public sealed class WorkbookExtrasTests
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    // A workbook whose one sheet is a pivot table's summary (no names on it), and the given extra parts.
    private static byte[] Workbook(params (string Name, string Xml)[] extras)
    {
        var parts = new List<(string, byte[])>
        {
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("xl/workbook.xml", Encoding.UTF8.GetBytes($"<workbook xmlns=\"{Main}\" xmlns:r=\"{Rel}\"><sheets><sheet name=\"Summary\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
            ("xl/_rels/workbook.xml.rels", Encoding.UTF8.GetBytes($"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{Rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")),
            ("xl/worksheets/sheet1.xml", Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{Main}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Count of Name</t></is></c><c r=\"B1\"><v>20</v></c></row></sheetData></worksheet>")),
        };
        parts.AddRange(extras.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Xml))));
        return Zips.Of(parts);
    }

    private static (string Name, string Xml)[] PivotCache(int people, bool withRecords = true)
    {
        var names = string.Concat(Enumerable.Range(0, people).Select(i => $"<s v=\"{TestData.Forename(i)} {TestData.Surname(i)}\"/>"));
        var definition = $"<pivotCacheDefinition xmlns=\"{Main}\" xmlns:r=\"{Rel}\" r:id=\"rId1\"><cacheSource type=\"worksheet\"><worksheetSource ref=\"A1:C{people + 1}\" sheet=\"People\"/></cacheSource>" +
            $"<cacheFields count=\"3\"><cacheField name=\"Name\"><sharedItems count=\"{people}\">{names}</sharedItems></cacheField>" +
            "<cacheField name=\"Date of birth\" numFmtId=\"14\"><sharedItems containsSemiMixedTypes=\"0\" containsDate=\"1\"/>" +
            "<fieldGroup base=\"1\"><rangePr groupBy=\"months\"/><groupItems count=\"2\"><s v=\"Jan\"/><s v=\"Feb\"/></groupItems></fieldGroup></cacheField>" +
            "<cacheField name=\"NI number\"><sharedItems/></cacheField></cacheFields></pivotCacheDefinition>";
        var records = $"<pivotCacheRecords xmlns=\"{Main}\" count=\"{people}\">" + string.Concat(Enumerable.Range(0, people).Select(i =>
            $"<r><x v=\"{i}\"/><d v=\"{1960 + i}-0{1 + (i % 9)}-1{i % 10}T00:00:00\"/><s v=\"{TestData.Nino(i)}\"/></r>")) + "</pivotCacheRecords>";
        var rels = $"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{Rel}/pivotCacheRecords\" Target=\"pivotCacheRecords1.xml\"/></Relationships>";
        return withRecords
            ? [("xl/pivotCache/pivotCacheDefinition1.xml", definition), ("xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels", rels), ("xl/pivotCache/pivotCacheRecords1.xml", records)]
            : [("xl/pivotCache/pivotCacheDefinition1.xml", definition)];
    }

    [Fact]
    public void PivotCache_SourceRowsOfADeletedSheet_ReadAsATable()
    {
        RecordingSink sink = Extract.Run(Workbook(PivotCache(20)), "summary.xlsx");

        var table = Assert.Single(sink.Tables, t => t.Location.Sheet == "pivot cache 1");
        Assert.Equal(21, table.Rows.Count);
        Assert.Equal(["Name", "Date of birth", "NI number"], table.Rows[0].Cells.Select(c => c.Text));
        var first = table.Rows[1].Cells;
        Assert.Equal(TestData.Forename(0) + " " + TestData.Surname(0), first[0].Text);
        Assert.Equal((CellKind.Date, new DateTime(1960, 1, 10)), (first[1].Kind, first[1].Date!.Value));
        Assert.Equal(TestData.Nino(0), first[2].Text);
    }

    [Fact]
    public void PivotCache_WithoutItsRecords_SharedItemsReadAsText()
    {
        RecordingSink sink = Extract.Run(Workbook(PivotCache(3, withRecords: false)), "summary.xlsx");

        Assert.Contains($"Name: {TestData.Forename(2)} {TestData.Surname(2)}\n", sink.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Jan", sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void CommentsAndDrawings_ReadAsText()
    {
        var comments = $"<comments xmlns=\"{Main}\"><authors><author>Jo Bloggs</author></authors><commentList>" +
            "<comment ref=\"A1\" authorId=\"0\"><text><r><rPr><b/></rPr><t>Jo Bloggs:</t></r><r><t xml:space=\"preserve\">\nNI AB123456C chec</t></r><r><t>ked</t></r></text></comment>" +
            "<comment ref=\"B1\" authorId=\"0\"><text><t>Second note</t></text></comment></commentList></comments>";
        var threaded = "<ThreadedComments xmlns=\"http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments\"><threadedComment ref=\"A1\" id=\"{1}\"><text>DOB 14/03/1987 confirmed</text></threadedComment></ThreadedComments>";
        var drawing = "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">" +
            "<xdr:twoCellAnchor><xdr:sp><xdr:txBody><a:p><a:r><a:t>Amy Ho</a:t></a:r><a:r><a:t>lt, aged 7</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:twoCellAnchor></xdr:wsDr>";

        RecordingSink sink = Extract.Run(Workbook(("xl/comments1.xml", comments), ("xl/threadedComments/threadedComment1.xml", threaded), ("xl/drawings/drawing1.xml", drawing)), "book.xlsx");

        Assert.Contains("Jo Bloggs:\nNI AB123456C checked\nSecond note\n", sink.AllText, StringComparison.Ordinal);
        Assert.Contains("DOB 14/03/1987 confirmed\n", sink.AllText, StringComparison.Ordinal);
        Assert.Contains("Amy Holt, aged 7\n", sink.AllText, StringComparison.Ordinal);
        Assert.Contains(sink.Texts, t => t.Location.FileName == "book.xlsx > xl/comments1.xml");
    }

    [Fact]
    public void PivotCache_ThroughInspection_PeopleOfADeletedSheetHeld()
    {
        var personal = Assert.Single(TestData.InspectAttachment("summary.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Workbook(PivotCache(20))).Findings,
            f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(20, personal.Count);
        Assert.Equal("summary.xlsx, sheet pivot cache 1, rows 2-21", personal.Location.ToString());
    }
}
