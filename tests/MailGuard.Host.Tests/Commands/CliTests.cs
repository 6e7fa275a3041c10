namespace MailGuard.Host.Tests.Commands;

/// <summary>The command tree itself: help, usage errors, settings and completion (the verbs have tests of their own).</summary>
public sealed class CliTests
{
    private static readonly string[] s_verbs = ["run", "scan", "mime-dump", "quarantine", "queue", "token", "user", "hash-password", "healthcheck"];

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Run_RootHelp_ListsEveryVerbOnStdout_Exit0()
    {
        var (exit, stdout, stderr) = Run("--help");

        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.Contains("mailguard [command] [options]", stdout, StringComparison.Ordinal);
        foreach (string verb in s_verbs)
        {
            Assert.Contains("  " + verb + " ", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_VerbHelp_ListsItsArgumentsAndOptions_Exit0()
    {
        var (exit, stdout, stderr) = Run("quarantine", "release", "--help");

        Assert.Equal(0, exit);
        Assert.Empty(stderr);
        Assert.Contains("mailguard quarantine release <ID> [options]", stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--bcc-fix", "--reason <TEXT>", "--note <TEXT>", "--json", "--config <FILE>", "--Section:Key=value" })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_NounHelp_ListsItsSubVerbs_Exit0()
    {
        var (exit, stdout, _) = Run("user", "-h");

        Assert.Equal(0, exit);
        foreach (string verb in new[] { "add <NAME>", "list", "reset-password <NAME>", "disable <NAME>", "enable <NAME>" })
        {
            Assert.Contains(verb, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Run_NoVerb_HelpOnStderr_Exit2()
    {
        var (exit, stdout, stderr) = Run();

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("Required command was not provided", stderr, StringComparison.Ordinal);
        Assert.Contains("quarantine", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownVerb_ErrorAndHelpOnStderr_Exit2()
    {
        var (exit, stdout, stderr) = Run("frobnicate");

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("'frobnicate'", stderr, StringComparison.Ordinal);
        Assert.Contains("Usage:", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'ID'", "quarantine", "show")]
    [InlineData("'ID'", "queue", "retry")]
    [InlineData("'FILE'", "mime-dump")]
    [InlineData("'PATH'", "scan")]
    [InlineData("'--name'", "token", "create")]
    [InlineData("Required command", "quarantine")]
    public void Run_MissingRequiredArgument_ErrorAndVerbUsageOnStderr_Exit2(string named, params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Contains("mailguard " + string.Join(' ', args), stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quarantine", "list", "--bogus")]
    [InlineData("scan", "a.eml", "--jsn")]
    [InlineData("hash-password", "--iterations", "999")]
    [InlineData("hash-password", "--iterations", "many")]
    [InlineData("user", "add", "not a name")]
    [InlineData("token", "create", "--name", "t", "--role", "owner")]
    [InlineData("mime-dump", "a.eml", "--Storage:Directory=/tmp")]
    public void Run_InvalidArguments_Exit2(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("Usage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SectionKeySetting_ReachesTheVerbsConfiguration()
    {
        // healthcheck reads Relay:Listen and says what it found there; an unreachable check proves nothing else.
        var (exit, _, stderr) = Run("healthcheck", "--Relay:Listen:0=from-the-command-line", "--Console:Listen=");

        Assert.Equal(1, exit);
        Assert.Contains("Relay:Listen 'from-the-command-line' is not host:port", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SettingAndConfigFile_SettingWins()
    {
        string file = Path.Combine(Path.GetTempPath(), $"mailguard-cli-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"Relay": {"Listen": ["from-the-file"]}, "Console": {"Listen": ""}}""");
        try
        {
            var (fromFile, _, fileErr) = Run("healthcheck", "--config", file);
            var (fromSetting, _, settingErr) = Run("healthcheck", "--Relay:Listen:0=from-the-setting", "--config", file);

            Assert.Equal(1, fromFile);
            Assert.Contains("'from-the-file'", fileErr, StringComparison.Ordinal);
            Assert.Equal(1, fromSetting);
            Assert.Contains("'from-the-setting'", settingErr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--Storage:Directory=/var/lib/mailguard", true)]
    [InlineData("--Console:Listen=", true)]
    [InlineData("--Storage:ConnectionString=Host=db;Username=mg", true)]
    [InlineData("--config=/etc/mailguard/mailguard.json", false)]
    [InlineData("--reason=see: ticket 4", false)]
    [InlineData("--json", false)]
    [InlineData("-Relay:Listen=x", false)]
    [InlineData("C:/mail/a=b.eml", false)]
    public void IsSetting_SectionKeyValueOnly(string token, bool expected)
    {
        Assert.Equal(expected, ConfigurationArguments.IsSetting(token));
    }

    [Fact]
    public void Run_SuggestDirective_CompletesVerb()
    {
        var (exit, stdout, _) = Run("[suggest]", "quar");

        Assert.Equal(0, exit);
        Assert.Equal(["quarantine"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void Run_SuggestDirectiveAtPosition_CompletesSubVerbAndRole()
    {
        const string quarantine = "mailguard quarantine re";
        const string role = "mailguard user add rita --role ";

        var (exit, stdout, _) = Run($"[suggest:{quarantine.Length}]", quarantine);
        var (_, roles, _) = Run($"[suggest:{role.Length}]", role);

        Assert.Equal(0, exit);
        Assert.Equal(["release", "return"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(["admin", "reviewer"], roles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
