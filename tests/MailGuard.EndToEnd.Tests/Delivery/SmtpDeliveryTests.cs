using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Mime;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Delivery;

/// <summary>Delivery:Mode=Smtp to a smart host on loopback: our own capture sink, or Postfix's smtp-sink.</summary>
public sealed class SmtpDeliveryTests
{
    private static Dictionary<string, string?> SmtpSettings(int port, string startTls = "None") => new()
    {
        ["Delivery:Mode"] = "Smtp",
        ["Delivery:Smtp:Host"] = "127.0.0.1",
        ["Delivery:Smtp:Port"] = port.ToString(),
        ["Delivery:Smtp:StartTls"] = startTls,
        ["Delivery:Smtp:ValidateCertificate"] = "false",
        ["Delivery:MinBackoff"] = "00:00:00.200",
        ["Delivery:MaxBackoff"] = "00:00:01",
        ["Delivery:CircuitBreaker:MinimumThroughput"] = "2",
        ["Delivery:CircuitBreaker:BreakDuration"] = "00:00:00.500",
        ["Delivery:CircuitBreaker:SamplingDuration"] = "00:00:05",
    };

    /// <summary>DSNs go only to verified senders: the test sender's domain is made internal.</summary>
    private static void SenderInternal(IServiceCollection services) =>
        services.AddSingleton(new PolicyOptions { InternalDomains = ["example.org"] });

