using System.Diagnostics;
using System.Text;
using MailGuard.Inspection.Extraction;
using Xunit.Abstractions;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>The tesseract (and pdftoppm) found on this machine, detected once for all tests.</summary>
internal static class Ocr
{
    private static readonly Lazy<OcrDetection> s_detection = new(() => OcrEngine.Detect());
    private static readonly Lazy<OcrEngine> s_engine = new(() => new OcrEngine(s_detection.Value));

    public static OcrDetection Detection => s_detection.Value;

    /// <summary>The shared engine; under CI=true a missing tesseract fails here rather than skipping.</summary>
    public static OcrEngine Engine => s_engine.Value;
}

/// <summary>
/// A fact that needs tesseract (and, with <c>pdf: true</c>, pdftoppm). Without them the test is
/// skipped with the reason shown, except under CI=true, where a missing program must fail.
/// </summary>
internal sealed class RequiresOcrFactAttribute : FactAttribute
{
    public RequiresOcrFactAttribute(bool pdf = false)
    {
        if (MailGuard.Testing.RepoPaths.IsCi)
        {
            return;
        }

        if (!Ocr.Detection.Available)
        {
            Skip = Ocr.Detection.Problem + "; runs in CI";
        }
        else if (pdf && Ocr.Detection.PdftoppmPath is null)
        {
            Skip = "pdftoppm not installed (apt-get install poppler-utils); runs in CI";
        }
    }
}

/// <summary>Issue 11 §2: screenshots of tables of people are read with OCR; logos are not findings.</summary>
public sealed class OcrTests
{
    private readonly ITestOutputHelper _output;

    public OcrTests(ITestOutputHelper output) => _output = output;

    private static IReadOnlyList<Finding> Findings(byte[] bytes, string name, ExtractionLimits limits)
    {
        var analyzer = new MailGuard.Inspection.Detection.ContentAnalyzer();
        ContentExtractor.Extract(new MemoryStream(bytes), name, null, new ContentLocation("/2", name), analyzer, limits, CancellationToken.None);
        return analyzer.Findings;
    }

    [RequiresOcrFact]
    public void Extract_ScreenshotOfPeopleTable_FindsPersonalDataAndNino()
    {
        var limits = new ExtractionLimits { ImageText = Ocr.Engine };
        var watch = Stopwatch.StartNew();
        var findings = Findings(Fixtures.Bytes("people-table.png"), "screenshot.png", limits);
        _output.WriteLine($"OCR of a 875 x 479 px screenshot: {watch.ElapsedMilliseconds} ms ({Ocr.Detection.TesseractVersion})");
        ArchiveLimitFindingsTests.AssertPeopleFound(findings);
        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.Unscannable);
        var personal = Assert.Single(findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.True(personal.Count >= 8, $"{personal.Count} people: {personal.Summary}");
    }

    [RequiresOcrFact]
    public void Extract_JpegScreenshotInsideZip_FindsPersonalData()
    {
        var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream s = zip.CreateEntry("shots/people.jpg").Open();
            s.Write(Fixtures.Bytes("people-table.jpg"));
        }

