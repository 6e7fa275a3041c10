using MailGuard.Core.Store;
using MailGuard.Host.Metrics;

namespace MailGuard.Host.Resilience;

/// <summary>
/// The loop of a background service that works on the store in rounds (expiry, digest, purge,
/// decision counts). A store fault that passes by itself (<see cref="StoreFaults.IsTransient"/>: down,
/// restarting, failing over, full, locked) never ends it: the round is tried again after
/// <see cref="StoreOutage"/>'s backoff and the service resumes by itself when the store returns.
/// Anything else (a bug, or a store fault no retry mends: a dropped table, a corrupt or read-only
/// database file, a refused password) is logged as
/// <see cref="Core.Diagnostics.LogEventIds.ServiceFailed"/> and thrown, the host stops
/// (BackgroundServiceExceptionBehavior.StopHost) and `mailguard run` exits 1, so a supervisor
/// restarts the process instead of leaving it up with the service dead.
/// </summary>
internal abstract partial class StoreBackedService : BackgroundService
{
    protected StoreBackedService(string operation, TimeProvider time, ILogger logger, MailGuardMetrics? metrics)
    {
        Time = time;
        Logger = logger;
        Outage = new StoreOutage(operation, time, logger, metrics);
    }

    protected StoreOutage Outage { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    /// <summary>False when the service has nothing to do in this configuration: it then ends at once.</summary>
    protected virtual bool Enabled => true;

    /// <summary>One round of work; returns how long to wait before the next (zero: at once).</summary>
    protected abstract Task<TimeSpan> RunRoundAsync(CancellationToken stoppingToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await RunRoundAsync(stoppingToken);
                Outage.Succeeded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (StoreFaults.IsStoreFault(ex) && StoreFaults.IsTransient(ex))
            {
                wait = Outage.Failed(ex);
            }
            catch (Exception ex)
            {
                LogServiceFailed(Logger, ex, GetType().Name);
                throw;
            }

            if (wait <= TimeSpan.Zero)
            {
                continue;
            }

            try
            {
                await Task.Delay(wait, Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ServiceFailed, Level = LogLevel.Critical, Message = "{Service} failed with an error no retry mends (a bug, or a store that needs an operator); stopping MailGuard (exit code 1) so its supervisor restarts it")]
    internal static partial void LogServiceFailed(ILogger logger, Exception exception, string service);
}
