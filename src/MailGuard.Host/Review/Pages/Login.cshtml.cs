using MailGuard.Core.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailGuard.Host.Review.Pages;

public sealed partial class LoginModel : PageModel
{
    private readonly ConsoleAccounts _accounts;
    private readonly LoginThrottle _throttle;
    private readonly IQuarantineStore _audit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Metrics.MailGuardMetrics _metrics;

    public LoginModel(ConsoleAccounts accounts, LoginThrottle throttle, IQuarantineStore audit, TimeProvider time, ILogger<LoginModel> logger, Metrics.MailGuardMetrics metrics)
    {
        _metrics = metrics;
        _accounts = accounts;
        _throttle = throttle;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        string name = ConsoleAccounts.Normalize(Name ?? "");
        string client = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // Counted before the check, in the store every node shares: concurrent attempts cannot all slip under the limit.
        var permit = await _throttle.BeginAsync(name, HttpContext.Connection.RemoteIpAddress, HttpContext.RequestAborted);
        if (!permit.Allowed)
        {
            await _throttle.RefusedAsync(permit, HttpContext.RequestAborted);
            LogThrottled(_logger, client);
            _metrics.AuthAttemptRefused(Metrics.AuthService.Console, throttled: true);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Error = "Too many failed attempts. Try again later.";
            return Page();
        }

        var check = await _accounts.VerifyPasswordAsync(name, Password ?? "", HttpContext.RequestAborted);
        var user = check.User;
        if (user is null)
        {
            LogFailed(_logger, client);
            _metrics.AuthAttemptRefused(Metrics.AuthService.Console, throttled: false);
            // Only an existing account's name is recorded: a name typed wrong may be a password typed in the wrong field.
            await _audit.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), check.AccountExists ? name : "unknown-account", "login-failed", null, null, client));
            Error = "Wrong account name or password.";
            return Page();
        }

        await _throttle.SucceededAsync(permit, HttpContext.RequestAborted);
        LogSucceeded(_logger, user.Name, client);
        await _audit.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), user.Name, "login", null, null, client));
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, ReviewConsole.Principal(user.Name, user.Role, CookieAuthenticationDefaults.AuthenticationScheme, ReviewConsole.Stamp(user), _time.GetUtcNow()));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/messages");
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.LoginSucceeded, Level = LogLevel.Information, Message = "Console login by {Name} from {Client}")]
    private static partial void LogSucceeded(ILogger logger, string name, string client);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.LoginFailed, Level = LogLevel.Warning, Message = "Console login failed from {Client}")]
    private static partial void LogFailed(ILogger logger, string client);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.LoginThrottled, Level = LogLevel.Warning, Message = "Console login refused (too many failures) from {Client}")]
    private static partial void LogThrottled(ILogger logger, string client);
}
