using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;
using Microsoft.Extensions.Options;

namespace MailGuard.Host;

/// <summary>
/// First hosted service: opens the store (migrations), drops this node's leases left by a crash
/// (so its queue resumes at once instead of after Delivery:LeaseTime) and removes spool files of
/// messages that never got committed. Runs before the relay listens.
/// </summary>
/// <remarks>
/// A store that is not there yet for a reason that passes by itself (a database server still
/// starting or restarting, unreachable, a lock) is waited for, up to <see cref="WaitAtStart"/>, with
/// the store backoff: a node that boots before its database (compose, a host restart) comes up
/// once the database does. The relay does not listen meanwhile, so clients retry elsewhere or later.
/// Anything else (wrong password, no such database, a file that cannot be opened), and a store
/// still down after the wait, fails the start at once: `mailguard run` exits 1 with the reason and
/// a supervisor restarts it (the systemd unit's Restart=on-failure), which also keeps the wait
/// inside systemd's default 90 s start timeout.
/// </remarks>
internal sealed partial class StoreStartup(IMessageStore store, MessageSpool spool, IOptions<StorageOptions> storage, IOptions<DeliveryOptions> delivery, TimeProvider time, ILogger<StoreStartup> logger, MailGuardMetrics? metrics = null) : IHostedService
{
    public static readonly TimeSpan WaitAtStart = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var outage = new StoreOutage(StoreOperation.Startup, time, logger, metrics);
        var giveUpAt = time.GetUtcNow() + WaitAtStart;
        while (true)
        {
            try
            {
                await OpenAsync(cancellationToken);
                outage.Succeeded();
                return;
            }
            catch (Exception ex) when (StoreFaults.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                var wait = outage.Failed(ex);
                if (time.GetUtcNow() + wait > giveUpAt)
                {
                    throw;
                }

                LogWaiting(logger, storage.Value.Provider.ToString(), (giveUpAt - time.GetUtcNow()).TotalSeconds);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        LogOpened(logger, storage.Value.Provider.ToString(), Path.GetFullPath(storage.Value.Directory));
        int released = await store.ReleaseLeasesAsync(delivery.Value.NodeName, cancellationToken);
        if (released > 0)
        {
            LogLeasesReleased(logger, released, delivery.Value.NodeName);
        }

        int orphans = await spool.RemoveOrphansAsync(store, cancellationToken);
        if (orphans > 0)
        {
            LogOrphans(logger, orphans);
        }
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreOpened, Level = LogLevel.Information, Message = "Store opened: {Provider} in {Directory}")]
    private static partial void LogOpened(ILogger logger, string provider, string directory);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.LeasesReleased, Level = LogLevel.Information, Message = "Released {Count} queue lease(s) held by {Node} before a restart")]
    private static partial void LogLeasesReleased(ILogger logger, int count, string node);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.OrphansRemoved, Level = LogLevel.Information, Message = "Removed {Count} spool file(s) of messages never accepted")]
    private static partial void LogOrphans(ILogger logger, int count);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreWaitingAtStart, Level = LogLevel.Warning, Message = "Waiting for the {Provider} store before the relay listens; giving up in {Seconds:0} s")]
    private static partial void LogWaiting(ILogger logger, string provider, double seconds);
}
