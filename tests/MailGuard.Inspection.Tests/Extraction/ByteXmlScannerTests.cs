using System.IO.Compression;
using System.Text;
using System.Xml;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// The byte scanner that reads sheet data and shared strings, checked against .NET's XmlReader on
/// the same documents (elements and text in order), with buffers small enough that every token
/// crosses a refill, and through whole workbooks written the ways producers write them.
/// </summary>
public class ByteXmlScannerTests
{
    private const string Ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    public static TheoryData<string> Documents() => new(s_sources);

    private static readonly string[] s_sources =
    [
        $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet xmlns=\"{Ns}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>",
        $"<x:worksheet xmlns:x=\"{Ns}\"><x:sheetData><x:row r='2'><x:c r='B2' t='inlineStr'><x:is><x:t>Tom &amp; Jo &lt;3 &#169; &#x263A;</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>",
        $"<worksheet xmlns=\"{Ns}\"><!-- a > comment <c> --><sheetData><row><c t=\"str\" note=\"a > b\"><v><![CDATA[AB <123456> C]]></v></c></row><?pi skip?></sheetData></worksheet>",
        $"<worksheet xmlns=\"{Ns}\">\n  <sheetData>\n    <row r=\"1\" spans=\"1:2\">\n      <c r=\"A1\"/>\n      <c r=\"B1\" s=\"3\">\n        <v>42</v>\n      </c>\n    </row>\n  </sheetData>\n</worksheet>",
        $"<sst xmlns=\"{Ns}\" count=\"2\"><si><t xml:space=\"preserve\"> Amy\r\nLowe </t></si><si><r><rPr><b/></rPr><t>Bold</t></r><rPh sb=\"0\" eb=\"1\"><t>ruby</t></rPh></si><si/></sst>",
    ];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Next_SmallBuffers_SameElementsAndTextAsXmlReader(string document)
    {
        var expected = ReadWithXmlReader(document);
        foreach (int size in new[] { 4, 7, 64 * 1024 })
        {
            Assert.Equal(expected, ReadWithScanner(Encoding.UTF8.GetBytes(document), size));
        }
    }

    [Fact]
    public void DecodeTo_TextWithoutReferences_AsUtf8Reads()
    {
        // Text with no reference and no CR decodes into a caller's buffer as into a string, as
        // UTF-8 reads it, invalid bytes included (each as U+FFFD, never more chars than bytes).
        byte[] alphabet = [(byte)'a', (byte)'Z', (byte)'0', (byte)' ', (byte)'<', (byte)'\n', 0x7F, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xFF, 0x80];
        var random = new Random(1406);
        for (int round = 0; round < 3000; round++)
        {
            byte[] raw = new byte[random.Next(0, 41)];
            bool ascii = random.Next(2) == 0;
            for (int i = 0; i < raw.Length; i++)
            {
                raw[i] = alphabet[random.Next(ascii ? 7 : alphabet.Length)];
            }

            char[] destination = new char[raw.Length];
            int written = ByteXmlScanner.DecodeTo(raw, destination);
            Assert.Equal(Encoding.UTF8.GetString(raw), new string(destination, 0, written));
            Assert.Equal(Encoding.UTF8.GetString(raw), ByteXmlScanner.Decode(raw));
        }
    }

    [Fact]
    public void Next_Utf16Part_TranscodedToTheSameTokens()
    {
        string document = s_sources[1];
        var expected = ReadWithXmlReader(document);
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(document)];
        Assert.Equal(expected, ReadWithScanner(utf16, 16));
        byte[] bigEndian = [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(document)];
        Assert.Equal(expected, ReadWithScanner(bigEndian, 16));
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>")]
    [InlineData("<x>&undefined;</x>")]
    [InlineData("<x><c r=\"A1")]
    public void Next_DtdUndefinedEntityOrCutTag_Refused(string document)
    {
        Assert.Throws<InvalidDataException>(() => ReadWithScanner(Encoding.UTF8.GetBytes(document), 8));
    }

