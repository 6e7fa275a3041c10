using MailGuard.Core.Dispositions;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using MailGuard.Mime;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>What a reviewer can do to a held message.</summary>
public enum ReviewVerb
{
    Release,
    ReleaseBccFix,
    Return,
    Delete,
}

/// <summary>How a reviewer's action ended. Expected refusals are values, not exceptions.</summary>
public enum ReviewOutcome
{
    Applied,

    /// <summary>Four-eyes: the first approval is recorded; a second reviewer must release.</summary>
    AwaitingSecondReviewer,

    /// <summary>Four-eyes: this reviewer already approved; someone else must release.</summary>
    SecondReviewerRequired,

    /// <summary>
    /// Releasing personal data needs the reviewer to confirm what will leave; <see cref="ReviewResult.Detail"/>
    /// states it ("8 people's NI numbers (applicants.csv) to 1 external domain (example.org)"). Nothing was done.
    /// </summary>
    ConfirmationRequired,

    /// <summary>Release with the Bcc fix is offered only when exposed recipients are the only reason for the hold.</summary>
    BccFixNotOffered,
    NotFound,
    NotHeld,
    ReasonRequired,

    /// <summary>
    /// Return refused: the sender is not verified (internal, or authenticated as itself) or must
    /// not be answered, so the original would go to someone who may not have sent it.
    /// <see cref="ReviewResult.Detail"/> says why; deleting is the alternative.
    /// </summary>
    ReturnRefused,
}

/// <param name="Detail">For <see cref="ReviewOutcome.ReturnRefused"/>, the reason in words for the reviewer; for <see cref="ReviewOutcome.ConfirmationRequired"/>, what would leave.</param>
public sealed record ReviewResult(ReviewOutcome Outcome, QuarantineStatus? Status = null, string? Detail = null);

/// <summary>
/// The one implementation of release, release with Bcc fix, return and delete, used by the console
/// pages, the API and the CLI alike, so that all three apply the same rules (reasons, four-eyes)
/// and leave the same audit trail. The store makes each decision exactly once.
/// </summary>
public sealed partial class ReviewActions
{
    public const int MaxReasonLength = 1000;
    public const string ApprovalAction = "release-approved";
    public const string ConfirmedAction = "release-confirmed";

    private readonly IQuarantineStore _store;
    private readonly ConsoleOptions _console;
    private readonly RelayOptions _relay;
    private readonly PolicyOptions _policy;
    private readonly DomainSet _internalDomains;
    private readonly DeliverySignal? _signal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReviewActions(IQuarantineStore store, IOptions<ConsoleOptions> console, IOptions<RelayOptions> relay, PolicyOptions? policy, DeliverySignal? signal, TimeProvider time, ILogger<ReviewActions> logger)
    {
        _store = store;
        _console = console.Value;
        _relay = relay.Value;
        _policy = policy ?? new PolicyOptions();
        _internalDomains = new DomainSet(_policy.InternalDomains);
        _signal = signal;
        _time = time;
        _logger = logger;
        Inspections = new HoldInspections(store, _policy, console, time, logger);
    }

    /// <summary>The stored inspections and the facts decisions follow (shared with the console pages).</summary>
    public HoldInspections Inspections { get; }

    public static string Name(ReviewVerb verb) => verb switch
    {
        ReviewVerb.Release => "release",
        ReviewVerb.ReleaseBccFix => "release-bcc-fix",
        ReviewVerb.Return => "return",
        _ => "delete",
    };

    public static bool TryParseVerb(string? text, out ReviewVerb verb)
    {
        foreach (var v in Enum.GetValues<ReviewVerb>())
        {
            if (string.Equals(Name(v), text, StringComparison.OrdinalIgnoreCase))
            {
                verb = v;
                return true;
            }
        }

        verb = default;
        return false;
    }

    /// <summary>
    /// Whether releasing needs two reviewers: a rule the message matched asks for it
    /// (Policy:Rules:N:FourEyes, on by default for identifier rules), or Console:FourEyes and the
    /// findings are about people (not only exposed addresses or unreadable parts). See <see cref="HoldFacts"/>.
    /// </summary>
    public bool NeedsTwoReviewers(QuarantineRecord record) => Inspections.Facts(record).FourEyes;

