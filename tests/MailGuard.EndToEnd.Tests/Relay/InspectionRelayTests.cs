using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>The relay with inspection and the shipped default policy, driven over SMTP on loopback.</summary>
public sealed class InspectionRelayTests
{
    private static Task<TestRelay> StartAsync(params (string Key, string Value)[] overrides) => TestRelay.StartAsync(configure: services =>
    {
        services.AddSingleton(TestPolicies.ShippedForCorp(overrides));
        services.AddSingleton<IMessageDisposition, InspectingDisposition>();
    });

    private static byte[] Message(string to, string body) => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {to}\r\nSubject: Applications\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <t1@corp.example>\r\n\r\n{body}\r\n");

    [Fact]
    public async Task Data_ExposedRecipients_HeldWith250SenderToldNothingDelivered()
    {
        await using var relay = await StartAsync();
        var recipients = Enumerable.Range(0, 25).Select(i => $"applicant{i}@ext{i % 5}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message(string.Join(", ", recipients), "Dear applicant, your appointment is confirmed."));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.StartsWith("Ok: held for review as ", result.Reply!.Value.Text, StringComparison.Ordinal);
        string id = result.Reply.Value.Text["Ok: held for review as ".Length..];
        var quarantine = (MailGuard.Core.Store.IQuarantineStore)relay.Store;
        var record = await quarantine.GetQuarantineAsync(id);
        Assert.NotNull(record);
        Assert.Equal("exposed-recipients", record.Rule);
        Assert.Equal(25, record.Recipients.Count);

        // Only the held-notice to the sender leaves; the message itself stays put.
        var notice = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal("", notice.MailFrom);
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        string text = Encoding.UTF8.GetString(notice.Content);
        Assert.Contains("held for review", text, StringComparison.Ordinal);
        Assert.Contains(id, text, StringComparison.Ordinal);
        Assert.DoesNotContain("applicant3@ext3.example", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quarantine_ReleaseFromCli_DeliversOriginalBytesOnce()
    {
        await using var relay = await StartAsync(("Policy:Rules:0:NotifySender", "false"));
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        byte[] original = Message(string.Join(", ", recipients), "Dear applicant");
        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, original);
        string id = result.Reply!.Value.Text["Ok: held for review as ".Length..];
        string storage = relay.Options.Storage.Directory;

        var output = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "list", "--json", $"--Storage:Directory={storage}"], output, new StringWriter()));
        Assert.Contains(id, output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run(["quarantine", "release", id, "--reason", "approved by the DPO", $"--Storage:Directory={storage}"], new StringWriter(), new StringWriter()));
        Assert.Equal(1, Cli.Run(["quarantine", "release", id, "--reason", "again", $"--Storage:Directory={storage}"], new StringWriter(), new StringWriter()));