    [Fact]
    public void OneStepCells_EveryBufferSize_SameValuesAsTokenByToken()
    {
        // Cells the one-step path reads, a formula cell and a CDATA value it must leave to the
        // tokens, and (with small buffers) cells cut by every possible refill boundary.
        const string Sheet = "<sheetData><row><c r=\"A1\"><v>12</v></c><c r=\"B1\" t=\"s\"><v>3</v></c><c r=\"C1\"><f>A1*2</f><v>24</v></c>"
            + "<c r=\"D1\"><v><![CDATA[7]]></v></c><c r=\"E1\"><v>1.5E3</v></c></row></sheetData>";
        byte[] document = Encoding.UTF8.GetBytes(Sheet);
        var expected = new[] { "12", "3", "24", "7", "1.5E3" };
        for (int size = 8; size <= 64; size++)
        {
            Assert.Equal(expected, CellValues(document, size));
        }

        Assert.Equal(expected, CellValues(document, 64 * 1024));
    }

    // The value of every <c>, read as XlsxExtractor does: in one step when it can, else token by token.
    private static List<string> CellValues(byte[] document, int bufferSize)
    {
        using var xml = new ByteXmlScanner(new MemoryStream(document), bufferSize);
        var values = new List<string>();
        bool inValue = false;
        while (true)
        {
            int used = SheetCellParser.ReadCell(xml, out var simple);
            if (used > 0)
            {
                values.Add(Encoding.UTF8.GetString(simple.Text));
                xml.Advance(used);
                continue;
            }

            var token = xml.Next();
            if (token == XmlToken.None)
            {
                break;
            }

            if (token is XmlToken.StartTag or XmlToken.EndTag && xml.LocalName.SequenceEqual("v"u8))
            {
                inValue = token == XmlToken.StartTag;
            }
            else if (token == XmlToken.Text && inValue)
            {
                values.Add(Encoding.UTF8.GetString(xml.RawText));
            }
        }

        return values;
    }

    [Fact]
    public void TryGetAttribute_MatchesLocalNameNotNamespaceDeclarations()
    {
        using var xml = new ByteXmlScanner(new MemoryStream("<c xmlns:r=\"urn:x\" x:r=\"B7\" s = '2' t=\"s\"/>"u8.ToArray()));
        Assert.Equal(XmlToken.EmptyTag, xml.Next());
        Assert.True(xml.TryGetAttribute("r"u8, out var r));
        Assert.Equal("B7", Encoding.UTF8.GetString(r));
        Assert.True(xml.TryGetAttribute("s"u8, out var s));
        Assert.Equal("2", Encoding.UTF8.GetString(s));
        Assert.False(xml.TryGetAttribute("v"u8, out _));
    }

