using System.Text.Json;
using System.Text.Json.Serialization;
using MailGuard.Core.Policy;
using MailGuard.Inspection.Detection;
using MailGuard.Mime;
using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.Inspection.Tests.Labelled;

/// <summary>
/// Issue 14's own labelled set (Labelled/messages, written by make_labelled.py, labels in
/// labels.json): every message inspected and judged by the shipped policy rules of
/// config/mailguard.json, with the set's two internal domains as ordinary configuration. Each
/// message must get its labelled verdict and people count, carry the finding kinds it is labelled
/// with, and none of the kinds it must not (at medium confidence or above).
/// </summary>
public sealed class LabelledSetTests
{
    // Ages in the set's letters are as written in 2024; the set is read later, as real mail is.
    private static readonly DateOnly s_readOn = new(2026, 12, 1);

    private static readonly Lazy<(JsonDocument Labels, PolicyEngine Policy, MessageInspector Inspector)> s_set = new(Load);

    private readonly ITestOutputHelper _output;

    public LabelledSetTests(ITestOutputHelper output) => _output = output;

    private static string Folder => Path.Combine(RepoPaths.Root, "tests", "MailGuard.Inspection.Tests", "Labelled");

    public static TheoryData<string> Messages()
    {
        var data = new TheoryData<string>();
        using var labels = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "labels.json")));
        foreach (var m in labels.RootElement.GetProperty("messages").EnumerateArray())
        {
            data.Add(m.GetProperty("file").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Inspect_LabelledMessage_VerdictPeopleAndKindsAsLabelled(string file)
    {
        var label = Label(file);
        var (result, verdict) = Judge(file);
        _output.WriteLine($"{file}: {verdict.Action} ({verdict.Rule}), {result.MaxPeople} people");
        foreach (var f in result.Findings)
        {
            _output.WriteLine($"  {f.Kind} {f.Count} {f.Confidence} {f.Location} {f.Summary}");
        }

        var expectFlag = label.GetProperty("verdict").GetString() == "flag";
        Assert.True(expectFlag == (verdict.Action != PolicyAction.Deliver), $"{file}: labelled {label.GetProperty("verdict").GetString()}, got {verdict.Action} ({verdict.Rule})");
        Assert.Equal(label.GetProperty("people").GetInt64(), result.MaxPeople);
        foreach (var kind in label.GetProperty("kinds").EnumerateArray().Select(k => k.GetString()!))
        {
            Assert.Contains(result.Findings, f => f.Kind == kind && f.Confidence >= Confidence.Medium);
        }

        foreach (var kind in label.GetProperty("absent").EnumerateArray().Select(k => k.GetString()!))
        {
            Assert.DoesNotContain(result.Findings, f => f.Kind == kind && f.Confidence >= Confidence.Medium);
        }

        foreach (var location in label.GetProperty("locations").EnumerateObject())
        {
            var shown = result.Findings.Where(f => f.Kind == location.Name).Select(f => f.Location.ToString()).ToList();
            var expected = location.Value.ValueKind == JsonValueKind.Array
                ? location.Value.EnumerateArray().Select(v => v.GetString()!).ToList()
                : [location.Value.GetString()!];
            foreach (var where in expected)
            {
                Assert.Contains(where, shown);
            }
        }

        // One finding per table of people: the same table is not reported twice.
        foreach (var count in label.GetProperty("findings").EnumerateObject())
        {
            Assert.Equal(count.Value.GetInt32(), result.Findings.Count(f => f.Kind == count.Name && f.Confidence >= Confidence.Medium));
        }
    }

    [Fact]
    public void Inspect_LabelledSet_PrecisionAndRecall()
    {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var m in s_set.Value.Labels.RootElement.GetProperty("messages").EnumerateArray())
        {
            var file = m.GetProperty("file").GetString()!;
            var flagged = Judge(file).Verdict.Action != PolicyAction.Deliver;
            var expected = m.GetProperty("verdict").GetString() == "flag";
            (tp, fp, tn, fn) = (expected, flagged) switch
            {
                (true, true) => (tp + 1, fp, tn, fn),
                (false, true) => (tp, fp + 1, tn, fn),
                (false, false) => (tp, fp, tn + 1, fn),
                _ => (tp, fp, tn, fn + 1),
            };
        }

        double precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        _output.WriteLine($"precision {precision:P1} recall {recall:P1} (tp {tp}, fp {fp}, tn {tn}, fn {fn})");
        Assert.True(tp + fn >= 30 && fp + tn >= 30, "the set has at least 30 positives and 30 negatives");
        Assert.Equal(1.0, recall);
        Assert.True(precision >= 0.98, $"precision {precision:P1}");
    }

    private static JsonElement Label(string file) =>
        s_set.Value.Labels.RootElement.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("file").GetString() == file);

    private static (InspectionResult Result, Verdict Verdict) Judge(string file)
    {
        var (labels, policy, inspector) = s_set.Value;
        using var document = MimeDocument.Load(File.ReadAllBytes(Path.Combine(Folder, "messages", file)));
        var recipients = document.Message.Headers.GetAll("To").Concat(document.Message.Headers.GetAll("Cc"))
            .SelectMany(h => h.Value.Split(','))
            .Select(a => a.Contains('<', StringComparison.Ordinal) ? a[(a.IndexOf('<', StringComparison.Ordinal) + 1)..].TrimEnd('>', ' ') : a.Trim())
            .ToList();
        var result = inspector.Inspect(document, null);
        return (result, policy.Decide(result, "sender@" + labels.RootElement.GetProperty("internal_domains")[0].GetString(), recipients));
    }

    private static (JsonDocument, PolicyEngine, MessageInspector) Load()
    {
        var labels = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "labels.json")));
        var domains = labels.RootElement.GetProperty("internal_domains").EnumerateArray().Select(d => d.GetString()!).ToList();

        // The shipped rules, exactly as config/mailguard.json has them.
        using var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "config", "mailguard.json")));
        var json = new JsonSerializerOptions { PropertyNameCaseInsensitive = true, Converters = { new JsonStringEnumConverter() } };
        var rules = config.RootElement.GetProperty("Policy").GetProperty("Rules").Deserialize<List<PolicyRule>>(json)!;
        var options = new PolicyOptions { InternalDomains = domains, Rules = rules };
        var policy = new PolicyEngine(options);
        var inspector = new MessageInspector(
            new InspectionOptions { Analyzer = new ContentAnalyzerOptions { ReferenceDate = s_readOn } },
            policy.InternalDomains,
            policy.PersonalMailboxDomains);
        return (labels, policy, inspector);
    }
}
