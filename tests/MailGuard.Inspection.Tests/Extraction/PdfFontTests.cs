using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Pages drawn with fonts whose letters the file cannot name (PdfFonts): read from their
/// picture, or unscannable when OCR is off; pages whose fonts name their letters are not.
/// </summary>
public class PdfFontTests
{
    private const string Differences = "/Encoding << /Type /Encoding /Differences [65 /g1 /g2 /g3] >>";

    // A CMap mapping codes 65-67 to A-C, as a ToUnicode stream.
    private static readonly byte[] s_toUnicode = Encoding.ASCII.GetBytes(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /T def 1 begincodespacerange <00> <FF> endcodespacerange "
        + "1 beginbfrange <41> <43> <0041> endbfrange endcmap CMapName currentdict /CMap defineresource pop end end");

    /// <summary>
    /// A page of text in font F1 (<paramref name="font"/>, object 5; its ToUnicode, if any, object 6;
    /// a Type3 glyph procedure object 7), with the page's resources on it or on the page tree.
    /// </summary>
    private static byte[] PageInFont(string font, bool inherited = false, string otherFonts = "")
    {
        string resources = $"/Resources << /Font << /F1 5 0 R{otherFonts} >> >>";
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 12 Tf 72 700 Td (ABC ABC) Tj ET");
        byte[] glyph = Encoding.ASCII.GetBytes("600 0 0 0 500 700 d1 0 0 500 700 re f");
        return Pdfs.Of(
        [
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ($"<< /Type /Pages /Kids [3 0 R] /Count 1 {(inherited ? resources : "")} >>", null),
            ($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R {(inherited ? "" : resources)} >>", null),
            ($"<< /Length {content.Length} >>", content),
            (font, null),
            ($"<< /Length {s_toUnicode.Length} >>", s_toUnicode),
            ($"<< /Length {glyph.Length} >>", glyph),
        ]);
    }

    [Theory]
    // Standard fonts and encodings, standard glyph names (with suffixes, uniXXXX), or a character map: read as text.
    [InlineData("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", false)]
    [InlineData("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [65 /A /uni0042 /C.sc] >> >>", false)]
    [InlineData("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + Differences + " /ToUnicode 6 0 R >>", false)]
    // Private glyph names without a map, in a simple font or a Type3 font: the picture is read.
    [InlineData("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + Differences + " >>", true)]
    [InlineData("<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] /FirstChar 65 /LastChar 67 /Widths [600 600 600] "
        + Differences + " /CharProcs << /g1 7 0 R /g2 7 0 R /g3 7 0 R >> >>", true)]
    public void Extract_PageInFont_OcredOnlyWhenItsLettersCannotBeNamed(string font, bool ocred)
    {
        foreach (bool inherited in new[] { false, true })
        {
            var reader = new OcrTests.FakeReader(new ImageTextResult(ImageTextStatus.Read, "Amy Holt AB123456C\n", ""));
            RecordingSink sink = Extract.Run(PageInFont(font, inherited), "list.pdf", limits: new ExtractionLimits { ImageText = reader });

            Assert.Equal(ocred ? 1 : 0, reader.PdfPages);
            Assert.Equal(ocred, sink.Texts.Any(t => t.Location.Page == 1 && t.Text.Contains("Amy Holt AB123456C", StringComparison.Ordinal)));
            Assert.Empty(sink.Unscannable);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Extract_PageWithMoreFontsThanLookedAt_Ocred(int past, bool ocred)
    {
        // MaxFonts standard fonts are each looked at; one more and the page is read from its picture.
        string fonts = string.Concat(Enumerable.Range(2, PdfFonts.MaxFonts - 1 + past).Select(i => $" /F{i} 5 0 R"));
        byte[] pdf = PageInFont("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", otherFonts: fonts);
        var reader = new OcrTests.FakeReader(new ImageTextResult(ImageTextStatus.Read, "Amy Holt AB123456C\n", ""));

        Extract.Run(pdf, "list.pdf", limits: new ExtractionLimits { ImageText = reader });

        Assert.Equal(ocred ? 1 : 0, reader.PdfPages);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Extract_UnmappedFontInsideAForm_Ocred(bool unmapped)
    {
        // The page draws a form XObject whose own resources hold the font its text is in.
        string font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + (unmapped ? Differences : "") + " >>";
        byte[] content = Encoding.ASCII.GetBytes("q /Fm1 Do Q");
        byte[] form = Encoding.ASCII.GetBytes("BT /F9 12 Tf 72 700 Td (ABC ABC) Tj ET");
        byte[] pdf = Pdfs.Of(
        [
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Fm1 6 0 R >> >> >>", null),
            ($"<< /Length {content.Length} >>", content),
            (font, null),
            ($"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F9 5 0 R >> >> /Length {form.Length} >>", form),
        ]);
        var reader = new OcrTests.FakeReader(new ImageTextResult(ImageTextStatus.Read, "Amy Holt AB123456C\n", ""));

        RecordingSink sink = Extract.Run(pdf, "list.pdf", limits: new ExtractionLimits { ImageText = reader });

        Assert.Equal(unmapped ? 1 : 0, reader.PdfPages);
        Assert.Empty(sink.Unscannable);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Extract_PageWithMoreResourcesThanLookedAt_Ocred(int past, bool ocred)
    {
        // The page's resources and its forms' are looked at to MaxResources sets; one more and
        // the page is read from its picture.
        int forms = PdfFonts.MaxResources - 1 + past;
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 12 Tf 72 700 Td (ABC ABC) Tj ET");
        byte[] empty = Encoding.ASCII.GetBytes("q Q");
        var objects = new List<(string, byte[]?)>
        {
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << "
                + string.Concat(Enumerable.Range(0, forms).Select(i => $"/Fm{i} {6 + i} 0 R ")) + ">> >> >>", null),
            ($"<< /Length {content.Length} >>", content),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", null),
        };
        objects.AddRange(Enumerable.Range(0, forms).Select(_ => ($"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /ProcSet [/PDF] >> /Length {empty.Length} >>", (byte[]?)empty)));
        var reader = new OcrTests.FakeReader(new ImageTextResult(ImageTextStatus.Read, "Amy Holt AB123456C\n", ""));

        Extract.Run(Pdfs.Of(objects), "list.pdf", limits: new ExtractionLimits { ImageText = reader });

        Assert.Equal(ocred ? 1 : 0, reader.PdfPages);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void Extract_FormsNestedPastTheDepthLookedAt_Ocred(int past, bool ocred)
    {
        // Forms within forms are looked at to MaxFormDepth; one deeper and the page is read from its picture.
        int forms = PdfFonts.MaxFormDepth + past;
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 12 Tf 72 700 Td (ABC ABC) Tj ET");
        byte[] empty = Encoding.ASCII.GetBytes("q Q");
        var objects = new List<(string, byte[]?)>
        {
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Fm 6 0 R >> >> >>", null),
            ($"<< /Length {content.Length} >>", content),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", null),
        };

        // Form i (object 6 + i) draws form i + 1; the last draws none.
        objects.AddRange(Enumerable.Range(0, forms).Select(i => ($"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << "
            + (i + 1 < forms ? $"/XObject << /Fm {7 + i} 0 R >>" : "/ProcSet [/PDF]") + $" >> /Length {empty.Length} >>", (byte[]?)empty)));
        var reader = new OcrTests.FakeReader(new ImageTextResult(ImageTextStatus.Read, "Amy Holt AB123456C\n", ""));

        Extract.Run(Pdfs.Of(objects), "list.pdf", limits: new ExtractionLimits { ImageText = reader });

        Assert.Equal(ocred ? 1 : 0, reader.PdfPages);
    }

    [Fact]
    public void Extract_PageInUnmappedFontWithoutOcr_Unscannable()
    {
        RecordingSink sink = Extract.Run(PageInFont("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + Differences + " >>"), "list.pdf", limits: new ExtractionLimits());

        var (location, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.UnsupportedFormat, reason);
        Assert.Equal(1, location.Page);
        Assert.Equal("PDF page 1 draws text in font F1, which has no character map, and OCR is off", detail);
    }
}
