using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using MailGuard.Inspection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Bench;

/// <summary>
/// bench/xlsx-read: how fast a workbook's sheet XML is read into rows, in MB of sheet XML
/// (uncompressed worksheet and shared-strings parts) per CPU second, best of 10, against two
/// references measured in the same run: inflating the same parts only (the floor any reader pays)
/// and reading the inflated XML with a general XmlReader that visits every node and value (what
/// the extractor did before). Rows are taken as ranges, as the table analyzer takes them. Two workbooks: inline strings (bench/scan's xlsx) and shared strings
/// with a title row above the header (as Excel and LibreOffice save them).
/// Usage: dotnet run -c Release --project bench/MailGuard.Bench -- xlsx-read [rows [inline|shared]]
/// (with a workbook named, it is only read 40 times over: for a profiler).
/// </summary>
internal static class XlsxReadBench
{
    private const int Repeat = 10;

    public static int Run(ReadOnlySpan<string> args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        string dir = Path.Combine(Path.GetTempPath(), "mailguard-xlsx-read-bench");
        Directory.CreateDirectory(dir);
        var books = new[]
        {
            ("inline", Path.Combine(dir, $"inline-{rows}.xlsx"), false),
            ("shared", Path.Combine(dir, $"shared-{rows}.xlsx"), true),
        };

        if (args.Length > 1 && args[1] is "inline" or "shared")
        {
            // For a profiler: read one workbook over and over, nothing else.
            string which = args[1];
            string only = books.First(b => b.Item1 == which).Item2;
            byte[] bytes = File.ReadAllBytes(only);
            for (int i = 0; i < 40; i++)
            {
                Extract(bytes);
            }

            return 0;
        }

        Console.WriteLine($"{"workbook",-8} {"sheet XML MB",12} {"cells",10} {"read MB/s",10} {"inflate MB/s",13} {"read-inflate MB/s",18} {"XmlReader MB/s",15} {"vs XmlReader",13}");
        foreach (var (name, path, shared) in books)
        {
            if (!File.Exists(path))
            {
                Write(path, rows, shared);
            }

            byte[] file = File.ReadAllBytes(path);
            long xmlBytes = SheetXmlBytes(file);
            long cells = 0;
            double read = Best(() => cells = Extract(file));
            double inflate = Best(() => Inflate(file));
            double xmlReader = Best(() => ReadWithXmlReader(file));
            double mb = xmlBytes / 1e6;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-8} {mb,12:F1} {cells,10} {mb / read,10:F0} {mb / inflate,13:F0} {mb / (read - inflate),18:F0} {mb / xmlReader,15:F0} {xmlReader / read,12:F2}x"));
        }

