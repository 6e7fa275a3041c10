using MailGuard.Host.Configuration;
using MailGuard.Host.Relay;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Tests.Configuration;

/// <summary>The session, AUTH-throttle and inspection limits: every bad value reported at start, every good one reaching what it limits.</summary>
[Collection("process environment")]
public sealed class AbuseLimitsConfigurationTests
{
    [Fact]
    public void Run_BadAbuseAndInspectionLimits_Exit2NamingEach()
    {
        var stderr = new StringWriter();

        int code = Cli.Run(
            [
                "run", "--Relay:MaxSessionsPerClient=0", "--Relay:MaxUntrustedSessions=-1", "--Relay:MinimumCommandRate=0",
                "--Relay:MaxAuthFailures=0", "--Relay:AuthLockout=00:00:00", "--Relay:AuthFailureDelay=00:01:00",
                "--Inspection:Workers=-1", "--Inspection:MaxQueued=-1", "--Inspection:TimeBudget=00:00:00", "--Inspection:AttachmentTimeBudget=02:00:00",
                "--Inspection:MaxMessageDepth=0", "--Inspection:MaxNestingDepth=65", "--Inspection:MaxExpandedBytes=0", "--Inspection:MaxExpansionRatio=0.5",
                "--Inspection:MaxArchiveEntries=0", "--Inspection:MaxCells=0", "--Inspection:MaxPdfPages=0",
            ],
            new StringWriter(),
            stderr);

        Assert.Equal(2, code);
        string text = stderr.ToString();
        foreach (string key in new[]
        {
            "Relay:MaxSessionsPerClient", "Relay:MaxUntrustedSessions", "Relay:MinimumCommandRate", "Relay:MaxAuthFailures", "Relay:AuthLockout", "Relay:AuthFailureDelay",
            "Inspection:Workers", "Inspection:MaxQueued", "Inspection:TimeBudget", "Inspection:AttachmentTimeBudget", "Inspection:MaxMessageDepth", "Inspection:MaxNestingDepth",
            "Inspection:MaxExpandedBytes", "Inspection:MaxExpansionRatio", "Inspection:MaxArchiveEntries", "Inspection:MaxCells", "Inspection:MaxPdfPages",
        })
        {
            Assert.Contains(key + ":", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InspectionSettings_Configured_ReachTheInspectionOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inspection:TimeBudget"] = "00:00:07",
            ["Inspection:AttachmentTimeBudget"] = "00:00:03",
            ["Inspection:MaxMessageDepth"] = "2",
            ["Inspection:MaxNestingDepth"] = "3",
            ["Inspection:MaxExpandedBytes"] = "1000",
            ["Inspection:MaxExpansionRatio"] = "5",
            ["Inspection:MaxArchiveEntries"] = "6",
            ["Inspection:MaxCells"] = "7",
            ["Inspection:MaxPdfPages"] = "8",
            ["Inspection:Ocr:Enabled"] = "false",
        }).Build();
        var options = ConfigurationLoader.Bind(configuration, out var errors);
        errors.AddRange(MailGuardOptionsValidator.Validate(options));
        Assert.Empty(errors);
        var time = new MailGuard.Testing.FakeTime(DateTimeOffset.UnixEpoch);
        using var ocr = new InspectionOcr(options.Inspection.Ocr);

        var made = ocr.CreateOptions(options.Inspection, time);

        Assert.Equal((TimeSpan.FromSeconds(7), 2), (made.TimeBudget, made.MaxMessageDepth));
        var x = made.Extraction;
        Assert.Equal((TimeSpan.FromSeconds(3), 3, 1000L, 5.0, 6, 7L, 8), (x.TimeBudget, x.MaxNestingDepth, x.MaxTotalExpandedBytes, x.MaxExpansionRatio, x.MaxEntries, x.MaxCells, x.MaxPdfPages));
        Assert.Same(time, x.Time);
    }
}
