using System.Data.Common;
using System.Reflection;
using System.Text;
using MailGuard.Inspection;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Delivery;

namespace MailGuard.Host.Metrics;

/// <summary>Refusals the relay itself makes during the SMTP dialogue (policy rejections are dispositions).</summary>
public enum SmtpRefusal
{
    /// <summary>RCPT from a client neither in Relay:AllowedNetworks nor authenticated.</summary>
    RelayDenied,

    /// <summary>AUTH with wrong credentials.</summary>
    AuthFailed,

    /// <summary>The message could not be made durable: 451 or 452 at the end of DATA, the client retries.</summary>
    CommitFailed,
}

/// <summary>
/// MailGuard's Prometheus metrics: counters and histograms recorded lock-free as mail passes, and
/// gauges read from the store and the upstream health when scraped. Every label takes values from
/// a fixed set (policy actions, finding kinds, outcomes), so the number of series is bounded and
/// no label, and no other part of the output, ever carries an address, a subject or content.
/// </summary>
/// <remarks>
/// One instance per process (a DI singleton). With a shared PostgreSQL store every node reports
/// the same queue and quarantine gauges: they describe the database, not the node.
/// </remarks>
public sealed class MailGuardMetrics : Core.Dispositions.IDispositionMetrics
{
    /// <summary>The Content-Type of <see cref="WriteAsync"/>'s output (text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>A scrape waits this long for the store's counts, then reports mailguard_store_up 0 without them.</summary>
    public static readonly TimeSpan StoreQueryTimeout = TimeSpan.FromSeconds(5);

