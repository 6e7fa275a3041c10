namespace MailGuard.Host.Notifications;

internal sealed partial class HeldDigest
{
    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.DigestSent, Level = LogLevel.Information, Message = "Digest {QueueId} queued: {Held} held messages")]
    private static partial void LogSent(ILogger logger, string queueId, int held);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.DigestAlreadySent, Level = LogLevel.Information, Message = "Digest for {Day} was queued by another node ({QueueId})")]
    private static partial void LogAlreadySent(ILogger logger, string day, string queueId);
}
