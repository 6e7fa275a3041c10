using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// The sender withdraws a held message (to send a corrected copy instead): reached from the link in
/// the held notice, guarded by the link's MAC instead of a login, like the release request. The
/// page asks first and only the POST withdraws, so a mail scanner that opens links changes nothing.
/// </summary>
public sealed class WithdrawModel : PageModel
{
    private readonly ReleaseRequests _requests;

    public WithdrawModel(ReleaseRequests requests) => _requests = requests;

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public QuarantineRecord? Record { get; private set; }

    public string Subject { get; private set; } = "";

    public string Reference { get; private set; } = "";

    public bool CanWithdraw { get; private set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        if (!CanWithdraw)
        {
            Message = $"This message is no longer held (it was {ApiEndpoints.Status(Record!.Status)}).";
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        var outcome = await _requests.WithdrawAsync(Id, Token, HttpContext.RequestAborted);
        Message = outcome switch
        {
            WithdrawOutcome.Withdrawn => "Withdrawn: the message has been deleted and will never be delivered. You can now send a corrected copy.",
            WithdrawOutcome.NotHeld => "This message is no longer held; nothing was changed.",
            _ => "This link is not valid.",
        };
        CanWithdraw = false;
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        Record = await _requests.GetForWithdrawLinkAsync(Id, Token, HttpContext.RequestAborted);
        if (Record is null)
        {
            return false;
        }

        Subject = Record.Subject is null ? "(no subject)" : TextRedactor.Redact(Record.Subject, DateOnly.FromDateTime(Record.HeldAt.UtcDateTime));
        Reference = NoticeReference.For(Record.MessageId);
        CanWithdraw = Record.Status == QuarantineStatus.Held;
        return true;
    }
}
