using System.Security.Cryptography;
using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Tests.Configuration;

public sealed class NotificationConfigurationTests
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
    public void Bind_ConsoleKeys_Bound()
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var options = BindOptions(out var errors, ("Console:PublicUrl", "https://mailguard.example.org"), ("Console:LinkKey", key));

        Assert.Empty(errors);
        Assert.Equal("https://mailguard.example.org", options.Console.PublicUrl);
        Assert.Equal(key, options.Console.LinkKey);
    }

    [Fact]
    public void Bind_BadConsoleKeys_EachReportedWithoutTheKeyValue()
    {
        string shortKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

        BindOptions(out var errors, ("Console:PublicUrl", "mailguard.example.org/console"), ("Console:LinkKey", shortKey), ("Console:Typo", "1"));

        Assert.Contains(errors, e => e.StartsWith("Console:PublicUrl: ", StringComparison.Ordinal));
        Assert.Contains("Console:LinkKey: must be at least 32 bytes of base64 (got 16 bytes)", errors);
        Assert.Contains("Console:Typo: unknown setting", errors);
        Assert.DoesNotContain(errors, e => e.Contains(shortKey, StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_SenderNoticeKeys_BoundAndValidated()
    {
        var policy = BindPolicy(
            out var errors,
            ("Policy:Notifications:FromName", "Corp Mail Safety"),
            ("Policy:Notifications:FromAddress", "mail-safety@corp.example"),
            ("Policy:Notifications:Contact", "IG team, ext. 4321"),
            ("Policy:Rules:1:SenderMessage", "Use the secure portal."));

        Assert.Empty(errors);
        Assert.Empty(policy.Validate());
        Assert.Equal("Corp Mail Safety", policy.Notifications.FromName);
        Assert.Equal("mail-safety@corp.example", policy.Notifications.FromAddress);
        Assert.Equal("IG team, ext. 4321", policy.Notifications.Contact);
        Assert.Equal("Use the secure portal.", policy.SenderMessageFor(policy.Rules[1].Name));
        Assert.Null(policy.SenderMessageFor(policy.Rules[0].Name));

        var bad = BindPolicy(
            out errors,
            ("Policy:Notifications:FromName", " "),
            ("Policy:Notifications:FromAddress", "Mail Safety <mail-safety@corp.example>"),
            ("Policy:Notifications:Contact", new string('x', 501)),
            ("Policy:Rules:1:SenderMessage", new string('y', 1001)));
        var problems = bad.Validate();
        Assert.Contains(problems, p => p.StartsWith("Policy:Notifications:FromName: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Policy:Notifications:FromAddress: ", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Policy:Notifications:Contact: ", StringComparison.Ordinal));
        Assert.Contains("Policy:Rules:1:SenderMessage: at most 1000 characters", problems);
    }

    [Fact]
    public void Bind_RetiredBodyTemplate_IsAnUnknownSetting()
    {
        BindPolicy(out var errors, ("Policy:Notifications:Templates:HeldText", "old body"));

        Assert.Contains(errors, e => e.Contains("HeldText", StringComparison.Ordinal));
    }

    [Fact]
    public void ShippedConfig_Digest_MatchesBuiltInDefaults_OffWithoutSecurityTeam()
    {
        var policy = BindPolicy(out var errors);

        Assert.Empty(errors);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(new DigestOptions()), System.Text.Json.JsonSerializer.Serialize(policy.Notifications.Digest));
        Assert.Equal(TimeSpan.FromHours(7), policy.Notifications.Digest.TimeOfDay);
        Assert.False(policy.Notifications.DigestEnabled);
        Assert.True(BindPolicy(out _, ("Policy:Notifications:SecurityTeam", "security@corp.example")).Notifications.DigestEnabled);
        Assert.False(BindPolicy(out _, ("Policy:Notifications:SecurityTeam", "security@corp.example"), ("Policy:Notifications:Digest:Enabled", "false")).Notifications.DigestEnabled);
    }

    [Fact]
    public void BindPolicy_BadNotificationValues_EachReported()
    {
        BindPolicy(
            out var errors,
            ("Policy:Notifications:SecurityTeam", "Security <security@corp.example>"),
            ("Policy:Notifications:ReleaseRequestUrl", "javascript:alert(1)"),
            ("Policy:Notifications:Digest:TimeOfDay", "1.02:00:00"),
            ("Policy:Notifications:Digest:TimeZone", "Mars/Olympus_Mons"));

        foreach (string key in new[] { "SecurityTeam", "ReleaseRequestUrl", "Digest:TimeOfDay", "Digest:TimeZone" })
        {
            Assert.Contains(errors, e => e.StartsWith($"Policy:Notifications:{key}: ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BindPolicy_TimeOfDayNotATime_Reported()
    {
        BindPolicy(out var errors, ("Policy:Notifications:Digest:TimeOfDay", "seven"));

        Assert.Contains(errors, e => e.StartsWith("Policy: ", StringComparison.Ordinal) && e.Contains("seven", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_PostgresWithReleaseLinksButNoLinkKey_Exit2NamingConsoleLinkKey()
    {
        var stderr = new StringWriter();

        int code = Cli.Run(
            ["run", "--Storage:Provider=Postgres", "--Storage:ConnectionString=Host=db.invalid;Username=mailguard", "--Policy:Notifications:ReleaseRequestUrl=https://mailguard.example.org/request"],
            new StringWriter(),
            stderr);

        Assert.Equal(2, code);
        Assert.Contains("Console:LinkKey: required when Storage:Provider is Postgres", stderr.ToString(), StringComparison.Ordinal);
    }
}
