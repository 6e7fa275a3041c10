using System.Collections.Concurrent;
using MailGuard.Core.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Review;

/// <summary>
/// Daily counts of policy decisions by disposition and rule for the dashboard's chart. Counted in
/// memory on the hot path (one dictionary update per message) and added to the store every few
/// seconds and at shutdown, so the relay never waits on it; a crash loses at most the last
/// interval's counts, which only ever feed the chart (the audit log and quarantine are exact).
/// </summary>
public sealed partial class DecisionRecorder : BackgroundService, Core.Dispositions.IDecisionLog
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<(DateOnly Day, string Disposition, string Rule), long> _pending = new();
    private readonly IReviewStore? _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public DecisionRecorder(IReviewStore store, TimeProvider time, ILogger<DecisionRecorder> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Counts one decision; <paramref name="rule"/> is "-" when no rule matched.</summary>
    public void Record(string disposition, string? rule)
    {
        var day = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        _pending.AddOrUpdate((day, disposition, string.IsNullOrEmpty(rule) ? "-" : rule), 1, (_, n) => n + 1);
    }

    /// <summary>Moves the pending counts to the store; on failure they are put back for the next try.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
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
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            foreach (var row in batch)
            {
                _pending.AddOrUpdate((row.Day, row.Disposition, row.Rule), row.Count, (_, n) => n + row.Count);
            }

            LogFlushFailed(_logger, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(FlushInterval, _time, stoppingToken);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
