using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

public class SniffingTests
{
    private static readonly byte[] _png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 0, 0, 1];

    [Fact]
    public void Extract_XlsxNamedPdf_ReportsMismatchAndStillExtracts()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.xlsx"), "report.pdf", "application/pdf");
        var (_, declared, detected) = Assert.Single(sink.Mismatches);
        Assert.Equal(".pdf", declared);
        Assert.Equal("xlsx", detected);
        Assert.Equal(11, Assert.Single(sink.Tables).Rows.Count);
    }

    [Fact]
    public void Extract_ZipDeclaredAsPdfWithoutName_ReportsMismatchOnContentType()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.zip"), null, "application/pdf");
        var (_, declared, detected) = Assert.Single(sink.Mismatches);
        Assert.Equal("application/pdf", declared);
        Assert.Equal("zip", detected);
    }

    [Fact]
    public void Extract_CsvLabelledVndMsExcel_IsNotAMismatch()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.csv"), null, "application/vnd.ms-excel");
        Assert.Empty(sink.Mismatches);
        Assert.Single(sink.Tables);
    }

    [Theory]
    [InlineData("{\"name\": \"Amy\"}", null, null, ContentFormat.Json)]
    [InlineData("[{\"name\": \"Amy\"}]", null, null, ContentFormat.Json)]
    [InlineData("  [[\"Name\", \"DOB\"]]", null, null, ContentFormat.Json)]
    [InlineData("[1, 2]", "numbers.json", null, ContentFormat.Json)]
    [InlineData("{}", null, "application/geo+json", ContentFormat.Json)]
    [InlineData("[1] See the attached note.", null, null, ContentFormat.PlainText)]
    [InlineData("[Section]\nkey=value\n", null, null, ContentFormat.PlainText)]
    [InlineData("{greeting} is a placeholder", null, null, ContentFormat.PlainText)]
    [InlineData("<?xml version=\"1.0\"?><Pupils><Pupil/></Pupils>", null, null, ContentFormat.Xml)]
    [InlineData("<?xml version=\"1.0\"?><!-- export --><!DOCTYPE x><x:Pupils xmlns:x=\"urn:x\"/>", null, null, ContentFormat.Xml)]
    [InlineData("<Pupils><Pupil/></Pupils>", "pupils.xml", null, ContentFormat.Xml)]
    [InlineData("<Pupils><Pupil/></Pupils>", null, "application/vnd.example+xml", ContentFormat.Xml)]
    [InlineData("<?xml version=\"1.0\"?><html><body>Hi</body></html>", null, null, ContentFormat.Html)]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE html><h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"/>", null, null, ContentFormat.Html)]
    [InlineData("<html><body>Hi</body></html>", "page.xml", null, ContentFormat.Html)]
    public void Extract_JsonAndXml_ToldFromOtherText(string content, string? fileName, string? contentType, ContentFormat expected)
    {
        var format = ContentExtractor.Extract(new MemoryStream(Encoding.UTF8.GetBytes(content)), fileName, contentType, Extract.Root, new RecordingSink(), new ExtractionLimits(), CancellationToken.None);
        Assert.Equal(expected, format);
    }

    [Fact]
    public void Extract_HtmlNamedTxt_IsNotAMismatch()
    {
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes("<html><body><p>Hello</p></body></html>"), "page.txt");
        Assert.Empty(sink.Mismatches);
        Assert.Equal("Hello\n", sink.AllText);
    }

    [Fact]
    public void Extract_Png_IsIgnoredNotUnscannable()
    {
        RecordingSink sink = Extract.Run(_png, "photo.png", "image/png");
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Texts);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_PngNamedCsv_ReportsMismatch()
    {
        RecordingSink sink = Extract.Run(_png, "people.csv");
        Assert.Equal(("." + "csv", "image"), (sink.Mismatches[0].Declared, sink.Mismatches[0].Detected));
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Extract_UnknownBinary_ReportsUnsupportedFormat()
    {
        byte[] bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0x7F;
        bytes[1] = 0;
        RecordingSink sink = Extract.Run(bytes, "blob.bin");
        Assert.Equal(UnscannableReason.UnsupportedFormat, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_Empty_ReportsNothing()
    {
        RecordingSink sink = Extract.Run([], "empty.txt");
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Texts);
        Assert.Equal(ContentFormat.Empty, ContentExtractor.Extract(new MemoryStream(), null, null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None));
    }

    [Theory]
    [InlineData("people.xlsx", ContentFormat.Xlsx)]
    [InlineData("people.xls", ContentFormat.Xls)]
    [InlineData("people.ods", ContentFormat.Ods)]
    [InlineData("letter.docx", ContentFormat.Docx)]
    [InlineData("letter.doc", ContentFormat.Doc)]
    [InlineData("letter.odt", ContentFormat.Odt)]
    [InlineData("letter.rtf", ContentFormat.Rtf)]
    [InlineData("letter.pdf", ContentFormat.Pdf)]
    [InlineData("people.zip", ContentFormat.Zip)]
    [InlineData("people.csv", ContentFormat.Csv)]
    public void Extract_FixtureWithoutName_DetectsFormatFromBytes(string fixture, ContentFormat expected)
    {
        var sink = new RecordingSink();
        ContentFormat format = ContentExtractor.Extract(new ForwardOnlyStream(new MemoryStream(Fixtures.Bytes(fixture))), null, null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None);
        Assert.Equal(expected, format);
        Assert.Empty(sink.Mismatches);
    }

    [Theory]
    [InlineData("PK\x03\x04garbage that is not a zip at all")]
    [InlineData("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF")]
    [InlineData("\x1f\x8b\x08\x00garbage")]
    [InlineData("{\\rtf1 {\\fonttbl")]
    public void Extract_GarbageWithMagic_ReportsCorruptWithoutThrowing(string content)
    {
        RecordingSink sink = Extract.Run(Encoding.Latin1.GetBytes(content), "x.bin");
        Assert.All(sink.Unscannable, u => Assert.Equal(UnscannableReason.Corrupt, u.Reason));
    }

    [Fact]
    public void Extract_Ole2HeaderOnly_ReportsCorrupt()
    {
        byte[] bytes = CompoundFileWriter.Build("Workbook")[..600];
        RecordingSink sink = Extract.Run(bytes, "x.xls");
        Assert.Equal(UnscannableReason.Corrupt, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_RandomBytesBehindEveryMagic_NeverThrows()
    {
        byte[][] magics =
        [
            "PK\x03\x04"u8.ToArray(), [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "%PDF-1.4\n"u8.ToArray(), [0x1F, 0x8B, 8, 0],
            "{\\rtf1"u8.ToArray(), "<html>"u8.ToArray(), "BEGIN:VCARD\r\n"u8.ToArray(),
        ];
        var random = new Random(7);
        foreach (byte[] magic in magics)
        {
            for (int i = 0; i < 20; i++)
            {
                byte[] bytes = new byte[random.Next(10, 5000)];
                random.NextBytes(bytes);
                magic.CopyTo(bytes, 0);
                var sink = new RecordingSink();
                ContentExtractor.Extract(new MemoryStream(bytes), "x", null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None);
            }
        }
    }
}
