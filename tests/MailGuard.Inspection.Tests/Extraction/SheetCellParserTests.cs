using System.Globalization;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// The one-step cell and shared-string reader must decide exactly what the token-by-token reader
/// decides. Sheets are generated with every shape a producer or an attacker might write (attribute
/// order and quoting, spaces around '=', missing or malformed references, odd styles and types,
/// formulas, rich and preserved inline text, CDATA, entities, line ends, prefixes, white space
/// between cells, texts longer than the one-step limit) and read both ways, at buffer sizes that cut
/// every shape at every byte, and at the default size.
/// </summary>
public class SheetCellParserTests
{
    private const string Ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly bool[] s_dateStyles = [false, true, false, true];
    private static readonly byte[] s_markup = "<>/\"'= &;!?[]-x\r\n"u8.ToArray();

    [Fact]
    public void GeneratedSheets_OneStepAndTokenReaders_SameRowsAtEveryBufferSize()
    {
        var random = new Random(14);
        int simple = 0;
        int refused = 0;
        for (int sheet = 0; sheet < 250; sheet++)
        {
            var (strings, data) = (SharedStrings(random), Sheet(random));
            string expected = Read(strings, data, fast: false, 64 * 1024);
            refused += expected == "refused" ? 1 : 0;
            Assert.Equal(expected, Read(strings, data, fast: true, 64 * 1024));
            foreach (int size in new[] { 8, 9, 13, 17, 31, 64, 100 + random.Next(200) })
            {
                Assert.Equal(expected, Read(strings, data, fast: true, size));
            }

            simple += Encoding.UTF8.GetString(data).Split("<c ").Length;
        }

        Assert.True(simple > 5000, $"only {simple} cells generated");
        Assert.True(refused < 25, $"{refused} of 250 sheets refused: the generator should make sheets a reader accepts");
    }

    [Fact]
    public void MutatedSheets_OneStepAndTokenReaders_AgreeOrBothRefuse()
    {
        // Hostile bytes: generated sheets and shared strings with bytes deleted, doubled or
        // replaced by markup characters. Whatever the token reader makes of them (rows, or a
        // refusal), the one-step reader makes the same; neither throws anything but
        // InvalidDataException. (Found so: "</>" read as an empty tag of length -1, a row inside
        // an unclosed cell, a malformed reference in an attribute the reader does not use.)
        var random = new Random(1401);
        for (int round = 0; round < 600; round++)
        {
            byte[] strings = Mutate(random, SharedStrings(random), random.Next(3));
            byte[] sheet = Mutate(random, Sheet(random), random.Next(1, 6));
            string expected = Read(strings, sheet, fast: false, 64 * 1024);
            Assert.Equal(expected, Read(strings, sheet, fast: true, 64 * 1024));
            Assert.Equal(expected, Read(strings, sheet, fast: true, 9 + random.Next(60)));
        }
    }

    private static byte[] Mutate(Random random, byte[] document, int mutations) =>
        Mutations.Apply(random, document, mutations, r => s_markup[r.Next(s_markup.Length)]);

