using static MailGuard.Core.Diagnostics.LogEventIds;

namespace MailGuard.Host.Commands;

internal static partial class QuarantineCommand
{
    [LoggerMessage(EventId = QuarantineReleased, Level = LogLevel.Information, Message = "Released {QueueId} from quarantine by {Actor} (Bcc fix: {BccFix})")]
    private static partial void LogReleased(ILogger logger, string queueId, string actor, bool bccFix);

    [LoggerMessage(EventId = QuarantineReturned, Level = LogLevel.Information, Message = "Returned {QueueId} from quarantine to its sender by {Actor}")]
    private static partial void LogReturned(ILogger logger, string queueId, string actor);

    [LoggerMessage(EventId = QuarantineDeleted, Level = LogLevel.Information, Message = "Deleted {QueueId} from quarantine by {Actor}")]
    private static partial void LogDeleted(ILogger logger, string queueId, string actor);

    [LoggerMessage(EventId = QuarantineDecisionRefused, Level = LogLevel.Warning, Message = "Quarantine {Action} of {QueueId} by {Actor} not applied: already {Status}")]
    private static partial void LogDecisionRefused(ILogger logger, string action, string queueId, string actor, string status);
}
