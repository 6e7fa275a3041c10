using System.Text;
using MailGuard.Inspection.Extraction;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>The PdfPig-based reader: passwords, the page limit and the decoders' expansion guard.</summary>
public class PdfExtractionTests
{
    [Fact]
    public void Extract_OwnerPasswordOnlyPdf_IsReadLikeThePlainFile()
    {
        // qpdf --encrypt "" owner-secret 256 --extract=n --print=none --modify=none (make-fixtures.sh):
        // no password is needed to open it, so its content leaves the company like any other.
        RecordingSink plain = Extract.Fixture("letter.pdf");
        RecordingSink restricted = Extract.Fixture("letter-owner-password.pdf");
        Assert.Empty(restricted.Unscannable);
        Assert.Contains("Poppy Marsh 19/08/2015", restricted.AllText, StringComparison.Ordinal);
        Assert.Equal(plain.AllText, restricted.AllText);
    }

    [Fact]
    public void Extract_PdfWithUserPassword_SaysSoAndReadsNothing()
    {
        RecordingSink sink = Extract.Fixture("letter-encrypted.pdf");
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.PasswordProtected, reason);
        Assert.Contains("user password", detail, StringComparison.Ordinal);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_PdfAtPageLimit_ReadsEveryPage()
    {
        RecordingSink sink = Extract.Run(Pages(3), "p.pdf", limits: new ExtractionLimits { MaxPdfPages = 3 });
        Assert.Empty(sink.Unscannable);
        Assert.Equal(["Page 1 AB123456C\n", "Page 2 AB123456C\n", "Page 3 AB123456C\n"], sink.Texts.Select(t => t.Text));
    }

