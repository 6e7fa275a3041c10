using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class MessageModel : ConsolePageModel
{
    /// <summary>Other held messages of the same sender shown on the page.</summary>
    public const int HistoryShown = 10;

    private readonly IQuarantineStore _store;
    private readonly IReviewStore _review;
    private readonly ReviewActions _actions;

    public MessageModel(IQuarantineStore store, IReviewStore review, ReviewActions actions)
    {
        _store = store;
        _review = review;
        _actions = actions;
    }

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public QuarantineRecord? Record { get; private set; }

    /// <summary>Everything the decisions follow from: matched rules, severity, offered buttons, four-eyes, what leaves.</summary>
    public HoldFacts? Facts { get; private set; }

    public string Subject { get; private set; } = "";

    public IReadOnlyList<string> Recipients { get; private set; } = [];

    public IReadOnlyList<Finding> Findings => Facts?.Findings ?? [];

    public IReadOnlyList<AuditEvent> Audit { get; private set; } = [];

    public IReadOnlyList<AuditEvent> ReleaseRequests { get; private set; } = [];

    public IReadOnlyList<AuditEvent> Approvals { get; private set; } = [];

    public bool NeedsTwoReviewers => Facts?.FourEyes == true;

    /// <summary>Why Return to sender is not offered (the sender is not verified); null when it is.</summary>
    public string? ReturnRefusal { get; private set; }

    public MessageView? View { get; private set; }

    /// <summary>The sender's other quarantined messages, newest first (any status).</summary>
    public IReadOnlyList<QuarantineRecord> SenderHistory { get; private set; } = [];

    /// <summary>Set when a release waits for the reviewer to confirm what leaves: the statement, and the form to repeat.</summary>
    public string? ConfirmStatement { get; private set; }

    public string ConfirmVerb { get; private set; } = "release";

    public string? ConfirmReason { get; private set; }

    public string? ConfirmNote { get; private set; }

    public DateTimeOffset Now => Clock.Now;

    public async Task<IActionResult> OnGetAsync() =>
        await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(string? verb, string? reason, string? confirmed, string? noteToSender)
    {
        if (!MessageIds.IsValid(Id) || !ReviewActions.TryParseVerb(verb, out var parsed))
        {
            return BadRequest();
        }

        var result = await _actions.ApplyAsync(Id, parsed, Actor, reason, noteToSender: noteToSender, confirmed: confirmed == "yes", cancellationToken: HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case ReviewOutcome.Applied:
                Flash = $"{Id}: {ReviewActions.Name(parsed)} done ({ApiEndpoints.Status(result.Status)}).";
                return Redirect("/messages");
            case ReviewOutcome.ConfirmationRequired:
                // Nothing done yet: the page again, with the statement to confirm and the reason kept.
                if (!await LoadAsync())
                {
                    return NotFound();
                }

                ConfirmStatement = result.Detail;
                ConfirmVerb = ReviewActions.Name(parsed);
                ConfirmReason = reason;
                ConfirmNote = noteToSender;
                return Page();
            case ReviewOutcome.AwaitingSecondReviewer:
                Flash = "Your approval is recorded. A second reviewer must release the message (four-eyes rule).";
                break;
            case ReviewOutcome.SecondReviewerRequired:
                FlashError = "You already approved this release; a different reviewer must release it.";
                break;
            case ReviewOutcome.ReasonRequired:
                FlashError = "Give a reason: it is recorded in the audit log.";
                break;
            case ReviewOutcome.ReturnRefused:
            case ReviewOutcome.BccFixNotOffered:
                // Back to the message page, whose form offers what is possible.
                FlashError = result.Detail;
                break;
            case ReviewOutcome.NotFound:
                return NotFound();
            default:
                FlashError = $"The message is no longer held (it was {ApiEndpoints.Status(result.Status)}).";
                break;
        }

        return Redirect("/messages/" + Id);
    }

    private async Task<bool> LoadAsync()
    {
        if (!MessageIds.IsValid(Id) || (Record = await _store.GetQuarantineAsync(Id, HttpContext.RequestAborted)) is null)
        {
            return false;
        }

        var today = DateOnly.FromDateTime(Record.HeldAt.UtcDateTime);
        Facts = await _actions.Inspections.FactsAsync(Record, HttpContext.RequestAborted);
        Subject = Record.Subject is null ? "(no subject)" : TextRedactor.Redact(Record.Subject, today);
        // Masked for everyone, like finding evidence: the unmasked view is the audited Original page (admins).
        Recipients = Record.Recipients.Take(200).Select(ApiEndpoints.MaskRecipient).ToList();
        Audit = await _store.ListAuditAsync(Id, 1000, HttpContext.RequestAborted);
        ReleaseRequests = Audit.Where(a => a.Action == Notifications.ReleaseRequests.AuditAction).ToList();
        Approvals = Audit.Where(a => a.Action == ReviewActions.ApprovalAction).ToList();
        ReturnRefusal = _actions.WhyNotReturnable(Record);
        var history = await _review.QueryQuarantineAsync(new QuarantineQuery(Status: null, Sender: Record.MailFrom, Limit: HistoryShown * 3), HttpContext.RequestAborted);
        SenderHistory = history.Items
            .Where(h => h.MessageId != Id && string.Equals(h.MailFrom, Record.MailFrom, StringComparison.OrdinalIgnoreCase))
            .Take(HistoryShown)
            .ToList();
        await using var content = Record.Status == QuarantineStatus.Held ? await _store.OpenContentAsync(Id, HttpContext.RequestAborted) : null;
        if (content is not null)
        {
            // The message page masks for everyone; the admin's unmasked view is the audited Original page.
            // Attachments come from the stored inspection: the message is read, not inspected again.
            var stored = Facts.Inspection?.Attachments.Select(a => new AttachmentInfo(a.Location, a.FileName, a.DeclaredType, a.DetectedFormat, a.EncodedSize)).ToList();
            View = MessageView.Build(content, masked: true, _actions.Inspections.InternalDomains, today, HttpContext.RequestAborted, stored);
        }

        return true;
    }
}
