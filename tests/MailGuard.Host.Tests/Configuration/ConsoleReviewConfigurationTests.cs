using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Tests.Configuration;

/// <summary>Console:TimeZone and Policy:Rules:N:FourEyes: bound, validated at start, defaults as documented.</summary>
public sealed class ConsoleReviewConfigurationTests
{
    private static MailGuardOptions BindOptions(out List<string> errors, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        return ConfigurationLoader.Bind(configuration, out errors);
    }

    private static PolicyOptions BindPolicy(out List<string> errors, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(MailGuard.Testing.RepoPaths.Root, "config", "mailguard.json"))
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        errors = [];
        return PolicyBinding.Bind(configuration, errors);
    }

    [Fact]
    public void ConsoleTimeZone_DefaultUtc_KnownZoneBound_UnknownRefused()
    {
        Assert.Equal("UTC", BindOptions(out var none).Console.TimeZone);
        Assert.Empty(none);
        Assert.Equal("Europe/London", BindOptions(out var ok, ("Console:TimeZone", "Europe/London")).Console.TimeZone);
        Assert.Empty(ok);
        BindOptions(out var errors, ("Console:TimeZone", "Mars/Olympus_Mons"));
        Assert.Contains("Console:TimeZone: 'Mars/Olympus_Mons' is not a known time zone (an IANA id such as Europe/London, or UTC)", errors);
    }

    [Fact]
    public void FourEyes_ShippedRules_OnForTheIdentifierRuleOnly_OverriddenPerRule()
    {
        var shipped = BindPolicy(out var errors);
        Assert.Empty(errors);
        Assert.Equal(["identifiers-external"], shipped.Rules.Where(IdentifierKinds.RequiresFourEyes).Select(r => r.Name));
        Assert.All(shipped.Rules, r => Assert.Null(r.FourEyes));

        var changed = BindPolicy(out errors, ("Policy:Rules:2:FourEyes", "false"), ("Policy:Rules:1:FourEyes", "true"));
        Assert.Empty(errors);
        Assert.Equal(["personal-data-external"], changed.Rules.Where(IdentifierKinds.RequiresFourEyes).Select(r => r.Name));
    }
}