    // Inspection runs in milliseconds for most mail and stops at its 30 s budget.
    private static readonly double[] s_scanBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // From pickup speed to Delivery:MaxAgeHours' default five days (retries, held mail released late).
    private static readonly double[] s_latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400, 432000];

    private readonly TimeProvider _time;
    private readonly IMessageStore? _store;
    private readonly UpstreamHealth? _health;
    private readonly string _version;

    private readonly LabelledCounter _messages = new(
        "mailguard_messages_total",
        "Messages the relay decided on, by disposition (the policy action carried out; reject includes held mail refused for want of a quarantine).",
        "disposition",
        Enum.GetValues<PolicyAction>().Select(a => a.Name()));

    private readonly LabelledCounter _smtpRejected = new(
        "mailguard_smtp_rejected_total",
        "Refusals by the relay during the SMTP dialogue, by reason (relay-denied at RCPT, auth-failed, commit-failed at end of DATA).",
        "reason",
        ["relay-denied", "auth-failed", "commit-failed"]);

    private readonly LabelledCounter _findings = new(
        "mailguard_findings_total",
        "Findings reported by inspection, by kind (one per finding, whatever its occurrence count).",
        "kind",
        typeof(FindingKinds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!),
        foldUnknownIntoOther: true);

    private readonly Histogram _scanDuration = new(
        "mailguard_scan_duration_seconds",
        "Time to inspect a message and apply the policy, at the end of DATA.",
        s_scanBuckets);

    private readonly LabelledCounter _deliveryAttempts = new(
        "mailguard_delivery_attempts_total",
        "Delivery attempt outcomes, one per recipient attempted (failed includes expired).",
        "result",
        ["delivered", "deferred", "failed"]);

    private readonly Histogram _deliveryLatency = new(
        "mailguard_delivery_latency_seconds",
        "Time from receipt to delivery, once per attempt that delivered at least one recipient (held mail: until released and delivered).",
        s_latencyBuckets);

    public MailGuardMetrics(TimeProvider time, IMessageStore? store = null, UpstreamHealth? health = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _store = store;
        _health = health;
        _version = typeof(MailGuardMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    }

    public void MessageDecided(PolicyAction disposition) => _messages.Increment(disposition.Name());

    public void SmtpRefused(SmtpRefusal reason) => _smtpRejected.Increment(reason switch
    {
        SmtpRefusal.RelayDenied => "relay-denied",
        SmtpRefusal.AuthFailed => "auth-failed",
        _ => "commit-failed",
    });

    /// <summary>Counts one finding of <paramref name="kind"/>; a kind not in <see cref="FindingKinds"/> counts as other.</summary>
    public void FindingReported(string kind) => _findings.Increment(kind);

    public void ScanCompleted(TimeSpan elapsed) => _scanDuration.Observe(Math.Max(0, elapsed.TotalSeconds));

    /// <summary>Counts <paramref name="recipients"/> recipient attempts with this outcome; released entries were not attempted and are not counted.</summary>
    public void DeliveryAttempted(RecipientDisposition outcome, int recipients = 1)
    {
        switch (outcome)
        {
            case RecipientDisposition.Delivered:
                _deliveryAttempts.Increment("delivered", recipients);
                break;
            case RecipientDisposition.Deferred:
                _deliveryAttempts.Increment("deferred", recipients);
                break;
            case RecipientDisposition.Failed:
                _deliveryAttempts.Increment("failed", recipients);
                break;
        }
    }

    /// <summary>Observes receipt-to-delivery time; negative (another node's clock ahead) counts as 0.</summary>
    public void Delivered(TimeSpan sinceReceived) => _deliveryLatency.Observe(Math.Max(0, sinceReceived.TotalSeconds));

    /// <summary>
    /// Writes every metric in the text format (<see cref="ContentType"/>), the store gauges read
    /// now. A store that fails or takes longer than <see cref="StoreQueryTimeout"/> gives
    /// mailguard_store_up 0 and no store gauges; everything else is still written.
    /// </summary>
    public async Task WriteAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        StoreStats? stats = null;
        if (_store is not null)
        {
            stats = await ReadStoreAsync(_store, cancellationToken);
        }

        var text = new StringBuilder(8 * 1024);
        var w = new PrometheusTextWriter(text);
        w.Family("mailguard_build_info", MetricType.Gauge, "Always 1; the version label says which MailGuard is running.");
        w.Sample("mailguard_build_info", "version", _version, 1L);
        _messages.WriteTo(w);
        _smtpRejected.WriteTo(w);
        _findings.WriteTo(w);
        _scanDuration.WriteTo(w);
        _deliveryAttempts.WriteTo(w);
        _deliveryLatency.WriteTo(w);
        if (_health is not null)
        {
            WriteHealth(w, _health.Snapshot());
        }

        if (_store is not null)
        {
            WriteStore(w, stats);
        }

        // Rendered first, written once: a response stream must not be written synchronously.
        await writer.WriteAsync(text, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    private async Task<StoreStats?> ReadStoreAsync(IMessageStore store, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(StoreQueryTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await store.GetStatsAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException or IOException)
        {
            // A database that is down (or not opened yet) is itself what the scrape should show;
            // the store's own callers log it.
            return null;
        }
    }

    private static void WriteHealth(PrometheusTextWriter w, UpstreamHealthSnapshot health)
    {
        w.Family("mailguard_delivery_circuit_open", MetricType.Gauge, "1 while the delivery circuit breaker holds mail back (open or half-open), else 0.");
        w.Sample("mailguard_delivery_circuit_open", health.Circuit == UpstreamCircuitState.Closed ? 0L : 1L);
        w.Family("mailguard_delivery_circuit_state", MetricType.Gauge, "The delivery circuit breaker's state: 1 for the current one.");
        foreach (var state in Enum.GetValues<UpstreamCircuitState>())
        {
            w.Sample("mailguard_delivery_circuit_state", "state", state.Name(), state == health.Circuit ? 1L : 0L);
        }

        w.Family("mailguard_delivery_last_success_timestamp_seconds", MetricType.Gauge, "Unix time of the last attempt that delivered a recipient; 0 if none since start.");
        w.Sample("mailguard_delivery_last_success_timestamp_seconds", UnixSeconds(health.LastSuccessAt));
        w.Family("mailguard_delivery_last_failure_timestamp_seconds", MetricType.Gauge, "Unix time of the last upstream failure; 0 if none since start.");
        w.Sample("mailguard_delivery_last_failure_timestamp_seconds", UnixSeconds(health.LastFailureAt));
    }

    private void WriteStore(PrometheusTextWriter w, StoreStats? stats)
    {
        w.Family("mailguard_store_up", MetricType.Gauge, "1 when the store answered this scrape's counts, 0 when it failed or timed out (the store gauges are then missing).");
        w.Sample("mailguard_store_up", stats is null ? 0L : 1L);
        if (stats is null)
        {
            return;
        }

        w.Family("mailguard_queue_depth", MetricType.Gauge, "Queue entries (one per recipient) waiting for delivery: due, deferred or being attempted.");
        w.Sample("mailguard_queue_depth", stats.QueuedEntries);
        w.Family("mailguard_queue_entries", MetricType.Gauge, "Queue entries by status; delivered and failed ones stay until purged (Storage:RetainFinishedHours).");
        w.Sample("mailguard_queue_entries", "status", "queued", stats.QueuedEntries);
        w.Sample("mailguard_queue_entries", "status", "delivered", stats.DeliveredEntries);
        w.Sample("mailguard_queue_entries", "status", "failed", stats.FailedEntries);
        w.Family("mailguard_queue_oldest_seconds", MetricType.Gauge, "Age of the oldest message still waiting for delivery; 0 when the queue is empty.");
        double oldest = stats.OldestQueuedReceivedAt is { } at ? Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds) : 0;
        w.Sample("mailguard_queue_oldest_seconds", oldest);
        w.Family("mailguard_quarantine_held", MetricType.Gauge, "Messages held in quarantine waiting for a reviewer's decision.");
        w.Sample("mailguard_quarantine_held", stats.HeldMessages);
    }

    private static double UnixSeconds(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : 0;
}
