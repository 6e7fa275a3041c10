using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// Tells the security team (Policy:Notifications:SecurityTeam, who also get the hold alerts and the
/// digest) that a sender has asked for release, with a link to the message in the console
/// (Console:PublicUrl). Built here and queued, from the null sender, in the same transaction that
/// records the request (<see cref="Notifications.ReleaseRequests"/>); audited as "release-request-alert".
/// </summary>
public sealed partial class ReleaseRequestAlert
{
    public const string AuditAction = "release-request-alert";

    private readonly PolicyOptions? _policy;
    private readonly ConsoleOptions _console;
    private readonly RelayOptions _relay;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReleaseRequestAlert(PolicyOptions? policy, IOptions<ConsoleOptions> console, IOptions<RelayOptions> relay, TimeProvider time, ILogger<ReleaseRequestAlert> logger)
    {
        _policy = policy;
        _console = console.Value;
        _relay = relay.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The alert for a request on <paramref name="held"/> with the sender's (masked) <paramref name="reason"/>, and its audit event; null when there is no one to tell.</summary>
    public (NewMessage Alert, AuditEvent Audit)? Build(QuarantineRecord held, string reason)
    {
        ArgumentNullException.ThrowIfNull(held);
        if (_policy?.Notifications.SecurityTeam is not { Length: > 0 } team)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        string id = MessageIds.New(_time);
        byte[] bytes = ReleaseRequestAlertNotice.Build(new ReleaseRequestAlertRequest(_relay.ServerName, team.Trim(), id, now, held, reason, _console.PublicUrl));
        var alert = new NewMessage(id, string.Empty, [team.Trim()], now, null, null, "mailguard:release-request", bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes);
        return (alert, new AuditEvent(now, "mailguard", AuditAction, held.MessageId, null, $"alert {id} to {team.Trim()}"));
    }

    /// <summary>Logs the alert queued with a request (event 664).</summary>
    public void Queued(string messageId, string alertId) => LogQueued(_logger, messageId, alertId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReleaseRequestAlertQueued, Level = LogLevel.Information, Message = "Release request for {MessageId}: security team alerted ({AlertId})")]
    private static partial void LogQueued(ILogger logger, string messageId, string alertId);
}
