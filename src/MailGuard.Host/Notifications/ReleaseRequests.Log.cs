using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Notifications;

public sealed partial class ReleaseRequests
{
    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequested, Level = LogLevel.Information, Message = "Sender asked for release of {QueueId}")]
    private static partial void LogRequested(ILogger logger, string queueId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequestRefused, Level = LogLevel.Information, Message = "Release request for {QueueId} refused: {Outcome}")]
    private static partial void LogRefused(ILogger logger, string queueId, ReleaseRequestOutcome outcome);
}
