using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailGuard.Host.Review.Pages;

/// <summary>What every console page knows about its user.</summary>
public abstract class ConsolePageModel : PageModel
{
    public string Actor => User.FindFirstValue(ClaimTypes.Name) ?? "anonymous";

    public bool IsAdmin => User.IsInRole("admin");

    /// <summary>Times in Console:TimeZone, with the zone named.</summary>
    public ConsoleClock Clock => HttpContext.RequestServices.GetRequiredService<ConsoleClock>();

    /// <summary>A one-line result of the last action, shown once.</summary>
    [Microsoft.AspNetCore.Mvc.TempData]
    public string? Flash { get; set; }

    [Microsoft.AspNetCore.Mvc.TempData]
    public string? FlashError { get; set; }
}
