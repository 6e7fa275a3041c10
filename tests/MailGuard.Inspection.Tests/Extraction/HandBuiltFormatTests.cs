using System.IO.Compression;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>Small documents written by hand to reach paths the LibreOffice fixtures do not.</summary>
public class HandBuiltFormatTests
{
    private static byte[] OpenDocument(string mimetype, string content)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("mimetype", CompressionLevel.NoCompression).Open()))
            {
                writer.Write(mimetype);
            }

            using (var writer = new StreamWriter(zip.CreateEntry("content.xml").Open()))
            {
                writer.Write(content);
            }
        }

        return ms.ToArray();
    }

    private const string OdsHead = "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
        + "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">"
        + "<office:body><office:spreadsheet><table:table table:name=\"Data\">";

    [Fact]
    public void Extract_OdsRepeatedContentRow_IsCappedAtMaxRepeatedCells()
    {
        string content = OdsHead
            + "<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell office:value-type=\"string\"><text:p>same</text:p></table:table-cell></table:table-row>"
            + "</table:table></office:spreadsheet></office:body></office:document-content>";
        byte[] ods = OpenDocument("application/vnd.oasis.opendocument.spreadsheet", content);
        RecordingSink sink = Extract.Run(ods, "r.ods", limits: new ExtractionLimits { MaxRepeatedCells = 10 });
        Assert.Equal(10, Assert.Single(sink.Tables).Rows.Count);
    }

    [Fact]
    public void Extract_OdsCellsWithoutParagraphs_ReadAsTheyWouldShow()
    {
        // A string value with no paragraph, a formula with no saved result (calculated when the
        // file is opened), a number's formula with its result (the result is the cell), a
        // formula of references only (nothing to read).
        string content = OdsHead
            + "<table:table-row><table:table-cell office:value-type=\"string\" office:string-value=\"Amy Lowe\"/>"
            + "<table:table-cell table:formula=\"of:=CONCATENATE(&quot;AB&quot;;&quot;123456C&quot;)\"/>"
            + "<table:table-cell table:formula=\"of:=&quot;x&quot;&amp;1\" office:value-type=\"float\" office:value=\"7\"/>"
            + "<table:table-cell table:formula=\"of:=[.A1]\"/><table:table-cell office:value-type=\"string\"><text:p>shown</text:p></table:table-cell></table:table-row>"
            + "</table:table></office:spreadsheet></office:body></office:document-content>";
        RecordingSink sink = Extract.Run(OpenDocument("application/vnd.oasis.opendocument.spreadsheet", content), "r.ods");

        Assert.Equal(["Amy Lowe", "AB123456C", "7", "", "shown"], Assert.Single(sink.Tables).Rows[0].Cells.Select(c => c.Text ?? "").ToArray());
    }

    [Fact]
    public void Extract_OdsRepeatedEmptyCells_AreNotMaterialised()
    {
        string content = OdsHead
            + "<table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
            + "<table:table-row><table:table-cell table:number-columns-repeated=\"3\"/><table:table-cell office:value-type=\"date\" office:date-value=\"1987-03-14\"><text:p>14/03/87</text:p></table:table-cell>"
            + "<table:table-cell table:number-columns-repeated=\"16000\"/></table:table-row>"
            + "</table:table></office:spreadsheet></office:body></office:document-content>";
        byte[] ods = OpenDocument("application/vnd.oasis.opendocument.spreadsheet", content);
        RecordingSink sink = Extract.Run(ods, "r.ods");
        var (index, cells) = Assert.Single(Assert.Single(sink.Tables).Rows);
        Assert.Equal(1048575, index);
        Assert.Equal(4, cells.Length);
        Assert.Equal(CellKind.Date, cells[3].Kind);
        Assert.Equal(new DateTime(1987, 3, 14), cells[3].Date);
        Assert.Equal("Data", sink.Tables[0].Location.Sheet);
    }

    [Fact]
    public void Extract_OdsSheetNamesAndDocumentProperties_ReadAsText()
    {
        // The tabs and File > Properties a reader sees: a sheet named with a person's details and
        // a description holding another's are read as text.
        string content = OdsHead.Replace("table:name=\"Data\"", "table:name=\"A Marsh 14-03-1987 AB123456C\"", StringComparison.Ordinal)
            + "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>Notes</text:p></table:table-cell></table:table-row>"
            + "</table:table></office:spreadsheet></office:body></office:document-content>";
        var ms = new MemoryStream();
        ms.Write(OpenDocument("application/vnd.oasis.opendocument.spreadsheet", content));
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("meta.xml").Open());
            writer.Write("<office:document-meta xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                + "<office:meta><dc:title>Notes</dc:title><dc:description>Bob Stone, NI CE 65 43 21 A</dc:description></office:meta></office:document-meta>");
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "r.ods");
        Assert.Contains("A Marsh 14-03-1987 AB123456C\n", sink.AllText);
        Assert.Contains("Bob Stone, NI CE 65 43 21 A\n", sink.AllText);
        Assert.Equal("A Marsh 14-03-1987 AB123456C", Assert.Single(sink.Tables).Location.Sheet);
    }

    [Fact]
    public void Extract_XlsxCellTypes_InlineBooleanFormula1904DatesAndGaps()
    {
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(xml);
            }

            Add("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            Add("xl/workbook.xml", $"<workbook xmlns=\"{ns}\" xmlns:r=\"{rel}\"><workbookPr date1904=\"1\"/><sheets><sheet name=\"Hidden data\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/></sheets></workbook>");
            Add("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/s1.xml\"/>"
                + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/></Relationships>");
            Add("xl/styles.xml", $"<styleSheet xmlns=\"{ns}\"><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>");
            Add("xl/worksheets/s1.xml", $"<worksheet xmlns=\"{ns}\"><sheetData>"
                + "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><r><t>Alice </t></r><r><t>Marsh</t></r></is></c><c r=\"D3\" t=\"b\"><v>1</v></c></row>"
                + "<row r=\"7\"><c r=\"A7\" t=\"str\"><f>UPPER(\"ab\")</f><v>AB123456C</v></c><c r=\"B7\" s=\"1\"><v>30390</v></c><c r=\"C7\"><v>30390</v></c></row>"
                + "</sheetData></worksheet>");
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "book.xlsx");
        Assert.Empty(sink.Unscannable);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("Hidden data", table.Location.Sheet);
        Assert.Equal([2L, 6L], table.Rows.Select(r => r.Index));
        Assert.Equal(["", "Alice Marsh", "", "TRUE"], table.RowTexts(0));
        Assert.Equal(CellKind.Boolean, table.Rows[0].Cells[3].Kind);
        Cell[] second = table.Rows[1].Cells;
        Assert.Equal("AB123456C", second[0].Text);
        // 30390 days after 1904-01-01 in the 1904 date system.
        Assert.Equal(CellKind.Date, second[1].Kind);
        Assert.Equal(new DateTime(1987, 3, 16), second[1].Date);
        Assert.Equal(CellKind.Number, second[2].Kind);
        Assert.Equal(30390, second[2].Number);
    }

    [Fact]
    public void Extract_RtfEscapes_DecodeCodePageAndUnicode()
    {
        string rtf = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}{\\*\\generator Test;}"
            + "Caf\\'e9 \\u8364?5\\par{\\pict\\pngblip 89504e47}Next\\tab line\\par"
            + "\\trowd\\cellx1000\\cellx2000\\pard\\intbl Name\\cell NINO\\cell\\row"
            + "\\trowd\\cellx1000\\cellx2000\\pard\\intbl Alice\\cell AB123456C\\cell\\row\\pard After}";
        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(rtf), "a.rtf");
        Assert.Contains("Café €5\nNext\tline\n", sink.AllText);
        Assert.Contains("After", sink.AllText);
        Assert.DoesNotContain("89504e47", sink.AllText);
        Assert.DoesNotContain("Arial", sink.AllText);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal(["Alice", "AB123456C"], table.RowTexts(1));
    }

    /// <summary>An uncompressed PDF with no xref table and a standard font with /Differences.</summary>
    [Fact]
    public void Extract_PdfWithoutXrefAndSimpleFont_DecodesText()
    {
        string content = "BT /F1 12 Tf 72 720 Td (Alice Marsh) Tj 0 -14 Td [(NI ) -300 (AB123456C)] TJ T* (\\(LS6 3QT\\)) ' <416C6963> Tj ET";
        string pdf = "%PDF-1.4\n"
            + "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            + "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            + "3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >> endobj\n"
            + $"4 0 obj << /Length {content.Length} >> stream\n{content}\nendstream endobj\n"
            + "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [65 /uni0391] >> >> endobj\n"
            + "trailer << /Root 1 0 R >>\n%%EOF\n";
        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(pdf), "x.pdf");
        Assert.Empty(sink.Unscannable);
        // /Differences maps code 65 to U+0391 everywhere, as a reader must.
        Assert.Equal("\u0391lice Marsh\nNI \u0391B123456C\n(LS6 3QT)\u0391lic\n", sink.AllText);
    }

    private static byte[] OnePagePdf(string content, string filter = "", string? encoded = null)
    {
        encoded ??= content;
        string pdf = "%PDF-1.4\n"
            + "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            + "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            + "3 0 obj << /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >> endobj\n"
            + $"4 0 obj << /Length {encoded.Length} {filter} >> stream\n{encoded}\nendstream endobj\n"
            + "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >> endobj\n"
            + "trailer << /Root 1 0 R >>\n%%EOF\n";
        return Encoding.Latin1.GetBytes(pdf);
    }

    private static string Ascii85(byte[] data)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < data.Length; i += 4)
        {
            int n = Math.Min(4, data.Length - i);
            uint value = 0;
            for (int k = 0; k < 4; k++)
            {
                value = (value << 8) | (k < n ? data[i + k] : 0u);
            }

            char[] group = new char[5];
            for (int k = 4; k >= 0; k--)
            {
                group[k] = (char)('!' + (value % 85));
                value /= 85;
            }

            sb.Append(group, 0, n + 1);
        }

        return sb.Append("~>").ToString();
    }

    [Fact]
    public void Extract_PdfCellsOnOneBaseline_StayOnOneLine()
    {
        string content = "BT /F1 10 Tf 72 700 Td (Name) Tj ET BT /F1 10 Tf 200 700 Td (DOB) Tj ET "
            + "BT /F1 10 Tf 72 680 Td (Alice \\223Al\\224 Marsh) Tj ET BT /F1 10 Tf 200 680 Td (14/03/1987) Tj ET";
        RecordingSink sink = Extract.Run(OnePagePdf(content), "t.pdf");
        Assert.Equal("Name DOB\nAlice “Al” Marsh 14/03/1987\n", sink.AllText);
    }

    [Fact]
    public void Extract_PdfAscii85Stream_IsDecoded()
    {
        string content = "BT /F1 10 Tf 72 700 Td (NI AB123456C) Tj ET";
        RecordingSink sink = Extract.Run(OnePagePdf(content, "/Filter /ASCII85Decode", Ascii85(Encoding.ASCII.GetBytes(content))), "a.pdf");
        Assert.Empty(sink.Unscannable);
        Assert.Equal("NI AB123456C\n", sink.AllText);
    }

    [Fact]
    public void Extract_PdfWithoutText_ReportsUnsupported()
    {
        RecordingSink sink = Extract.Run(OnePagePdf("q 100 0 0 100 0 0 cm 0 0 1 rg 0 0 1 1 re f Q"), "scan.pdf");
        Assert.Equal(UnscannableReason.UnsupportedFormat, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_PdfWithEncryptDictionary_ReportsPasswordProtected()
    {
        string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n2 0 obj << /Filter /Standard /V 2 >> endobj\ntrailer << /Root 1 0 R /Encrypt 2 0 R >>\n%%EOF\n";
        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(pdf), "x.pdf");
        Assert.Equal(UnscannableReason.PasswordProtected, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_PdfDeflateBomb_StopsOnRatio()
    {
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            byte[] block = new byte[1 << 20];
            block.AsSpan().Fill((byte)' ');
            for (int i = 0; i < 64; i++)
            {
                z.Write(block);
            }
        }

        byte[] data = compressed.ToArray();
        byte[] head = Encoding.ASCII.GetBytes(
            "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            + "3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
            + $"4 0 obj << /Length {data.Length} /Filter /FlateDecode >> stream\n");
        byte[] tail = Encoding.ASCII.GetBytes("\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
        RecordingSink sink = Extract.Run([.. head, .. data, .. tail], "bomb.pdf");
        Assert.Equal(UnscannableReason.ExpansionRatioExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_DocxWithHeaderAndDeletedText_ReadsHeaderAndDeletion()
    {
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string xml)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(xml);
            }

            Add("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            Add("word/document.xml", $"<w:document xmlns:w=\"{w}\"><w:body><w:p><w:r><w:t xml:space=\"preserve\">Keep </w:t></w:r><w:del><w:r><w:delText>AB123456C</w:delText></w:r></w:del><w:r><w:tab/><w:t>this</w:t></w:r></w:p></w:body></w:document>");
            Add("word/_rels/document.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/></Relationships>");
            Add("word/header1.xml", $"<w:hdr xmlns:w=\"{w}\"><w:p><w:r><w:t>OFFICIAL-SENSITIVE</w:t></w:r></w:p></w:hdr>");
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "d.docx");
        Assert.Empty(sink.Unscannable);
        // A tracked deletion is still in the file, shown by "All Markup": read, apart from its neighbours.
        Assert.Equal("Keep  AB123456C \tthis\nOFFICIAL-SENSITIVE\n", sink.AllText);
    }

    [Fact]
    public void Extract_OdtWithTrackedDeletion_ReadsTheDeletion()
    {
        // LibreOffice keeps a tracked deletion's paragraphs in text:tracked-changes and shows them
        // struck through: read as paragraphs of their own.
        const string ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"";
        string content = $"<office:document-content {ns}><office:body><office:text><text:tracked-changes><text:changed-region text:id=\"c1\">" +
            "<text:deletion><office:change-info/><text:p>AB123456C</text:p></text:deletion></text:changed-region></text:tracked-changes>" +
            "<text:p>Kept<text:change text:change-id=\"c1\"/></text:p></office:text></office:body></office:document-content>";
        byte[] odt = Zips.Of(new (string, byte[], CompressionLevel)[]
        {
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text"), CompressionLevel.NoCompression),
            ("content.xml", Encoding.UTF8.GetBytes(content), CompressionLevel.Optimal),
        });

        RecordingSink sink = Extract.Run(odt, "d.odt");

        Assert.Equal("AB123456C\nKept\n", sink.AllText);
    }

    [Fact]
    public void Extract_OdtPageFooter_Read()
    {
        // A page style's header and footer live in styles.xml, as a Word document's in their own parts.
        const string ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\"";
        byte[] odt = Zips.Of(new (string, byte[], CompressionLevel)[]
        {
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text"), CompressionLevel.NoCompression),
            ("content.xml", Encoding.UTF8.GetBytes($"<office:document-content {ns}><office:body><office:text><text:p>Body</text:p></office:text></office:body></office:document-content>"), CompressionLevel.Optimal),
            ("styles.xml", Encoding.UTF8.GetBytes($"<office:document-styles {ns}><office:master-styles><style:master-page><style:footer><text:p>Ref AB123456C</text:p></style:footer></style:master-page></office:master-styles></office:document-styles>"), CompressionLevel.Optimal),
        });

        var text = Extract.Run(odt, "d.odt").AllText;
        Assert.StartsWith("Body\n", text, StringComparison.Ordinal);
        Assert.EndsWith("Ref AB123456C\n", text, StringComparison.Ordinal);
    }

    private static byte[] OdtWithText(string text)
    {
        const string ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"";
        return Zips.Of(new (string, byte[], CompressionLevel)[]
        {
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text"), CompressionLevel.NoCompression),
            ("content.xml", Encoding.UTF8.GetBytes($"<office:document-content {ns}><office:body><office:text>{text}</office:text></office:body></office:document-content>"), CompressionLevel.Optimal),
        });
    }

    private static string OdfTable(string name, IEnumerable<string[]> rows) =>
        $"<table:table table:name=\"{name}\">" + string.Concat(rows.Select(r => "<table:table-row>" + string.Concat(r.Select(c => $"<table:table-cell><text:p>{c}</text:p></table:table-cell>")) + "</table:table-row>")) + "</table:table>";

    [Fact]
    public void Extract_OdtTableInsideACell_ReadAsATableOfItsOwn()
    {
        // LibreOffice's "insert table" inside a cell of a layout table: the inner one is the list.
        var inner = OdfTable("People", Enumerable.Range(0, 5).Select(i => new[] { $"Person {i}", $"AB{100000 + i}C" }).Prepend(["Name", "NI number"]));
        var outer = $"<table:table table:name=\"Layout\"><table:table-row><table:table-cell><text:p>Appendix</text:p></table:table-cell></table:table-row>" +
            $"<table:table-row><table:table-cell><text:p>Above</text:p>{inner}<text:p>Below</text:p></table:table-cell></table:table-row></table:table>";

        RecordingSink sink = Extract.Run(OdtWithText("<text:p>Report</text:p>" + outer), "report.odt");

        Assert.Equal(2, sink.Tables.Count);
        Assert.All(sink.Tables, t => Assert.True(t.Completed));
        var people = Assert.Single(sink.Tables, t => t.Location.Sheet == "People");
        Assert.Equal(6, people.Rows.Count);
        Assert.Equal(["Person 3", "AB100003C"], people.RowTexts(4));
        Assert.Equal(["Above\nBelow"], Assert.Single(sink.Tables, t => t.Location.Sheet == "Layout").RowTexts(1));
    }

    [Fact]
    public void Extract_OdtTablesNestedPastTheLimit_FlattenedIntoTheirCell()
    {
        string table = OdfTable("deepest", [["AB123456C", "x"]]);
        for (int i = 0; i < 10; i++)
        {
            table = $"<table:table table:name=\"level {10 - i}\"><table:table-row><table:table-cell><text:p>level</text:p>{table}</table:table-cell></table:table-row></table:table>";
        }

        RecordingSink sink = Extract.Run(OdtWithText(table), "deep.odt");

        Extract.AssertNestedPastTheLimit(sink, "AB123456C");
    }

    [Fact]
    public void Extract_HtmlTablesNestedPastTheLimit_FlattenedIntoTheirCell()
    {
        // Mail templates nest tables deeply; past eight open at once, a table is text of its cell.
        string table = "<table><tr><td>Alice Marsh</td><td>AB 12 34 56 C</td></tr></table>";
        for (int i = 0; i < 12; i++)
        {
            table = $"<table><tr><td>a</td><td>{table}</td></tr></table>";
        }

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes($"<html><body>{table}</body></html>"), "body.html");

        Extract.AssertNestedPastTheLimit(sink, "AB 12 34 56 C");
        Assert.Contains("AB 12 34 56 C", sink.AllText, StringComparison.Ordinal);
    }
}
