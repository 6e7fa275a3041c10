using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Notifications;

/// <summary>What became of a sender's release request. Only <see cref="Recorded"/> wrote anything.</summary>
public enum ReleaseRequestOutcome
{
    /// <summary>Appended to the message's audit trail ("release-requested") for the reviewer to see.</summary>
    Recorded,

    /// <summary>The token does not belong to this message id (or the id is malformed): show nothing about the message.</summary>
    InvalidLink,

    /// <summary>The link is genuine but the message was released, returned, deleted or expired already.</summary>
    NotHeld,

    /// <summary>The message has <see cref="ReleaseRequests.MaxRequestsPerMessage"/> requests already.</summary>
    TooMany,

    /// <summary>Nothing left of the justification once control characters and white space were removed.</summary>
    EmptyJustification,
}

/// <summary>What became of a sender's withdrawal. Only <see cref="Withdrawn"/> changed anything.</summary>
public enum WithdrawOutcome
{
    /// <summary>Deleted from quarantine (audit actor "sender:" + the envelope sender): it can never be released.</summary>
    Withdrawn,

    /// <summary>The token is not this message's withdraw token (or the id is malformed).</summary>
    InvalidLink,

    /// <summary>The link is genuine but the message was released, returned, deleted or expired already.</summary>
    NotHeld,
}

/// <summary>
/// The sender's side of Purview-style override with justification, done on the server: the link in
/// the held notice leads to a console page that shows the message (<see cref="GetForLinkAsync"/>) and
/// takes a justification (<see cref="RequestReleaseAsync"/>), which lands in the message's audit trail
/// with the actor "sender:" + the envelope sender. Releasing stays a reviewer's decision.
/// </summary>
public sealed partial class ReleaseRequests
{
    public const string AuditAction = "release-requested";

    /// <summary>The audit reason of a delete the sender made with the withdraw link.</summary>
    public const string WithdrawnReason = "withdrawn by the sender";

    /// <summary>
    /// Requests kept per message. A sender with a genuine case says it once or twice; beyond this a
    /// link (which anyone the notice was forwarded to holds) would only flood the reviewer's trail.
    /// </summary>
    public const int MaxRequestsPerMessage = 5;

    /// <summary>Characters kept of a justification: a few paragraphs, enough for any reason, small in the audit log.</summary>
    public const int MaxJustificationChars = 2000;

    // The audit events of one message listed to count earlier requests; a message gathers a handful.
    private const int AuditScanLimit = 1000;

    private readonly IQuarantineStore _quarantine;
    private readonly ReleaseRequestLinks _links;
    private readonly TimeProvider _time;
    private readonly ILogger<ReleaseRequests> _logger;
    private readonly PolicyOptions _policy;
    private readonly string _serverName;
    private readonly DeliverySignal? _signal;
    private readonly Review.ReleaseRequestAlert? _alert;

    // The count-then-append is not one transaction; within a node this makes it one step. Across
    // nodes sharing a store, simultaneous requests could pass the limit by one per extra node.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="policy">Internal domains (who is a verified sender) and Policy:Notifications, for the notice that confirms a request; none: no notice.</param>
    /// <param name="alert">Builds the security team's alert, queued with the request; none: no alert.</param>
    public ReleaseRequests(IQuarantineStore store, ReleaseRequestLinks links, TimeProvider time, ILogger<ReleaseRequests> logger, PolicyOptions? policy = null, IOptions<RelayOptions>? relay = null, DeliverySignal? signal = null, Review.ReleaseRequestAlert? alert = null)
    {
        _alert = alert;
        ArgumentNullException.ThrowIfNull(store);
        _quarantine = store;
        _links = links;
        _time = time;
        _logger = logger;
        _policy = policy ?? new PolicyOptions();
        _serverName = relay?.Value.ServerName ?? "localhost";
        _signal = signal;
    }

    /// <summary>
    /// The held message a link is about, whatever its status now (the page can say it was already
    /// released); null when the link is not genuine or no such message was held. Carries masked
    /// findings only, like everything in the quarantine record.
    /// </summary>
    public async Task<QuarantineRecord?> GetForLinkAsync(string messageId, string token, CancellationToken cancellationToken = default)
    {
        if (!IsGenuine(messageId, token))
        {
            return null;
        }

        return await _quarantine.GetQuarantineAsync(messageId, cancellationToken);
    }