        var delivered = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal("clerk@corp.example", delivered.MailFrom);
        Assert.Equal(12, delivered.RcptTo.Length);
        Assert.Equal(original, delivered.WithoutTraceHeader());
        var show = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "show", id, "--json", $"--Storage:Directory={storage}"], show, new StringWriter()));
        Assert.Contains("approved by the DPO", show.ToString(), StringComparison.Ordinal);
        Assert.Contains("release-refused", show.ToString(), StringComparison.Ordinal);
        Assert.Single(await relay.WaitForQueueDrainedAsync());
    }

    [Fact]
    public async Task Data_SameRecipientsInBcc_Delivered()
    {
        await using var relay = await StartAsync();
        var recipients = Enumerable.Range(0, 25).Select(i => $"applicant{i}@ext{i % 5}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message("undisclosed-recipients:;", "Dear applicant, your appointment is confirmed."));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var delivered = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal(25, delivered.RcptTo.Length);
    }

    [Fact]
    public async Task Data_PersonalDataTableToExternal_Held()
    {
        await using var relay = await StartAsync();
        string rows = string.Join("\r\n", Enumerable.Range(0, 12).Select(i => $"Person{(char)('A' + i)} Example\t1{i % 9}/04/1979\tAB1234{i:D2}C\tLS{i + 1} 3QT"));

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["partner@ext.example"], Message("partner@ext.example", "Name\tDate of Birth\tNI Number\tPostcode\r\n" + rows));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        string id = result.Reply!.Value.Text["Ok: held for review as ".Length..];
        var record = await ((MailGuard.Core.Store.IQuarantineStore)relay.Store).GetQuarantineAsync(id);
        Assert.Equal("personal-data-external", record!.Rule);
        Assert.Contains("12", record.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("AB123400C", record.FindingsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_ExposedRecipientsWithRewriteBcc_DeliveredHiddenAndSenderTold()
    {
        await using var relay = await StartAsync(("Policy:Rules:0:Action", "RewriteBcc"));
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").Append("boss@corp.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message(string.Join(", ", recipients), "Dear applicant, the body is unchanged."));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var picked = await relay.WaitForPickupAsync(2);
        var copy = Assert.Single(picked, p => p.MailFrom == "clerk@corp.example");
        Assert.Equal(13, copy.RcptTo.Length);
        using (var doc = MailGuard.Mime.MimeDocument.Load(copy.Content))
        {
            Assert.Equal(["boss@corp.example"], doc.Message.To.Select(a => a.Address));
            Assert.Equal("rewrite-bcc", doc.Message.Headers["X-MailGuard-Verdict"]!.Value);
        }

        Assert.EndsWith("\r\n\r\nDear applicant, the body is unchanged.\r\n", Encoding.UTF8.GetString(copy.Content), StringComparison.Ordinal);
        var notice = Assert.Single(picked, p => p.MailFrom == "");
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        Assert.Contains("Recipients hidden", Encoding.UTF8.GetString(notice.Content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_AuditOnly_DeliveredWithVerdictHeaders()
    {
        await using var relay = await StartAsync(("Policy:AuditOnly", "true"));
        var recipients = Enumerable.Range(0, 15).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message(string.Join(", ", recipients), "Dear applicant"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var copy = Assert.Single(await relay.WaitForPickupAsync(1));
        using var doc = MailGuard.Mime.MimeDocument.Load(copy.Content);
        Assert.Equal("tag; audit-only; would-have=hold", doc.Message.Headers["X-MailGuard-Verdict"]!.Value);
        Assert.Equal("exposed-recipients", doc.Message.Headers["X-MailGuard-Rule"]!.Value);
        Assert.Equal(15, doc.Message.To.Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1048576")]
    public async Task Data_AuditOnly_VerdictFieldsAboveTheReceivedBytes_SpooledOrInline(string inlineContentBytes)
    {
        // Spooled (InlineContentBytes 0) the fields are kept by the store and delivered above the
        // file; inline they are joined to the bytes. Either way the message below them is exactly
        // what MailGuard received, its own Received field first.
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?> { ["Storage:InlineContentBytes"] = inlineContentBytes },
            services =>
            {
                services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:AuditOnly", "true")));
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            });
        var recipients = Enumerable.Range(0, 15).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        byte[] original = Message(string.Join(", ", recipients), string.Concat(Enumerable.Repeat("Dear applicant, the letter goes on.\r\n", 2000)));

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, original);

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var copy = Assert.Single(await relay.WaitForPickupAsync(1));
        string text = Encoding.UTF8.GetString(copy.Content);
        string id = result.Reply!.Value.Text.Split(' ')[^1];
        string fields = "X-MailGuard-Verdict: tag; audit-only; would-have=hold\r\nX-MailGuard-Reference: " + id + "\r\nX-MailGuard-Rule: exposed-recipients\r\n";
        Assert.StartsWith(fields + "X-MailGuard-Findings: exposed-recipients=15\r\nReceived: from ", text, StringComparison.Ordinal);
        Assert.EndsWith(Encoding.UTF8.GetString(original), text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-MailGuard-Verdict", text[fields.Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_AuditOnly_ForgedVerdictFieldReplacedInASpooledMessage()
    {
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?> { ["Storage:InlineContentBytes"] = "0" },
            services =>
            {
                services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:AuditOnly", "true")));
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            });
        var recipients = Enumerable.Range(0, 15).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        byte[] original = Encoding.UTF8.GetBytes("X-MailGuard-Verdict: deliver\r\nX-MailGuard-Rule: none\r\n" + Encoding.UTF8.GetString(Message(string.Join(", ", recipients), "Dear applicant")));

        await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, original);

        var copy = Assert.Single(await relay.WaitForPickupAsync(1));
        using var doc = MailGuard.Mime.MimeDocument.Load(copy.Content);
        Assert.Equal(["tag; audit-only; would-have=hold"], doc.Message.Headers.GetAll("X-MailGuard-Verdict").Select(h => h.Value));
        Assert.Equal(["exposed-recipients"], doc.Message.Headers.GetAll("X-MailGuard-Rule").Select(h => h.Value));
        Assert.StartsWith("X-MailGuard-Verdict: tag;", Encoding.UTF8.GetString(copy.Content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_Return_250AndOnlyTheBounceBackWithOriginalIsDelivered()
    {
        await using var relay = await StartAsync(("Policy:Rules:0:Action", "Return"));
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message(string.Join(", ", recipients), "Dear applicant"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Contains("returned to sender", result.Reply!.Value.Text, StringComparison.Ordinal);
        await relay.WaitForPickupAsync(1);
        var notice = Assert.Single(await relay.WaitForQueueDrainedAsync());
        Assert.Equal("", notice.MailFrom);
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        using var doc = MailGuard.Mime.MimeDocument.Load(notice.Content);
        Assert.Equal("multipart/report", doc.Message.Body.ContentType.MimeType);
        var original = doc.Message.Body.Children.Last();
        Assert.Equal(12, original.Message!.To.Count);
        string human = Encoding.UTF8.GetString(notice.Content[..(int)doc.Message.Body.Children[1].HeaderOffset]);
        Assert.Contains("12 external recipients", human, StringComparison.Ordinal);
        Assert.DoesNotContain("applicant3@ext3.example", human, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_Reject_550WithReferenceNothingKeptButTheAuditRecord()
    {
        await using var relay = await StartAsync(("Policy:Rules:0:Action", "Reject"));
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Message(string.Join(", ", recipients), "Dear applicant"));

        Assert.Equal(550, result.Reply!.Value.Code);
        string text = result.Reply.Value.Text;
        string id = text[(text.LastIndexOf('(') + 1)..text.LastIndexOf(')')];
        var quarantine = (MailGuard.Core.Store.IQuarantineStore)relay.Store;
        Assert.Null(await quarantine.GetQuarantineAsync(id));
        Assert.Null(await relay.Store.GetMessageAsync(id));
        var audit = Assert.Single(await quarantine.ListAuditAsync(id, 10));
        Assert.Equal("reject", audit.Action);
        Assert.Empty(await relay.Store.ListAsync(new MailGuard.Core.Store.QueueQuery()));
        Assert.Empty(PickedUp.ReadAll(relay.PickupDirectory));
    }

    [Fact]
    public async Task Data_ReturnFromNullSender_RefusedInsteadOfAnswered()
    {
        await using var relay = await StartAsync(("Policy:Rules:0:Action", "Return"));
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "", recipients, Message(string.Join(", ", recipients), "Dear applicant"));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal(550, result.Reply!.Value.Code);
    }
}
