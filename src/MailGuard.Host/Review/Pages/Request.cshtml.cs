using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// The sender's release request (Purview-style override with justification, server-side): reached
/// from the link in the held notice, guarded by the link's MAC instead of a login. It shows only
/// the subject (masked), the reference and the reason, and takes a justification for the reviewer.
/// </summary>
public sealed class RequestModel(ReleaseRequests requests) : SenderLinkPageModel
{
    public bool CanRequest => Offered;

    protected override Task<QuarantineRecord?> FindForLinkAsync(CancellationToken cancellationToken) =>
        requests.GetForLinkAsync(Id, Token, cancellationToken);

    public async Task<IActionResult> OnPostAsync(string? justification)
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        // Recorded with the sender's confirmation and the security team's alert, in one transaction.
        var outcome = await requests.RequestReleaseAsync(Id, Token, justification ?? "", HttpContext.RequestAborted);

        Message = outcome switch
        {
            ReleaseRequestOutcome.Recorded => "Thank you: your request is with the reviewers. You will hear from them.",
            ReleaseRequestOutcome.NotHeld => "This message is no longer held.",
            ReleaseRequestOutcome.TooMany => "This message has had the most requests allowed; the reviewers have them.",
            ReleaseRequestOutcome.EmptyJustification => "Please write a justification.",
            _ => "This link is not valid.",
        };
        Offered = outcome == ReleaseRequestOutcome.EmptyJustification;
        return Page();
    }
}
