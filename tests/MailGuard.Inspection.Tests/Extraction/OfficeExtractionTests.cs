using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

public class OfficeExtractionTests
{
    private static readonly string[] _header = ["Name", "DOB", "NI Number", "Postcode"];

    private static void AssertPeopleTable(RecordingSink sink, bool expectSheetName = true)
    {
        Assert.Empty(sink.Unscannable);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.True(table.Completed);
        if (expectSheetName)
        {
            Assert.NotNull(table.Location.Sheet);
        }

        Assert.Equal(11, table.Rows.Count);
        Assert.Equal(0, table.Rows[0].Index);
        Assert.Equal(_header, table.RowTexts(0));
        Cell[] alice = table.Rows[1].Cells;
        Assert.Equal("Alice Marsh", alice[0].Text);
        Assert.Equal(CellKind.Date, alice[1].Kind);
        Assert.Equal(new DateTime(1987, 3, 14), alice[1].Date);
        Assert.Equal("AB123456C", alice[2].Text);
        Assert.Equal("LS6 3QT", alice[3].Text);
        Cell[] jonah = table.Rows[10].Cells;
        Assert.Equal(new DateTime(1990, 10, 10), jonah[1].Date);
        Assert.Equal("SW1A 2AA", jonah[3].Text);
        Assert.All(table.Rows.Skip(1), r => Assert.Equal(CellKind.Date, r.Cells[1].Kind));
    }