        Console.WriteLine("read = ContentExtractor on the .xlsx (inflate + sheet XML to rows, a sink that keeps nothing); inflate = the same parts inflated only;");
        Console.WriteLine("read-inflate = sheet XML parsed to rows per CPU second net of inflating; XmlReader = inflate + XmlReader over every node (the old reader's floor). CPU time, best of 10.");
        return 0;
    }

    private static double Best(Action action)
    {
        action();
        double best = double.MaxValue;
        using var self = Process.GetCurrentProcess();
        for (int i = 0; i < Repeat; i++)
        {
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime;
            action();
            self.Refresh();
            best = Math.Min(best, (self.TotalProcessorTime - cpu).TotalSeconds);
        }

        return best;
    }

    private static bool IsSheetXml(ZipArchiveEntry e) =>
        e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) || e.FullName == "xl/sharedStrings.xml";

    private static long SheetXmlBytes(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        return zip.Entries.Where(IsSheetXml).Sum(e => e.Length);
    }

    private static long Extract(byte[] file)
    {
        var sink = new CountingSink();
        ContentExtractor.Extract(new MemoryStream(file), "book.xlsx", null, new ContentLocation("/", "book.xlsx"), sink, new ExtractionLimits(), CancellationToken.None);
        return sink.Cells;
    }

    private static void Inflate(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        foreach (var e in zip.Entries.Where(IsSheetXml))
        {
            using var s = e.Open();
            s.CopyTo(Stream.Null);
        }
    }

    private static void ReadWithXmlReader(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        foreach (var e in zip.Entries.Where(IsSheetXml))
        {
            using var reader = XmlReader.Create(e.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
            long n = 0;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    n += reader.GetAttribute("r")?.Length ?? 0;
                }
                else if (reader.NodeType == XmlNodeType.Text)
                {
                    n += reader.Value.Length;
                }
            }

            GC.KeepAlive(n);
        }
    }

    // Invented people: name, NI number, date of birth (a styled serial), postcode, status.
    private static void Write(string path, int rows, bool shared)
    {
        const string Ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        string[] first = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Grace", "Leo"];
        string[] last = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright"];
        string[] status = ["Settled", "Pre-settled", "Leave to remain", "Refused", "Pending"];
        const string Letters = "ABCEGHJKLMNPRSTWXYZ";
        var rng = new Random(5);
        var strings = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        void Entry(string name, string content)
        {
            using var s = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
            s.Write(content);
        }

        Entry("[Content_Types].xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
        Entry("xl/workbook.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{Ns}\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"People\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        Entry("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            + "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>");
        Entry("xl/styles.xml", $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"{Ns}\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>");
        using (var sheet = new StreamWriter(zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open(), new UTF8Encoding(false)))
        {
            sheet.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet xmlns=\"{Ns}\"><sheetData>");
            void Text(int r, int c, string text)
            {
                string reference = (char)('A' + c) + r.ToString(CultureInfo.InvariantCulture);
                if (!shared)
                {
                    sheet.Write($"<c r=\"{reference}\" t=\"inlineStr\"><is><t>{System.Security.SecurityElement.Escape(text)}</t></is></c>");
                    return;
                }

                if (!index.TryGetValue(text, out int i))
                {
                    index[text] = i = strings.Count;
                    strings.Add(text);
                }

                sheet.Write($"<c r=\"{reference}\" t=\"s\"><v>{i}</v></c>");
            }

            int rowNo = 1;
            if (shared)
            {
                sheet.Write("<row r=\"1\">");
                Text(1, 0, "People export");
                sheet.Write("</row>");
                rowNo = 3;
            }

            sheet.Write($"<row r=\"{rowNo}\">");
            string[] header = ["Name", "NI number", "Date of birth", "Postcode", "Status"];
            for (int c = 0; c < header.Length; c++)
            {
                Text(rowNo, c, header[c]);
            }

            sheet.Write("</row>");
            for (int i = 0; i < rows; i++)
            {
                int r = rowNo + 1 + i;
                sheet.Write($"<row r=\"{r}\" spans=\"1:5\">");
                Text(r, 0, first[rng.Next(10)] + " " + last[rng.Next(10)]);
                Text(r, 1, $"{Letters[rng.Next(Letters.Length)]}{Letters[rng.Next(Letters.Length)]}{rng.Next(0, 1_000_000):D6}{"ABCD"[rng.Next(4)]}");
                sheet.Write($"<c r=\"C{r}\" s=\"1\"><v>{15000 + rng.Next(25_000)}</v></c>");
                Text(r, 3, $"LS{rng.Next(1, 28)} {rng.Next(1, 10)}{(char)('A' + rng.Next(26))}{(char)('A' + rng.Next(26))}");
                Text(r, 4, status[rng.Next(5)]);
                sheet.Write("</row>");
            }

            sheet.Write("</sheetData></worksheet>");
        }

        if (shared)
        {
            using var sst = new StreamWriter(zip.CreateEntry("xl/sharedStrings.xml", CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
            sst.Write($"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<sst xmlns=\"{Ns}\" count=\"{strings.Count}\" uniqueCount=\"{strings.Count}\">");
            foreach (string s in strings)
            {
                sst.Write($"<si><t>{System.Security.SecurityElement.Escape(s)}</t></si>");
            }

            sst.Write("</sst>");
        }
    }

    // Takes rows as the table analyzer does once it has decided the columns: as ranges.
    private sealed class CountingSink : IContentSink, ISpanTableSink
    {
        public long Cells { get; private set; }

        public void OnText(ContentLocation location, string text)
        {
        }

        public ITableSink BeginTable(ContentLocation location) => this;

        public void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail) =>
            throw new InvalidOperationException($"{reason}: {detail}");

        public void OnTypeMismatch(ContentLocation location, string declared, string detected)
        {
        }

        public void OnRow(long rowIndex, IReadOnlyList<Cell> cells) => Cells += cells.Count;

        public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields) => Cells += fields.Length;

        public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed) => Cells += fields.Length;

        public void Complete()
        {
        }
    }
}
