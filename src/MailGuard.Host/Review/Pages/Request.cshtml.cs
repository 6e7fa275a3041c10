using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// The sender's release request (Purview-style override with justification, server-side): reached
/// from the link in the held notice, guarded by the link's MAC instead of a login. It shows only
/// the subject (masked), the reference and the reason, and takes a justification for the reviewer.
/// </summary>
public sealed class RequestModel : PageModel
{
    private readonly ReleaseRequests _requests;
    private readonly ReleaseRequestAlert _alert;

    public RequestModel(ReleaseRequests requests, ReleaseRequestAlert alert)
    {
        _requests = requests;
        _alert = alert;
    }

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public QuarantineRecord? Record { get; private set; }

    public string Subject { get; private set; } = "";

    public bool CanRequest { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        if (!CanRequest)
        {
            Message = $"This message is no longer held (it was {ApiEndpoints.Status(Record!.Status)}).";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? justification)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var outcome = await _requests.RequestReleaseAsync(Id, Token, justification ?? "", HttpContext.RequestAborted);
        if (outcome == ReleaseRequestOutcome.Recorded)
        {
            // The security team hears of it at once, with a link to decide; the request stands either way.
            await _alert.SendAsync(Id, HttpContext.RequestAborted);
        }

        Message = outcome switch
        {
            ReleaseRequestOutcome.Recorded => "Thank you: your request is with the reviewers. You will hear from them.",
            ReleaseRequestOutcome.NotHeld => "This message is no longer held.",
            ReleaseRequestOutcome.TooMany => "This message has had the most requests allowed; the reviewers have them.",
            ReleaseRequestOutcome.EmptyJustification => "Please write a justification.",
            _ => "This link is not valid.",
        };
        CanRequest = outcome == ReleaseRequestOutcome.EmptyJustification;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        Record = await _requests.GetForLinkAsync(Id, Token, HttpContext.RequestAborted);
        if (Record is null)
        {
            return false;
        }

        Subject = Record.Subject is null ? "(no subject)" : TextRedactor.Redact(Record.Subject, DateOnly.FromDateTime(Record.HeldAt.UtcDateTime));
        CanRequest = Record.Status == QuarantineStatus.Held;
        return true;
    }
}
