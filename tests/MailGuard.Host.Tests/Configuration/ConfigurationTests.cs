using MailGuard.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace MailGuard.Host.Tests.Configuration;

[Collection("process environment")]
public sealed class ConfigurationTests
{
    private static MailGuardOptions Bind(out List<string> errors, params string[] args)
    {
        Assert.True(ConfigurationLoader.TryLoad(args, out var configuration, out var rest, out string? usage), usage);
        Assert.Empty(rest);
        return ConfigurationLoader.Bind(configuration, out errors);
    }

    [Fact]
    public void Bind_Nothing_BuiltInDefaults()
    {
        var options = Bind(out var errors);

        Assert.Empty(errors);
        Assert.Equal(["127.0.0.1:2525"], options.Relay.Listen);
        Assert.Equal(["127.0.0.0/8", "::1/128"], options.Relay.AllowedNetworks);
        Assert.Equal(DeliveryMode.Pickup, options.Delivery.Mode);
        Assert.Equal(120, options.Delivery.MaxAgeHours);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Relay.CommandTimeout);
        Assert.Equal("./data", options.Storage.Directory);
    }

    [Fact]
    public void ShippedConfigFile_MatchesBuiltInDefaults()
    {
        string file = Path.Combine(MailGuard.Testing.RepoPaths.Root, "config", "mailguard.json");
        var configuration = new ConfigurationBuilder().AddJsonFile(file).Build();

        var fromFile = ConfigurationLoader.Bind(configuration, out var errors);

        Assert.Empty(errors);
        // Every default is written out in the shipped file, and each equals the built-in one.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(new MailGuardOptions()), System.Text.Json.JsonSerializer.Serialize(fromFile));
    }

    [Fact]
    public void CommandLine_OverridesEnvironment_ListReplacedWhole()
    {
        Environment.SetEnvironmentVariable("MAILGUARD_Relay__MaxRecipients", "7");
        Environment.SetEnvironmentVariable("MAILGUARD_Relay__MaxSessions", "9");
        try
        {
            var options = Bind(out var errors, "--Relay:MaxSessions=11", "--Relay:AllowedNetworks:0=10.0.0.0/8");

            Assert.Empty(errors);
            Assert.Equal(7, options.Relay.MaxRecipients);
            Assert.Equal(11, options.Relay.MaxSessions);
            // Not merged index by index with the two shipped defaults.
            Assert.Equal(["10.0.0.0/8"], options.Relay.AllowedNetworks);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MAILGUARD_Relay__MaxRecipients", null);
            Environment.SetEnvironmentVariable("MAILGUARD_Relay__MaxSessions", null);
        }
    }

    [Fact]
    public void Policy_DomainListAsOneCommaSeparatedValue_IsTheList()
    {
        Assert.True(ConfigurationLoader.TryLoad(["--Policy:InternalDomains=corp.example, corp.example.org", "--Policy:PersonalMailboxDomains=mail.example"], out var configuration, out _, out _));
        var errors = new List<string>();

        var policy = PolicyBinding.Bind(configuration, errors);

        Assert.Empty(errors);
        Assert.Equal(["corp.example", "corp.example.org"], policy.InternalDomains);
        Assert.Equal(["mail.example"], policy.PersonalMailboxDomains);
        Assert.NotEmpty(policy.Rules);
    }

    [Fact]
    public void ConfigFile_ThenCommandLine_LaterWins()
    {
        string file = Path.Combine(Path.GetTempPath(), $"mg-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "Relay": { "MaxSessions": 5, "Listen": [ "127.0.0.1:2600", "127.0.0.1:2601" ] }, "Delivery": { "Mode": "smtp", "Smtp": { "Host": "smarthost.example" } } }""");
        try
        {
            var options = Bind(out var errors, "--config", file, "--Relay:MaxSessions=6");

            Assert.Empty(errors);
            Assert.Equal(6, options.Relay.MaxSessions);
            Assert.Equal(["127.0.0.1:2600", "127.0.0.1:2601"], options.Relay.Listen);
            Assert.Equal(DeliveryMode.Smtp, options.Delivery.Mode);
            Assert.Equal("smarthost.example", options.Delivery.Smtp.Host);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Run_InvalidSettings_Exit2ListingEveryProblem()
    {
        var stderr = new StringWriter();

        int code = Cli.Run(
            ["run", "--Relay:MaxSessions=many", "--Relay:Listen:0=nowhere", "--Relay:AllowedNetworks:0=10.0.0.0/33", "--Relay:CommandTimeout=soon", "--Relay:Typo=1", "--Delivery:Mode=Smtp", "--Delivery:MaxAgeHours=0", "--Relay:Tls:CertificatePath=/nonexistent.pem", "--Relay:RequireAuth=true", "--Storage:Provider=Postgres"],
            new StringWriter(),
            stderr);

        Assert.Equal(2, code);
        string text = stderr.ToString();
        foreach (string key in new[] { "Relay:MaxSessions", "Relay:Listen:0", "Relay:AllowedNetworks:0", "Relay:CommandTimeout", "Relay:Typo", "Delivery:Smtp:Host", "Delivery:MaxAgeHours", "Relay:Tls:CertificatePath", "Storage:ConnectionString" })
        {
            Assert.Contains(key + ":", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_MissingConfigFile_Exit2()
    {
        var stderr = new StringWriter();

        Assert.Equal(2, Cli.Run(["run", "--config", "/nonexistent/mailguard.json"], new StringWriter(), stderr));
        Assert.Contains("not found", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAndAddin_DefaultsFinite_BadValuesEachNamed()
    {
        var defaults = Bind(out var none);
        Assert.Empty(none);
        Assert.Equal((14_000_000L, TimeSpan.FromSeconds(10), 4, 60), (defaults.Check.MaxRequestBytes, defaults.Check.Timeout, defaults.Check.MaxConcurrent, defaults.Check.PermitsPerMinute));
        Assert.Empty(defaults.Check.AllowedOrigins);
        Assert.Null(defaults.Addin.CheckToken);
        Assert.Equal(TimeSpan.FromSeconds(3), defaults.Addin.ClientTimeout);

        Bind(out var errors,
            "--Check:MaxRequestBytes=0", "--Check:Timeout=00:00:00", "--Check:MaxConcurrent=0", "--Check:PermitsPerMinute=0",
            "--Check:AllowedOrigins:0=https://addin.example.org/", "--Check:AllowedOrigins:1=addin.example.org", "--Check:AllowedOrigins:2=https://ok.example.org:8443",
            "--Addin:CheckToken=secret", "--Addin:ClientTimeout=00:05:00");
        string text = string.Join("\n", errors);
        foreach (string key in new[] { "Check:MaxRequestBytes", "Check:Timeout", "Check:MaxConcurrent", "Check:PermitsPerMinute", "Addin:CheckToken", "Addin:ClientTimeout" })
        {
            Assert.Contains(key + ":", text, StringComparison.Ordinal);
        }

        Assert.Contains("'https://addin.example.org/' is not an origin", text, StringComparison.Ordinal);
        Assert.Contains("'addin.example.org' is not an origin", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ok.example.org", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }
}
