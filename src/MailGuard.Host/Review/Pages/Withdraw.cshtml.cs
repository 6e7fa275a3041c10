using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// The sender withdraws a held message (to send a corrected copy instead): reached from the link in
/// the held notice, guarded by the link's MAC instead of a login, like the release request. The
/// page asks first and only the POST withdraws, so a mail scanner that opens links changes nothing.
/// </summary>
public sealed class WithdrawModel(ReleaseRequests requests) : SenderLinkPageModel
{
    public bool CanWithdraw => Offered;

    protected override Task<QuarantineRecord?> FindForLinkAsync(CancellationToken cancellationToken) =>
        requests.GetForWithdrawLinkAsync(Id, Token, cancellationToken);

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var outcome = await requests.WithdrawAsync(Id, Token, HttpContext.RequestAborted);
        Message = outcome switch
        {
            WithdrawOutcome.Withdrawn => "Withdrawn: the message has been deleted and will never be delivered. You can now send a corrected copy.",
            WithdrawOutcome.NotHeld => "This message is no longer held; nothing was changed.",
            _ => "This link is not valid.",
        };
        Offered = false;
        return Page();
    }
}
