using System.Text.Json;
using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.Host.Tests.Inspection;

/// <summary>
/// `mailguard scan --json` with the shipped default policy over ../shared/corpus/dlp: every
/// positive flagged for its labelled reason, every negative passed. The only corpus-specific
/// input is the organisation's own domains, which the corpus README states, given as ordinary
/// configuration on the command line.
/// </summary>
public sealed class DlpCorpusTests
{
    private readonly ITestOutputHelper _output;

    public DlpCorpusTests(ITestOutputHelper output) => _output = output;

    [SharedCorpusFact("dlp")]
    public void Scan_DlpCorpus_MatchesLabels()
    {
        using var labels = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.DlpCorpus, "labels.json")));
        var args = new List<string> { "scan", RepoPaths.DlpCorpus, "--json" };
        int i = 0;
        foreach (var d in labels.RootElement.GetProperty("internal_domains").EnumerateArray())
        {
            args.Add($"--Policy:InternalDomains:{i++}={d.GetString()}");
        }

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Cli.Run(args.ToArray(), stdout, stderr));
        var results = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => Path.GetFileName(r.GetProperty("file").GetString()!), r => r);

        int tp = 0, fp = 0, tn = 0, fn = 0;
        var problems = new List<string>();
        foreach (var m in labels.RootElement.GetProperty("messages").EnumerateArray())
        {
            string file = m.GetProperty("file").GetString()!;
            bool expectFlag = m.GetProperty("verdict").GetString() == "flag";
            string category = m.GetProperty("category").GetString()!;
            Assert.True(results.TryGetValue(file, out var r), $"no scan result for {file}");
            bool flagged = r.GetProperty("flagged").GetBoolean();
            string? reason = Reason(r);
            _output.WriteLine($"{file} {category,-26} -> {r.GetProperty("action").GetString(),-8} {reason}");
            if (expectFlag && flagged)
            {
                tp++;
                if (reason != category)
                {
                    problems.Add($"{file}: flagged as {reason}, labelled {category}");
                }
            }
            else if (flagged)
            {
                fp++;
                problems.Add($"{file}: clean mail flagged ({reason})");
            }
            else if (expectFlag)
            {
                fn++;
                problems.Add($"{file}: {category} not flagged");
            }
            else
            {
                tn++;
            }
        }

        double precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        _output.WriteLine($"precision {precision:P1} recall {recall:P1} (tp {tp}, fp {fp}, tn {tn}, fn {fn})");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // The labelled category the verdict corresponds to: which rule decided, and where its evidence was.
    private static string? Reason(JsonElement result)
    {
        string? rule = result.GetProperty("rule").GetString();
        var findings = result.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("rule").GetString() == rule).ToList();
        if (findings.Any(f => f.GetProperty("kind").GetString() == "exposed-recipients"))
        {
            return "exposed-recipients";
        }

        var personal = findings.FirstOrDefault(f => f.GetProperty("kind").GetString() is "personal-data" or "uk-nino" or "uk-nhs-number");
        if (personal.ValueKind == JsonValueKind.Object)
        {
            // Body text is located by part path ("/", "/1"); attachments by file name.
            string location = personal.GetProperty("location").GetString()!;
            return location.StartsWith('/') ? "personal-data-body" : "personal-data-attachment";
        }

        return rule;
    }
}
