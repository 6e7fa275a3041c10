using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class LogoutModel : ConsolePageModel
{
    private readonly ConsoleAccounts _accounts;

    public LogoutModel(ConsoleAccounts accounts) => _accounts = accounts;

    public IActionResult OnGet() => Redirect("/messages");

    /// <summary>Ends the account's sessions on the server too, so a copied session cookie stops working.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        await _accounts.EndSessionsAsync(Actor, HttpContext.RequestAborted);
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/login");
    }
}
