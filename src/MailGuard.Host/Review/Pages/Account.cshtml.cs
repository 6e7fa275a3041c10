using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed partial class AccountModel : ConsolePageModel
{
    private readonly ConsoleAccounts _accounts;
    private readonly LoginThrottle _throttle;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Metrics.MailGuardMetrics _metrics;

    public AccountModel(ConsoleAccounts accounts, LoginThrottle throttle, TimeProvider time, ILogger<AccountModel> logger, Metrics.MailGuardMetrics metrics)
    {
        _accounts = accounts;
        _throttle = throttle;
        _time = time;
        _logger = logger;
        _metrics = metrics;
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
        // The current password is checked like a login's, under the same counters: a stolen session
        // cookie must not become an unthrottled way to guess the account's password.
        string client = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var permit = await _throttle.BeginAsync(Actor, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
        if (!permit.Allowed)
        {
            await _throttle.RefusedAsync(permit, HttpContext.RequestAborted);
            LogThrottled(_logger, Actor, client);
            _metrics.AuthAttemptRefused(Metrics.AuthService.Console, throttled: true);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Error = "Too many failed attempts. Try again later.";
            return Page();
        }

        var user = (await _accounts.VerifyPasswordAsync(Actor, Current ?? "", HttpContext.RequestAborted)).User;
        if (user is null)
        {
            LogFailed(_logger, Actor, client);
            _metrics.AuthAttemptRefused(Metrics.AuthService.Console, throttled: false);
            Error = "The current password is wrong.";
            return Page();
        }

        await _throttle.SucceededAsync(permit, HttpContext.RequestAborted);
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

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.PasswordChangeFailed, Level = LogLevel.Warning, Message = "Password change by {Name} from {Client} refused: the current password is wrong")]
    private static partial void LogFailed(ILogger logger, string name, string client);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.PasswordChangeThrottled, Level = LogLevel.Warning, Message = "Password change by {Name} from {Client} refused unchecked: too many failures")]
    private static partial void LogThrottled(ILogger logger, string name, string client);
}
