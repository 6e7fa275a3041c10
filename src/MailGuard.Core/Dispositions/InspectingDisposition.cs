using MailGuard.Core.Diagnostics;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Mime;
using Microsoft.Extensions.Logging;

namespace MailGuard.Core.Dispositions;

/// <summary>What the notices MailGuard writes need from the relay's configuration.</summary>
/// <param name="ServerName">The host name MailGuard writes as (notices come from postmaster at it).</param>
public sealed record DispositionSettings(string ServerName);

/// <summary>
/// Inspection and policy at the end of DATA: parses the spooled message, runs the extractors and
/// detectors within the inspection time budget, and asks the policy for a verdict.
/// </summary>
/// <remarks>
/// Deliver queues the message as received. Tag (and any verdict in audit-only mode) queues it
/// with X-MailGuard-* fields naming the verdict, written above the received bytes. RewriteBcc queues a copy whose To/Cc show only
/// internal addresses, and tells the sender what changed. Hold keeps the exact message and
/// envelope in quarantine (250 with the reference), tells the sender and alerts the security
/// team when the rule says so. Return accepts the message and queues only the bounce-back warning,
/// with the original attached, to the sender. Reject refuses it (550 5.7.1). Inspection that fails
/// or runs out of time fails closed: Policy:OnInspectionFailure, Hold by default, with an
/// unscannable finding.
/// <para>
/// Only a verified sender (<see cref="VerifiedSender"/>: internal, or authenticated as itself)
/// that RFC 3834 lets us answer is ever written to. For any other sender the notice is left out
/// (a hold is still a hold, the security team still alerted), and a Return, which would mail the
/// original to whoever MAIL FROM names, is refused at SMTP time instead: the client learns it
/// from the 550, and nothing is lost.
/// </para>
/// </remarks>
public sealed partial class InspectingDisposition : IMessageDisposition
{
    private readonly MessageEvaluator _evaluator;
    private readonly PolicyEngine _policy;
    private readonly ILogger<InspectingDisposition> _logger;
    private readonly TimeProvider _time;
    private readonly string _serverName;
    private readonly NotificationOptions _notifications;
    private readonly PolicyOptions _policyOptions;
    private readonly IDispositionMetrics? _metrics;
    private readonly ReleaseRequestLinks _links;
    private readonly IDecisionLog? _decisions;

    /// <param name="inspection">Inspection limits and readers (the OCR engine); defaults when null.</param>
    public InspectingDisposition(PolicyOptions policy, TimeProvider time, ILogger<InspectingDisposition> logger, DispositionSettings settings, ReleaseRequestLinks links, IDispositionMetrics? metrics = null, IDecisionLog? decisions = null, InspectionOptions? inspection = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(settings);
        _links = links;
        _decisions = decisions;
        _evaluator = new MessageEvaluator(policy, inspection, time);
        _policy = _evaluator.Policy;
        _logger = logger;
        _time = time;
        _serverName = settings.ServerName;
        _notifications = policy.Notifications;
        _policyOptions = policy;
        _metrics = metrics;
    }

    public ValueTask<MessageDecision> DecideAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var envelope = new MessageEnvelope(message.MailFrom, message.Recipients);
        using var evaluation = _evaluator.Evaluate(message.OpenContent, envelope, cancellationToken);
        var verdict = evaluation.Verdict;
        IReadOnlyList<Finding> findings = evaluation.Findings;
        MessageDecision decision;
        if (evaluation.Failure is { } failure)
        {
            // A bug in inspection must not let the message through unexamined: the evaluator failed
            // closed, holding it (by default) with an unscannable finding for a reviewer to look at.
            LogInspectionFailed(_logger, failure, message.Id);
        }

        try
        {
            decision = Apply(new Context(message, verdict, findings, evaluation.Exposure, evaluation.Document?.Message.Headers, evaluation.Document?.Message.Subject, SenderVerified(message)) { Result = evaluation.Inspection }, evaluation.Document);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Carrying the verdict out (a rewrite, a notice) failed: fail closed as for inspection.
            LogInspectionFailed(_logger, ex, message.Id);
            var failed = _evaluator.Failed(envelope, ex);
            verdict = failed.Verdict;
            findings = failed.Findings;
            decision = Apply(new Context(message, verdict, findings, null, null, null, SenderVerified(message)), document: null);
        }

        if (evaluation.Document?.Message.Headers is { } headers && SenderOverride.Read(headers, _evaluator.Options) is { } overridden)
        {
            // The sender chose "Send anyway" in the Outlook add-in; the policy decided all the same.
            LogSenderOverride(_logger, message.Id, overridden, verdict.Action.Name());
        }

