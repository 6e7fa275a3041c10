using static MailGuard.Core.Diagnostics.LogEventIds;

namespace MailGuard.Host.Delivery;

internal sealed partial class DeliveryWorker
{
    [LoggerMessage(EventId = DeliveryStarted, Level = LogLevel.Information, Message = "Delivery started: {Transport}, {Workers} worker(s)")]
    private static partial void LogStarted(ILogger logger, string transport, int workers);

    [LoggerMessage(EventId = Delivered, Level = LogLevel.Information, Message = "Delivered {QueueId} to {Recipients} recipient(s) via {Relay}")]
    private static partial void LogDelivered(ILogger logger, string queueId, int recipients, string relay);

    [LoggerMessage(EventId = DeliveryDeferred, Level = LogLevel.Warning, Message = "Deferred {QueueId} for {Recipients} recipient(s): {Reply}")]
    private static partial void LogDeferred(ILogger logger, string queueId, int recipients, string reply);

    [LoggerMessage(EventId = DeliveryFailed, Level = LogLevel.Warning, Message = "Failed {QueueId} for {Recipients} recipient(s): {Reply}")]
    private static partial void LogFailed(ILogger logger, string queueId, int recipients, string reply);

    [LoggerMessage(EventId = DeliveryExpired, Level = LogLevel.Warning, Message = "Expired {QueueId} for {Recipients} recipient(s) after Delivery:MaxAgeHours")]
    private static partial void LogExpired(ILogger logger, string queueId, int recipients);

    [LoggerMessage(EventId = NoticeQueued, Level = LogLevel.Information, Message = "Queued DSN {NoticeId} for {QueueId}")]
    private static partial void LogNoticeQueued(ILogger logger, string noticeId, string queueId);

    [LoggerMessage(EventId = DsnWithheld, Level = LogLevel.Warning, Message = "No DSN for {QueueId} ({Recipients} failed recipient(s)): its sender is not verified (internal, or authenticated as itself)")]
    private static partial void LogDsnWithheld(ILogger logger, Exception? auditFailure, string queueId, int recipients);

    [LoggerMessage(EventId = DeliveryError, Level = LogLevel.Error, Message = "Delivery of {QueueId} failed unexpectedly; it is retried when its lease runs out")]
    private static partial void LogDeliveryError(ILogger logger, Exception exception, string queueId);

    [LoggerMessage(EventId = CircuitOpened, Level = LogLevel.Warning, Message = "Upstream circuit opened for {Seconds} s: the smart host keeps failing; mail waits in the queue")]
    private static partial void LogCircuitOpened(ILogger logger, double seconds);

    [LoggerMessage(EventId = CircuitClosed, Level = LogLevel.Information, Message = "Upstream circuit closed: delivery resumes")]
    private static partial void LogCircuitClosed(ILogger logger);

    [LoggerMessage(EventId = CircuitHalfOpened, Level = LogLevel.Information, Message = "Upstream circuit half-open: probing the smart host")]
    private static partial void LogCircuitHalfOpened(ILogger logger);

    [LoggerMessage(EventId = CircuitRejected, Level = LogLevel.Debug, Message = "Circuit open: {QueueId} put back")]
    private static partial void LogCircuitRejected(ILogger logger, string queueId);
}
