using MailGuard.Core.Store;
using MailGuard.Host.Metrics;

namespace MailGuard.Host.Resilience;

/// <summary>
/// One operation's side of a store outage (a <see cref="StoreOperation"/>): how long to wait before
/// the next try, one count in mailguard_store_errors_total and one log event per failure (the
/// first with its exception, later ones in a line), and one event when the store answers again.
/// Thread-safe: the delivery worker's slots share one.
/// </summary>
/// <remarks>
/// The wait doubles from <see cref="FirstDelay"/> to <see cref="MaxDelay"/>: a PostgreSQL restart
/// (a few seconds) is bridged within a second or two of its end, and a long outage costs one try
/// per operation every half minute, not a log flood. A fifth of jitter either way keeps nodes that
/// share one database from retrying in step when it comes back.
/// </remarks>
internal sealed partial class StoreOutage(string operation, TimeProvider time, ILogger logger, MailGuardMetrics? metrics = null)
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private int _failures;
    private DateTimeOffset _since;

    public string Operation { get; } = operation;

    /// <summary>Failures since the store last answered; 0 when it is fine.</summary>
    public int Failures
    {
        get
        {
            lock (_gate)
            {
                return _failures;
            }
        }
    }

    /// <summary>The wait before try number <paramref name="failures"/> + 1, without jitter.</summary>
    public static TimeSpan BackoffAfter(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks << Math.Clamp(failures - 1, 0, 16)));

    /// <summary>Records a store fault; returns how long to wait before trying again.</summary>
    public TimeSpan Failed(Exception exception)
    {
        int failures;
        DateTimeOffset since;
        lock (_gate)
        {
            failures = ++_failures;
            if (failures == 1)
            {
                _since = time.GetUtcNow();
            }

            since = _since;
        }

        metrics?.StoreFaulted(Operation);
        var delay = BackoffAfter(failures) * (0.8 + (Random.Shared.NextDouble() * 0.4));
        string reason = Describe(exception);
        if (failures == 1)
        {
            LogFaulted(logger, exception, Operation, reason, delay.TotalSeconds);
        }
        else
        {
            LogStillFaulted(logger, Operation, failures, (time.GetUtcNow() - since).TotalSeconds, reason, delay.TotalSeconds);
        }

        return delay;
    }

    /// <summary>Records that the store answered; logs the recovery when it had been failing.</summary>
    public void Succeeded()
    {
        int failures;
        DateTimeOffset since;
        lock (_gate)
        {
            failures = _failures;
            since = _since;
            _failures = 0;
        }

        if (failures > 0)
        {
            LogRecovered(logger, Operation, failures, (time.GetUtcNow() - since).TotalSeconds);
        }
    }

    /// <summary>The exception's type, PostgreSQL's SQLSTATE when there is one, and the first line of its message (driver text: hosts, codes, never mail).</summary>
    public static string Describe(Exception exception)
    {
        string message = exception.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        string state = exception is System.Data.Common.DbException { SqlState: { Length: > 0 } s } ? " " + s : "";
        return $"{exception.GetType().Name}{state}: {(newline >= 0 ? message[..newline] : message)}";
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreFaulted, Level = LogLevel.Error, Message = "Store unavailable for {Operation} ({Reason}); trying again in {Seconds:0.0} s")]
    private static partial void LogFaulted(ILogger logger, Exception exception, string operation, string reason, double seconds);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreFaulted, Level = LogLevel.Warning, Message = "Store still unavailable for {Operation}: failure {Failures} in {Elapsed:0} s ({Reason}); trying again in {Seconds:0.0} s")]
    private static partial void LogStillFaulted(ILogger logger, string operation, int failures, double elapsed, string reason, double seconds);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.StoreRecovered, Level = LogLevel.Information, Message = "Store answering again for {Operation} after {Failures} failure(s) over {Elapsed:0.0} s")]
    private static partial void LogRecovered(ILogger logger, string operation, int failures, double elapsed);
}