    /// <summary>
    /// Records the sender's justification for releasing a held message: trimmed, control characters
    /// removed, at most <see cref="MaxJustificationChars"/> characters. Refusals are outcomes, never exceptions.
    /// </summary>
    public async Task<ReleaseRequestOutcome> RequestReleaseAsync(string messageId, string token, string justification, CancellationToken cancellationToken = default)
    {
        if (!IsGenuine(messageId, token))
        {
            LogRefused(_logger, MessageIds.IsValid(messageId) ? messageId : "-", ReleaseRequestOutcome.InvalidLink);
            return ReleaseRequestOutcome.InvalidLink;
        }

        // Shown to every reviewer (message page, audit log, API): identifiers the sender quotes are masked like the subject.
        string reason = NoticeText.Masked(justification, MaxJustificationChars, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime));
        if (reason.Length == 0)
        {
            return ReleaseRequestOutcome.EmptyJustification;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var record = await _quarantine.GetQuarantineAsync(messageId, cancellationToken);
            if (record is not { Status: QuarantineStatus.Held })
            {
                LogRefused(_logger, messageId, ReleaseRequestOutcome.NotHeld);
                return ReleaseRequestOutcome.NotHeld;
            }

            var audit = await _quarantine.ListAuditAsync(messageId, AuditScanLimit, cancellationToken);
            if (audit.Count(a => a.Action == AuditAction) >= MaxRequestsPerMessage)
            {
                LogRefused(_logger, messageId, ReleaseRequestOutcome.TooMany);
                return ReleaseRequestOutcome.TooMany;
            }

            // The request, the sender's confirmation and the security team's alert: one transaction,
            // so a crash leaves either all three or none (and the sender can ask again).
            var events = new List<AuditEvent> { new(_time.GetUtcNow(), "sender:" + record.MailFrom, AuditAction, messageId, reason) };
            var notices = new List<NewMessage>();
            var confirmation = await ConfirmationAsync(record, cancellationToken);
            if (confirmation is not null)
            {
                notices.Add(confirmation);
            }

            var alert = _alert?.Build(record, reason);
            if (alert is { } a)
            {
                notices.Add(a.Alert);
                events.Add(a.Audit);
            }

            await _quarantine.RecordAsync(events, notices, cancellationToken);
            LogRequested(_logger, messageId);
            if (confirmation is not null)
            {
                LogRequestNoticeQueued(_logger, confirmation.Id, messageId);
            }

            if (alert is { } queued)
            {
                _alert!.Queued(messageId, queued.Alert.Id);
            }

            if (notices.Count > 0)
            {
                _signal?.Notify();
            }

            return ReleaseRequestOutcome.Recorded;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The held message a withdraw link is about, whatever its status now; null when the link is not genuine.</summary>
    public async Task<QuarantineRecord?> GetForWithdrawLinkAsync(string messageId, string token, CancellationToken cancellationToken = default) =>
        messageId is not null && MessageIds.IsValid(messageId) && _links.VerifyWithdraw(messageId, token)
            ? await _quarantine.GetQuarantineAsync(messageId, cancellationToken)
            : null;

    /// <summary>
    /// The sender withdraws a held message (they will fix and resend it): it is deleted from
    /// quarantine with the actor "sender:" + the envelope sender, so no reviewer can release it
    /// afterwards and the recipients never get two copies. Refusals are outcomes.
    /// </summary>
    public async Task<WithdrawOutcome> WithdrawAsync(string messageId, string token, CancellationToken cancellationToken = default)
    {
        var record = await GetForWithdrawLinkAsync(messageId, token, cancellationToken);
        if (record is null)
        {
            LogWithdrawRefused(_logger, MessageIds.IsValid(messageId) ? messageId : "-", WithdrawOutcome.InvalidLink);
            return WithdrawOutcome.InvalidLink;
        }

        var decision = record.Status == QuarantineStatus.Held
            ? await _quarantine.DeleteHeldAsync(messageId, "sender:" + record.MailFrom, WithdrawnReason, null, cancellationToken)
            : new QuarantineDecision(false, record.Status);
        if (!decision.Applied)
        {
            LogWithdrawRefused(_logger, messageId, WithdrawOutcome.NotHeld);
            return WithdrawOutcome.NotHeld;
        }

        LogWithdrawn(_logger, messageId);
        return WithdrawOutcome.Withdrawn;
    }

    /// <summary>
    /// The notice telling a verified sender that the request reached the reviewers (with the
    /// withdraw link), queued with the request; null for an unverified sender, who is told nothing.
    /// </summary>
    private async Task<NewMessage?> ConfirmationAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        if (_quarantine is not IMessageStore)
        {
            return null;
        }

        string? withdrawUrl = _policy.Notifications.ReleaseRequestUrl is { Length: > 0 } url ? _links.WithdrawLink(url, record.MessageId) : null;
        var notices = new HeldMessageNotices(new DomainSet(_policy.InternalDomains), _serverName, _policy, _time);
        var notice = await notices.BuildAsync(_quarantine, record, PolicyNoticeKind.ReleaseRequestReceived, null, attachOriginal: false, "sender:" + record.MailFrom, withdrawUrl, cancellationToken);
        if (notice.Notice is null)
        {
            LogRequestNoticeWithheld(_logger, record.MessageId, notice.Refusal ?? "the content was gone");
        }

        return notice.Notice;
    }

    // The id's shape is checked first: it goes into a database query only when it could be an id.
    private bool IsGenuine(string? messageId, string? token) =>
        messageId is not null && MessageIds.IsValid(messageId) && _links.Verify(messageId, token);
}
