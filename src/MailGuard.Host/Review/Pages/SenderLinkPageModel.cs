using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// A page a sender reaches from a link in a held notice (release request, withdraw), guarded by the
/// link's MAC instead of a login: it finds the message for the link, shows only its masked subject
/// and reference, and offers its action while the message is held. A GET never changes anything.
/// </summary>
public abstract class SenderLinkPageModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Token { get; set; } = "";

    public QuarantineRecord? Record { get; private set; }

    public string Subject { get; private set; } = "";

    public string Reference { get; private set; } = "";

    public string? Message { get; protected set; }

    /// <summary>Whether the page offers its action (the message is still held).</summary>
    protected bool Offered { get; set; }

    /// <summary>The quarantine record this page's kind of link is genuine for, or null.</summary>
    protected abstract Task<QuarantineRecord?> FindForLinkAsync(CancellationToken cancellationToken);

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync())
        {
            return NotFound();
        }

        if (!Offered)
        {
            Message = $"This message is no longer held (it was {ApiEndpoints.Status(Record!.Status)}).";
        }

        return Page();
    }

    protected async Task<bool> LoadAsync()
    {
        Record = await FindForLinkAsync(HttpContext.RequestAborted);
        if (Record is null)
        {
            return false;
        }

        Subject = Record.Subject is null ? "(no subject)" : TextRedactor.Redact(Record.Subject, DateOnly.FromDateTime(Record.HeldAt.UtcDateTime));
        Reference = NoticeReference.For(Record.MessageId);
        Offered = Record.Status == QuarantineStatus.Held;
        return true;
    }
}
