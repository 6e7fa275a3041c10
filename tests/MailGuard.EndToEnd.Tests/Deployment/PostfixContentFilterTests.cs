using MailGuard.Testing;
using static MailGuard.EndToEnd.Tests.Deployment.PostfixScenario;

namespace MailGuard.EndToEnd.Tests.Deployment;

/// <summary>
/// Position B: MailGuard as Postfix's after-queue content filter (admin guide recipe
/// postfix-content-filter): Postfix queues every message, hands it to MailGuard over SMTP, and
/// MailGuard returns what it lets through (and its notices) to Postfix's re-injection listener,
/// which delivers without filtering again: external mail to smtp-sink, local mail to a Maildir.
/// </summary>
public sealed class PostfixContentFilterTests
{
    [PostfixFact]
    public async Task ContentFilter_CleanMailReachesSink_FlaggedHeld_NoticeInSendersMailbox()
    {
        Assert.Null(PostfixInstance.Unavailable());
        string token = Guid.NewGuid().ToString("N")[..8];
        int reinjectPort = TestMessages.FreePort();
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var mailguard = await StartMailGuardAsync("mailguard-content-filter.json", reinjectPort);
        var substitutions = new[] { ("[127.0.0.1]:2525", $"[127.0.0.1]:{mailguard.Port}"), ("127.0.0.1:10026", $"127.0.0.1:{reinjectPort}") };
        await using var postfix = await PostfixInstance.StartAsync(new PostfixInstance.Settings
        {
            Name = "filtering",
            Mailboxes = ["alice"],
            MainCf = [.. DocsRecipe.Lines("postfix-content-filter/main.cf", substitutions[0]), $"relayhost = [127.0.0.1]:{sink.Port}"],
            MasterCf = DocsRecipe.Lines("postfix-content-filter/master.cf", substitutions[1]),
        });
        string Diagnostics() => $"{postfix.Log()}\nsink holds {sink.Messages().Count} message(s)";

        await postfix.SendmailAsync(Sender, ExposedRecipients, Message($"Partner list {token}", ExposedRecipients));
        await postfix.SendmailAsync(Sender, ["bob@ext.example"], Message($"Clean via sendmail {token}", ["bob@ext.example"]));
        var (code, output) = await TestMessages.RunAsync(Tools.Require("smtp-source"),
            ["-c", "-m", "1", "-f", Sender, "-t", "carol@ext.example", "-S", $"Clean via smtp-source {token}", $"127.0.0.1:{postfix.SmtpPort}"]);
        Assert.True(code == 0, "smtp-source: " + output);

        await WaitAsync("both clean messages at the sink", () => Task.FromResult(
            sink.Messages().Count(m => m.Contains($"Clean via sendmail {token}", StringComparison.Ordinal) || m.Contains($"Clean via smtp-source {token}", StringComparison.Ordinal)) == 2), Diagnostics);
        // Filtered exactly once: MailGuard's Received field once, and Postfix's re-injection after it.
        Assert.All(sink.Messages(), m => Assert.Single(m.Split('\n'), l => l.Contains("by mailguard.test", StringComparison.Ordinal)));

        await WaitAsync("the exposing message in quarantine", async () => (await HeldAsync(mailguard)).Count == 1, Diagnostics);
        // The operator's view: `mailguard quarantine list --json` on the relay's store.
        var list = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "list", "--json", $"--Storage:Directory={mailguard.Options.Storage.Directory}"], list, new StringWriter()));
        using var held = System.Text.Json.JsonDocument.Parse(Assert.Single(list.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(Sender, held.RootElement.GetProperty("mail_from").GetString());
        Assert.Equal(12, held.RootElement.GetProperty("recipients").GetInt32());
        Assert.Equal("exposed-recipients", held.RootElement.GetProperty("rule").GetString());
        string id = held.RootElement.GetProperty("id").GetString()!;

        await WaitAsync("the held-notice in alice's mailbox", () => Task.FromResult(postfix.MailboxMessages("alice").Count == 1), Diagnostics);
        string notice = Assert.Single(postfix.MailboxMessages("alice"));
        Assert.Contains($"Subject: Held for review: Partner list {token}", notice, StringComparison.Ordinal);
        Assert.Contains(id, notice, StringComparison.Ordinal);

        Assert.DoesNotContain(sink.Messages(), m => m.Contains($"Partner list {token}", StringComparison.Ordinal));
    }
}
