using System.Net.Http.Headers;
using System.Text.Json;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The check API and `mailguard scan` reach the same action on every message of
/// ../shared/corpus/dlp, with the shipped policy and the corpus's own domains as the internal ones:
/// both take MessageEvaluator, so the add-in can never promise what the relay will not do.
/// </summary>
public sealed class CheckParityTests(ITestOutputHelper output)
{
    [SharedCorpusFact("dlp")]
    public async Task Check_DlpCorpus_SameActionAsScanForEveryMessage()
    {
        using var labels = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.DlpCorpus, "labels.json")));
        var domains = labels.RootElement.GetProperty("internal_domains").EnumerateArray().Select(d => d.GetString()!).ToList();
        var settings = domains.Select((d, i) => new KeyValuePair<string, string?>($"Policy:InternalDomains:{i}", d)).ToList();

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, Cli.Run(["scan", RepoPaths.DlpCorpus, "--json", .. settings.Select(s => $"--{s.Key}={s.Value}")], stdout, stderr));
        var scanned = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => Path.GetFileName(r.GetProperty("file").GetString()!), r => r.GetProperty("action").GetString()!);

        await using var console = await ConsoleHarness.StartAsync(
            new Dictionary<string, string?> { ["Check:PermitsPerMinute"] = "10000" },
            services => services.AddSingleton(TestPolicies.Shipped(settings)));
        var (check, _) = await CheckApiTests.CheckClientAsync(console);
        var problems = new List<string>();
        int compared = 0, stopped = 0;
        foreach (var m in labels.RootElement.GetProperty("messages").EnumerateArray())
        {
            string file = m.GetProperty("file").GetString()!;
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(RepoPaths.DlpCorpus, file)));
            content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
            var answer = await CheckApiTests.CheckOkAsync(check, content);
            string action = answer.GetProperty("action").GetString()!;
            Assert.True(scanned.TryGetValue(file, out string? scanAction), "scan gave no result for " + file);
            output.WriteLine($"{file}: scan {scanAction}, check {action}");
            compared++;
            stopped += answer.GetProperty("stops").GetBoolean() ? 1 : 0;
            if (action != scanAction)
            {
                problems.Add($"{file}: scan {scanAction}, check {action}");
            }
        }

        output.WriteLine($"{compared} messages compared, {stopped} stopped, {problems.Count} differences");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(labels.RootElement.GetProperty("messages").GetArrayLength(), compared);
        Assert.True(stopped > 0);
    }
}
