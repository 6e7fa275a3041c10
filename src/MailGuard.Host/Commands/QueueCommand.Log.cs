using static MailGuard.Core.Diagnostics.LogEventIds;

namespace MailGuard.Host.Commands;

internal static partial class QueueCommand
{
    [LoggerMessage(EventId = QueueRetried, Level = LogLevel.Information, Message = "Queue retry of {QueueId} by {Actor}: {Entries} deferred entr(ies) due now")]
    private static partial void LogRetried(ILogger logger, string queueId, string actor, int entries);

    [LoggerMessage(EventId = QueueDeleted, Level = LogLevel.Information, Message = "Deleted {QueueId} from the queue by {Actor}")]
    private static partial void LogDeleted(ILogger logger, string queueId, string actor);
}
