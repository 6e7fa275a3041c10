using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Delivery;
using MailGuard.Inspection;
using Prometheus;

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

/// <summary>Where a password is checked.</summary>
public enum AuthService
{
    /// <summary>The relay's AUTH.</summary>
    Smtp,

    /// <summary>The review console: login and password change.</summary>
    Console,
}

/// <summary>
/// MailGuard's metrics: System.Diagnostics.Metrics instruments (a Meter named "MailGuard")
/// recorded lock-free as mail passes, exported in the Prometheus text format by prometheus-net,
/// each instrument under the Prometheus name it has always had; and gauges read from the store
/// and the upstream health when scraped. Every label takes values from a fixed set (policy
/// actions, finding kinds, outcomes), present at 0 from the first scrape, so the number of series
/// is bounded and no label, and no other part of the output, ever carries an address, a subject
/// or content.
/// </summary>
/// <remarks>
/// One instance per host (a DI singleton) with its own meter and registry, so two hosts in one
/// process (tests) count apart. With a shared PostgreSQL store every node reports the same queue
/// and quarantine gauges: they describe the database, not the node.
/// </remarks>
public sealed class MailGuardMetrics : Core.Dispositions.IDispositionMetrics, IDisposable
{
    /// <summary>The Content-Type of <see cref="WriteAsync"/>'s output (text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>The name of the meter the instruments belong to.</summary>
    public const string MeterName = "MailGuard";

    /// <summary>A scrape waits this long for the store's counts, then reports mailguard_store_up 0 without them.</summary>
    public static readonly TimeSpan StoreQueryTimeout = TimeSpan.FromSeconds(5);

    private const string Other = "other";

