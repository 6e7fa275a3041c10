using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages.Admin;

public sealed class TokensModel : ConsolePageModel
{
    private readonly ConsoleAccounts _accounts;

    public TokensModel(ConsoleAccounts accounts) => _accounts = accounts;

    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    [TempData]
    public string? Secret { get; set; }

    public async Task OnGetAsync() => Tokens = await _accounts.Store.ListTokensAsync(HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync(string? op, string? name, string? role, string? id)
    {
        if (op == "create")
        {
            string label = (name ?? "").Trim();
            if (label.Length is 0 or > 100)
            {
                return BadRequest();
            }

            // "check" makes a token for the Outlook add-in's check API only (no role).
            var scope = role == "check" ? TokenScope.Check : TokenScope.Api;
            ConsoleAccounts.TryParseRole(role, out var parsed);
            (_, Secret) = await _accounts.CreateTokenAsync(label, parsed, scope, Actor, HttpContext.RequestAborted);
        }
        else if (op == "revoke" && id is not null)
        {
            Flash = await _accounts.RevokeTokenAsync(id, Actor, HttpContext.RequestAborted) ? $"Token {id} revoked." : $"Token {id} was not active.";
        }
        else
        {
            return BadRequest();
        }

        return Redirect("/admin/tokens");
    }
}