        var elapsed = _time.GetElapsedTime(started);
        _metrics?.ScanCompleted(elapsed);
        foreach (var finding in findings)
        {
            _metrics?.FindingReported(finding.Kind);
        }

        // The dashboard counts what the policy decided; in audit-only mode, what it would have done.
        _decisions?.Record(verdict.WouldHaveAction != verdict.Action ? "would-" + verdict.WouldHaveAction.Name() : verdict.Action.Name(), verdict.Rule);
        LogVerdict(_logger, message.Id, verdict.Action.Name(), verdict.WouldHaveAction.Name(), verdict.Rule ?? "-", findings.Count, elapsed.TotalMilliseconds);
        return ValueTask.FromResult(decision);
    }

    /// <summary>What the notices and the quarantine record are made of; the headers are null when the message could not be parsed.</summary>
    /// <param name="SenderVerified">The envelope sender is internal, or the session authenticated as it (<see cref="VerifiedSender"/>).</param>
    private sealed record Context(ReceivedMessage Message, Verdict Verdict, IReadOnlyList<Finding> Findings, RecipientExposure? Exposure, HeaderList? Headers, string? Subject, bool SenderVerified)
    {
        public string Sender => Message.MailFrom;

        /// <summary>Whether anything may be mailed to the sender about this message: never to an unverified one (backscatter), nor against RFC 3834.</summary>
        public bool MayNotifySender => SenderVerified && Headers is not null && PolicyNotice.MayNotifySender(Sender, Headers);

        /// <summary>The whole inspection, kept (masked) with a hold; null when inspection failed.</summary>
        public InspectionResult? Result { get; init; }
    }

    // A rewritten message is the received one plus a few header lines: sized for it at once, and
    // handed on as written (growing by doubling and copying it out cost three times its size).
    private static MemoryStream RewriteBuffer(ReceivedMessage message) =>
        new((int)Math.Min(message.Size + 4096, Array.MaxLength));

    private static ReadOnlyMemory<byte> Written(MemoryStream stream) => stream.GetBuffer().AsMemory(0, (int)stream.Length);

    private bool SenderVerified(ReceivedMessage message) =>
        VerifiedSender.IsVerified(message.MailFrom, message.AuthenticatedUser, _policy.InternalDomains);

    private MessageDecision Apply(Context c, MimeDocument? document)
    {
        switch (c.Verdict.Action)
        {
            case PolicyAction.Deliver:
                return MessageDecision.Deliver;
            case PolicyAction.Tag when document is not null:
                {
                    var fields = MessageRewriter.VerdictHeaders(c.Verdict, c.Message.Id, c.Findings);
                    if (MessageRewriter.VerdictPrefix(document, fields) is { } prefix)
                    {
                        // The usual case: the fields go above the received bytes, which stay as spooled.
                        return new MessageDecision(DispositionAction.Deliver, HeaderPrefix: prefix, AppliedAction: PolicyAction.Tag);
                    }

                    using var tagged = RewriteBuffer(c.Message);
                    MessageRewriter.AddVerdictHeaders(document, tagged, fields);
                    return new MessageDecision(DispositionAction.Deliver, ReplacementContent: Written(tagged), AppliedAction: PolicyAction.Tag);
                }

            case PolicyAction.RewriteBcc when document is not null:
                {
                    using var rewritten = RewriteBuffer(c.Message);
                    MessageRewriter.HideExternalRecipients(document, rewritten, _policy.InternalDomains, MessageRewriter.VerdictHeaders(c.Verdict, c.Message.Id, c.Findings));
                    var notices = c.MayNotifySender ? new[] { Notice(c, PolicyNoticeKind.RecipientsHidden, c.Sender) } : null;
                    if (notices is null)
                    {
                        LogSenderNotNotified(_logger, c.Message.Id, PolicyAction.RewriteBcc.Name());
                    }

                    return new MessageDecision(DispositionAction.Deliver, ReplacementContent: Written(rewritten), Notices: notices, AppliedAction: PolicyAction.RewriteBcc);
                }

            case PolicyAction.Return when c.MayNotifySender:
                {
                    using var original = c.Message.OpenContent();
                    return new MessageDecision(DispositionAction.Return, c.Verdict.Reason, Notices: [Notice(c, PolicyNoticeKind.Returned, c.Sender, original)]);
                }

            case PolicyAction.Tag:
                // Nothing parsed to add fields to (inspection failed and policy says deliver): as received.
                return MessageDecision.Deliver;

            case PolicyAction.Hold:
            case PolicyAction.RewriteBcc:
                // RewriteBcc lands here only when the message could not be parsed to rewrite it.
                return Hold(c);

            default:
                // Reject, and a Return whose sender must not be answered (unverified, null sender,
                // automatic mail): refused at SMTP time, so nothing is lost and the original goes
                // nowhere. The client that submitted it reads the 550.
                if (c.Verdict.Action == PolicyAction.Return)
                {
                    LogSenderNotNotified(_logger, c.Message.Id, PolicyAction.Return.Name());
                }

                return new MessageDecision(DispositionAction.Reject, (c.Verdict.Reason ?? "Message held back by data-loss-prevention policy") + (c.Verdict.Rule is null ? "" : $" [rule {c.Verdict.Rule}]"));
        }
    }

    private MessageDecision Hold(Context c)
    {
        var summary = c.Findings.FirstOrDefault(f => f.Kind == FindingKinds.PersonalData)?.Summary
            ?? c.Findings.FirstOrDefault(f => f.Kind == FindingKinds.ExposedRecipients)?.Summary
            ?? c.Verdict.Reason;
        var inspection = HoldInspectionBuilder.Build(c.Result, c.Verdict, c.Message.Recipients, _policy.InternalDomains, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime));
        var details = new HoldDetails(c.Verdict.Rule, c.Verdict.Reason, c.Subject, summary, FindingsJson.Serialize(c.Findings), inspection.Serialize());
        var notices = new List<OutgoingNotice>();
        if (c.Verdict.NotifySender && c.MayNotifySender)
        {
            notices.Add(Notice(c, PolicyNoticeKind.Held, c.Sender));
        }
        else if (c.Verdict.NotifySender)
        {
            // Held all the same, without a word to a sender who may not be the one who sent it.
            LogSenderNotNotified(_logger, c.Message.Id, PolicyAction.Hold.Name());
        }

        if (c.Verdict.NotifySecurityTeam && _notifications.SecurityTeam is { Length: > 0 } team)
        {
            notices.Add(Notice(c, PolicyNoticeKind.SecurityAlert, team));
        }

        return new MessageDecision(DispositionAction.Hold, c.Verdict.Reason, Notices: notices, Hold: details);
    }

    private OutgoingNotice Notice(Context c, PolicyNoticeKind kind, string to, Stream? original = null) =>
        new(to, PolicyNotice.Build(
            new PolicyNoticeRequest(
                kind, _serverName, c.Message.Id, to, c.Sender, c.Subject, c.Verdict.Reason, c.Findings, c.Exposure,
                kind == PolicyNoticeKind.Returned ? c.Message.Recipients : [],
                _time.GetUtcNow(), original, ReleaseLink(c, kind),
                kind == PolicyNoticeKind.SecurityAlert ? null : _policyOptions.SenderMessageFor(c.Verdict.Rule),
                WithdrawUrl: kind == PolicyNoticeKind.Held && _notifications.ReleaseRequestUrl is { Length: > 0 } url ? _links.WithdrawLink(url, c.Message.Id) : null),
            _notifications));

    /// <summary>
    /// Only a held message can be asked for: the held notice gets a link of its own whose token
    /// proves it came from MailGuard for that message. A returned message is not kept, so there is
    /// nothing to release.
    /// </summary>
    private string? ReleaseLink(Context c, PolicyNoticeKind kind) =>
        kind == PolicyNoticeKind.Held && _notifications.ReleaseRequestUrl is { Length: > 0 } url ? _links.Link(url, c.Message.Id) : null;

    [LoggerMessage(EventId = LogEventIds.Verdict, Level = LogLevel.Information, Message = "Verdict for {QueueId}: {Action} (would have: {WouldHave}) by rule {Rule}; {Findings} findings in {ElapsedMs:F1} ms")]
    private static partial void LogVerdict(ILogger logger, string queueId, string action, string wouldHave, string rule, int findings, double elapsedMs);

    [LoggerMessage(EventId = LogEventIds.SenderNotNotified, Level = LogLevel.Information, Message = "No notice to the sender of {QueueId} ({Action}): the sender is not verified (internal or authenticated as itself) or must not be answered")]
    private static partial void LogSenderNotNotified(ILogger logger, string queueId, string action);

    [LoggerMessage(EventId = LogEventIds.SenderOverride, Level = LogLevel.Information, Message = "Sender of {QueueId} chose to send anyway in the add-in for rule {Rules}; verdict {Action}")]
    private static partial void LogSenderOverride(ILogger logger, string queueId, string rules, string action);

    [LoggerMessage(EventId = LogEventIds.InspectionFailed, Level = LogLevel.Error, Message = "Inspection of {QueueId} failed; failing closed")]
    private static partial void LogInspectionFailed(ILogger logger, Exception exception, string queueId);
}