    [Fact]
    public async Task StartTlsRequiredWithAuth_ToSink_DeliveredBytesEqualSubmittedPlusTrace()
    {
        await using var sink = await CaptureSink.StartAsync(certificate: TestMessages.Certificate());
        var settings = SmtpSettings(sink.Port, "Required");
        settings["Delivery:Smtp:Username"] = "relay";
        settings["Delivery:Smtp:Password"] = "secret";
        await using var relay = await TestRelay.StartAsync(settings);
        var messages = Enumerable.Range(0, 5).Select(i => TestMessages.Build($"tls {i}", bodyLines: 200 * i)).ToArray();

        foreach (var m in messages)
        {
            Assert.Equal(DeliveryOutcome.Delivered, (await TestMessages.SendAsync(relay.Port, "sender@example.org", ["rcpt@example.com"], m)).Outcome);
        }

        var captured = await sink.WaitForAsync(5);
        Assert.True(sink.SawTls);
        Assert.True(sink.SawAuth);
        foreach (var m in messages)
        {
            Assert.Single(captured, c => TraceHeader.Strip(c.Content).AsSpan().SequenceEqual(m));
        }

        Assert.All(captured, c => Assert.Equal("sender@example.org", c.MailFrom));
        await Wait.UntilAsync(async () => (await relay.Store.ListAsync(new QueueQuery([QueueEntryStatus.Queued]))).Count == 0);
        Assert.Empty(Directory.GetFiles(Path.Combine(relay.Directory, "data", "spool")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(262144)]
    public async Task MessagesAroundInlineLimit_DeliveredExactly_SpoolEmptiedAfterwards(long inlineContentBytes)
    {
        await using var sink = await CaptureSink.StartAsync();
        var settings = SmtpSettings(sink.Port);
        settings["Storage:InlineContentBytes"] = inlineContentBytes.ToString();
        await using var relay = await TestRelay.StartAsync(settings);
        // 1 line, about 256 KiB (either side of the default limit), and about 1 MB.
        var messages = new[] { 0, 4300, 4500, 17000 }.Select(lines => TestMessages.Build($"size {lines}", bodyLines: lines)).ToArray();

        foreach (var m in messages)
        {
            Assert.Equal(DeliveryOutcome.Delivered, (await TestMessages.SendAsync(relay.Port, "sender@example.org", ["rcpt@example.com"], m)).Outcome);
        }

        var captured = await sink.WaitForAsync(messages.Length);
        foreach (var m in messages)
        {
            Assert.Single(captured, c => TraceHeader.Strip(c.Content).AsSpan().SequenceEqual(m));
        }

        await Wait.UntilAsync(async () => (await relay.Store.ListAsync(new QueueQuery([QueueEntryStatus.Queued]))).Count == 0);
        await Wait.UntilAsync(() => Task.FromResult(Directory.GetFiles(Path.Combine(relay.Directory, "data", "spool")).Length == 0));
    }

    [Fact]
    public async Task Upstream550ForOneRecipient_OthersDeliveredAndDsnToSender()
    {
        await using var sink = await CaptureSink.StartAsync();
        await using var relay = await TestRelay.StartAsync(SmtpSettings(sink.Port), SenderInternal);
        byte[] original = TestMessages.Build("will bounce");

        await TestMessages.SendAsync(relay.Port, "sender@example.org", ["ok@example.com", "reject-me@example.com"], original);

        var captured = await sink.WaitForAsync(2);
        var delivered = Assert.Single(captured, c => c.MailFrom == "sender@example.org");
        Assert.Equal(["ok@example.com"], delivered.RcptTo);
        var dsn = Assert.Single(captured, c => c.MailFrom.Length == 0);
        Assert.Equal(["sender@example.org"], dsn.RcptTo);

        using var doc = MimeDocument.Load(new MemoryStream(dsn.Content));
        Assert.Equal("multipart/report", doc.Message.Body.ContentType.MimeType);
        var parts = doc.Message.Body.Children;
        Assert.Equal(["text/plain", "message/delivery-status", "text/rfc822-headers"], parts.Select(p => p.ContentType.MimeType));
        string report = Encoding.UTF8.GetString(dsn.Content);
        Assert.Contains("report-type=delivery-status", report, StringComparison.Ordinal);
        Assert.Contains("Final-Recipient: rfc822; reject-me@example.com", report, StringComparison.Ordinal);
        Assert.Contains("Status: 5.1.1", report, StringComparison.Ordinal);
        Assert.Contains("Diagnostic-Code: smtp; 550 5.1.1 No such user", report, StringComparison.Ordinal);
        Assert.Contains("Subject: will bounce", report, StringComparison.Ordinal);
        Assert.DoesNotContain("quick brown fox", report, StringComparison.Ordinal); // headers only, never the body
        Assert.DoesNotContain("ok@example.com>", report.Split("text/rfc822-headers")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream550_ForgedExternalSender_NoDsnButAudited_InternalSenderGetsIts()
    {
        await using var sink = await CaptureSink.StartAsync();
        await using var relay = await TestRelay.StartAsync(SmtpSettings(sink.Port), services => services.AddSingleton(new PolicyOptions { InternalDomains = ["corp.example"] }));
        const string Forged = "ceo@victim.example";

        var forged = await TestMessages.SendAsync(relay.Port, Forged, ["ok@example.com", "reject-me@example.com"], TestMessages.Build("forged bounce"));
        await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["ok@example.com", "reject-me@example.com"], TestMessages.Build("own bounce"));
        string forgedId = forged.Reply!.Value.Text["Ok: queued as ".Length..];

        // Two deliveries to ok@, and one DSN: the internal sender's.
        var captured = await sink.WaitForAsync(3);
        var quarantine = (IQuarantineStore)relay.Store;
        await Wait.UntilAsync(async () => (await quarantine.ListAuditAsync(forgedId, 10)).Any(a => a.Action == "dsn-withheld"));
        var withheld = Assert.Single(await quarantine.ListAuditAsync(forgedId, 10));
        Assert.Equal(("mailguard:delivery", "1 recipient(s) failed"), (withheld.Actor, withheld.Detail));
        var dsn = Assert.Single(captured, c => c.MailFrom.Length == 0);
        Assert.Equal(["clerk@corp.example"], dsn.RcptTo);
        Assert.Contains("Subject: own bounce", Encoding.UTF8.GetString(dsn.Content), StringComparison.Ordinal);
        // A DSN would have been queued with the failure it reports, so the queue is the proof.
        Assert.DoesNotContain(await relay.Store.ListAsync(new QueueQuery()), e => e.Recipient == Forged);
        Assert.DoesNotContain(sink.Messages, c => c.RcptTo.Contains(Forged));
        Assert.Equal(QueueEntryStatus.Failed, Assert.Single(await relay.Store.ListAsync(new QueueQuery(MessageId: forgedId)), e => e.Recipient == "reject-me@example.com").Status);
    }

    [Fact]
    public async Task NullSenderPermanentFailure_NoDsn()
    {
        await using var sink = await CaptureSink.StartAsync();
        await using var relay = await TestRelay.StartAsync(SmtpSettings(sink.Port));

        await TestMessages.SendAsync(relay.Port, string.Empty, ["reject-me@example.com"], TestMessages.Build("a bounce that bounces"));
        await Wait.UntilAsync(async () => (await relay.Store.ListAsync(new QueueQuery([QueueEntryStatus.Failed]))).Count == 1);

        // A DSN would have been queued in the transaction that recorded the failure: there is none.
        Assert.Single(await relay.Store.ListAsync(new QueueQuery()));
        Assert.Empty(sink.Messages);
    }

    [Fact]
    public async Task TransientFailure_RetriedWithBackoff_ThenExpiredWithDsn()
    {
        await using var sink = await CaptureSink.StartAsync();
        var settings = SmtpSettings(sink.Port);
        settings["Delivery:MaxAgeHours"] = (2.0 / 3600).ToString(System.Globalization.CultureInfo.InvariantCulture); // 2 s
        await using var relay = await TestRelay.StartAsync(settings, SenderInternal);

        await TestMessages.SendAsync(relay.Port, "sender@example.org", ["defer-me@example.com"], TestMessages.Build("never accepted"));

        var dsn = Assert.Single(await sink.WaitForAsync(1, TimeSpan.FromSeconds(15)));
        Assert.Equal(string.Empty, dsn.MailFrom);
        string report = Encoding.UTF8.GetString(dsn.Content);
        Assert.Contains("Status: 4.4.7", report, StringComparison.Ordinal);
        Assert.Contains("451 4.2.0 Mailbox busy", report, StringComparison.Ordinal);
        var entry = (await relay.Store.ListAsync(new QueueQuery())).First(e => e.Recipient == "defer-me@example.com");
        Assert.Equal(QueueEntryStatus.Failed, entry.Status);
        Assert.True(entry.Attempts >= 2, $"{entry.Attempts} attempts");
    }

    [Fact]
    public async Task UpstreamDown_QueueHolds_EverythingDeliveredOnceAfterItReturns()
    {
        int port = TestMessages.FreePort();
        await using var relay = await TestRelay.StartAsync(SmtpSettings(port));
        var messages = Enumerable.Range(0, 30).Select(i => TestMessages.Build($"outage {i}")).ToArray();

        foreach (var m in messages)
        {
            Assert.Equal(DeliveryOutcome.Delivered, (await TestMessages.SendAsync(relay.Port, "sender@example.org", ["rcpt@example.com"], m)).Outcome);
        }

        // Until the worker has tried the dead upstream at least once (seconds; longer on a loaded machine).
        var tried = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<QueueEntryInfo> waiting;
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            waiting = await relay.Store.ListAsync(new QueueQuery());
        }
        while (!waiting.Any(e => e.Attempts >= 1 && e.LastReply is not null) && DateTime.UtcNow < tried);

        Assert.Equal(30, waiting.Count);
        Assert.All(waiting, e => Assert.Equal(QueueEntryStatus.Queued, e.Status));
        Assert.Contains(waiting, e => e.Attempts >= 1 && e.LastReply is not null);
        // The breaker kept attempts well below "every message every backoff period".
        Assert.True(waiting.Sum(e => e.Attempts) < 30 * 6, $"{waiting.Sum(e => e.Attempts)} attempts against a dead upstream");

        await using var sink = await CaptureSink.StartAsync(port);
        var captured = await sink.WaitForAsync(30, TimeSpan.FromSeconds(60));
        await relay.WaitForQueueDrainedAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(30, sink.Messages.Count);
        foreach (var m in messages)
        {
            Assert.Single(captured, c => TraceHeader.Strip(c.Content).AsSpan().SequenceEqual(m));
        }
    }

    [RequiresToolFact("smtp-sink")]
    public async Task PostfixSmtpSink_Upstream_AllDelivered()
    {
        int port = TestMessages.FreePort();
        using var sink = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Tools.Require("smtp-sink"), SinkArguments(port)) { RedirectStandardOutput = true, UseShellExecute = false })!;
        try
        {
            await Task.Delay(300);
            await using var relay = await TestRelay.StartAsync(SmtpSettings(port, "Opportunistic"));
            for (int i = 0; i < 20; i++)
            {
                await TestMessages.SendAsync(relay.Port, "sender@example.org", ["a@example.com", "b@example.com"], TestMessages.Build($"to postfix {i}"));
            }

            await Wait.UntilAsync(async () => (await relay.Store.ListAsync(new QueueQuery([QueueEntryStatus.Delivered]))).Count == 40);
            Assert.Empty(await relay.Store.ListAsync(new QueueQuery([QueueEntryStatus.Queued, QueueEntryStatus.Failed])));
        }
        finally
        {
            sink.Kill();
        }
    }

    /// <summary>smtp-sink refuses to run as root without -u (CI runs as root).</summary>
    internal static string[] SinkArguments(int port) =>
        Environment.UserName == "root" ? ["-u", "nobody", "-c", $"127.0.0.1:{port}", "100"] : ["-c", $"127.0.0.1:{port}", "100"];

}
