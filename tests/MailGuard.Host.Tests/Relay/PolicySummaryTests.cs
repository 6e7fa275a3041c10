using MailGuard.Core.Diagnostics;
using MailGuard.Host.Configuration;
using MailGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Tests.Relay;

/// <summary>At start the log says which policy is in force, and warns when no domain is internal.</summary>
public sealed class PolicySummaryTests
{
    private static async Task<LogCapture> StartAndStopAsync(params (string Key, string Value)[] settings)
    {
        string dir = TempDirectory.Create("policy-summary");
        try
        {
            var all = TestRelay.DefaultSettings(dir);
            all["Logging:LogLevel:Default"] = "Information";
            var configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(RepoPaths.Root, "config", "mailguard.json"))
                .AddInMemoryCollection(all)
                .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
                .Build();
            var options = ConfigurationLoader.Bind(configuration, out var errors);
            var policy = PolicyBinding.Bind(configuration, errors);
            Assert.Empty(errors);
            var log = new LogCapture();
            using var host = MailGuardServices.BuildHost(configuration, options, services => services.AddSingleton<ILoggerProvider>(log), policy);
            await host.StartAsync();
            await host.StopAsync();
            return log;
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Start_ShippedPolicy_OneLineWithDomainsAndEveryRule()
    {
        var log = await StartAndStopAsync(("Policy:InternalDomains:0", "corp.example"));

        var line = Assert.Single(log.Entries, e => e.EventId == LogEventIds.PolicyInForce);
        Assert.Contains("corp.example", line.Message, StringComparison.Ordinal);
        Assert.Contains("exposed-recipients=hold", line.Message, StringComparison.Ordinal);
        Assert.Contains("unscannable-external=hold", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.EventId == LogEventIds.NoInternalDomains);
    }

    [Fact]
    public async Task Start_WithoutInternalDomains_Warns()
    {
        var log = await StartAndStopAsync();

        var warning = Assert.Single(log.Entries, e => e.EventId == LogEventIds.NoInternalDomains);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("(none)", Assert.Single(log.Entries, e => e.EventId == LogEventIds.PolicyInForce).Message, StringComparison.Ordinal);
    }
}
