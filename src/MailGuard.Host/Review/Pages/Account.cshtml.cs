using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class AccountModel : ConsolePageModel
{
    private readonly ConsoleAccounts _accounts;
    private readonly TimeProvider _time;

    public AccountModel(ConsoleAccounts accounts, TimeProvider time)
    {
        _accounts = accounts;
        _time = time;
    }

    [BindProperty]
    public string? Current { get; set; }

    [BindProperty]
    public string? New { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = (await _accounts.VerifyPasswordAsync(Actor, Current ?? "", HttpContext.RequestAborted)).User;
        if (user is null)
        {
            Error = "The current password is wrong.";
            return Page();
        }

        if (ConsoleAccounts.PasswordProblem(New) is { } problem)
        {
            Error = problem;
            return Page();
        }

        await _accounts.ChangePasswordAsync(user.Name, New!, HttpContext.RequestAborted);
        // The old session's stamp no longer matches: sign in again with the new one.
        var changed = await _accounts.Store.GetUserAsync(user.Name, HttpContext.RequestAborted);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ReviewConsole.Principal(changed!.Name, changed.Role, CookieAuthenticationDefaults.AuthenticationScheme, ReviewConsole.Stamp(changed), _time.GetUtcNow()));
        Flash = "Password changed. Other sessions of this account have ended.";
        return Redirect("/account");
    }
}