        var findings = Findings(ms.ToArray(), "shots.zip", new ExtractionLimits { ImageText = Ocr.Engine });
        ArchiveLimitFindingsTests.AssertPeopleFound(findings);
    }

    [RequiresOcrFact(pdf: true)]
    public void Extract_ImageOnlyPdfPage_IsOcred()
    {
        byte[] pdf = ImageOnlyPdf(Fixtures.Bytes("people-table.jpg"), 875, 479);
        var watch = Stopwatch.StartNew();
        var findings = Findings(pdf, "scan.pdf", new ExtractionLimits { ImageText = Ocr.Engine });
        _output.WriteLine($"render + OCR of an image-only PDF page: {watch.ElapsedMilliseconds} ms");
        ArchiveLimitFindingsTests.AssertPeopleFound(findings);
        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.Unscannable);
    }

    [Fact]
    public void Extract_ImageOnlyPdfWithoutOcr_StaysUnscannable()
    {
        RecordingSink sink = Extract.Run(ImageOnlyPdf(Fixtures.Bytes("people-table.jpg"), 875, 479), "scan.pdf");
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.UnsupportedFormat, reason);
        Assert.Contains("no extractable text", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ImageOnlyPdfPageOcrFails_IsUnscannable()
    {
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Failed, "", "renderer crashed"));
        RecordingSink sink = Extract.Run(ImageOnlyPdf(Fixtures.Bytes("people-table.jpg"), 875, 479), "scan.pdf", limits: new ExtractionLimits { ImageText = reader });
        Assert.Equal(1, reader.PdfPages);
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Corrupt, reason);
        Assert.Contains("PDF page 1 (an image of 875 x 479 px) could not be OCRed: renderer crashed", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_PicturesInsideOfficeDocuments_AreOcred()
    {
        // A screenshot of a spreadsheet pasted into a Word document, a workbook or a LibreOffice
        // document is shown when the file is opened: read as the same picture attached is.
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Read, "Name NI number\nAmy Holt AB123456C\n", ""));
        var limits = new ExtractionLimits { ImageText = reader };
        byte[] shot = Fixtures.Bytes("people-table.png");
        const string w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        byte[] docx = Zips.Of(
        [
            ("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")),
            ("word/document.xml", Encoding.UTF8.GetBytes($"<w:document xmlns:w=\"{w}\"><w:body><w:p><w:r><w:t>See below.</w:t></w:r></w:p></w:body></w:document>")),
            ("word/media/image1.png", shot),
        ]);
        using var workbook = new MemoryStream();
        workbook.Write(Workbooks.OfRows([["Month", "Total"], ["May", "12"]]));
        using (var zip = new System.IO.Compression.ZipArchive(workbook, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            using Stream s = zip.CreateEntry("xl/media/image1.png").Open();
            s.Write(shot);
        }

        byte[] odt = Zips.Of(
        [
            ("mimetype", Encoding.ASCII.GetBytes("application/vnd.oasis.opendocument.text")),
            ("content.xml", Encoding.UTF8.GetBytes("<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"/>")),
            ("Pictures/10000000000003A0000001E0.png", shot),
        ]);

        foreach (var (bytes, name, picture) in new[] { (docx, "report.docx", "word/media/image1.png"), (workbook.ToArray(), "totals.xlsx", "xl/media/image1.png"), (odt, "report.odt", "Pictures/10000000000003A0000001E0.png") })
        {
            RecordingSink sink = Extract.Run(bytes, name, limits: limits);
            Assert.Contains(sink.Texts, t => t.Location.FileName == $"{name} > {picture}" && t.Text.Contains("AB123456C", StringComparison.Ordinal));
            Assert.Empty(sink.Unscannable);
        }

        Assert.Equal(3, reader.Images);
    }

    [Fact]
    public void Extract_SmallLogo_IsNotOcredAndNotAFinding()
    {
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Failed, "", "must not be called"));
        RecordingSink sink = Extract.Run(Fixtures.Bytes("logo.png"), "logo.png", "image/png", new ExtractionLimits { ImageText = reader });
        Assert.Equal(0, reader.Images);
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_LargeImageAtTheThreshold_IsOcredAndOneBelowIsNot()
    {
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Read, "nothing here", ""));
        var limits = new ExtractionLimits { ImageText = reader, OcrMinBytes = 0 };
        Extract.Run(PngHeader(300, 100), "a.png", limits: limits);
        Assert.Equal(1, reader.Images);
        Extract.Run(PngHeader(299, 100), "b.png", limits: limits);
        Extract.Run(PngHeader(300, 99), "c.png", limits: limits);
        Assert.Equal(1, reader.Images);
    }

    [Fact]
    public void Extract_TinyByteImage_IsNotOcred()
    {
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Read, "", ""));
        Extract.Run(PngHeader(2000, 2000, bytes: 1000), "flat.png", limits: new ExtractionLimits { ImageText = reader });
        Assert.Equal(0, reader.Images);
    }

    [Theory]
    [InlineData(ImageTextStatus.TimedOut, UnscannableReason.TimeBudgetExceeded)]
    [InlineData(ImageTextStatus.Busy, UnscannableReason.TimeBudgetExceeded)]
    [InlineData(ImageTextStatus.Failed, UnscannableReason.Corrupt)]
    public void Extract_LargeImageOcrNotDone_IsUnscannable(ImageTextStatus status, UnscannableReason expected)
    {
        var reader = new FakeReader(new ImageTextResult(status, "", "because"));
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people-table.png"), "screenshot.png", limits: new ExtractionLimits { ImageText = reader });
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(expected, reason);
        Assert.StartsWith("image 875 x 479 px ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ImageWithoutOcrEngine_IsNotAFinding()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people-table.png"), "screenshot.png", "image/png");
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_ImageOverPixelLimit_IsUnscannableWithoutOcr()
    {
        var reader = new FakeReader(new ImageTextResult(ImageTextStatus.Read, "", ""));
        RecordingSink sink = Extract.Run(PngHeader(100_000, 100_000), "bomb.png", limits: new ExtractionLimits { ImageText = reader, OcrMinBytes = 0 });
        Assert.Equal(0, reader.Images);
        Assert.Contains("OCR pixel limit (50,000,000 px)", Assert.Single(sink.Unscannable).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void OcrEngine_Detect_MissingConfiguredPath_SaysWhy()
    {
        var detection = OcrEngine.Detect("/nonexistent/tesseract");
        Assert.False(detection.Available);
        Assert.Equal("tesseract not found at /nonexistent/tesseract", detection.Problem);
        Assert.Throws<ArgumentException>(() => new OcrEngine(detection));
    }

    [Fact]
    public async Task OcrEngine_RecogniserPastItsTimeLimit_IsKilled()
    {
        using var fake = new SlowTesseract();
        using var engine = new OcrEngine(OcrEngine.Detect(fake.Path), maxConcurrency: 1);
        var watch = Stopwatch.StartNew();
        var reading = Task.Run(() => engine.ReadImage(Fixtures.Bytes("people-table.png"), TimeSpan.FromSeconds(2), CancellationToken.None));
        fake.WaitUntilSleeping(); // the child to be killed with it exists
        var result = await reading;
        Assert.Equal(ImageTextStatus.TimedOut, result.Status);
        Assert.True(watch.ElapsedMilliseconds < 10_000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.True(fake.SleeperGone(), "the recogniser's child process outlived the kill");
    }

    [Fact]
    public async Task OcrEngine_AllSlotsBusy_AnswersBusyWithinTheQueueTimeout()
    {
        using var fake = new SlowTesseract();
        using var engine = new OcrEngine(OcrEngine.Detect(fake.Path), maxConcurrency: 1, queueTimeout: TimeSpan.FromMilliseconds(300));
        var first = Task.Run(() => engine.ReadImage("x"u8.ToArray(), TimeSpan.FromSeconds(5), CancellationToken.None));
        fake.WaitUntilSleeping(); // the first read holds the only slot
        var watch = Stopwatch.StartNew();
        var second = engine.ReadImage("y"u8.ToArray(), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ImageTextStatus.Busy, second.Status);
        Assert.True(watch.ElapsedMilliseconds < 3000, $"waited {watch.ElapsedMilliseconds} ms");
        Assert.Equal(ImageTextStatus.TimedOut, (await first).Status);
    }

    [Fact]
    public void OcrEngine_FailingRecogniser_IsFailedWithItsMessage()
    {
        using var fake = new SlowTesseract("echo 'Error in pixReadMem: Unknown format' >&2; exit 1");
        using var engine = new OcrEngine(OcrEngine.Detect(fake.Path));
        var result = engine.ReadImage("not an image"u8.ToArray(), TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ImageTextStatus.Failed, result.Status);
        Assert.Contains("Unknown format", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("people-table.png", 875, 479)]
    [InlineData("people-table.jpg", 875, 479)]
    [InlineData("logo.png", 120, 40)]
    public void ImageInfo_ReadsSizeFromFixtures(string fixture, int width, int height)
    {
        Assert.True(ImageInfo.TryGetSize(Fixtures.Bytes(fixture), out int w, out int h));
        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void ImageInfo_ReadsGifBmpTiffAndWebP()
    {
        byte[] gif = [.. "GIF89a"u8, 0x20, 0x03, 0xC8, 0x00];
        byte[] bmp = new byte[26];
        "BM"u8.CopyTo(bmp);
        BitConverter.TryWriteBytes(bmp.AsSpan(14), 40);
        BitConverter.TryWriteBytes(bmp.AsSpan(18), 640);
        BitConverter.TryWriteBytes(bmp.AsSpan(22), -480);
        byte[] tiff = [.. "II*\0"u8, 8, 0, 0, 0, 2, 0, 0, 1, 3, 0, 1, 0, 0, 0, 0x00, 0x04, 0, 0, 1, 1, 4, 0, 1, 0, 0, 0, 0x00, 0x03, 0, 0];
        byte[] webp = [.. "RIFF\0\0\0\0WEBPVP8X"u8, 10, 0, 0, 0, 0, 0, 0, 0, 0x1F, 0x03, 0, 0x57, 0x02, 0];
        Assert.True(ImageInfo.TryGetSize(gif, out int w, out int h) && (w, h) == (800, 200));
        Assert.True(ImageInfo.TryGetSize(bmp, out w, out h) && (w, h) == (640, 480));
        Assert.True(ImageInfo.TryGetSize(tiff, out w, out h) && (w, h) == (1024, 768));
        Assert.True(ImageInfo.TryGetSize(webp, out w, out h) && (w, h) == (800, 600));
    }

    /// <summary>A PNG signature and IHDR chunk claiming the given size, padded to <paramref name="bytes"/> (no pixel data).</summary>
    private static byte[] PngHeader(int width, int height, int bytes = 2048)
    {
        byte[] png = new byte[bytes];
        ((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R']).CopyTo(png);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    /// <summary>One page whose only content is a JPEG (DCTDecode) drawn over the whole page: a scan.</summary>
    internal static byte[] ImageOnlyPdf(byte[] jpeg, int width, int height)
    {
        byte[] content = Encoding.ASCII.GetBytes($"q {width * 72 / 150} 0 0 {height * 72 / 150} 0 0 cm /Im1 Do Q");
        return Pdfs.Of(
        [
            ("<< /Type /Catalog /Pages 2 0 R >>", null),
            ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", null),
            ($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width * 72 / 150} {height * 72 / 150}] /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>", null),
            ($"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {jpeg.Length} >>", jpeg),
            ($"<< /Length {content.Length} >>", content),
        ]);
    }

    internal sealed class FakeReader : IImageTextReader
    {
        private readonly ImageTextResult _result;

        public FakeReader(ImageTextResult result) => _result = result;

        public int Images { get; private set; }

        public int PdfPages { get; private set; }

        public ImageTextResult ReadImage(ReadOnlyMemory<byte> image, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Images++;
            return _result;
        }

        public ImageTextResult ReadPdfPage(ReadOnlyMemory<byte> pdf, int pageNumber, TimeSpan timeout, CancellationToken cancellationToken)
        {
            PdfPages++;
            return _result;
        }
    }

    /// <summary>
    /// A stand-in tesseract (a shell script in a private temp folder) that answers start-up's
    /// --version and --list-langs like the real one and then does <c>behaviour</c>: by default
    /// it sleeps in a child process, so a timeout must kill the whole process tree.
    /// </summary>
    private sealed class SlowTesseract : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mailguard-fake-ocr-");

        public SlowTesseract(string behaviour = "sleep 30 & echo $! > \"$(dirname \"$0\")/sleep.pid\"; cat > /dev/null; wait")
        {
            Path = System.IO.Path.Combine(_dir.FullName, "tesseract");
            File.WriteAllText(Path, $"""
                #!/bin/sh
                case "$1" in
                  --version) echo "tesseract 9.9 (stand-in)"; exit 0 ;;
                  --list-langs) printf 'List of available languages (1):\neng\n'; exit 0 ;;
                esac
                {behaviour}
                """);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string Path { get; }

        /// <summary>Waits until the stand-in has started its sleeping child (it wrote the child's pid).</summary>
        public int WaitUntilSleeping()
        {
            string pidFile = System.IO.Path.Combine(_dir.FullName, "sleep.pid");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
                {
                    return pid;
                }

                Assert.True(DateTime.UtcNow < deadline, "the stand-in recogniser never started its child");
                Thread.Sleep(20);
            }
        }

        /// <summary>Whether the sleeping child is gone (or a zombie) within a few seconds: the proof that a kill reached the whole tree.</summary>
        public bool SleeperGone()
        {
            int pid = WaitUntilSleeping();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline)
            {
                string stat = $"/proc/{pid}/stat";
                if (!File.Exists(stat) || File.ReadAllText(stat).Contains(") Z ", StringComparison.Ordinal))
                {
                    return true;
                }

                Thread.Sleep(20);
            }

            return false;
        }

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