    [Fact]
    public void Extract_Xlsx_EmitsSheetRowsWithDateCells()
    {
        RecordingSink sink = Extract.Fixture("people.xlsx");
        AssertPeopleTable(sink);
        Assert.Equal("people", sink.Tables[0].Location.Sheet);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_Xls_EmitsSheetRowsWithDateCells()
    {
        RecordingSink sink = Extract.Fixture("people.xls");
        AssertPeopleTable(sink);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_Ods_EmitsSheetRowsWithDateCells()
    {
        RecordingSink sink = Extract.Fixture("people.ods");
        AssertPeopleTable(sink);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_Docx_EmitsParagraphsAndTable()
    {
        RecordingSink sink = Extract.Fixture("letter.docx");
        AssertLetter(sink);
    }

    [Fact]
    public void Extract_Odt_EmitsParagraphsAndTable()
    {
        RecordingSink sink = Extract.Fixture("letter.odt");
        AssertLetter(sink);
    }

    [Fact]
    public void Extract_Rtf_EmitsParagraphsAndTable()
    {
        RecordingSink sink = Extract.Fixture("letter.rtf");
        AssertLetter(sink);
        Assert.DoesNotContain("fonttbl", sink.AllText);
        Assert.DoesNotContain("\\", sink.AllText);
    }

    [Fact]
    public void Extract_Pdf_EmitsPageText()
    {
        RecordingSink sink = Extract.Fixture("letter.pdf");
        Assert.Empty(sink.Unscannable);
        string text = sink.AllText;
        Assert.Contains("Dear Ms Marsh", text);
        Assert.Contains("14/03/1987", text);
        Assert.Contains("LS6 3QT", text);
        Assert.Contains("Poppy Marsh", text);
        Assert.Contains("0113 496 0123", text);
    }

    private static void AssertLetter(RecordingSink sink)
    {
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Mismatches);
        string text = sink.AllText;
        Assert.Contains("Dear Ms Marsh,", text);
        Assert.Contains("Date of birth 14/03/1987.", text);
        Assert.Contains("12 Cardigan Road, Leeds LS6 3QT", text);
        Assert.Contains("Please call 0113 496 0123", text);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.True(table.Completed);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["Name", "Date of birth"], table.RowTexts(0));
        Assert.Equal(["Oliver Marsh", "02/05/2012"], table.RowTexts(1));
        Assert.Equal(["Poppy Marsh", "19/08/2015"], table.RowTexts(2));
    }

    [Fact]
    public void Extract_Pptx_SlideParagraphsAndTablesAsADocumentsAre()
    {
        // DrawingML runs join into their paragraph ("Amy Ho" + "lt"); paragraphs and table cells
        // stay apart, as PowerPoint shows them. Read as any XML, one ran into the next.
        const string a = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
        static string Row(params string[] cells) => "<a:tr>" + string.Concat(cells.Select(c => $"<a:tc><a:txBody><a:p><a:r><a:t>{c}</a:t></a:r></a:p></a:txBody></a:tc>")) + "</a:tr>";
        string slide = $"<p:sld {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Amy Ho</a:t></a:r><a:r><a:rPr b=\"1\"/><a:t>lt, aged 7</a:t></a:r></a:p>" +
            "<a:p><a:r><a:t>Ben Holt, aged 4</a:t></a:r></a:p></p:txBody></p:sp><p:graphicFrame><a:graphic><a:graphicData><a:tbl>" +
            Row("Name", "NI number") + Row("Tom Lowe", "AB123456C") + "</a:tbl></a:graphicData></a:graphic></p:graphicFrame></p:spTree></p:cSld></p:sld>";
        string notes = $"<p:notes {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Speaker note</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>";
        byte[] pptx = Zips.Of(new (string, byte[], System.IO.Compression.CompressionLevel)[]
        {
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"), System.IO.Compression.CompressionLevel.Optimal),
            ("ppt/presentation.xml", Encoding.UTF8.GetBytes($"<p:presentation {a}/>"), System.IO.Compression.CompressionLevel.Optimal),
            ("ppt/slides/slide1.xml", Encoding.UTF8.GetBytes(slide), System.IO.Compression.CompressionLevel.Optimal),
            ("ppt/notesSlides/notesSlide1.xml", Encoding.UTF8.GetBytes(notes), System.IO.Compression.CompressionLevel.Optimal),
        });

        RecordingSink sink = Extract.Run(pptx, "deck.pptx");

        Assert.Contains("Amy Holt, aged 7\nBen Holt, aged 4\n", sink.AllText, StringComparison.Ordinal);
        Assert.Contains("Speaker note\n", sink.AllText, StringComparison.Ordinal);
        var table = Assert.Single(sink.Tables);
        Assert.Equal("deck.pptx > ppt/slides/slide1.xml", table.Location.FileName);
        Assert.Equal(["Tom Lowe", "AB123456C"], table.Rows[1].Cells.Select(c => c.Text));
    }

    [Fact]
    public void Extract_Odp_SlideParagraphsAndTablesAsADocumentsAre()
    {
        // An OpenDocument presentation keeps its text in text:p and its tables in table:table,
        // as a text document does: read by the same reader, spans inside their paragraph.
        const string ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" " +
            "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\"";
        static string Row(params string[] cells) => "<table:table-row>" + string.Concat(cells.Select(c => $"<table:table-cell><text:p>{c}</text:p></table:table-cell>")) + "</table:table-row>";
        string content = $"<office:document-content {ns}><office:body><office:presentation><draw:page><draw:frame><draw:text-box>" +
            "<text:p>Amy <text:span>Holt</text:span>, aged 7</text:p><text:p>Ben Holt, aged 4</text:p></draw:text-box></draw:frame>" +
            "<draw:frame><table:table>" + Row("Name", "NI number") + Row("Tom Lowe", "AB123456C") + "</table:table></draw:frame></draw:page></office:presentation></office:body></office:document-content>";
        byte[] odp = Zips.Of(new (string, byte[], System.IO.Compression.CompressionLevel)[]
        {
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.presentation"), System.IO.Compression.CompressionLevel.NoCompression),
            ("content.xml", Encoding.UTF8.GetBytes(content), System.IO.Compression.CompressionLevel.Optimal),
        });

        RecordingSink sink = Extract.Run(odp, "deck.odp");

        Assert.Contains("Amy Holt, aged 7\nBen Holt, aged 4\n", sink.AllText, StringComparison.Ordinal);
        var table = Assert.Single(sink.Tables);
        Assert.Equal(["Tom Lowe", "AB123456C"], table.Rows[1].Cells.Select(c => c.Text));
    }

    [Fact]
    public void Extract_PresentationPreviewsPrinterSettingsAndFonts_ReadNotUnscannable()
    {
        // What real presentations carry beside their slides: LibreOffice's picture of each table
        // (Pictures/TablePreview1.svm), a range pasted as an EMF, the last printer's DEVMODE and an
        // embedded font. None is a document format, and none may hold a deck (fail closed would
        // hold every such deck); each is read for its strings, so text drawn in a picture is found.
        static byte[] Drawn(ReadOnlySpan<byte> magic, int textAt, string text)
        {
            var bytes = new byte[textAt];
            magic.CopyTo(bytes);
            return [.. bytes, .. Encoding.Unicode.GetBytes(text)];
        }

        byte[] emf = Drawn([1, 0, 0, 0], 64, "Tom Lowe AB123456C");
        " EMF"u8.CopyTo(emf.AsSpan(40));
        byte[] printer = Encoding.Unicode.GetBytes("Floor 3 printer".PadRight(32, '\0'));
        byte[] font = new byte[256];
        new Random(3).NextBytes(font);
        BitConverter.TryWriteBytes(font.AsSpan(8), 0x00020001);
        BitConverter.TryWriteBytes(font.AsSpan(34), (ushort)0x504C);
        const string a = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
        byte[] pptx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("ppt/presentation.xml", Encoding.UTF8.GetBytes($"<p:presentation {a}/>")),
            ("ppt/media/image1.emf", emf),
            ("ppt/printerSettings/printerSettings1.bin", [.. printer, .. new byte[180]]),
            ("ppt/fonts/font1.fntdata", font),
        ]);
        byte[] odp = Zips.Of(
        [
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.presentation")),
            ("content.xml", Encoding.UTF8.GetBytes("<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>")),
            ("Pictures/TablePreview1.svm", Drawn("VCLMTF"u8, 40, "Amy Holt CE123456D")),
        ]);