    // Inspection runs in milliseconds for most mail and stops at its 30 s budget.
    private static readonly double[] s_scanBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    // From pickup speed to Delivery:MaxAgeHours' default five days (retries, held mail released late).
    private static readonly double[] s_latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400, 432000];

    private static readonly string[] s_findingKinds = [.. typeof(FindingKinds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!), Other];

    private readonly TimeProvider _time;
    private readonly IMessageStore? _store;
    private readonly UpstreamHealth? _health;
    private readonly Meter _meter;
    private readonly MeterListener _listener;
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Dictionary<Instrument, Action<double, string?>> _exports = [];
    private readonly Counter<long> _messages;
    private readonly Counter<long> _smtpRejected;
    private readonly Counter<long> _findings;
    private readonly Histogram<double> _scanDuration;
    private readonly Counter<long> _connectionsRefused;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _authThrottled;
    private readonly Counter<long> _inspectionBusy;
    private readonly Counter<long> _deliveryAttempts;
    private readonly Counter<long> _checks;
    private readonly Histogram<double> _deliveryLatency;
    private readonly Counter<long> _storeErrors;
    private readonly Gauge? _storeUp;
    private readonly Gauge? _queueDepth;
    private readonly Gauge? _queueEntries;
    private readonly Gauge? _queueOldest;
    private readonly Gauge? _held;

    /// <param name="meters">Where the meter comes from (the host's IMeterFactory); a meter of its own when null.</param>
    /// <param name="inspection">The relay's inspection pool, whose queue is reported when scraped; none in a host without a relay.</param>
    public MailGuardMetrics(TimeProvider time, IMessageStore? store = null, UpstreamHealth? health = null, IMeterFactory? meters = null, Core.Dispositions.InspectionPool? inspection = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _store = store;
        _health = health;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);

        _messages = MakeCounter(
            factory,
            "mailguard_messages_total",
            "Messages the relay decided on, by disposition (the policy action carried out; reject includes held mail refused for want of a quarantine).",
            "disposition",
            Enum.GetValues<PolicyAction>().Select(a => a.Name()));
        _smtpRejected = MakeCounter(
            factory,
            "mailguard_smtp_rejected_total",
            "Refusals by the relay during the SMTP dialogue, by reason (relay-denied at RCPT, auth-failed, commit-failed at end of DATA).",
            "reason",
            ["relay-denied", "auth-failed", "commit-failed"]);
        _findings = MakeCounter(
            factory,
            "mailguard_findings_total",
            "Findings reported by inspection, by kind (one per finding, whatever its occurrence count).",
            "kind",
            s_findingKinds);
        _connectionsRefused = MakeCounter(
            factory,
            "mailguard_smtp_connections_refused_total",
            "Connections refused with 421 4.7.0 by a session limit (max-sessions: Relay:MaxSessions; per-client: Relay:MaxSessionsPerClient; untrusted: Relay:MaxUntrustedSessions).",
            "limit",
            ["max-sessions", "per-client", "untrusted"]);
        _authFailures = MakeCounter(
            factory,
            "mailguard_auth_failures_total",
            "Passwords checked and found wrong, by service (smtp: relay AUTH; console: console login and password change).",
            "service",
            ["smtp", "console"]);
        _authThrottled = MakeCounter(
            factory,
            "mailguard_auth_throttled_total",
            "Authentication attempts refused without checking the password because the client address or the user name failed too often (SMTP 454 4.7.0, console 429).",
            "service",
            ["smtp", "console"]);
        _inspectionBusy = MakeCounter(
            factory,
            "mailguard_inspection_busy_total",
            "Messages refused with 451 4.7.1 because the inspection queue was full, at the DATA command or at the end of the message.",
            "stage",
            ["data", "end-of-data"]);
        _scanDuration = MakeHistogram(factory, "mailguard_scan_duration_seconds", "Time to inspect a message and apply the policy, at the end of DATA.", s_scanBuckets);
        _deliveryAttempts = MakeCounter(
            factory,
            "mailguard_delivery_attempts_total",
            "Delivery attempt outcomes, one per recipient attempted (failed includes expired).",
            "result",
            ["delivered", "deferred", "failed"]);
        _checks = MakeCounter(
            factory,
            "mailguard_checks_total",
            "Drafts judged by the check API (POST /api/v1/check, the Outlook add-in's), by result: the action the relay would take, or why the check was refused (busy, timeout, too-large, invalid, rate-limited).",
            "result",
            [.. Enum.GetValues<PolicyAction>().Select(a => a.Name()), .. CheckRefusals]);
        _deliveryLatency = MakeHistogram(
            factory,
            "mailguard_delivery_latency_seconds",
            "Time from receipt to delivery, once per attempt that delivered at least one recipient (held mail: until released and delivered).",
            s_latencyBuckets);

        _storeErrors = MakeCounter(
            factory,
            "mailguard_store_errors_total",
            "Store faults (database down, restarting, full or locked; disk errors), by operation: commit at the end of DATA (the client got 451/452), claim and record in delivery, expiry, digest, purge, decision-counts, startup, console.",
            "operation",
            StoreOperation.All);

        string version = typeof(MailGuardMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        factory.CreateGauge("mailguard_build_info", "Always 1; the version label says which MailGuard is running.", "version").WithLabels(version).Set(1);
        if (_health is not null)
        {
            var circuitOpen = factory.CreateGauge("mailguard_delivery_circuit_open", "1 while the delivery circuit breaker holds mail back (open or half-open), else 0.");
            var circuitState = factory.CreateGauge("mailguard_delivery_circuit_state", "The delivery circuit breaker's state: 1 for the current one.", "state");
            var lastSuccess = factory.CreateGauge("mailguard_delivery_last_success_timestamp_seconds", "Unix time of the last attempt that delivered a recipient; 0 if none since start.");
            var lastFailure = factory.CreateGauge("mailguard_delivery_last_failure_timestamp_seconds", "Unix time of the last upstream failure; 0 if none since start.");
            var stateInstrument = _meter.CreateObservableGauge("mailguard_delivery_circuit_state", () => Enum.GetValues<UpstreamCircuitState>().Select(s => new Measurement<long>(s == _health.Snapshot().Circuit ? 1 : 0, new KeyValuePair<string, object?>("state", s.Name()))), description: "The delivery circuit breaker's state: 1 for the current one.");
            _exports[_meter.CreateObservableGauge("mailguard_delivery_circuit_open", () => _health.Snapshot().Circuit == UpstreamCircuitState.Closed ? 0L : 1L)] = (v, _) => circuitOpen.Set(v);
            _exports[_meter.CreateObservableGauge("mailguard_delivery_last_success_timestamp_seconds", () => UnixSeconds(_health.Snapshot().LastSuccessAt))] = (v, _) => lastSuccess.Set(v);
            _exports[_meter.CreateObservableGauge("mailguard_delivery_last_failure_timestamp_seconds", () => UnixSeconds(_health.Snapshot().LastFailureAt))] = (v, _) => lastFailure.Set(v);
            foreach (var state in Enum.GetValues<UpstreamCircuitState>())
            {
                circuitState.WithLabels(state.Name());
            }

            _exports[stateInstrument] = (v, label) => circuitState.WithLabels(label!).Set(v);
        }

        if (inspection is not null)
        {
            var queued = factory.CreateGauge("mailguard_inspection_queued", "Messages waiting for an inspection worker (at most Inspection:MaxQueued).");
            var running = factory.CreateGauge("mailguard_inspection_running", "Messages being inspected now (at most Inspection:Workers).");
            _exports[_meter.CreateObservableGauge("mailguard_inspection_queued", () => (long)inspection.Queued)] = (v, _) => queued.Set(v);
            _exports[_meter.CreateObservableGauge("mailguard_inspection_running", () => (long)inspection.Running)] = (v, _) => running.Set(v);
        }

        if (_store is not null)
        {
            _storeUp = factory.CreateGauge("mailguard_store_up", "1 when the store answered this scrape's counts, 0 when it failed or timed out (the store gauges are then missing).");
            _queueDepth = factory.CreateGauge("mailguard_queue_depth", "Queue entries (one per recipient) waiting for delivery: due, deferred or being attempted.");
            _queueEntries = factory.CreateGauge("mailguard_queue_entries", "Queue entries by status; delivered and failed ones stay until purged (Storage:RetainFinishedHours).", "status");
            _queueOldest = factory.CreateGauge("mailguard_queue_oldest_seconds", "Age of the oldest message still waiting for delivery; 0 when the queue is empty.");
            _held = factory.CreateGauge("mailguard_quarantine_held", "Messages held in quarantine waiting for a reviewer's decision.");
            // The store's counts are read once per scrape, before the registry is collected.
            _registry.AddBeforeCollectCallback(RefreshStoreGaugesAsync);
        }

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter) && _exports.ContainsKey(instrument))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Export(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Export(instrument, value, tags));
        _listener.Start();
        _registry.AddBeforeCollectCallback(() => _listener.RecordObservableInstruments());
    }

    public void MessageDecided(PolicyAction disposition) => _messages.Add(1, new KeyValuePair<string, object?>("disposition", disposition.Name()));

    public void SmtpRefused(SmtpRefusal reason) => _smtpRejected.Add(1, new KeyValuePair<string, object?>("reason", reason switch
    {
        SmtpRefusal.RelayDenied => "relay-denied",
        SmtpRefusal.AuthFailed => "auth-failed",
        _ => "commit-failed",
    }));

    public void ConnectionRefused(MailGuard.Smtp.Server.SmtpConnectionLimit limit) => _connectionsRefused.Add(1, new KeyValuePair<string, object?>("limit", limit switch
    {
        MailGuard.Smtp.Server.SmtpConnectionLimit.MaxSessionsPerClient => "per-client",
        MailGuard.Smtp.Server.SmtpConnectionLimit.MaxUntrustedSessions => "untrusted",
        _ => "max-sessions",
    }));

    /// <summary>Counts a password found wrong (<paramref name="throttled"/> false) or an attempt refused unchecked (true).</summary>
    public void AuthAttemptRefused(AuthService service, bool throttled) =>
        (throttled ? _authThrottled : _authFailures).Add(1, new KeyValuePair<string, object?>("service", service == AuthService.Smtp ? "smtp" : "console"));

    /// <summary>Counts a message refused with 451 4.7.1 because inspection was full: at DATA, or at the end of the message.</summary>
    public void InspectionBusy(bool atData) => _inspectionBusy.Add(1, new KeyValuePair<string, object?>("stage", atData ? "data" : "end-of-data"));

    /// <summary>Counts one finding of <paramref name="kind"/>; a kind not in <see cref="FindingKinds"/> counts as other.</summary>
    public void FindingReported(string kind) =>
        _findings.Add(1, new KeyValuePair<string, object?>("kind", Array.IndexOf(s_findingKinds, kind) >= 0 ? kind : Other));

    /// <summary>Counts one store fault during <paramref name="operation"/>, one of <see cref="StoreOperation.All"/> (any other name is not counted: the label set stays fixed).</summary>
    public void StoreFaulted(string operation)
    {
        if (StoreOperation.All.Contains(operation))
        {
            _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));
        }
    }
    /// <summary>Why the check API refused to judge a draft: the values of mailguard_checks_total besides the actions.</summary>
    public static readonly string[] CheckRefusals = ["busy", "timeout", "too-large", "invalid", "rate-limited"];

    /// <summary>Counts one check answered with <paramref name="action"/>.</summary>
    public void CheckAnswered(PolicyAction action) => _checks.Add(1, new KeyValuePair<string, object?>("result", action.Name()));

    /// <summary>Counts one check refused for <paramref name="reason"/> (one of <see cref="CheckRefusals"/>).</summary>
    public void CheckRefused(string reason) => _checks.Add(1, new KeyValuePair<string, object?>("result", Array.IndexOf(CheckRefusals, reason) >= 0 ? reason : "invalid"));

    public void ScanCompleted(TimeSpan elapsed) => _scanDuration.Record(Math.Max(0, elapsed.TotalSeconds));

    /// <summary>Counts <paramref name="recipients"/> recipient attempts with this outcome; released entries were not attempted and are not counted.</summary>
    public void DeliveryAttempted(RecipientDisposition outcome, int recipients = 1)
    {
        string? result = outcome switch
        {
            RecipientDisposition.Delivered => "delivered",
            RecipientDisposition.Deferred => "deferred",
            RecipientDisposition.Failed => "failed",
            _ => null,
        };
        if (result is not null && recipients > 0)
        {
            _deliveryAttempts.Add(recipients, new KeyValuePair<string, object?>("result", result));
        }
    }

    /// <summary>Observes receipt-to-delivery time; negative (another node's clock ahead) counts as 0.</summary>
    public void Delivered(TimeSpan sinceReceived) => _deliveryLatency.Record(Math.Max(0, sinceReceived.TotalSeconds));

    /// <summary>
    /// Writes every metric in the text format (<see cref="ContentType"/>), the store gauges read
    /// now. A store that fails or takes longer than <see cref="StoreQueryTimeout"/> gives
    /// mailguard_store_up 0 and no store gauges; everything else is still written.
    /// </summary>
    public async Task WriteAsync(TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writer);
        using var buffer = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(buffer, cancellationToken);
        // Rendered first, written once: a response stream must not be written synchronously.
        string text = WithoutEmptyFamilies(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _meter.Dispose();
    }

    // A counter instrument and the Prometheus counter it is exported as, with every label value
    // present from the start.
    private Counter<long> MakeCounter(MetricFactory factory, string name, string help, string label, IEnumerable<string> values)
    {
        var exported = factory.CreateCounter(name, help, label);
        foreach (string value in values)
        {
            exported.WithLabels(value);
        }

        var instrument = _meter.CreateCounter<long>(name, description: help);
        _exports[instrument] = (v, l) => exported.WithLabels(l!).Inc(v);
        return instrument;
    }

    private Histogram<double> MakeHistogram(MetricFactory factory, string name, string help, double[] buckets)
    {
        var exported = factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = buckets });
        var instrument = _meter.CreateHistogram<double>(name, unit: "s", description: help);
        _exports[instrument] = (v, _) => exported.Observe(v);
        return instrument;
    }

    private void Export(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_exports.TryGetValue(instrument, out var export))
        {
            export(value, tags.Length > 0 ? tags[0].Value as string : null);
        }
    }

    private async Task RefreshStoreGaugesAsync(CancellationToken cancellationToken)
    {
        var stats = await ReadStoreAsync(_store!, cancellationToken);
        _storeUp!.Set(stats is null ? 0 : 1);
        if (stats is null)
        {
            _queueDepth!.Unpublish();
            _queueEntries!.Unpublish();
            _queueOldest!.Unpublish();
            _held!.Unpublish();
            return;
        }

        _queueDepth!.Set(stats.QueuedEntries);
        _queueEntries!.WithLabels("queued").Set(stats.QueuedEntries);
        _queueEntries.WithLabels("delivered").Set(stats.DeliveredEntries);
        _queueEntries.WithLabels("failed").Set(stats.FailedEntries);
        _queueOldest!.Set(stats.OldestQueuedReceivedAt is { } at ? Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds) : 0);
        _held!.Set(stats.HeldMessages);
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
        catch (Exception ex) when (StoreFaults.IsStoreFault(ex))
        {
            // A database that is down (or not opened yet) is itself what the scrape should show;
            // the store's own callers log it.
            return null;
        }
    }

    // prometheus-net still writes the HELP and TYPE of a gauge it has unpublished (the store
    // gauges while the store is down); a family without samples is left out instead, so "the
    // store gauges are then missing" holds for the reader.
    private static string WithoutEmptyFamilies(string exposition)
    {
        var output = new StringBuilder(exposition.Length);
        var header = new StringBuilder();
        foreach (var range in exposition.AsSpan().Split('\n'))
        {
            var line = exposition.AsSpan(range);
            if (line.IsEmpty)
            {
                continue;
            }

            if (line.StartsWith("# "))
            {
                if (line.StartsWith("# HELP "))
                {
                    header.Clear();
                }

                header.Append(line).Append('\n');
                continue;
            }

            output.Append(header).Append(line).Append('\n');
            header.Clear();
        }

        return output.ToString();
    }

    private static double UnixSeconds(DateTimeOffset? at) => at is { } t ? t.ToUnixTimeMilliseconds() / 1000.0 : 0;
}