    [Fact]
    public void Extract_XlsxWithPrefixesSharedStringsAndUtf16Sheet_ReadsEveryCell()
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string xml, Encoding? encoding = null)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), encoding ?? new UTF8Encoding(false));
                writer.Write(xml);
            }

            Add("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            Add("xl/workbook.xml", $"<x:workbook xmlns:x=\"{Ns}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:sheets>"
                + "<x:sheet name=\"People\" sheetId=\"1\" r:id=\"rId1\"/><x:sheet name=\"Wide\" sheetId=\"2\" r:id=\"rId2\"/></x:sheets></x:workbook>");
            Add("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
                + "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
            Add("xl/sharedStrings.xml", $"<x:sst xmlns:x=\"{Ns}\"><x:si><x:t>Name</x:t></x:si><x:si><x:t>NI number</x:t></x:si>"
                + "<x:si><x:r><x:t>O&apos;</x:t></x:r><x:r><x:t>Sullivan</x:t></x:r><x:rPh><x:t>o</x:t></x:rPh></x:si></x:sst>");
            Add("xl/worksheets/sheet1.xml", $"<x:worksheet xmlns:x=\"{Ns}\"><x:sheetData>"
                + "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\" t=\"s\"><x:v>1</x:v></x:c></x:row>"
                + "<x:row r=\"2\"><x:c r=\"A2\" t=\"s\"><x:v> 2 </x:v></x:c><x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>AB 12 34 56 C</x:t></x:is></x:c></x:row>"
                + "</x:sheetData></x:worksheet>");
            Add("xl/worksheets/sheet2.xml", $"<?xml version=\"1.0\" encoding=\"UTF-16\"?><worksheet xmlns=\"{Ns}\"><sheetData>"
                + "<row r=\"5\"><c r=\"AA5\" t=\"str\"><v>Zoë &amp; co</v></c></row></sheetData></worksheet>", new UnicodeEncoding(false, true));
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "book.xlsx");
        Assert.Empty(sink.Unscannable);
        Assert.Equal(2, sink.Tables.Count);
        Assert.Equal(["Name", "NI number"], sink.Tables[0].RowTexts(0));
        Assert.Equal(["O'Sullivan", "AB 12 34 56 C"], sink.Tables[0].RowTexts(1));
        Assert.Equal("Wide", sink.Tables[1].Location.Sheet);
        Assert.Equal(4L, sink.Tables[1].Rows[0].Index);
        Assert.Equal("Zoë & co", sink.Tables[1].Rows[0].Cells[26].Text);
    }

    private static List<string> ReadWithXmlReader(string document)
    {
        var tokens = new List<string>();
        var text = new StringBuilder();
        using var reader = XmlReader.Create(new StringReader(document), new XmlReaderSettings { IgnoreComments = true, IgnoreProcessingInstructions = true });
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    Flush(tokens, text);
                    tokens.Add((reader.IsEmptyElement ? "<" + reader.LocalName + "/>" : "<" + reader.LocalName + ">") + Attributes(reader));
                    break;
                case XmlNodeType.EndElement:
                    Flush(tokens, text);
                    tokens.Add("</" + reader.LocalName + ">");
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    text.Append(reader.Value);
                    break;
            }
        }

        Flush(tokens, text);
        return tokens;
    }

    private static string Attributes(XmlReader reader)
    {
        var list = new List<string>();
        foreach (string name in new[] { "r", "t", "s" })
        {
            if (reader.GetAttribute(name) is { } value)
            {
                list.Add(name + "=" + value);
            }
        }

        return string.Join(" ", list);
    }

    private static List<string> ReadWithScanner(byte[] document, int bufferSize)
    {
        var tokens = new List<string>();
        var text = new StringBuilder();
        using var xml = new ByteXmlScanner(new MemoryStream(document), bufferSize);
        while (xml.Next() is var token && token != XmlToken.None)
        {
            switch (token)
            {
                case XmlToken.StartTag or XmlToken.EmptyTag:
                    Flush(tokens, text);
                    var list = new List<string>();
                    foreach (string name in new[] { "r", "t", "s" })
                    {
                        if (xml.TryGetAttribute(Encoding.ASCII.GetBytes(name), out var value))
                        {
                            list.Add(name + "=" + ByteXmlScanner.Decode(value));
                        }
                    }

                    string local = Encoding.UTF8.GetString(xml.LocalName);
                    tokens.Add((token == XmlToken.EmptyTag ? "<" + local + "/>" : "<" + local + ">") + string.Join(" ", list));
                    break;
                case XmlToken.EndTag:
                    Flush(tokens, text);
                    tokens.Add("</" + Encoding.UTF8.GetString(xml.LocalName) + ">");
                    break;
                case XmlToken.Text:
                    text.Append(xml.IsCData ? Encoding.UTF8.GetString(xml.RawText) : ByteXmlScanner.Decode(xml.RawText));
                    break;
            }
        }

        Flush(tokens, text);
        return tokens;
    }

    private static void Flush(List<string> tokens, StringBuilder text)
    {
        if (text.Length > 0)
        {
            tokens.Add("text:" + text);
            text.Clear();
        }
    }
}