        RecordingSink deck = Extract.Run(pptx, "deck.pptx");
        RecordingSink slides = Extract.Run(odp, "deck.odp");

        Assert.Empty(deck.Unscannable);
        Assert.Empty(slides.Unscannable);
        Assert.Contains("Tom Lowe AB123456C", deck.AllText, StringComparison.Ordinal);
        Assert.Contains("Floor 3 printer", deck.AllText, StringComparison.Ordinal);
        Assert.Contains("Amy Holt CE123456D", slides.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_SpreadsheetEmbeddedInADocument_ReadAsAnAttachmentOfItsOwn()
    {
        // Word shows an embedded worksheet as a picture of a few cells; a double-click opens all of it.
        var people = Workbooks.OfRows(Enumerable.Range(0, 20).Select(i => new[] { $"Person {i}", $"AB{100000 + i}C" }).Prepend(["Name", "NI number"]));
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        byte[] docx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body><w:p><w:r><w:t>See the table below.</w:t></w:r></w:p></w:body></w:document>")),
            ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", people),
        ]);

        RecordingSink sink = Extract.Run(docx, "letter.docx");

        // The letter's text, then the embedded workbook's sheet name (its tab).
        Assert.Equal("See the table below.\n\nPeople\n", sink.AllText);
        var table = Assert.Single(sink.Tables);
        Assert.Equal("letter.docx > word/embeddings/Microsoft_Excel_Worksheet.xlsx", table.Location.FileName);
        Assert.Equal(21, table.Rows.Count);
    }

    [Fact]
    public void Extract_DocumentProperties_ReadAsText_OneNotWellFormedUnscannable()
    {
        // File > Info shows the title, tags, comments and custom properties: a list put there is read.
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        byte[] Docx(string core) => Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body><w:p><w:r><w:t>Policy draft.</w:t></w:r></w:p></w:body></w:document>")),
            ("docProps/core.xml", Encoding.UTF8.GetBytes(core)),
            ("docProps/custom.xml", Encoding.UTF8.GetBytes("<Properties xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><property name=\"Ref\"><vt:lpwstr>Bob Stone, AB 12 34 56 C</vt:lpwstr></property></Properties>")),
        ]);

        RecordingSink sink = Extract.Run(Docx("<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:title>Draft</dc:title><dc:description>Alice Marsh, DOB 14/03/1987</dc:description></cp:coreProperties>"), "draft.docx");
        Assert.Equal("Policy draft.\n\nDraft\nAlice Marsh, DOB 14/03/1987\nBob Stone, AB 12 34 56 C\n", sink.AllText);
        Assert.Empty(sink.Unscannable);

        sink = Extract.Run(Docx("<cp:coreProperties><dc:title>Draft"), "draft.docx");
        Assert.StartsWith("Policy draft.\n", sink.AllText);
        Assert.Contains("Bob Stone, AB 12 34 56 C", sink.AllText);
        Assert.Equal("draft.docx > docProps/core.xml", Assert.Single(sink.Unscannable).Location.FileName);
    }

    private static byte[] DocxWithBody(string body)
    {
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        return Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body>{body}</w:body></w:document>")),
        ]);
    }

    private static string WordTable(IEnumerable<string[]> rows) =>
        "<w:tbl>" + string.Concat(rows.Select(r => "<w:tr>" + string.Concat(r.Select(c => $"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>")) + "</w:tr>")) + "</w:tbl>";

    [Fact]
    public void Extract_DocxChartSmartArtAndBoundData_TextRead()
    {
        // Word draws a chart from its part's cached labels and SmartArt from its data part, and
        // fills bound content controls from custom XML: their text is read, where it is.
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        const string a = "http://schemas.openxmlformats.org/drawingml/2006/main";
        byte[] docx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body><w:p><w:r><w:t>Report</w:t></w:r></w:p></w:body></w:document>")),
            ("word/charts/chart1.xml", Encoding.UTF8.GetBytes("<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\"><c:chart><c:plotArea><c:barChart><c:ser><c:cat><c:strRef><c:strCache>"
                + "<c:pt idx=\"0\"><c:v>Alice Marsh AB123456C</c:v></c:pt><c:pt idx=\"1\"><c:v>Bob Stone CE654321A</c:v></c:pt></c:strCache></c:strRef></c:cat></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>")),
            ("word/diagrams/data1.xml", Encoding.UTF8.GetBytes($"<dgm:dataModel xmlns:dgm=\"http://schemas.openxmlformats.org/drawingml/2006/diagram\" xmlns:a=\"{a}\"><dgm:ptLst>"
                + "<dgm:pt modelId=\"1\"><dgm:t><a:p><a:r><a:t>Carol Dean, DOB </a:t></a:r><a:r><a:t>01/02/1990</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>")),
            ("word/diagrams/_rels/data1.xml.rels", Encoding.UTF8.GetBytes("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"/>")),
            ("customXml/item1.xml", Encoding.UTF8.GetBytes("<people><person><name>Dan Lee</name><ni>JG 12 34 56 A</ni></person><person><name>Eve Ray</name><ni>JG 65 43 21 B</ni></person></people>")),
            ("customXml/itemProps1.xml", Encoding.UTF8.GetBytes("<ds:datastoreItem xmlns:ds=\"http://schemas.openxmlformats.org/officeDocument/2006/customXml\" ds:itemID=\"{0}\"/>")),
        ]);

        RecordingSink sink = Extract.Run(docx, "report.docx");

        Assert.Contains(sink.Texts, t => t.Location.FileName == "report.docx > word/charts/chart1.xml" && t.Text == "Alice Marsh AB123456C\nBob Stone CE654321A\n");
        Assert.Contains(sink.Texts, t => t.Location.FileName == "report.docx > word/diagrams/data1.xml" && t.Text == "Carol Dean, DOB 01/02/1990\n");
        var bound = Assert.Single(sink.Tables, t => t.Location.FileName == "report.docx > customXml/item1.xml");
        Assert.Equal(["Dan Lee", "JG 12 34 56 A"], bound.RowTexts(1).Take(2));
        Assert.DoesNotContain(sink.Texts, t => t.Location.FileName!.Contains("itemProps", StringComparison.Ordinal));
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Extract_DocxAltChunk_ReadAsAnAttachmentOfItsOwn()
    {
        // Converters write HTML into a .docx as an alternative format chunk; Word renders it in place.
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        const string r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        byte[] docx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/_rels/document.xml.rels", Encoding.UTF8.GetBytes($"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId2\" Type=\"{r}/aFChunk\" Target=\"afchunk.htm\"/></Relationships>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\" xmlns:r=\"{r}\"><w:body><w:p><w:r><w:t>Report</w:t></w:r></w:p><w:altChunk r:id=\"rId2\"/></w:body></w:document>")),
            ("word/afchunk.htm", Encoding.UTF8.GetBytes("<html><body><table><tr><th>Name</th><th>NI number</th></tr><tr><td>Alice Marsh</td><td>AB123456C</td></tr></table></body></html>")),
        ]);

        RecordingSink sink = Extract.Run(docx, "report.docx");

        var table = Assert.Single(sink.Tables);
        Assert.Equal("report.docx > word/afchunk.htm", table.Location.FileName);
        Assert.Equal(["Alice Marsh", "AB123456C"], table.RowTexts(1));
        Assert.Contains("Report", sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_DocxTableInsideACell_ReadAsATableOfItsOwn()
    {
        // A report's appendix: a one-column layout table whose second cell holds the people table.
        var inner = WordTable(Enumerable.Range(0, 12).Select(i => new[] { $"Person {i}", $"0{1 + (i % 9)}/03/1987", $"AB{100000 + i}C" }).Prepend(["Name", "Date of birth", "NI number"]));
        var outer = $"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Appendix A</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>Above the list</w:t></w:r></w:p>{inner}<w:p><w:r><w:t>Below the list</w:t></w:r></w:p></w:tc></w:tr></w:tbl>";

        RecordingSink sink = Extract.Run(DocxWithBody($"<w:p><w:r><w:t>Report</w:t></w:r></w:p>{outer}"), "report.docx");

        Assert.Equal(2, sink.Tables.Count);
        Assert.All(sink.Tables, t => Assert.True(t.Completed));
        var people = sink.Tables.Single(t => t.Rows.Count == 13);
        Assert.Equal(["Person 2", "03/03/1987", "AB100002C"], people.RowTexts(3));
        Assert.Equal("table 2", people.Location.Sheet);

        // The outer cell keeps its own paragraphs, not the inner table's.
        var layout = sink.Tables.Single(t => t != people);
        Assert.Equal(["Appendix A"], layout.RowTexts(0));
        Assert.Equal(["Above the list\nBelow the list"], layout.RowTexts(1));
    }

    [Fact]
    public void Extract_DocxTablesNestedPastTheLimit_FlattenedIntoTheirCell()
    {
        // Eight tables deep are tables; a ninth inside them is text of its cell, not a crash or a table.
        string table = WordTable([["deepest", "AB123456C"]]);
        for (int i = 0; i < ExtractionLimits.MaxNestedTables; i++)
        {
            table = $"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>level {ExtractionLimits.MaxNestedTables - i}</w:t></w:r></w:p>{table}</w:tc></w:tr></w:tbl>";
        }

        RecordingSink sink = Extract.Run(DocxWithBody(table), "deep.docx");

        Extract.AssertNestedPastTheLimit(sink, "AB123456C");
    }

    [Fact]
    public void Extract_DocxEndingInsideNestedTables_CompletesThemWithTheirRows()
    {
        // A part cut short inside two open tables: the rows read are kept, both tables complete.
        var body = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>outer</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Name</w:t></w:r></w:p></w:tc></w:tr>";
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        byte[] docx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body>{body}")),
        ]);

        RecordingSink sink = Extract.Run(docx, "cut.docx");

        Assert.Equal(2, sink.Tables.Count);
        Assert.All(sink.Tables, t => Assert.True(t.Completed));
        Assert.Contains(sink.Tables, t => t.Rows.Count == 1 && t.RowTexts(0)[0] == "Name");
    }

    [Fact]
    public void Extract_ObjectEmbeddedInAnOpenDocument_ReadWithIt()
    {
        const string ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"";
        static string Row(params string[] cells) => "<table:table-row>" + string.Concat(cells.Select(c => $"<table:table-cell><text:p>{c}</text:p></table:table-cell>")) + "</table:table-row>";
        byte[] odt = Zips.Of(new (string, byte[], System.IO.Compression.CompressionLevel)[]
        {
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text"), System.IO.Compression.CompressionLevel.NoCompression),
            ("content.xml", Encoding.UTF8.GetBytes($"<office:document-content {ns}><office:body><office:text><text:p>See below.</text:p></office:text></office:body></office:document-content>"), System.IO.Compression.CompressionLevel.Optimal),
            ("Object 1/content.xml", Encoding.UTF8.GetBytes($"<office:document-content {ns}><office:body><office:spreadsheet><table:table>{Row("Name", "NI number")}{Row("Tom Lowe", "AB123456C")}</table:table></office:spreadsheet></office:body></office:document-content>"), System.IO.Compression.CompressionLevel.Optimal),
        });

        RecordingSink sink = Extract.Run(odt, "letter.odt");

        var table = Assert.Single(sink.Tables);
        Assert.Equal("letter.odt > Object 1/content.xml", table.Location.FileName);
        Assert.Equal(["Tom Lowe", "AB123456C"], table.Rows[1].Cells.Select(c => c.Text));
    }

    [Fact]
    public void Extract_TruncatedXlsx_ReportsCorrupt()
    {
        byte[] bytes = Fixtures.Bytes("people.xlsx");
        RecordingSink sink = Extract.Run(bytes[..(bytes.Length / 2)], "people.xlsx");
        var (_, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Corrupt, reason);
    }

    [Fact]
    public void Extract_PasswordProtectedXlsx_ReportsPasswordProtected()
    {
        byte[] bytes = CompoundFileWriter.Build("EncryptionInfo", "EncryptedPackage");
        RecordingSink sink = Extract.Run(bytes, "salaries.xlsx");
        var (_, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.PasswordProtected, reason);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_EncryptedPdf_ReportsPasswordProtected()
    {
        RecordingSink sink = Extract.Fixture("letter-encrypted.pdf");
        var (_, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.PasswordProtected, reason);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_Doc_EmitsTextWithTableCellsAsTabs()
    {
        RecordingSink sink = Extract.Fixture("letter.doc");
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Mismatches);
        string text = sink.AllText;
        Assert.Contains("Dear Ms Marsh,\n", text);
        Assert.Contains("Date of birth 14/03/1987.", text);
        Assert.Contains("12 Cardigan Road, Leeds LS6 3QT", text);
        Assert.Contains("Oliver Marsh\t02/05/2012", text);
        Assert.Contains("Please call 0113 496 0123", text);
    }

    [Fact]
    public void Extract_WordDocumentStreamEmpty_ReportsCorrupt()
    {
        byte[] bytes = CompoundFileWriter.Build("WordDocument", "1Table");
        RecordingSink sink = Extract.Run(bytes, "letter.doc");
        Assert.Equal(UnscannableReason.Corrupt, Assert.Single(sink.Unscannable).Reason);
    }

    [Theory]
    [InlineData("dd/mm/yyyy", true)]
    [InlineData("yyyy\\-mm\\-dd", true)]
    [InlineData("[$-809]d mmmm yyyy;@", true)]
    [InlineData("mmm-yy", true)]
    [InlineData("h:mm", false)]
    [InlineData("[h]:mm:ss", false)]
    [InlineData("0.00", false)]
    [InlineData("\"day\" 0", false)]
    [InlineData("#,##0;[Red]-#,##0", false)]
    public void IsDateFormatCode_Code_Expected(string code, bool expected) =>
        Assert.Equal(expected, XlsxExtractor.IsDateFormatCode(code));

    [Theory]
    [InlineData(31850, 1987, 3, 14)]
    [InlineData(1, 1900, 1, 1)]
    [InlineData(59, 1900, 2, 28)]
    [InlineData(61, 1900, 3, 1)]
    public void SerialToDate_Serial1900_Expected(double serial, int y, int m, int d) =>
        Assert.Equal(new DateTime(y, m, d), XlsxExtractor.SerialToDate(serial, date1904: false));

    [Fact]
    public void SerialToDate_EveryWholeDay_AsTheMillisecondRounding()
    {
        // Whole serials take a short path; every one of them (1900-03-01 to 9999-12-31) must be the
        // day the general path (rounded milliseconds from the epoch) gives, and so must fractions.
        var epoch = new DateTime(1899, 12, 30);
        for (int serial = 61; serial <= 2_958_465; serial++)
        {
            var expected = epoch.AddMilliseconds(Math.Round(serial * 86_400_000d));
            Assert.Equal(expected, XlsxExtractor.SerialToDate(serial, date1904: false));
        }

        Assert.Equal(epoch.AddMilliseconds(Math.Round(45000.5 * 86_400_000d)), XlsxExtractor.SerialToDate(45000.5, date1904: false));
        Assert.Equal(new DateTime(1904, 1, 2), XlsxExtractor.SerialToDate(1, date1904: true));
        Assert.Null(XlsxExtractor.SerialToDate(2_958_466, date1904: false));
    }
}
