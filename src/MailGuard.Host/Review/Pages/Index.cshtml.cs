using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class IndexModel : ConsolePageModel
{
    public IActionResult OnGet() => Redirect("/messages");
}
