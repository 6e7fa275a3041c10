using System.Globalization;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Delivery;
using MailGuard.Host.Metrics;
using MailGuard.Inspection;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Metrics;

public sealed class MetricsExpositionTests
{
    private static async Task<string> RenderAsync(MailGuardMetrics metrics)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        await metrics.WriteAsync(output, CancellationToken.None);
        return output.ToString();
    }

    [Fact]
    public async Task WriteAsync_NothingRecorded_EveryFamilyDeclaredWithEveryLabelValueAtZero()
    {
        var families = ExpositionParser.Parse(await RenderAsync(new MailGuardMetrics(TimeProvider.System)));

        Assert.Equal("counter", families["mailguard_messages_total"].Type);
        Assert.Equal(
            ["deliver", "tag", "rewrite-bcc", "hold", "return", "reject"],
            families["mailguard_messages_total"].Samples.Select(s => s["disposition"]));
        Assert.All(families["mailguard_messages_total"].Samples, s => Assert.Equal(0, s.Value));
        Assert.Equal(["relay-denied", "auth-failed", "commit-failed"], families["mailguard_smtp_rejected_total"].Samples.Select(s => s["reason"]));
        var kinds = families["mailguard_findings_total"].Samples.Select(s => s["kind"]).ToList();
        Assert.Contains(FindingKinds.UkNino, kinds);
        Assert.Contains(FindingKinds.ExposedRecipients, kinds);
        Assert.Contains(FindingKinds.TypeMismatch, kinds);
        Assert.Equal("other", kinds[^1]);
        Assert.Equal("histogram", families["mailguard_scan_duration_seconds"].Type);
        Assert.Equal("histogram", families["mailguard_delivery_latency_seconds"].Type);
        Assert.Equal(["delivered", "deferred", "failed"], families["mailguard_delivery_attempts_total"].Samples.Select(s => s["result"]));
        Assert.Equal(
            ["deliver", "tag", "rewrite-bcc", "hold", "return", "reject", "busy", "timeout", "too-large", "invalid", "rate-limited"],
            families["mailguard_checks_total"].Samples.Select(s => s["result"]));
        Assert.Equal(0, families.Value("mailguard_scan_duration_seconds_count"));
        Assert.Equal(1, Assert.Single(families["mailguard_build_info"].Samples).Value);
        // Without a store or a delivery worker there is nothing to read gauges from.
        Assert.False(families.ContainsKey("mailguard_queue_depth"));
        Assert.False(families.ContainsKey("mailguard_delivery_circuit_open"));
        Assert.All(families.Values, f => Assert.False(string.IsNullOrWhiteSpace(f.Help)));
    }

    [Fact]
    public async Task ScanCompleted_Observations_CumulativeBucketsWithBoundInclusiveAndInfEqualToCount()
    {
        var metrics = new MailGuardMetrics(TimeProvider.System);

        foreach (double seconds in new[] { 0.0005, 0.005, 0.2, 100 })
        {
            metrics.ScanCompleted(TimeSpan.FromSeconds(seconds));
        }

        var families = ExpositionParser.Parse(await RenderAsync(metrics));
        double Bucket(string le) => families.Value("mailguard_scan_duration_seconds_bucket", ("le", le));
        Assert.Equal(1, Bucket("0.001"));
        Assert.Equal(1, Bucket("0.0025"));
        Assert.Equal(2, Bucket("0.005")); // le is "less than or equal"
        Assert.Equal(2, Bucket("0.1"));
        Assert.Equal(3, Bucket("0.25"));
        Assert.Equal(3, Bucket("60"));
        Assert.Equal(4, Bucket("+Inf"));
        Assert.Equal(4, families.Value("mailguard_scan_duration_seconds_count"));
        Assert.Equal(100.2055, families.Value("mailguard_scan_duration_seconds_sum"), 9);
    }

    [Fact]
    public async Task FindingReported_KindNotInFindingKinds_CountedAsOtherWithoutItsText()
    {
        var metrics = new MailGuardMetrics(TimeProvider.System);

        metrics.FindingReported(FindingKinds.UkNino);
        metrics.FindingReported(FindingKinds.UkNino);
        metrics.FindingReported("bob@example.com");
        metrics.FindingReported("made-up-kind");

        string text = await RenderAsync(metrics);
        var families = ExpositionParser.Parse(text);
        Assert.Equal(2, families.Value("mailguard_findings_total", ("kind", "uk-nino")));
        Assert.Equal(2, families.Value("mailguard_findings_total", ("kind", "other")));
        Assert.DoesNotContain("bob@example.com", text, StringComparison.Ordinal);
        Assert.DoesNotContain("made-up-kind", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recorders_EachCountUnderItsOwnLabel()
    {
        var metrics = new MailGuardMetrics(TimeProvider.System);

        metrics.MessageDecided(PolicyAction.RewriteBcc);
        metrics.MessageDecided(PolicyAction.Reject);
        metrics.MessageDecided(PolicyAction.Reject);
        metrics.SmtpRefused(SmtpRefusal.CommitFailed);
        metrics.DeliveryAttempted(RecipientDisposition.Delivered, 3);
        metrics.DeliveryAttempted(RecipientDisposition.Failed);
        metrics.DeliveryAttempted(RecipientDisposition.Released, 5);
        metrics.Delivered(TimeSpan.FromSeconds(-2));

        var families = ExpositionParser.Parse(await RenderAsync(metrics));
        Assert.Equal(1, families.Value("mailguard_messages_total", ("disposition", "rewrite-bcc")));
        Assert.Equal(2, families.Value("mailguard_messages_total", ("disposition", "reject")));
        Assert.Equal(0, families.Value("mailguard_messages_total", ("disposition", "deliver")));
        Assert.Equal(1, families.Value("mailguard_smtp_rejected_total", ("reason", "commit-failed")));
        Assert.Equal(3, families.Value("mailguard_delivery_attempts_total", ("result", "delivered")));
        Assert.Equal(0, families.Value("mailguard_delivery_attempts_total", ("result", "deferred")));
        Assert.Equal(1, families.Value("mailguard_delivery_attempts_total", ("result", "failed")));
        // A clock behind the receiving node's counts as no time, not as a negative sum.
        Assert.Equal(1, families.Value("mailguard_delivery_latency_seconds_bucket", ("le", "0.05")));
        Assert.Equal(0, families.Value("mailguard_delivery_latency_seconds_sum"));
    }

    [Fact]
    public async Task Recorders_ConcurrentFromManyThreads_NoUpdateLost()
    {
        var metrics = new MailGuardMetrics(TimeProvider.System);

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                metrics.MessageDecided(PolicyAction.Deliver);
                metrics.ScanCompleted(TimeSpan.FromMilliseconds(500));
            }
        });

        var families = ExpositionParser.Parse(await RenderAsync(metrics));
        Assert.Equal(160_000, families.Value("mailguard_messages_total", ("disposition", "deliver")));
        Assert.Equal(160_000, families.Value("mailguard_scan_duration_seconds_count"));
        Assert.Equal(80_000, families.Value("mailguard_scan_duration_seconds_sum"));
    }

    [Fact]
    public async Task WriteAsync_UnderAnotherCulture_NumbersInvariant()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var metrics = new MailGuardMetrics(TimeProvider.System);
            metrics.ScanCompleted(TimeSpan.FromSeconds(1234567.25));
            string text = await RenderAsync(metrics);
            Assert.Contains("mailguard_scan_duration_seconds_sum 1234567.25", text, StringComparison.Ordinal);
            Assert.Contains("mailguard_scan_duration_seconds_bucket{le=\"0.0025\"} 0", text, StringComparison.Ordinal);
            ExpositionParser.Parse(text);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public async Task WriteAsync_WithStore_GaugesReadAtScrapeTime()
    {
        string dir = TempDirectory.Create("metrics-store");
        try
        {
            var time = new ManualTime(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
            await using var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, time);
            await store.InitializeAsync();
            var metrics = new MailGuardMetrics(time, store);
            var empty = ExpositionParser.Parse(await RenderAsync(metrics));
            Assert.Equal(1, empty.Value("mailguard_store_up"));
            Assert.Equal(0, empty.Value("mailguard_queue_depth"));
            Assert.Equal(0, empty.Value("mailguard_queue_oldest_seconds"));

            await store.EnqueueAsync(new NewMessage(MessageIds.New(time), "a@corp.example", ["x@ext.example", "y@ext.example"], time.GetUtcNow(), null, null, null, 5, InlineContent: "hello"u8.ToArray()));
            var held = new NewMessage(MessageIds.New(time), "a@corp.example", ["z@ext.example"], time.GetUtcNow(), null, null, null, 5, InlineContent: "held"u8.ToArray());
            await store.HoldAsync(held, new HoldDetails("rule", "why", "Secret subject", null, "[]"), new AuditEvent(time.GetUtcNow(), "mailguard", "hold", held.Id, null));
            time.Advance(TimeSpan.FromSeconds(90));

            var families = ExpositionParser.Parse(await RenderAsync(metrics));
            Assert.Equal(2, families.Value("mailguard_queue_depth"));
            Assert.Equal(2, families.Value("mailguard_queue_entries", ("status", "queued")));
            Assert.Equal(0, families.Value("mailguard_queue_entries", ("status", "delivered")));
            Assert.Equal(90, families.Value("mailguard_queue_oldest_seconds"));
            Assert.Equal(1, families.Value("mailguard_quarantine_held"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task WriteAsync_StoreFails_StoreUpZeroWithoutStoreGaugesRestWritten()
    {
        string dir = TempDirectory.Create("metrics-nostore");
        try
        {
            // Never initialised: the database has no tables, so the counting query fails as a broken database would.
            await using var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db") }, TimeProvider.System);
            var metrics = new MailGuardMetrics(TimeProvider.System, store);
            metrics.MessageDecided(PolicyAction.Hold);

            var families = ExpositionParser.Parse(await RenderAsync(metrics));

            Assert.Equal(0, families.Value("mailguard_store_up"));
            Assert.False(families.ContainsKey("mailguard_queue_depth"));
            Assert.False(families.ContainsKey("mailguard_quarantine_held"));
            Assert.Equal(1, families.Value("mailguard_messages_total", ("disposition", "hold")));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task WriteAsync_WithUpstreamHealth_CircuitAndLastTimesAsGauges()
    {
        string dir = TempDirectory.Create("metrics-health");
        try
        {
            var time = new ManualTime(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
            var health = new UpstreamHealth(new PickupTransport(dir), time);
            var metrics = new MailGuardMetrics(time, health: health);
            var closed = ExpositionParser.Parse(await RenderAsync(metrics));
            Assert.Equal(0, closed.Value("mailguard_delivery_circuit_open"));
            Assert.Equal(1, closed.Value("mailguard_delivery_circuit_state", ("state", "closed")));
            Assert.Equal(0, closed.Value("mailguard_delivery_last_success_timestamp_seconds"));

            health.Succeeded();
            time.Advance(TimeSpan.FromSeconds(10));
            health.Failed("421 4.3.2 shutting down");
            health.CircuitOpened(TimeSpan.FromSeconds(30));

            var open = ExpositionParser.Parse(await RenderAsync(metrics));
            Assert.Equal(1, open.Value("mailguard_delivery_circuit_open"));
            Assert.Equal(1, open.Value("mailguard_delivery_circuit_state", ("state", "open")));
            Assert.Equal(0, open.Value("mailguard_delivery_circuit_state", ("state", "closed")));
            Assert.Equal(0, open.Value("mailguard_delivery_circuit_state", ("state", "half-open")));
            Assert.Equal(1795338000, open.Value("mailguard_delivery_last_success_timestamp_seconds"));
            Assert.Equal(1795338010, open.Value("mailguard_delivery_last_failure_timestamp_seconds"));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
