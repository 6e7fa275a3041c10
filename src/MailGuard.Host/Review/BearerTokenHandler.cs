using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>`Authorization: Bearer mgt_…` for the API: the token's role becomes the caller's; its name is "token:ID (creator)", so the audit log and the four-eyes rule know whose token it is.</summary>
internal sealed class BearerTokenHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private readonly ConsoleAccounts _accounts;

    public BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ConsoleAccounts accounts)
        : base(options, logger, encoder)
    {
        _accounts = accounts;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = await _accounts.VerifyTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("invalid or revoked token");
        }

        // A token made by a console account lives with that account: disabled, it stops; demoted,
        // the token acts as a reviewer. Tokens made with the CLI ("cli:...") stand alone.
        var role = token.Role;
        if (await _accounts.Store.GetUserAsync(token.CreatedBy, Context.RequestAborted) is { } creator)
        {
            if (creator.Disabled)
            {
                return AuthenticateResult.Fail("the token's creator is disabled");
            }

            if (creator.Role == Core.Store.ConsoleRole.Reviewer)
            {
                role = Core.Store.ConsoleRole.Reviewer;
            }
        }

        string name = $"token:{token.Id} ({token.CreatedBy})";
        // A check token carries no role at all, so every policy that asks for one (the review API,
        // /metrics) refuses it; only the check endpoint's policy asks for its scope.
        var principal = token.Scope == Core.Store.TokenScope.Check
            ? ReviewConsole.CheckPrincipal(name, token.Id, Scheme.Name)
            : ReviewConsole.Principal(name, role, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"mailguard\"";
        return Task.CompletedTask;
    }
}
