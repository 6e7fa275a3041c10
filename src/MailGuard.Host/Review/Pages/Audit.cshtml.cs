using System.Globalization;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class AuditModel : ConsolePageModel
{
    public const int PageSize = 100;
    private readonly IReviewStore _store;

    public AuditModel(IReviewStore store) => _store = store;

    [BindProperty(SupportsGet = true, Name = "actor")]
    public string? ActorFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "message")]
    public string? MessageFilter { get; set; }

    // Not [BindProperty]: Razor Pages route values (bound first) always carry "page", the page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public async Task OnGetAsync()
    {
        // Bounded so that the offset, (page - 1) * PageSize, cannot overflow to a negative number.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        Events = await _store.QueryAuditAsync(new AuditQuery(Trim(ActorFilter), Trim(ActionFilter), Trim(MessageFilter), (PageNumber - 1) * PageSize, PageSize), HttpContext.RequestAborted);
    }

    public string PageLink(int page) =>
        "/audit?" + string.Join("&", new (string Key, string? Value)[] { ("actor", ActorFilter), ("action", ActionFilter), ("message", MessageFilter), ("page", page.ToString(CultureInfo.InvariantCulture)) }
            .Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
