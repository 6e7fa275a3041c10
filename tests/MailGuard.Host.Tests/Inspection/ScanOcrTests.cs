using System.Text;
using System.Text.Json;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Inspection;

/// <summary>Issue 11: `mailguard scan` reads screenshots with tesseract (Inspection:Ocr), and says once when OCR is off.</summary>
public sealed class ScanOcrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailguard-scan-ocr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteScreenshotMessage()
    {
        byte[] png = File.ReadAllBytes(Path.Combine(MailGuard.Testing.RepoPaths.Root, "tests", "MailGuard.Inspection.Tests", "Fixtures", "people-table.png"));
        string message =
            "From: Sender <s@corp.example>\r\nTo: partner@ext.example\r\nSubject: the list\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the screenshot.\r\n--b\r\n" +
            "Content-Type: image/png; name=screenshot.png\r\nContent-Disposition: attachment; filename=screenshot.png\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            Convert.ToBase64String(png, Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n";
        string path = Path.Combine(_dir, "screenshot.eml");
        File.WriteAllText(path, message, new UTF8Encoding(false));
        return path;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int exit = Cli.Run(["scan", .. args, "--json", "--Policy:InternalDomains:0=corp.example"], o, e);
        return (exit, o.ToString(), e.ToString());
    }

    [RequiresToolFact("tesseract")]
    public void Scan_ScreenshotOfPeopleTable_IsHeldForPersonalData()
    {
        var (exit, output, error) = Run(WriteScreenshotMessage());
        Assert.Equal(0, exit);
        Assert.DoesNotContain("OCR is off", error, StringComparison.Ordinal);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("hold", result.GetProperty("action").GetString());
        Assert.Contains(result.GetProperty("findings").EnumerateArray(), f => f.GetProperty("kind").GetString() == "personal-data" && f.GetProperty("count").GetInt32() >= 8);
        Assert.DoesNotContain("AB123456C", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_OcrTurnedOff_SaysWhyOnceAndDoesNotReadPictures()
    {
        var (exit, output, error) = Run(WriteScreenshotMessage(), "--Inspection:Ocr:Enabled=false");
        Assert.Equal(0, exit);
        Assert.Contains("OCR is off, pictures and scanned PDF pages are not read: turned off by Inspection:Ocr:Enabled=false", error, StringComparison.Ordinal);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.DoesNotContain(result.GetProperty("findings").EnumerateArray(), f => f.GetProperty("kind").GetString() == "personal-data");
    }

    [Fact]
    public void Scan_UnknownOcrSetting_IsAnError()
    {
        var (exit, _, error) = Run(WriteScreenshotMessage(), "--Inspection:Ocr:TesseractPth=/usr/bin/tesseract");
        Assert.Equal(2, exit);
        Assert.Contains("Inspection:Ocr:TesseractPth: unknown setting", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_MissingTesseractPath_SaysWhere()
    {
        var (_, _, error) = Run(WriteScreenshotMessage(), "--Inspection:Ocr:TesseractPath=/nonexistent/tesseract");
        Assert.Contains("tesseract not found at /nonexistent/tesseract", error, StringComparison.Ordinal);
    }
}
