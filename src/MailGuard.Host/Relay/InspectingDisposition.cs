using MailGuard.Core.Dispositions;
using MailGuard.Core.Inspection;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Mime;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Relay;

/// <summary>
/// Inspection and policy at the end of DATA: parses the spooled message, runs the extractors and
/// detectors within the inspection time budget, and asks the policy for a verdict.
/// </summary>
/// <remarks>
/// Deliver queues the message as received. Tag (and any verdict in audit-only mode) queues it
/// with X-MailGuard-* fields naming the verdict. RewriteBcc queues a copy whose To/Cc show only
/// internal addresses, and tells the sender what changed. Hold keeps the exact message and
/// envelope in quarantine (250 with the reference), tells the sender and alerts the security
/// team when the rule says so. Return accepts the message and queues only the bounce-back warning, with the
/// original attached, to the sender. Inspection that fails or runs out of time fails closed the same way
/// (Policy:OnInspectionFailure).
/// </remarks>
internal sealed partial class InspectingDisposition : IMessageDisposition
{
    private readonly PolicyEngine _policy;
    private readonly MessageInspector _inspector;
    private readonly ILogger<InspectingDisposition> _logger;
    private readonly TimeProvider _time;
    private readonly string _serverName;
    private readonly NotificationOptions _notifications;

    public InspectingDisposition(PolicyOptions policy, TimeProvider time, ILogger<InspectingDisposition> logger, Configuration.MailGuardOptions options)
    {
        _policy = new PolicyEngine(policy);
        _inspector = new MessageInspector(new InspectionOptions(), _policy.InternalDomains, _policy.PersonalMailboxDomains, time);
        _logger = logger;
        _time = time;
        _serverName = options.Relay.ServerName;
        _notifications = policy.Notifications;
    }

