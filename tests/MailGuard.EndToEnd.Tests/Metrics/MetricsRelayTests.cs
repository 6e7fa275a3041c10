using System.Globalization;
using System.Text;
using MailGuard.Host.Delivery;
using MailGuard.Host.Metrics;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.EndToEnd.Tests.Metrics;

/// <summary>The metrics of a running relay, driven over SMTP on loopback, read as a scraper would.</summary>
public sealed class MetricsRelayTests
{
    private static async Task<string> ScrapeAsync(TestRelay relay)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        await relay.Services.GetRequiredService<MailGuardMetrics>().WriteAsync(output, CancellationToken.None);
        return output.ToString();
    }

    private static async Task<Dictionary<string, MetricFamily>> ScrapeUntilAsync(TestRelay relay, Func<Dictionary<string, MetricFamily>, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var families = ExpositionParser.Parse(await ScrapeAsync(relay));
            if (done(families))
            {
                return families;
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(100);
        }
    }

    private static byte[] Message(string to, string subject, string body) => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <m-{Guid.NewGuid():N}@corp.example>\r\n\r\n{body}\r\n");

    [Fact]
    public async Task CleanAndHeldMessage_CountersHistogramsAndGaugesMoveByWhatHappened_NoPersonalData()
    {
        await using var relay = await TestRelay.StartAsync(configure: services =>
        {
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Rules:0:NotifySender", "false")));
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });
        var before = ExpositionParser.Parse(await ScrapeAsync(relay));
        double Delta(Dictionary<string, MetricFamily> after, string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);

        const string CleanSubject = "Minutes of the Zanzibar steering group";
        const string HeldSubject = "Applications for the Quillmarsh post";
        var clean = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["partner@ext.example"], Message("partner@ext.example", CleanSubject, "The minutes are attached below. Next meeting on Tuesday."));
        var applicants = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        var held = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", applicants, Message(string.Join(", ", applicants), HeldSubject, "Dear applicant, your interview is confirmed."));

        Assert.Equal(DeliveryOutcome.Delivered, clean.Outcome);
        Assert.StartsWith("Ok: held for review as ", held.Reply!.Value.Text, StringComparison.Ordinal);
        Assert.Single(await relay.WaitForPickupAsync(1));
        // The pickup files exist a moment before the worker records the outcome and counts it; the
        // upstream's last success is waited for too (a scrape right after the count once showed no
        // success yet, on a loaded clean-clone CI run).
        var after = await ScrapeUntilAsync(
            relay,
            f => f.Value("mailguard_delivery_attempts_total", ("result", "delivered")) > before.Value("mailguard_delivery_attempts_total", ("result", "delivered"))
                && f.Value("mailguard_delivery_last_success_timestamp_seconds") > 0,
            "the delivery to be counted");
        string text = await ScrapeAsync(relay);

        Assert.Equal(1, Delta(after, "mailguard_messages_total", ("disposition", "deliver")));
        Assert.Equal(1, Delta(after, "mailguard_messages_total", ("disposition", "hold")));
        foreach (string other in new[] { "tag", "rewrite-bcc", "return", "reject" })
        {
            Assert.Equal(0, Delta(after, "mailguard_messages_total", ("disposition", other)));
        }

        Assert.Equal(1, Delta(after, "mailguard_findings_total", ("kind", "exposed-recipients")));
        Assert.Equal(0, Delta(after, "mailguard_findings_total", ("kind", "other")));
        Assert.Equal(2, Delta(after, "mailguard_scan_duration_seconds_count"));
        Assert.True(Delta(after, "mailguard_scan_duration_seconds_sum") > 0);
        Assert.Equal(1, Delta(after, "mailguard_delivery_attempts_total", ("result", "delivered")));
        Assert.Equal(0, Delta(after, "mailguard_delivery_attempts_total", ("result", "deferred")));
        Assert.Equal(0, Delta(after, "mailguard_delivery_attempts_total", ("result", "failed")));
        Assert.Equal(1, Delta(after, "mailguard_delivery_latency_seconds_count"));
        Assert.InRange(after.Value("mailguard_delivery_latency_seconds_sum"), 0, 30);
        Assert.All(after["mailguard_smtp_rejected_total"].Samples, s => Assert.Equal(0, s.Value));

        Assert.Equal(1, after.Value("mailguard_store_up"));
        Assert.Equal(0, after.Value("mailguard_queue_depth"));
        Assert.Equal(0, after.Value("mailguard_queue_oldest_seconds"));
        Assert.Equal(1, after.Value("mailguard_queue_entries", ("status", "delivered")));
        Assert.Equal(1, after.Value("mailguard_quarantine_held"));
        Assert.Equal(0, after.Value("mailguard_delivery_circuit_open"));
        Assert.True(after.Value("mailguard_delivery_last_success_timestamp_seconds") > 0);

        var health = relay.Services.GetRequiredService<UpstreamHealth>().Snapshot();
        Assert.Equal("pickup", health.Transport);
        Assert.NotNull(health.LastSuccessAt);
        Assert.Null(health.LastFailureAt);

        foreach (string personal in applicants.Concat(["partner@ext.example", "clerk@corp.example", "corp.example", "ext0.example", CleanSubject, HeldSubject, "Zanzibar", "Quillmarsh", "applicant"]))
        {
            Assert.DoesNotContain(personal, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task RcptFromOutsideAllowedNetworks_CountedAsRelayDeniedNotAsAMessage()
    {
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Relay:AllowedNetworks:0"] = "10.0.0.0/8" });

        var result = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["rcpt@example.com"], TestMessages.Build("denied"));

        Assert.NotEqual(DeliveryOutcome.Delivered, result.Outcome);
        var families = ExpositionParser.Parse(await ScrapeAsync(relay));
        Assert.Equal(1, families.Value("mailguard_smtp_rejected_total", ("reason", "relay-denied")));
        Assert.All(families["mailguard_messages_total"].Samples, s => Assert.Equal(0, s.Value));
    }

    [Fact]
    public async Task UpstreamDown_CircuitOpensInHealthAndMetrics_FailureReplyWithoutAddresses()
    {
        int port = TestMessages.FreePort();
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?>
        {
            ["Delivery:Mode"] = "Smtp",
            ["Delivery:Smtp:Host"] = "127.0.0.1",
            ["Delivery:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Delivery:Smtp:StartTls"] = "None",
            ["Delivery:MinBackoff"] = "00:00:00.200",
            ["Delivery:MaxBackoff"] = "00:00:01",
            ["Delivery:CircuitBreaker:MinimumThroughput"] = "2",
            ["Delivery:CircuitBreaker:SamplingDuration"] = "00:00:30",
            // Long enough to stay open while the test looks.
            ["Delivery:CircuitBreaker:BreakDuration"] = "00:05:00",
        });
        var health = relay.Services.GetRequiredService<UpstreamHealth>();

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(DeliveryOutcome.Delivered, (await TestMessages.SendAsync(relay.Port, "sender@example.org", [$"recipient{i}@example.com"], TestMessages.Build($"outage {i}"))).Outcome);
        }

        // The circuit opens inside the failing attempt; its counts and the failure time are
        // recorded as that attempt ends: wait for all three.
        var families = await ScrapeUntilAsync(
            relay,
            f => f.Value("mailguard_delivery_circuit_open") == 1
                && f.Value("mailguard_delivery_attempts_total", ("result", "deferred")) >= 2
                && f.Value("mailguard_delivery_last_failure_timestamp_seconds") > 0,
            "the circuit to open");
        string text = await ScrapeAsync(relay);

        var snapshot = health.Snapshot();
        Assert.Equal("smtp", snapshot.Transport);
        Assert.Equal($"127.0.0.1:{port}", snapshot.Target);
        Assert.Equal(UpstreamCircuitState.Open, snapshot.Circuit);
        Assert.NotNull(snapshot.CircuitOpenUntil);
        Assert.NotNull(snapshot.LastFailureAt);
        Assert.Null(snapshot.LastSuccessAt);
        Assert.StartsWith("4.4.1 upstream Connect", snapshot.LastFailureReply, StringComparison.Ordinal);
        Assert.Equal(1, families.Value("mailguard_delivery_circuit_state", ("state", "open")));
        Assert.True(families.Value("mailguard_delivery_attempts_total", ("result", "deferred")) >= 2);
        Assert.Equal(0, families.Value("mailguard_delivery_attempts_total", ("result", "delivered")));
        Assert.True(families.Value("mailguard_delivery_last_failure_timestamp_seconds") > 0);
        Assert.Equal(3, families.Value("mailguard_queue_depth"));
        Assert.Equal(3, families.Value("mailguard_messages_total", ("disposition", "deliver")));
        Assert.DoesNotContain("recipient0@example.com", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sender@example.org", text, StringComparison.Ordinal);
    }
}
