using MailGuard.Testing;
using static MailGuard.EndToEnd.Tests.Deployment.PostfixScenario;

namespace MailGuard.EndToEnd.Tests.Deployment;

/// <summary>
/// Position A: MailGuard as the smart host of an internal Postfix (`relayhost`, admin guide recipe
/// postfix-relayhost). MailGuard hands what it lets through to an edge MTA (a second Postfix)
/// that sends external mail to "the internet" (smtp-sink) and internal mail back to the
/// internal Postfix, the way an organisation's outbound gateway or Exchange Online does; so the
/// held-notice to the sender ends in her mailbox on the internal Postfix.
/// </summary>
/// <remarks>
/// internal Postfix (sendmail, smtpd) --relayhost--> MailGuard --smart host--> edge Postfix
/// --relayhost--> smtp-sink; edge --transport corp.example--> internal Postfix --virtual--> Maildir.
/// </remarks>
public sealed class PostfixRelayhostTests
{
    [PostfixFact]
    public async Task Relayhost_CleanMailReachesSink_FlaggedHeld_NoticeInSendersMailbox()
    {
        Assert.Null(PostfixInstance.Unavailable());
        string token = Guid.NewGuid().ToString("N")[..8];
        int internalPort = TestMessages.FreePort();
        await using var sink = await SmtpSinkProcess.StartAsync();
        await using var edge = await PostfixInstance.StartAsync(new PostfixInstance.Settings
        {
            Name = "edge",
            MainCf =
            [
                $"relayhost = [127.0.0.1]:{sink.Port}",
                $"transport_maps = inline:{{ corp.example=smtp:[127.0.0.1]:{internalPort} }}",
            ],
        });
        await using var mailguard = await StartMailGuardAsync("mailguard-relayhost.json", edge.SmtpPort);
        await using var postfix = await PostfixInstance.StartAsync(new PostfixInstance.Settings
        {
            Name = "internal",
            SmtpPort = internalPort,
            Mailboxes = ["alice"],
            MainCf = DocsRecipe.Lines("postfix-relayhost/main.cf", ("[127.0.0.1]:2525", $"[127.0.0.1]:{mailguard.Port}")),
        });
        string Diagnostics() => $"{postfix.Log()}\n{edge.Log()}\nsink holds {sink.Messages().Count} message(s)";

        await postfix.SendmailAsync(Sender, ExposedRecipients, Message($"Partner list {token}", ExposedRecipients));
        await postfix.SendmailAsync(Sender, ["bob@ext.example"], Message($"Clean via sendmail {token}", ["bob@ext.example"]));
        var (code, output) = await TestMessages.RunAsync(Tools.Require("smtp-source"),
            ["-c", "-m", "1", "-f", Sender, "-t", "carol@ext.example", "-S", $"Clean via smtp-source {token}", $"127.0.0.1:{postfix.SmtpPort}"]);
        Assert.True(code == 0, "smtp-source: " + output);

        // Clean mail went through MailGuard (its Received field) to the internet.
        await WaitAsync("both clean messages at the sink", () => Task.FromResult(
            sink.Messages().Count(m => m.Contains($"Clean via sendmail {token}", StringComparison.Ordinal) || m.Contains($"Clean via smtp-source {token}", StringComparison.Ordinal)) == 2), Diagnostics);
        Assert.All(sink.Messages(), m => Assert.Contains("by mailguard.test", m, StringComparison.Ordinal));

        // The exposing message is held, and the sender's warning came back through both MTAs.
        await WaitAsync("the exposing message in quarantine", async () => (await HeldAsync(mailguard)).Count == 1, Diagnostics);
        var held = Assert.Single(await HeldAsync(mailguard));
        Assert.Equal(Sender, held.MailFrom);
        Assert.Equal(12, held.Recipients.Count);
        Assert.Equal("exposed-recipients", held.Rule);
        await WaitAsync("the held-notice in alice's mailbox", () => Task.FromResult(postfix.MailboxMessages("alice").Count == 1), Diagnostics);
        string notice = Assert.Single(postfix.MailboxMessages("alice"));
        Assert.Contains($"Subject: Held for review: Partner list {token}", notice, StringComparison.Ordinal);
        Assert.Contains(held.MessageId, notice, StringComparison.Ordinal);
        Assert.Contains("Return-Path: <>", notice, StringComparison.Ordinal);

        Assert.DoesNotContain(sink.Messages(), m => m.Contains($"Partner list {token}", StringComparison.Ordinal));
    }
}