    public ValueTask<MessageDecision> DecideAsync(IngressMessage message, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Verdict verdict;
        MessageDecision decision;
        int findings = 0;
        try
        {
            using var content = message.OpenContent();
            using var document = MimeDocument.Load(content);
            var envelope = new MessageEnvelope(message.Envelope.ReversePath, message.Envelope.Recipients.Select(r => r.Address).ToList());
            var result = _inspector.Inspect(document, envelope, cancellationToken);
            findings = result.Findings.Count;
            verdict = result.TimedOut
                ? _policy.InspectionFailed("inspection time budget exceeded")
                : _policy.Decide(new PolicyInput(
                    message.Envelope.ReversePath,
                    envelope.RcptTo,
                    result.Exposure,
                    result.Findings,
                    result.MaxPeople,
                    ScanCommand.AttachmentTypes(result)));
            decision = Apply(message, document, verdict, result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug in inspection must not let the message through unexamined: fail closed.
            LogInspectionFailed(_logger, ex, message.Id);
            verdict = _policy.InspectionFailed("inspection failed");
            decision = Refuse(verdict);
        }

        double ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogVerdict(_logger, message.Id, ScanCommand.ActionName(verdict.Action), ScanCommand.ActionName(verdict.WouldHaveAction), verdict.Rule ?? "-", findings, ms);
        return ValueTask.FromResult(decision);
    }

    private MessageDecision Apply(IngressMessage message, MimeDocument document, Verdict verdict, InspectionResult result)
    {
        switch (verdict.Action)
        {
            case PolicyAction.Deliver:
                return MessageDecision.Deliver;
            case PolicyAction.Tag:
            {
                using var tagged = new MemoryStream();
                MessageRewriter.AddVerdictHeaders(document, tagged, MessageRewriter.VerdictHeaders(verdict, message.Id, result.Findings));
                return new MessageDecision(DispositionAction.Deliver, ReplacementContent: tagged.ToArray());
            }

            case PolicyAction.RewriteBcc:
            {
                using var rewritten = new MemoryStream();
                var change = MessageRewriter.HideExternalRecipients(document, rewritten, _policy.InternalDomains, MessageRewriter.VerdictHeaders(verdict, message.Id, result.Findings));
                OutgoingNotice? notice = null;
                if (PolicyNotice.MayNotifySender(message.Envelope.ReversePath, document.Message.Headers))
                {
                    notice = new OutgoingNotice(message.Envelope.ReversePath, PolicyNotice.Build(new PolicyNoticeRequest(
                        PolicyNoticeKind.RecipientsHidden,
                        _serverName,
                        message.Id,
                        message.Envelope.ReversePath,
                        message.Envelope.ReversePath,
                        document.Message.Subject,
                        verdict.Reason,
                        result.Findings,
                        result.Exposure,
                        [],
                        _time.GetUtcNow())));
                }

                _ = change;
                return new MessageDecision(DispositionAction.Deliver, ReplacementContent: rewritten.ToArray(), Notices: notice is null ? null : [notice]);
            }

            case PolicyAction.Return when PolicyNotice.MayNotifySender(message.Envelope.ReversePath, document.Message.Headers):
            {
                using var original = message.OpenContent();
                var notice = PolicyNotice.Build(new PolicyNoticeRequest(
                    PolicyNoticeKind.Returned,
                    _serverName,
                    message.Id,
                    message.Envelope.ReversePath,
                    message.Envelope.ReversePath,
                    document.Message.Subject,
                    verdict.Reason,
                    result.Findings,
                    result.Exposure,
                    message.Envelope.Recipients.Select(r => r.Address).ToList(),
                    _time.GetUtcNow(),
                    original),
                    _notifications.Templates);
                return new MessageDecision(DispositionAction.Return, verdict.Reason, Notices: [new OutgoingNotice(message.Envelope.ReversePath, notice)]);
            }

            case PolicyAction.Hold:
                return Hold(message, document, verdict, result);

            default:
                // Hold until quarantine exists, Reject, and a Return whose sender must not be
                // answered (null sender, automatic mail): refused at SMTP time, so nothing is lost.
                return Refuse(verdict);
        }
    }

    private MessageDecision Hold(IngressMessage message, MimeDocument document, Verdict verdict, InspectionResult result)
    {
        var summary = result.Findings.FirstOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Summary
            ?? result.Findings.FirstOrDefault(f => f.Kind == FindingKinds.ExposedRecipients)?.Summary
            ?? verdict.Reason;
        var details = new HoldDetails(verdict.Rule, verdict.Reason, document.Message.Subject, summary, FindingsJson.Serialize(result.Findings));
        var notices = new List<OutgoingNotice>();
        PolicyNoticeRequest Request(PolicyNoticeKind kind, string to) => new(
            kind, _serverName, message.Id, to, message.Envelope.ReversePath, document.Message.Subject, verdict.Reason,
            result.Findings, result.Exposure, [], _time.GetUtcNow(), ReleaseRequestUrl: _notifications.ReleaseRequestUrl);
        if (verdict.NotifySender && PolicyNotice.MayNotifySender(message.Envelope.ReversePath, document.Message.Headers))
        {
            notices.Add(new OutgoingNotice(message.Envelope.ReversePath, PolicyNotice.Build(Request(PolicyNoticeKind.Held, message.Envelope.ReversePath), _notifications.Templates)));
        }

        if (verdict.NotifySecurityTeam && _notifications.SecurityTeam is { Length: > 0 } team)
        {
            notices.Add(new OutgoingNotice(team, PolicyNotice.Build(Request(PolicyNoticeKind.SecurityAlert, team), _notifications.Templates)));
        }

        return new MessageDecision(DispositionAction.Hold, verdict.Reason, Notices: notices, Hold: details);
    }

    private static MessageDecision Refuse(Verdict verdict) =>
        new(DispositionAction.Reject, (verdict.Reason ?? "Message held back by data-loss-prevention policy") + (verdict.Rule is null ? "" : $" [rule {verdict.Rule}]"));

    [LoggerMessage(EventId = Logging.LogEventIds.Verdict, Level = LogLevel.Information, Message = "Verdict for {QueueId}: {Action} (would have: {WouldHave}) by rule {Rule}; {Findings} findings in {ElapsedMs:F1} ms")]
    private static partial void LogVerdict(ILogger logger, string queueId, string action, string wouldHave, string rule, int findings, double elapsedMs);

    [LoggerMessage(EventId = Logging.LogEventIds.InspectionFailed, Level = LogLevel.Error, Message = "Inspection of {QueueId} failed; failing closed")]
    private static partial void LogInspectionFailed(ILogger logger, Exception exception, string queueId);
}