    [Theory]
    [InlineData("t=\"&#115;\"")]
    [InlineData("t=\" s \"")]
    [InlineData("t=\"s\" s=\"+1\"")]
    [InlineData("t=\"s\" s=\" &#49; \"")]
    public void Cell_TypeAndStyleAsAnXmlReaderReadsThem_SharedStringNotANumber(string attributes)
    {
        // To Excel t="&#115;" and t=" s " are t="s": the cell shows the shared string (here an NI
        // number), not the index 0; a date style written "+1" is style 1.
        byte[] strings = Encoding.UTF8.GetBytes($"<sst xmlns=\"{Ns}\"><si><t>AB123456C</t></si></sst>");
        byte[] sheet = Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{Ns}\"><sheetData><row r=\"1\"><c r=\"A1\" {attributes}><v>0</v></c></row></sheetData></worksheet>");
        foreach (bool fast in new[] { true, false })
        {
            Assert.Equal("0: [AB123456C|Text||]\n", Read(strings, sheet, fast, 64 * 1024));
        }
    }

    [Fact]
    public void Cell_DateStyleWithPlusSign_IsADate()
    {
        byte[] sheet = Encoding.UTF8.GetBytes($"<worksheet xmlns=\"{Ns}\"><sheetData><row><c r=\"A1\" s=\"+1\"><v>45000</v></c></row></sheetData></worksheet>");
        foreach (bool fast in new[] { true, false })
        {
            Assert.StartsWith("0: [2023-03-15|Date|", Read([], sheet, fast, 64 * 1024), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("<c r=\"B7\" s=\"1\" t=\"s\"><v>12</v></c>rest", 35, 1, "SharedString", 1, "12", false)]
    [InlineData("<c t='inlineStr' r='C2'><is><t>Amy &amp; Jo</t></is></c>", 56, 2, "InlineString", 0, "Amy &amp; Jo", true)]
    [InlineData("<c r=\"A1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> x </t></is></c>", 68, 0, "InlineString", 0, " x ", true)]
    [InlineData("<c r=\"AA10\" s=\"3\"/>", 19, 26, "Number", 3, "", false)]
    [InlineData("<c r=\"A1\"></c>", 14, 0, "Number", 0, "", false)]
    [InlineData("<c r=\"XFD1\" s=\"9999999\" t=\"n\"><v>1</v></c>", 42, 16383, "Number", 9999999, "1", false)]
    [InlineData("<c r=\"XFD1\" s=\"10000001\" t=\"n\"><v>1</v></c>", 43, 16383, "Number", 0, "1", false)]
    [InlineData("<c r=\"B2\" s=\"99999999999\"><v>1</v></c>", 38, 1, "Number", 0, "1", false)]
    public void TryParseCell_SimpleShapes_ReadWhole(string xml, int used, int column, string type, int style, string text, bool inline)
    {
        Assert.Equal(used, SheetCellParser.TryParseCell(Encoding.UTF8.GetBytes(xml), out var cell));
        Assert.Equal(column, cell.Column);
        Assert.Equal(type, cell.Type.ToString());
        Assert.Equal(style, cell.Style);
        Assert.Equal(text, Encoding.UTF8.GetString(cell.Text));
        Assert.Equal(inline, cell.Inline);
    }

    [Theory]
    [InlineData("<c r=\"A1\"><f>B1*2</f><v>4</v></c>")]
    [InlineData("<c r = \"A1\"><v>4</v></c>")]
    [InlineData("<x:c r=\"A1\"><x:v>4</x:v></x:c>")]
    [InlineData("<c r=\"A1\" x14:dy=\"1\"><v>4</v></c>")]
    [InlineData("<c r=\"A1\"><v><![CDATA[4]]></v></c>")]
    [InlineData("<c r=\"A1\">\n<v>4</v>\n</c>")]
    [InlineData("<c r=\"A1\"><v>4</v><!-- x --></c>")]
    [InlineData("<c t=\"inlineStr\"><is><r><t>A</t></r></is></c>")]
    [InlineData("<col min=\"1\"/>")]
    public void TryParseCell_OtherShapes_LeftToTheTokens(string xml) =>
        Assert.Equal(SheetCellParser.NotSimple, SheetCellParser.TryParseCell(Encoding.UTF8.GetBytes(xml), out _));

    [Theory]
    [InlineData(SheetCellParser.MaxSimpleBytes - 1, SheetCellParser.NeedMore)]
    [InlineData(SheetCellParser.MaxSimpleBytes, SheetCellParser.NotSimple)]
    public void TryParseCell_CutAtTheOneStepLimit_ReadsOnBelowItLeavesItToTheTokensAtIt(int windowBytes, int expected)
    {
        // A value whose end is not in a window of MaxSimpleBytes is longer than any simple cell.
        byte[] cell = Encoding.UTF8.GetBytes("<c r=\"A1\" t=\"inlineStr\"><is><t>" + new string('x', 2 * SheetCellParser.MaxSimpleBytes) + "</t></is></c>");
        Assert.Equal(expected, SheetCellParser.TryParseCell(cell.AsSpan(0, windowBytes), out _));
    }

    [Theory]
    [InlineData("10000000", 10_000_000)]
    [InlineData("10000001", 0)]
    [InlineData("99999999999", 0)]
    [InlineData(" +7 ", 7)]
    [InlineData("-1", 0)]
    public void StyleIndex_PastTenMillion_IsNoStyle(string value, int expected) =>
        Assert.Equal(expected, SheetCellParser.StyleIndex(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void TypeOf_EveryOneByteValueAndSomeLonger_AsTheTrimmedToken()
    {
        // One-byte values take a short path; it must read them as the trimmed-token switch does.
        static SheetCellType Token(byte[] t) => Encoding.Latin1.GetString(t).Trim(' ', '\t', '\r', '\n') switch
        {
            "" or "n" => SheetCellType.Number,
            "s" => SheetCellType.SharedString,
            "b" => SheetCellType.Boolean,
            "e" => SheetCellType.Error,
            "d" => SheetCellType.IsoDate,
            "inlineStr" => SheetCellType.InlineString,
            "str" => SheetCellType.FormulaString,
            _ => SheetCellType.Unknown,
        };

        var values = Enumerable.Range(0, 256).Select(b => new[] { (byte)b }).ToList();
        values.AddRange(new[] { "", " s", "s ", " n ", "\tb", "ss", "inlineStr", " str ", "str", "S", "N" }.Select(Encoding.ASCII.GetBytes));
        foreach (byte[] t in values)
        {
            Assert.Equal(Token(t), SheetCellParser.TypeOf(t));
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("7")]
    [InlineData("007")]
    [InlineData("123456789")]
    [InlineData("1234567890")]
    [InlineData("2147483647")]
    [InlineData("2147483648")]
    [InlineData(" 12")]
    [InlineData("12\t")]
    [InlineData("+5")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("1a")]
    [InlineData("1 2")]
    public void SharedStringIndex_AsUtf8ParserReadsTheTrimmedValue(string value)
    {
        byte[] raw = Encoding.ASCII.GetBytes(value);
        var trimmed = raw.AsSpan().Trim(" \t\r\n"u8);
        bool expected = System.Buffers.Text.Utf8Parser.TryParse(trimmed, out int oracle, out int used) && used == trimmed.Length;
        Assert.Equal(expected, XlsxExtractor.TryParseIndex(raw, out int index));
        if (expected)
        {
            Assert.Equal(oracle, index);
        }
    }

    [Fact]
    public void TryParseCell_EveryCut_NeedsMoreNotAWrongAnswer()
    {
        byte[] xml = "<c r=\"B7\" s=\"1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">Amy</t></is></c>"u8.ToArray();
        for (int cut = 0; cut < xml.Length; cut++)
        {
            Assert.Equal(SheetCellParser.NeedMore, SheetCellParser.TryParseCell(xml.AsSpan(0, cut), out _));
        }

        Assert.Equal(xml.Length, SheetCellParser.TryParseCell(xml, out _));
    }

    [Theory]
    [InlineData("<row r=\"12\" spans=\"1:7\" x14ac:dyDescent=\"0.25\"><c", 47, false, 12)]
    [InlineData("<row>", 5, false, 0)]
    [InlineData("<row r='3'/>", 12, false, 3)]
    [InlineData("<row r=\"0\">", 11, false, 0)]
    [InlineData("<row r=\"4\" r=\"9\">", 17, false, 4)]
    [InlineData("</row><row", 6, true, 0)]
    [InlineData("<row r=\"3\" / >", 14, false, 3)]
    [InlineData("<row r=\"3\" x=\"a > b\" r=\"5\" hidden>", 34, false, 3)]
    [InlineData("<row r=\"3\" x='a > \"b'>", 22, false, 3)]
    public void TryParseRowTag_SimpleShapes_ReadWhole(string xml, int used, bool end, long number)
    {
        Assert.Equal(used, SheetCellParser.TryParseRowTag(Encoding.UTF8.GetBytes(xml), out bool isEnd, out long n));
        Assert.Equal((end, number), (isEnd, n));
    }

    [Theory]
    [InlineData("<row r=\"&#51;\">")]
    [InlineData("<row r=\" 3\">")]
    [InlineData("<row r=\"+3\">")]
    [InlineData("<row r = \"3\">")]
    [InlineData("<row x:r=\"3\">")]
    [InlineData("<x:row r=\"3\">")]
    [InlineData("<rows r=\"3\">")]
    [InlineData("</row >")]
    [InlineData("<c r=\"A1\"/>")]
    public void TryParseRowTag_OtherShapes_LeftToTheTokens(string xml) =>
        Assert.Equal(SheetCellParser.NotSimple, SheetCellParser.TryParseRowTag(Encoding.UTF8.GetBytes(xml), out _, out _));

    [Fact]
    public void TryParseRowTag_EveryCut_NeedsMoreNotAWrongAnswer()
    {
        foreach (byte[] xml in new[] { "<row r=\"12\" spans=\"1:7\" x14ac:dyDescent=\"0.25\">"u8.ToArray(), "</row>"u8.ToArray() })
        {
            for (int cut = 0; cut < xml.Length; cut++)
            {
                Assert.Equal(SheetCellParser.NeedMore, SheetCellParser.TryParseRowTag(xml.AsSpan(0, cut), out _, out _));
            }

            Assert.Equal(xml.Length, SheetCellParser.TryParseRowTag(xml, out _, out _));
        }
    }

    // Rows as text: index, then each cell's text, kind, date and number; or the error the reader
    // gave. The same whether the sink takes cells or, as the table analyzer does, ranges.
    private static string Read(byte[] strings, byte[] sheet, bool fast, int bufferSize)
    {
        string cells = Read(strings, sheet, fast, bufferSize, ranges: false);
        Assert.Equal(cells, Read(strings, sheet, fast, bufferSize, ranges: true));
        return cells;
    }

    private static string Read(byte[] strings, byte[] sheet, bool fast, int bufferSize, bool ranges)
    {
        var sink = new RecordingSink { Ranges = ranges };
        try
        {
            XlsxExtractor.ReadSheetPart(sink, new MemoryStream(strings), new MemoryStream(sheet), s_dateStyles, fast, bufferSize);
        }
        catch (InvalidDataException)
        {
            return "refused";
        }

        var text = new StringBuilder();
        foreach (var (index, cells) in sink.Tables.Single().Rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{index}:");
            foreach (var cell in cells)
            {
                text.Append(CultureInfo.InvariantCulture, $" [{cell.Text}|{cell.Kind}|{cell.Date:O}|{cell.Number:R}]");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static byte[] SharedStrings(Random random)
    {
        var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{Ns}\">");
        for (int i = 0; i < 12; i++)
        {
            xml.Append(Pick(random,
                $"<si><t>{Text(random)}</t></si>",
                $"<si><t xml:space=\"preserve\">{Text(random)}</t></si>",
                $"<si><r><rPr><b/></rPr><t>{Text(random)}</t></r><r><t>{Text(random)}</t></r></si>",
                $"<si><t>{Text(random)}</t><rPh sb=\"0\" eb=\"1\"><t>ruby</t></rPh></si>",
                "<si/>",
                "<si><t></t></si>",
                $"\n  <si><t>{Text(random)}</t></si>",
                $"<x:si xmlns:x=\"{Ns}\"><x:t>{Text(random)}</x:t></x:si>",
                $"<si><t><![CDATA[{Text(random)}]]></t></si>",
                $"<si><!-- c --><t>{Text(random)}</t></si>"));
        }

        return Encoding.UTF8.GetBytes(xml.Append("</sst>").ToString());
    }

    private static byte[] Sheet(Random random)
    {
        var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{Ns}\"><cols><col min=\"1\" max=\"3\"/></cols><sheetData>");
        int rows = random.Next(3, 12);
        for (int r = 1; r <= rows; r++)
        {
            int n = r + random.Next(3);
            if (random.Next(10) == 0)
            {
                // A row with no cells, as an empty tag.
                xml.Append(Pick(random, $"<row r=\"{n}\"/>", "<row/>", $"<row r=\"{n}\" spans=\"1:6\" />"));
            }

            xml.Append(Pick(random,
                "<row>",
                $"<row r=\"{n}\" spans=\"1:6\">",
                $"<row r=\"{n}\" spans=\"1:6\">",
                $"<row r=\"{n}\" spans=\"1:6\" x14ac:dyDescent=\"0.25\">",
                $"<row r='{n}' ht=\"15\" customHeight=\"1\">",
                $"<row spans=\"1:6\" r=\"{n}\">",
                $"<row\n r=\"{n}\">",
                $"<row r=\"{n}\" r=\"{n + 5}\">",
                $"<row x:r=\"{n + 5}\" r=\"{n}\">",
                $"<row xmlns:r=\"{Ns}\" r=\"{n}\">",
                $"<x:row xmlns:x=\"{Ns}\" r=\"{n}\">",
                $"<row r = \"{n}\">",
                $"<row r=\"{Pick(random, "0", "+3", " 3", "3 ", "&#51;", "", "x", "0007", "99999999999999999999", "-2")}\">",
                $"<row note=\"a > b\" r=\"{n}\">",
                $"<row r=\"{n}\" note=\"a > b\">",
                $"<row r=\"{n}\" x='\"' hidden>",
                $"<rows r=\"{n}\">"));
            int cells = random.Next(1, 9);
            for (int c = 0; c < cells; c++)
            {
                xml.Append(Pick(random, "", "", "", "\n    ", " "));
                xml.Append(Cell(random, r, c));
            }

            xml.Append(Pick(random, "</row>", "</row>", "</row>", "</row >", "</x:row>", "</rows>", "\n</row>"));
        }

        return Encoding.UTF8.GetBytes(xml.Append("</sheetData></worksheet>").ToString());
    }

    private static string Cell(Random random, int row, int column)
    {
        char q = random.Next(5) == 0 ? '\'' : '"';
        var attributes = new List<string>();
        if (random.Next(6) != 0)
        {
            string reference = Pick(random, $"{(char)('A' + column)}{row}", $"{(char)('A' + column)}{row}", $"A{(char)('A' + column)}{row}", "1A", "");
            attributes.Add($"r={q}{reference}{q}");
        }

        string type = Pick(random, "", "", "n", "s", "s", "inlineStr", "inlineStr", "str", "b", "e", "d", "x", "S", " s ", "&#115;");
        if (type.Length > 0 || random.Next(3) == 0)
        {
            attributes.Add($"t={q}{type}{q}");
        }

        if (random.Next(2) == 0)
        {
            attributes.Add($"s={q}{Pick(random, "0", "1", "2", "3", "12", "-1", "abc", "99999999999", "1x", "+1", " 3 ", "&#49;")}{q}");
        }

        if (random.Next(8) == 0)
        {
            attributes.Add(Pick(random, $"cm={q}1{q}", $"x14ac:dy={q}0.25{q}", $"note={q}a > b{q}"));
        }

        attributes = attributes.OrderBy(_ => random.Next()).ToList();
        string tag = attributes.Count == 0 ? "<c" : "<c " + string.Join(Pick(random, " ", " ", "  ", "\n"), attributes);
        if (random.Next(12) == 0)
        {
            tag = tag.Replace("=", " = ", StringComparison.Ordinal);
        }

        string value = Pick(random, "12", "0", "1", "3", "40", "1.5E3", " 42 ", "-7", "3.14", "1&#48;", "abc", "2024-03-01T00:00:00", "TRUE",
            "123456789012345678", "45000", "45000.5", "", "99");
        string text = Text(random);
        return Pick(random,
            tag + "/>",
            tag + "></c>",
            tag + $"><v>{value}</v></c>",
            tag + $"><v>{value}</v></c>",
            tag + $"><v>{value}</v></c>",
            tag + $"><f>A1*2</f><v>{value}</v></c>",
            tag + $"><is><t>{text}</t></is></c>",
            tag + $"><is><t>{text}</t></is></c>",
            tag + $"><is><t xml:space=\"preserve\">{text}</t></is></c>",
            tag + $"><is><r><t>{text}</t></r><r><t>{Text(random)}</t></r></is></c>",
            tag + $"><v><![CDATA[{value}]]></v></c>",
            tag + $">\n  <v>{value}</v>\n</c>",
            tag + $"><v>{value}</v><!-- c --></c>",
            $"<x:c xmlns:x=\"{Ns}\" r=\"{(char)('A' + column)}{row}\"><x:v>{value}</x:v></x:c>");
    }

    private static string Text(Random random) => Pick(random,
        "Amy Lowe", "O&apos;Sullivan", "Tom &amp; Jo", "AB 12 34 56 C", "line\r\nbreak", " padded ", "Zoë", "&#169; 2024", "a > b", "",
        new string('x', 5000), "LS1 4AB");

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];
}
