using System.Globalization;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

internal static class Extract
{
    public static readonly ContentLocation Root = new("/2", "attachment");

    /// <summary>
    /// Tables nested past <see cref="ExtractionLimits.MaxNestedTables"/>: exactly that many are
    /// tables, all completed, and the deepest one's <paramref name="value"/> is in a cell of one
    /// of them (flattened into it), not lost.
    /// </summary>
    public static void AssertNestedPastTheLimit(RecordingSink sink, string value)
    {
        Assert.Equal(ExtractionLimits.MaxNestedTables, sink.Tables.Count);
        Assert.All(sink.Tables, t => Assert.True(t.Completed));
        Assert.Contains(sink.Tables, t => t.Rows.Any(r => r.Cells.Any(c => c.Text.Contains(value, StringComparison.Ordinal))));
    }

    public static RecordingSink Run(byte[] bytes, string? fileName = null, string? contentType = null, ExtractionLimits? limits = null, bool seekable = false, EmbeddedMessageHandler? onMessage = null)
    {
        var sink = new RecordingSink();
        Stream stream = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(new MemoryStream(bytes));
        ContentExtractor.Extract(stream, fileName, contentType, Root with { FileName = fileName ?? "attachment" }, sink, limits ?? new ExtractionLimits(), CancellationToken.None, onMessage);
        return sink;
    }

    public static RecordingSink Fixture(string name, string? fileName = null, string? contentType = null) =>
        Run(Fixtures.Bytes(name), fileName ?? name, contentType);
}

/// <summary>Hostile variants of a document for tests that read it two ways and compare.</summary>
internal static class Mutations
{
    /// <summary>
    /// <paramref name="document"/> with bytes deleted, doubled or replaced (by
    /// <paramref name="replacement"/>) at random places; with <paramref name="tailBytes"/>, half the
    /// places are within the last that many bytes (a zip's directory and end record).
    /// </summary>
    public static byte[] Apply(Random random, byte[] document, int mutations, Func<Random, byte> replacement, int tailBytes = 0)
    {
        var bytes = new List<byte>(document);
        for (int m = mutations; m > 0 && bytes.Count > 1; m--)
        {
            int at = tailBytes > 0 && random.Next(2) == 0
                ? Math.Max(0, bytes.Count - 1 - random.Next(Math.Min(tailBytes, bytes.Count)))
                : random.Next(bytes.Count);
            switch (random.Next(3))
            {
                case 0:
                    bytes.RemoveAt(at);
                    break;
                case 1:
                    bytes.Insert(at, bytes[at]);
                    break;
                default:
                    bytes[at] = replacement(random);
                    break;
            }
        }

        return [.. bytes];
    }
}

/// <summary>Zips made by System.IO.Compression, as most producers make them.</summary>
internal static class Zips
{
    /// <summary>A zip of <paramref name="members"/> in order, each at its own compression level.</summary>
    public static byte[] Of(IEnumerable<(string Name, byte[] Content, System.IO.Compression.CompressionLevel Level)> members)
    {
        var output = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, level) in members)
            {
                using Stream stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }

    /// <summary>A zip of <paramref name="members"/> in order, all at <paramref name="level"/>.</summary>
    public static byte[] Of(IEnumerable<(string Name, byte[] Content)> members, System.IO.Compression.CompressionLevel level = System.IO.Compression.CompressionLevel.Optimal) =>
        Of(members.Select(m => (m.Name, m.Content, level)));
}

/// <summary>Workbooks built by hand: the minimal package the workbook reader needs.</summary>
internal static class Workbooks
{
    /// <summary>Text for XML or HTML with every character past ASCII written as a numeric reference.</summary>
    public static string CharacterReferences(string text) =>
        string.Concat(text.Select(c => c < 128 ? c.ToString() : $"&#{(int)c};"));

    /// <summary>One sheet, "People", of text cells in shared strings; characters past ASCII written as references.</summary>
    public static byte[] OfRows(IEnumerable<string[]> rows)
    {
        var strings = new List<string>();
        var sheet = new StringBuilder("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
        int r = 0;
        foreach (var row in rows)
        {
            r++;
            sheet.Append(CultureInfo.InvariantCulture, $"<row r=\"{r}\">");
            for (int c = 0; c < row.Length; c++)
            {
                strings.Add(row[c]);
                sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{(char)('A' + c)}{r}\" t=\"s\"><v>{strings.Count - 1}</v></c>");
            }

            sheet.Append("</row>");
        }

        sheet.Append("</sheetData></worksheet>");
        var shared = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            + string.Concat(strings.Select(s => "<si><t>" + CharacterReferences(s) + "</t></si>")) + "</sst>";
        // The parts the reader needs, as the hand-built workbooks of HandBuiltFormatTests have them.
        const string Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        return Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("xl/workbook.xml", Encoding.UTF8.GetBytes($"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"{Rel}\"><sheets><sheet name=\"People\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
            ("xl/_rels/workbook.xml.rels", Encoding.UTF8.GetBytes($"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{Rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"{Rel}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>")),
            ("xl/worksheets/sheet1.xml", Encoding.UTF8.GetBytes(sheet.ToString())),
            ("xl/sharedStrings.xml", Encoding.UTF8.GetBytes(shared)),
        ]);
    }
}

internal static class Pdfs
{
    /// <summary>A PDF of these objects, numbered from 1 (the catalog), each with its stream if it has one.</summary>
    public static byte[] Of(IReadOnlyList<(string Body, byte[]? Stream)> objects)
    {
        var pdf = new MemoryStream();
        var offsets = new List<long>();
        void Text(string s) => pdf.Write(Encoding.ASCII.GetBytes(s));
        Text("%PDF-1.4\n");
        foreach (var (body, stream) in objects)
        {
            offsets.Add(pdf.Position);
            Text($"{offsets.Count} 0 obj\n{body}\n");
            if (stream is not null)
            {
                Text("stream\n");
                pdf.Write(stream);
                Text("\nendstream\n");
            }

            Text("endobj\n");
        }

        long xref = pdf.Position;
        Text($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (long offset in offsets)
        {
            Text($"{offset:D10} 00000 n \n");
        }

        Text($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }
}
