using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages.Admin;

public sealed class UsersModel : ConsolePageModel
{
    private readonly ConsoleAccounts _accounts;

    public UsersModel(ConsoleAccounts accounts) => _accounts = accounts;

    public IReadOnlyList<ConsoleUser> Users { get; private set; } = [];

    [TempData]
    public string? Secret { get; set; }

    [TempData]
    public string? SecretFor { get; set; }

    public async Task OnGetAsync() => Users = await _accounts.Store.ListUsersAsync(HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync(string? op, string? name, string? role)
    {
        string target = ConsoleAccounts.Normalize(name ?? "");
        if (!ConsoleAccounts.IsValidName(target))
        {
            FlashError = "Account names are letters, digits and . - _ @ (up to 64).";
            return Redirect("/admin/users");
        }

        if (target == Actor && op != "create")
        {
            FlashError = "You cannot change your own account here (use another admin).";
            return Redirect("/admin/users");
        }

        var ct = HttpContext.RequestAborted;
        switch (op)
        {
            case "create":
                ConsoleAccounts.TryParseRole(role, out var newRole);
                string? password = await _accounts.CreateUserAsync(target, newRole, Actor, ct);
                if (password is null)
                {
                    FlashError = $"An account named {target} exists already.";
                }
                else
                {
                    (Secret, SecretFor) = (password, target);
                }

                break;
            case "reset":
                string? reset = await _accounts.ResetPasswordAsync(target, Actor, ct);
                if (reset is not null)
                {
                    (Secret, SecretFor) = (reset, target);
                }

                break;
            case "disable" or "enable":
                await _accounts.SetDisabledAsync(target, op == "disable", Actor, ct);
                Flash = $"{target} {op}d.";
                break;
            case "make-admin" or "make-reviewer":
                await _accounts.SetRoleAsync(target, op == "make-admin" ? ConsoleRole.Admin : ConsoleRole.Reviewer, Actor, ct);
                Flash = $"{target} is now {(op == "make-admin" ? "an admin" : "a reviewer")}.";
                break;
            default:
                return BadRequest();
        }

        return Redirect("/admin/users");
    }
}
