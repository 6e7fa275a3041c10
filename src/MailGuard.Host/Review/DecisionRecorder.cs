using System.Collections.Concurrent;
using MailGuard.Core.Store;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;

namespace MailGuard.Host.Review;

/// <summary>
/// Daily counts of policy decisions by disposition and rule for the dashboard's chart. Counted in
/// memory on the hot path (one dictionary update per message) and added to the store every few
/// seconds and at shutdown, so the relay never waits on it; a crash loses at most the last
/// interval's counts, which only ever feed the chart (the audit log and quarantine are exact).
/// While the store is down the counts wait in memory (one entry per day, disposition and rule).
/// A day is a calendar day in Console:TimeZone, the zone the console shows times in: a decision at
/// 23:30 UTC is filed under the next day in Europe/Helsinki. Counts are filed as they are made, so
/// a change of Console:TimeZone does not move the days already counted.
/// </summary>
internal sealed partial class DecisionRecorder : StoreBackedService, Core.Dispositions.IDecisionLog
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<(DateOnly Day, string Disposition, string Rule), long> _pending = new();
    private readonly IReviewStore? _store;
    private readonly ConsoleClock _clock;
    private readonly ILogger _logger;

    public DecisionRecorder(IReviewStore store, ConsoleClock clock, TimeProvider time, ILogger<DecisionRecorder> logger, MailGuardMetrics? metrics = null)
        : base(StoreOperation.DecisionCounts, time, logger, metrics)
    {
        _store = store;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Counts one decision; <paramref name="rule"/> is "-" when no rule matched.</summary>
    public void Record(string disposition, string? rule)
    {
        var day = _clock.Today;
        _pending.AddOrUpdate((day, disposition, string.IsNullOrEmpty(rule) ? "-" : rule), 1, (_, n) => n + 1);
    }

    /// <summary>Moves the pending counts to the store; when the store fails they are put back for the next try and the failure logged.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await FlushOrThrowAsync(cancellationToken);
        }
        catch (Exception ex) when (StoreFaults.IsStoreFault(ex))
        {
            LogFlushFailed(_logger, ex);
        }
    }

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken stoppingToken)
    {
        await FlushOrThrowAsync(stoppingToken);
        return FlushInterval;
    }

    private async Task FlushOrThrowAsync(CancellationToken cancellationToken)
    {
        if (_store is null || _pending.IsEmpty)
        {
            return;
        }

        var batch = new List<DecisionCount>();
        foreach (var key in _pending.Keys)
        {
            if (_pending.TryRemove(key, out long n) && n > 0)
            {
                batch.Add(new DecisionCount(key.Day, key.Disposition, key.Rule, n));
            }
        }

        try
        {
            await _store.AddDecisionCountsAsync(batch, cancellationToken);
        }
        catch
        {
            foreach (var row in batch)
            {
                _pending.AddOrUpdate((row.Day, row.Disposition, row.Rule), row.Count, (_, n) => n + row.Count);
            }

            throw;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(CancellationToken.None);
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.DecisionCountsFailed, Level = LogLevel.Warning, Message = "Could not store the dashboard's decision counts; will retry")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
