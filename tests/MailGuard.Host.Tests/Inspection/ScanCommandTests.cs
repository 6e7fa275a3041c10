using System.Text;
using System.Text.Json;

namespace MailGuard.Host.Tests.Inspection;

public sealed class ScanCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailguard-scan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content.ReplaceLineEndings("\r\n"), new UTF8Encoding(false));
        return path;
    }

    private static string Exposed(int n) =>
        "From: Sender <s@corp.example>\nTo: " + string.Join(", ", Enumerable.Range(0, n).Select(i => $"person{i}@ext{i % 7}.example")) +
        "\nSubject: Your application\nDate: Sat, 21 Nov 2026 10:00:00 +0000\n\nDear applicant,\n";

    private static string Csv() =>
        "From: Sender <s@corp.example>\nTo: partner@ext.example\nSubject: extract\nMIME-Version: 1.0\n" +
        "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee attached.\n--b\n" +
        "Content-Type: text/csv; name=people.csv\nContent-Disposition: attachment; filename=people.csv\n\n" +
        "Name,Date of Birth,NI Number\n" + string.Join("\n", Enumerable.Range(0, 8).Select(i => $"Person {(char)('A' + i)} Example,1{i}/03/1980,AB12345{i}C")) + "\n--b--\n";

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int exit = Cli.Run(["scan", .. args, "--Policy:InternalDomains:0=corp.example"], o, e);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public void Scan_Json_OneObjectPerFileWithContractFields()
    {
        Write("a.eml", Exposed(20));
        Write("b.eml", Csv());
        Write("c.eml", "From: s@corp.example\nTo: x@ext.example\nSubject: hello\n\nLunch on Friday?\n");
        var (exit, output, _) = Run(_dir, "--json");
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, lines.Count);
        foreach (var r in lines)
        {
            foreach (string field in new[] { "file", "flagged", "action", "findings", "elapsed_ms" })
            {
                Assert.True(r.TryGetProperty(field, out _), field);
            }
        }

        var exposed = lines[0];
        Assert.True(exposed.GetProperty("flagged").GetBoolean());
        Assert.Equal("hold", exposed.GetProperty("action").GetString());
        var finding = exposed.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("kind").GetString() == "exposed-recipients");
        Assert.Equal(20, finding.GetProperty("count").GetInt32());
        Assert.Equal("exposed-recipients", finding.GetProperty("rule").GetString());
        Assert.All(finding.GetProperty("evidence").EnumerateArray(), e => Assert.Contains("***@", e.GetString(), StringComparison.Ordinal));

        var csv = lines[1];
        Assert.True(csv.GetProperty("flagged").GetBoolean());
        Assert.DoesNotContain("AB123450C", csv.ToString(), StringComparison.Ordinal);
        Assert.Contains(csv.GetProperty("findings").EnumerateArray(), f => f.GetProperty("kind").GetString() == "personal-data" && f.GetProperty("count").GetInt32() == 8);

        Assert.False(lines[2].GetProperty("flagged").GetBoolean());
        Assert.Equal("deliver", lines[2].GetProperty("action").GetString());
    }

    [Fact]
    public void Scan_HumanOutput_TablePerMessageWithMaskedEvidence()
    {
        string file = Write("b.eml", Csv());
        var (exit, output, _) = Run(file);
        Assert.Equal(0, exit);
        Assert.Contains("HOLD", output, StringComparison.Ordinal);
        Assert.Contains("personal-data", output, StringComparison.Ordinal);
        Assert.Contains("people.csv", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AB123450C", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_MissingFile_Exit2AndOtherFilesStillScanned()
    {
        string good = Write("ok.eml", "From: s@corp.example\nTo: x@ext.example\n\nhi\n");
        var (exit, output, err) = Run(good, Path.Combine(_dir, "missing.eml"), "--json");
        Assert.Equal(2, exit);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("missing.eml", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_AuditOnly_DeliversAndSaysWhatWouldHaveHappened()
    {
        string file = Write("a.eml", Exposed(30));
        var (exit, output, _) = Run(file, "--json", "--Policy:AuditOnly=true");
        Assert.Equal(0, exit);
        var r = JsonDocument.Parse(output).RootElement;
        Assert.Equal("tag", r.GetProperty("action").GetString());
        Assert.Equal("hold", r.GetProperty("would_have").GetString());
    }

    [Fact]
    public void Scan_InvalidPolicy_ReportsEveryProblemExit2()
    {
        string file = Write("a.eml", Exposed(3));
        var (exit, _, err) = Run(file, "--Policy:Rules:0:Name=", "--Policy:Rules:9:Name=catch-all", "--Policy:Rules:9:Action=Hold");
        Assert.Equal(2, exit);
        Assert.Contains("Policy:Rules:0:Name is required", err, StringComparison.Ordinal);
        Assert.Contains("'catch-all') has no conditions", err, StringComparison.Ordinal);
    }
}
