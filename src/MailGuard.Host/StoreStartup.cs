using Microsoft.Extensions.Options;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host;

/// <summary>
/// First hosted service: opens the store (migrations), drops this node's leases left by a crash
/// (so its queue resumes at once instead of after Delivery:LeaseTime) and removes spool files of
/// messages that never got committed. Runs before the relay listens.
/// </summary>
internal sealed partial class StoreStartup(IMessageStore store, MessageSpool spool, IOptions<StorageOptions> storage, IOptions<DeliveryOptions> delivery, ILogger<StoreStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreOpened, Level = LogLevel.Information, Message = "Store opened: {Provider} in {Directory}")]
    private static partial void LogOpened(ILogger logger, string provider, string directory);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.LeasesReleased, Level = LogLevel.Information, Message = "Released {Count} queue lease(s) held by {Node} before a restart")]
    private static partial void LogLeasesReleased(ILogger logger, int count, string node);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.OrphansRemoved, Level = LogLevel.Information, Message = "Removed {Count} spool file(s) of messages never accepted")]
    private static partial void LogOrphans(ILogger logger, int count);
}
