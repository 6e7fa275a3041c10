using MailGuard.Inspection;
using MailGuard.Inspection.Detection;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class MessageModel : ConsolePageModel
{
    private readonly IQuarantineStore _store;
    private readonly ReviewActions _actions;
    private readonly PolicyOptions _policy;
    private readonly TimeProvider _time;

    public MessageModel(IQuarantineStore store, ReviewActions actions, PolicyOptions policy, TimeProvider time)
    {
        _store = store;
        _actions = actions;
        _policy = policy;
        _time = time;
    }

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public QuarantineRecord? Record { get; private set; }

    public string Subject { get; private set; } = "";

    public IReadOnlyList<string> Recipients { get; private set; } = [];

    public IReadOnlyList<Finding> Findings { get; private set; } = [];

    public IReadOnlyList<AuditEvent> Audit { get; private set; } = [];

    public IReadOnlyList<AuditEvent> ReleaseRequests { get; private set; } = [];

    public IReadOnlyList<AuditEvent> Approvals { get; private set; } = [];

    public bool NeedsTwoReviewers { get; private set; }

    /// <summary>Why Return to sender is not offered (the sender is not verified); null when it is.</summary>
    public string? ReturnRefusal { get; private set; }

    public MessageView? View { get; private set; }

    public DateTimeOffset Now => _time.GetUtcNow();

    public async Task<IActionResult> OnGetAsync()
    {
        if (!MessageIds.IsValid(Id) || (Record = await _store.GetQuarantineAsync(Id, HttpContext.RequestAborted)) is null)
        {
            return NotFound();
        }

        var today = DateOnly.FromDateTime(Record.HeldAt.UtcDateTime);
        Subject = Record.Subject is null ? "(no subject)" : TextRedactor.Redact(Record.Subject, today);
        // Masked for everyone, like finding evidence: the unmasked view is the audited Original page (admins).
        Recipients = Record.Recipients.Take(200).Select(ApiEndpoints.MaskRecipient).ToList();
        Findings = FindingsJson.Deserialize(Record.FindingsJson).Select(f => MessageView.Masked(f, today)).ToList();
        Audit = await _store.ListAuditAsync(Id, 1000, HttpContext.RequestAborted);
        ReleaseRequests = Audit.Where(a => a.Action == "release-requested").ToList();
        Approvals = Audit.Where(a => a.Action == ReviewActions.ApprovalAction).ToList();
        NeedsTwoReviewers = _actions.NeedsTwoReviewers(Record);
        ReturnRefusal = _actions.WhyNotReturnable(Record);
        await using var content = Record.Status == QuarantineStatus.Held ? await _store.OpenContentAsync(Id, HttpContext.RequestAborted) : null;
        if (content is not null)
        {
            // The message page masks for everyone; the admin's unmasked view is the audited Original page.
            View = MessageView.Build(content, masked: true, new DomainSet(_policy.InternalDomains), today, HttpContext.RequestAborted);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? verb, string? reason, string? noteToSender)
    {
        if (!MessageIds.IsValid(Id) || !ReviewActions.TryParseVerb(verb, out var parsed))
        {
            return BadRequest();
        }

        var result = await _actions.ApplyAsync(Id, parsed, Actor, reason, noteToSender: noteToSender, cancellationToken: HttpContext.RequestAborted);
        switch (result.Outcome)
        {
            case ReviewOutcome.Applied:
                Flash = $"{Id}: {ReviewActions.Name(parsed)} done ({ApiEndpoints.Status(result.Status)}).";
                return Redirect("/messages");
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
                // Back to the message page, whose form offers Delete.
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
}
