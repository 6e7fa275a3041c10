using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// Tells the security team (Policy:Notifications:SecurityTeam, who also get the hold alerts and the
/// digest) that a sender has asked for release, with a link to the message in the console
/// (Console:PublicUrl). Queued like any notice, from the null sender; audited as
/// "release-request-alert". A failure to queue it is logged and leaves the request recorded.
/// </summary>
public sealed partial class ReleaseRequestAlert
{
    public const string AuditAction = "release-request-alert";

    private readonly IMessageStore _store;
    private readonly IQuarantineStore _quarantine;
    private readonly PolicyOptions? _policy;
    private readonly ConsoleOptions _console;
    private readonly RelayOptions _relay;
    private readonly DeliverySignal? _signal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReleaseRequestAlert(IMessageStore store, IQuarantineStore quarantine, PolicyOptions? policy, IOptions<ConsoleOptions> console, IOptions<RelayOptions> relay, DeliverySignal? signal, TimeProvider time, ILogger<ReleaseRequestAlert> logger)
    {
        _store = store;
        _quarantine = quarantine;
        _policy = policy;
        _console = console.Value;
        _relay = relay.Value;
        _signal = signal;
        _time = time;
        _logger = logger;
    }

    /// <summary>Queues the alert for the request just recorded on <paramref name="messageId"/>; false when there is no one to tell or it failed.</summary>
    public async Task<bool> SendAsync(string messageId, CancellationToken cancellationToken = default)
    {
        if (_policy?.Notifications.SecurityTeam is not { Length: > 0 } team)
        {
            return false;
        }

        try
        {
            var held = await _quarantine.GetQuarantineAsync(messageId, cancellationToken);
            var request = (await _quarantine.ListAuditAsync(messageId, 100, cancellationToken)).FirstOrDefault(a => a.Action == Notifications.ReleaseRequests.AuditAction);
            if (held is null || request is null)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            string id = MessageIds.New(_time);
            byte[] bytes = ReleaseRequestAlertNotice.Build(new ReleaseRequestAlertRequest(_relay.ServerName, team.Trim(), id, now, held, request.Reason ?? "", _console.PublicUrl));
            await _store.EnqueueAsync(new NewMessage(id, string.Empty, [team.Trim()], now, null, null, "mailguard:release-request", bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes), cancellationToken);
            await _quarantine.AppendAuditAsync(new AuditEvent(now, "mailguard", AuditAction, messageId, null, $"alert {id} to {team.Trim()}"), cancellationToken);
            _signal?.Notify();
            LogQueued(_logger, messageId, id);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex, messageId);
            return false;
        }
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequestAlertQueued, Level = LogLevel.Information, Message = "Release request for {MessageId}: security team alerted ({AlertId})")]
    private static partial void LogQueued(ILogger logger, string messageId, string alertId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequestAlertFailed, Level = LogLevel.Warning, Message = "Release request for {MessageId}: the security team's alert could not be queued")]
    private static partial void LogFailed(ILogger logger, Exception exception, string messageId);
}