    [Fact]
    public void Extract_PdfOnePageOverLimit_ReadsThePagesBeforeAndNamesTheLimit()
    {
        RecordingSink sink = Extract.Run(Pages(4), "p.pdf", limits: new ExtractionLimits { MaxPdfPages = 3 });
        Assert.Equal(["Page 1 AB123456C\n", "Page 2 AB123456C\n", "Page 3 AB123456C\n"], sink.Texts.Select(t => t.Text));
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.TooManyParts, reason);
        Assert.Equal("PDF page limit (3) reached: 1 of 4 pages not read", detail);
    }

    [Fact]
    public void ExtractionLimits_MaxPdfPages_HasAFiniteDefaultAndRejectsZero()
    {
        Assert.Equal(2_000, new ExtractionLimits().MaxPdfPages);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtractionLimits { MaxPdfPages = 0 });
    }

    [Fact]
    public void Extract_PdfRunLengthStreamOverExpandedLimit_StopsOnTheSize()
    {
        // 2 bytes for each 128 of output (§7.4.5): 2 MB of spaces from 32 KB.
        var encoded = new List<byte>();
        for (int i = 0; i < 16_384; i++)
        {
            encoded.AddRange([0x81, (byte)' ']);
        }

        encoded.Add(128);
        byte[] pdf = Pages(1, encoded.ToArray(), "/RunLengthDecode");
        RecordingSink sink = Extract.Run(pdf, "rl.pdf", limits: new ExtractionLimits { MaxTotalExpandedBytes = 1024 * 1024 });
        var (_, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, reason);
    }

    [Fact]
    public void RunLengthDecodedLength_MatchesWhatPdfPigDecodes()
    {
        byte[] encoded = [2, (byte)'a', (byte)'b', (byte)'c', 0xFE, (byte)'x', 0, (byte)'!', 128, 5, 5];
        Memory<byte> decoded = new RunLengthFilter().Decode(encoded, new DictionaryToken(new Dictionary<NameToken, IToken>()), DefaultFilterProvider.Instance, 0);
        Assert.Equal("abcxxx!", Encoding.ASCII.GetString(decoded.Span));
        Assert.Equal(decoded.Length, PdfStreamFilters.RunLengthDecodedLength(encoded));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(5_000)]
    [InlineData(200_000)]
    public void LzwDecodedLength_MatchesWhatPdfPigDecodes(int length)
    {
        // Runs of growing length, so the table fills, the code width grows and the table is cleared.
        var plain = new byte[length];
        for (int i = 0; i < length; i++)
        {
            plain[i] = (byte)('a' + ((i / 7) % 5));
        }

        byte[] encoded = LzwEncode(plain);
        Memory<byte> decoded = new LzwFilter().Decode(encoded, new DictionaryToken(new Dictionary<NameToken, IToken>()), DefaultFilterProvider.Instance, 0);
        Assert.Equal(plain, decoded.ToArray());
        Assert.Equal(length, PdfStreamFilters.LzwDecodedLength(encoded));
    }

    [Fact]
    public void Extract_FilledFormAndComments_ReadWithTheirPage()
    {
        // A viewer shows what was typed into a form's fields and the text of notes; none of it is page content.
        byte[] pdf = FormPages(
            [("Surname", null, "Holt"), ("ni", "National Insurance number", "AB123456C"), ("Empty", null, "")],
            [("Forename", null, "Ben")]);

        RecordingSink sink = Extract.Run(pdf, "form.pdf");

        var first = Assert.Single(sink.Texts, t => t.Location.Page == 1 && t.Text.Contains("Surname", StringComparison.Ordinal));
        Assert.Equal("Surname: Holt\nNational Insurance number: AB123456C\nChecked by reception\n", first.Text);
        Assert.Contains(sink.Texts, t => t.Location.Page == 2 && t.Text == "Forename: Ben\nChecked by reception\n");
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Inspect_TwentyFilledForms_TwentyPeople()
    {
        var forms = Enumerable.Range(0, 20).Select(i => new (string, string?, string)[]
        {
            ("Name", null, $"{Detection.TestData.Forename(i)} {Detection.TestData.Surname(i)}"), ("Date of birth", null, Detection.TestData.Dob(i)),
            ("Address", null, $"{i + 1} Mill Lane, Leeds {Detection.TestData.Postcode(i)}"), ("Complaint", null, "Bins not collected"),
        }).ToArray();

        Assert.Equal(20, Assert.Single(Detection.TestData.InspectAttachment("forms.pdf", "application/pdf", FormPages(forms)).Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Theory]
    [InlineData("<< /T (loop) /FT /Tx /V (AB123456C) /Kids [6 0 R 7 0 R] >>", "<< /T (back) /Kids [6 0 R] >>")]
    [InlineData("<< /T (self) /FT /Tx /V (AB123456C) /Kids [6 0 R] >>", "<< /T (unused) >>")]
    public void Extract_FormFieldsThatLoop_ReportedNotFollowed(string field6, string field7)
    {
        // PdfPig follows /Kids by recursion: a loop would overflow the stack and end the process.
        byte[] pdf = FormFieldTree(field6, field7);

        RecordingSink sink = Extract.Run(pdf, "loop.pdf");

        Assert.Contains("Form", sink.AllText, StringComparison.Ordinal);
        Assert.Contains(sink.Unscannable, u => u.Reason == UnscannableReason.Corrupt && u.Detail.Contains("form fields not read", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(PdfExtractor.MaxFieldDepth, true)]
    [InlineData(PdfExtractor.MaxFieldDepth + 1, false)]
    public void Extract_FormFieldsNested_ReadUpTo32Deep(int depth, bool read)
    {
        // A field with kids, each with one kid, the last holding the value.
        var fields = Enumerable.Range(6, depth).Select(n =>
            (n == 5 + depth ? "<< /T (last) /FT /Tx /V (AB123456C)" : $"<< /T (f{n}) /Kids [{n + 1} 0 R]") + (n > 6 ? $" /Parent {n - 1} 0 R >>" : " >>")).ToArray();

        RecordingSink sink = Extract.Run(FormFieldTree(fields), "nested.pdf");

        Assert.Equal(read, sink.AllText.Contains("AB123456C", StringComparison.Ordinal));
        Assert.Equal(!read, sink.Unscannable.Any(u => u.Detail.Contains("form fields not read", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(PdfExtractor.MaxFields - 1, true)]
    [InlineData(PdfExtractor.MaxFields, false)]
    public void Extract_FormFieldsMany_ReadUpTo10000(int kids, bool read)
    {
        // One field and its kids: at most MaxFields fields in all.
        var fields = new[] { $"<< /T (parent) /Kids [{string.Join(" ", Enumerable.Range(7, kids).Select(n => $"{n} 0 R"))}] >>" }
            .Concat(Enumerable.Range(0, kids).Select(i => i == kids - 1 ? "<< /T (last) /FT /Tx /V (AB123456C) /Parent 6 0 R >>" : "<< /T (k) /FT /Tx /Parent 6 0 R >>")).ToArray();

        RecordingSink sink = Extract.Run(FormFieldTree(fields), "many.pdf");

        Assert.Equal(read, sink.AllText.Contains("AB123456C", StringComparison.Ordinal));
        Assert.Equal(!read, sink.Unscannable.Any(u => u.Detail.Contains("form fields not read", StringComparison.Ordinal)));
    }

    /// <summary>Pages with the title "Application form", their filled text fields (name, alternate name, value) and a note.</summary>
    private static byte[] FormPages(params (string Name, string? Alternate, string Value)[][] pages)
    {
        // 1 catalog, 2 pages, 3 font; then per page: page, content, note, then its fields.
        var next = 4;
        var pageObjects = new List<(int Page, int Content, int Note, List<int> Fields)>();
        foreach (var fields in pages)
        {
            var page = next;
            pageObjects.Add((page, page + 1, page + 2, Enumerable.Range(page + 3, fields.Length).ToList()));
            next = page + 3 + fields.Length;
        }

        var objects = new List<(string, byte[]?)>
        {
            ($"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{string.Join(" ", pageObjects.SelectMany(p => p.Fields).Select(f => $"{f} 0 R"))}] >> >>", null),
            ($"<< /Type /Pages /Kids [{string.Join(" ", pageObjects.Select(p => $"{p.Page} 0 R"))}] /Count {pages.Length} >>", null),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", null),
        };
        for (var i = 0; i < pages.Length; i++)
        {
            var (page, content, note, fields) = pageObjects[i];
            byte[] stream = Encoding.ASCII.GetBytes("BT /F1 10 Tf 72 800 Td (Application form) Tj ET");
            var annots = string.Join(" ", fields.Append(note).Select(f => $"{f} 0 R"));
            objects.Add(($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R /Annots [{annots}] >>", null));
            objects.Add(($"<< /Length {stream.Length} >>", stream));
            objects.Add(($"<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /P {page} 0 R /Contents (Checked by reception) >>", null));
            for (var f = 0; f < fields.Count; f++)
            {
                var (name, alternate, value) = pages[i][f];
                objects.Add(($"<< /Type /Annot /Subtype /Widget /FT /Tx /T ({name}){(alternate is null ? "" : $" /TU ({alternate})")} /V ({value}) /Rect [72 {700 - (30 * f)} 300 {720 - (30 * f)}] /P {page} 0 R >>", null));
            }
        }

        return Pdf(objects);
    }

    /// <summary>One page reading "Form" and a form whose fields start at object 6, written as given.</summary>
    private static byte[] FormFieldTree(params string[] fields)
    {
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 10 Tf 72 700 Td (Form) Tj ET");
        return Pdf(new (string, byte[]?)[]
        {
            ("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] >> >>", null), ("<< /Type /Pages /Kids [4 0 R] /Count 1 >>", null),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>", null),
            ($"<< /Length {content.Length} >>", content),
        }.Concat(fields.Select(f => (f, (byte[]?)null))).ToList());
    }

    // One page of text, and a file attached to the document (EmbeddedFiles), its stream as given.
    private static byte[] WithAttachedFile(byte[] stream, string filter)
    {
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 10 Tf 72 700 Td (Quarterly report) Tj ET");
        return Pdf(new (string, byte[]?)[]
        {
            ("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(people.csv) 6 0 R] >> >> >>", null),
            ("<< /Type /Pages /Kids [4 0 R] /Count 1 >>", null),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>", null),
            ($"<< /Length {content.Length} >>", content),
            ("<< /Type /Filespec /F (people.csv) /UF (people.csv) /EF << /F 7 0 R >> >>", null),
            ($"<< /Type /EmbeddedFile {filter} /Length {stream.Length} >>", stream),
        });
    }

    private static byte[] Zlib(byte[] data)
    {
        var output = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Extract_FileAttachedToThePdf_ReadAsAnAttachmentOfItsOwn(bool compressed)
    {
        // A viewer's attachments panel opens it with a click: a CSV inside a PDF is a CSV.
        byte[] csv = Encoding.ASCII.GetBytes("Name,DOB,NI number\nAlice Marsh,14/03/1987,AB123456C\nBrian Cole,02/11/1979,CE654321A\n");
        RecordingSink sink = Extract.Run(compressed ? WithAttachedFile(Zlib(csv), "/Filter /FlateDecode") : WithAttachedFile(csv, ""), "report.pdf");

        Assert.Empty(sink.Unscannable);
        Assert.Contains("Quarterly report", sink.AllText, StringComparison.Ordinal);
        var table = Assert.Single(sink.Tables);
        Assert.Equal("report.pdf > people.csv", table.Location.FileName);
        Assert.Equal(["Alice Marsh", "14/03/1987", "AB123456C"], table.RowTexts(1));
    }

    [Fact]
    public void Extract_FileAttachmentAnnotation_ReportedNotPassedAsRead()
    {
        // Acrobat's "Attach File" comment: a paperclip on the page that opens a file.
        byte[] content = Encoding.ASCII.GetBytes("BT /F1 10 Tf 72 700 Td (Quarterly report) Tj ET");
        byte[] csv = Encoding.ASCII.GetBytes("Name,NI number\nAlice Marsh,AB123456C\n");
        byte[] pdf = Pdf(new (string, byte[]?)[]
        {
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ("<< /Type /Pages /Kids [4 0 R] /Count 1 >>", null),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", null),
            ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R /Annots [6 0 R] >>", null),
            ($"<< /Length {content.Length} >>", content),
            ("<< /Type /Annot /Subtype /FileAttachment /Rect [100 600 120 620] /FS << /Type /Filespec /F (people.csv) /EF << /F 7 0 R >> >> >>", null),
            ($"<< /Type /EmbeddedFile /Length {csv.Length} >>", csv),
        });

        RecordingSink sink = Extract.Run(pdf, "report.pdf");

        var (location, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.UnsupportedFormat, reason);
        Assert.Equal(1, location.Page);
        Assert.Contains("file attachment", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_FileAttachedToThePdfPastTheExpansionRatio_StopsAndSaysSo()
    {
        RecordingSink sink = Extract.Run(WithAttachedFile(Zlib(new byte[50_000_000]), "/Filter /FlateDecode"), "report.pdf");

        Assert.Contains(sink.Unscannable, u => u.Reason is UnscannableReason.ExpansionRatioExceeded or UnscannableReason.ExpandedSizeExceeded);
        Assert.Empty(sink.Tables);
    }

    private static byte[] Pdf(IReadOnlyList<(string Body, byte[]? Stream)> objects) => Pdfs.Of(objects);

    /// <summary>Pages whose text is "Page N AB123456C", or one page with the given encoded content stream.</summary>
    private static byte[] Pages(int count, byte[]? content = null, string? filter = null)
    {
        var objects = new List<(string, byte[]?)>
        {
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ($"<< /Type /Pages /Kids [{string.Join(" ", Enumerable.Range(0, count).Select(i => $"{4 + (2 * i)} 0 R"))}] /Count {count} >>", null),
            ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>", null),
        };
        for (int i = 1; i <= count; i++)
        {
            byte[] page = content ?? Encoding.ASCII.GetBytes($"BT /F1 10 Tf 72 700 Td (Page {i} AB123456C) Tj ET");
            objects.Add(($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {objects.Count + 2} 0 R >>", null));
            objects.Add(($"<< /Length {page.Length}{(filter is null ? "" : " /Filter " + filter)} >>", page));
        }

        return Pdf(objects);
    }

    /// <summary>LZW as PDF writes it (§7.4.4.2): MSB first, 9 to 12 bits, EarlyChange 1, a clear code when the table is full.</summary>
    private static byte[] LzwEncode(byte[] data)
    {
        var output = new List<byte>();
        int buffer = 0;
        int bits = 0;
        int width = 9;
        void Emit(int code)
        {
            buffer = (buffer << width) | code;
            bits += width;
            while (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }

            buffer &= (1 << bits) - 1;
        }

        var table = new Dictionary<string, int>();
        int next = 258;
        Emit(256);
        string current = "";
        foreach (byte b in data)
        {
            string extended = current + (char)b;
            if (extended.Length == 1 || table.ContainsKey(extended))
            {
                current = extended;
                continue;
            }

            Emit(current.Length == 1 ? current[0] : table[current]);
            table[extended] = next++;
            // The decoder is one entry behind the encoder and widens one code early (EarlyChange 1).
            width = next >= 2048 ? 12 : next >= 1024 ? 11 : next >= 512 ? 10 : 9;
            if (next == 4094)
            {
                Emit(256);
                table.Clear();
                next = 258;
                width = 9;
            }

            current = ((char)b).ToString();
        }

        if (current.Length > 0)
        {
            Emit(current.Length == 1 ? current[0] : table[current]);
        }

        Emit(257);
        if (bits > 0)
        {
            output.Add((byte)(buffer << (8 - bits)));
        }

        return [.. output];
    }
}
