namespace MailGuard.Host.Notifications;

public sealed partial class ReleaseRequests
{
    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequested, Level = LogLevel.Information, Message = "Sender asked for release of {QueueId}")]
    private static partial void LogRequested(ILogger logger, string queueId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequestRefused, Level = LogLevel.Information, Message = "Release request for {QueueId} refused: {Outcome}")]
    private static partial void LogRefused(ILogger logger, string queueId, ReleaseRequestOutcome outcome);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.SenderWithdrew, Level = LogLevel.Information, Message = "Held {QueueId} withdrawn by its sender (deleted, never to be released)")]
    private static partial void LogWithdrawn(ILogger logger, string queueId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.WithdrawRefused, Level = LogLevel.Information, Message = "Withdrawal of {QueueId} refused: {Outcome}")]
    private static partial void LogWithdrawRefused(ILogger logger, string queueId, WithdrawOutcome outcome);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RequestNoticeQueued, Level = LogLevel.Information, Message = "Queued notice {NoticeId} telling the sender of {QueueId} that the release request was received")]
    private static partial void LogRequestNoticeQueued(ILogger logger, string noticeId, string queueId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RequestNoticeWithheld, Level = LogLevel.Information, Message = "No release-request notice to the sender of {QueueId}: {Why}")]
    private static partial void LogRequestNoticeWithheld(ILogger logger, string queueId, string why);
}
