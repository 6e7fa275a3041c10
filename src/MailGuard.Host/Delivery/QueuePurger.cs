using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Delivery;

/// <summary>Removes finished messages older than Storage:RetainFinishedHours, in bounded batches every few minutes.</summary>
internal sealed partial class QueuePurger(IMessageStore store, IOptions<StorageOptions> storage, TimeProvider time, ILogger<QueuePurger> logger, MailGuardMetrics? metrics = null)
    : StoreBackedService(StoreOperation.Purge, time, logger, metrics)
{
    /// <summary>Rows per transaction: small enough that a purge never holds the writer for long against incoming mail.</summary>
    private const int BatchSize = 2000;

    private static readonly TimeSpan s_interval = TimeSpan.FromMinutes(5);

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken stoppingToken)
    {
        var retain = TimeSpan.FromHours(storage.Value.RetainFinishedHours);
        int total = 0;
        int removed;
        do
        {
            removed = await store.PurgeFinishedAsync(Time.GetUtcNow() - retain, BatchSize, stoppingToken);
            total += removed;
        }
        while (removed == BatchSize && !stoppingToken.IsCancellationRequested);

        if (total > 0)
        {
            LogPurged(Logger, total);
        }

        return s_interval;
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.FinishedPurged, Level = LogLevel.Information, Message = "Purged {Count} finished message(s) past Storage:RetainFinishedHours")]
    private static partial void LogPurged(ILogger logger, int count);
}