    /// <summary>
    /// Who is behind an actor for the four-eyes rule: an API token counts as the person who made it
    /// ("token:ID (alice)" is alice), so one admin cannot approve in the console and release with a token.
    /// </summary>
    public static string Person(string actor)
    {
        if (actor.StartsWith("token:", StringComparison.Ordinal) && actor.EndsWith(')') && actor.IndexOf(" (", StringComparison.Ordinal) is int open and > 0)
        {
            return actor[(open + 2)..^1];
        }

        return actor;
    }

    /// <summary>
    /// Why the message cannot be returned to its sender, in words for the reviewer (whose other
    /// choice is delete); null when it can, as far as the record tells (the message itself may
    /// still turn out to be automatic mail, which is never answered).
    /// </summary>
    public string? WhyNotReturnable(QuarantineRecord record) => HeldMessageReturn.WhyNotReturnable(record, _internalDomains);

    /// <summary>
    /// A reviewer's reason as every other reviewer will read it in the audit trail: one line, bounded,
    /// identifiers masked (the same treatment as a sender's justification); null when nothing is left.
    /// </summary>
    public string? CleanReason(string? reason) =>
        Core.Notices.NoticeText.Masked(reason, MaxReasonLength, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime)) is { Length: > 0 } clean ? clean : null;

    /// <param name="reason">Why, for the audit log: reviewers read it, the sender never does.</param>
    /// <param name="noteToSender">The reviewer's words to the sender, in the notice that tells them of the decision.</param>
    /// <param name="confirmed">
    /// The reviewer has confirmed what a release of personal data sends (the console's confirmation
    /// step, the API's "confirm": true). Without it such a release does nothing and answers
    /// <see cref="ReviewOutcome.ConfirmationRequired"/> with the statement to confirm.
    /// </param>
    public async Task<ReviewResult> ApplyAsync(string messageId, ReviewVerb verb, string actor, string? reason, bool reasonRequired = true, string? noteToSender = null, bool confirmed = false, CancellationToken cancellationToken = default)
    {
        reason = CleanReason(reason);
        noteToSender = CleanNote(noteToSender);
        if (reason is null && reasonRequired)
        {
            return new ReviewResult(ReviewOutcome.ReasonRequired);
        }

        var record = await _store.GetQuarantineAsync(messageId, cancellationToken);
        if (record is null)
        {
            return new ReviewResult(ReviewOutcome.NotFound);
        }

        if (record.Status != QuarantineStatus.Held)
        {
            // Refused attempts are audited too, as the store does for a lost race.
            await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, Name(verb) + "-refused", messageId, reason, "already " + record.Status.ToString().ToLowerInvariant()), cancellationToken);
            return new ReviewResult(ReviewOutcome.NotHeld, record.Status);
        }

        var facts = verb is ReviewVerb.Release or ReviewVerb.ReleaseBccFix ? await Inspections.FactsAsync(record, cancellationToken) : null;
        if (verb == ReviewVerb.ReleaseBccFix && !facts!.BccFixOffered)
        {
            await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, Name(verb) + "-refused", messageId, reason, "the Bcc fix hides addresses only; the message was held for more than exposed recipients"), cancellationToken);
            LogBccFixRefused(_logger, messageId, actor);
            return new ReviewResult(ReviewOutcome.BccFixNotOffered, record.Status, "Release with Bcc fix is only for messages held for exposed recipients alone: this one was held for more.");
        }

        if (facts is { PersonalData: true } && !confirmed)
        {
            LogConfirmationRequired(_logger, messageId, actor);
            return new ReviewResult(ReviewOutcome.ConfirmationRequired, record.Status, facts.LeavesStatement);
        }

        if (facts is { FourEyes: true })
        {
            var approvals = (await _store.ListAuditAsync(messageId, 1000, cancellationToken)).Where(a => a.Action == ApprovalAction).ToList();
            string person = Person(actor);
            if (approvals.Count == 0 || approvals.All(a => Person(a.Actor) == person))
            {
                if (approvals.Any(a => Person(a.Actor) == person))
                {
                    return new ReviewResult(ReviewOutcome.SecondReviewerRequired, record.Status);
                }

                await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, ApprovalAction, messageId, reason, "first of two approvals for " + Name(verb) + (facts.LeavesStatement is { } leaves ? "; confirmed: " + leaves : "")), cancellationToken);
                LogAction(_logger, messageId, ApprovalAction, actor, "awaiting second reviewer");
                return new ReviewResult(ReviewOutcome.AwaitingSecondReviewer, record.Status);
            }
        }

        HeldReturn? returned = null;
        if (verb == ReviewVerb.Return)
        {
            returned = await SenderNoticeAsync(record, verb, noteToSender, actor, cancellationToken);
            if (returned.Refusal is { } refusal)
            {
                // Audited like any refused decision; the message stays held for a release or a delete.
                await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, Name(verb) + "-refused", messageId, reason, "not returnable: " + refusal), cancellationToken);
                LogAction(_logger, messageId, Name(verb), actor, "refused: sender not returnable");
                return new ReviewResult(ReviewOutcome.ReturnRefused, record.Status, $"The message cannot be returned to its sender: {refusal}. Delete it instead.");
            }
        }

        if (facts?.LeavesStatement is { } confirmedStatement)
        {
            // What the reviewer confirmed is on the record beside the release itself.
            await _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, ConfirmedAction, messageId, null, confirmedStatement), cancellationToken);
        }

        // The sender hears of every decision (a verified sender only), in the same transaction.
        returned ??= await SenderNoticeAsync(record, verb, noteToSender, actor, cancellationToken);
        var decision = verb switch
        {
            ReviewVerb.Release => await _store.ReleaseAsync(messageId, actor, reason, null, returned.Notice, cancellationToken),
            ReviewVerb.ReleaseBccFix => await _store.ReleaseAsync(messageId, actor, reason, await BccFixedAsync(messageId, cancellationToken), returned.Notice, cancellationToken),
            ReviewVerb.Return => await _store.ReturnAsync(messageId, actor, reason, returned.Notice, cancellationToken),
            _ => await _store.DeleteHeldAsync(messageId, actor, reason, returned.Notice, cancellationToken),
        };
        LogAction(_logger, messageId, Name(verb), actor, decision.Applied ? "applied" : "refused: " + decision.Status.ToString().ToLowerInvariant());
        if (!decision.Applied)
        {
            return new ReviewResult(ReviewOutcome.NotHeld, decision.Status);
        }

        await AuditSenderNoticeAsync(messageId, actor, noteToSender, returned, cancellationToken);
        _signal?.Notify();
        return new ReviewResult(ReviewOutcome.Applied, decision.Status);
    }

    /// <summary>The held bytes with external To/Cc addresses hidden, for release with the Bcc fix; null when the content is gone.</summary>
    public async Task<byte[]?> BccFixedAsync(string messageId, CancellationToken cancellationToken = default)
    {
        await using var content = await _store.OpenContentAsync(messageId, cancellationToken);
        if (content is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        using var doc = MimeDocument.Load(copy, leaveOpen: true);
        using var output = new MemoryStream();
        Core.Dispositions.MessageRewriter.HideExternalRecipients(doc, output, _internalDomains,
            [new("X-MailGuard-Verdict", "released with Bcc fix"), new("X-MailGuard-Reference", messageId)]);
        return output.ToArray();
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReviewConfirmationRequired, Level = LogLevel.Information, Message = "Review {MessageId}: release by {Actor} waits for confirmation of what leaves")]
    private static partial void LogConfirmationRequired(ILogger logger, string messageId, string actor);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReviewBccFixRefused, Level = LogLevel.Information, Message = "Review {MessageId}: release with Bcc fix by {Actor} refused: held for more than exposed recipients")]
    private static partial void LogBccFixRefused(ILogger logger, string messageId, string actor);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ReviewAction, Level = LogLevel.Information, Message = "Review {MessageId}: {Action} by {Actor}, {Result}")]
    private static partial void LogAction(ILogger logger, string messageId, string action, string actor, string result);
}
