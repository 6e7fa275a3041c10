using System.Globalization;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Review;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard token create --name NAME [--role reviewer|admin] | list | revoke ID` and
/// `mailguard user add NAME [--role reviewer|admin] | list | reset-password NAME | disable NAME | enable NAME`,
/// on the store `run` uses, for admins over SSH and for provisioning scripts. New secrets (a token,
/// a random password) are printed once on standard output; the store keeps only hashes. Every change
/// is audited with the operating system user as the actor. Exit 0 on success, 1 when the account or
/// token does not exist (or the name is taken), 2 on usage errors.
/// </summary>
internal static class AccountCommand
{
    private const string TokenUsage = "usage: mailguard token create --name NAME [--role reviewer|admin] | list | revoke ID [--json] [--config FILE]";
    private const string UserUsage = "usage: mailguard user add NAME [--role reviewer|admin] | list | reset-password NAME | disable NAME | enable NAME [--json] [--config FILE]";

    public static int RunToken(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr) => Run("token", TokenUsage, args, stdout, stderr);

    public static int RunUser(ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr) => Run("user", UserUsage, args, stdout, stderr);

    private static int Run(string noun, string usage, ReadOnlySpan<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!ConfigurationLoader.TryLoad(args, out var configuration, out var rest, out string? error))
        {
            stderr.WriteLine($"mailguard {noun}: {error}");
            return 2;
        }

        bool json = rest.Remove("--json");
        string? name = TakeOption(rest, "--name");
        string? roleText = TakeOption(rest, "--role");
        if (!ConsoleAccounts.TryParseRole(roleText ?? "reviewer", out var role) || rest.Count == 0)
        {
            stderr.WriteLine(usage);
            return 2;
        }

        string verb = rest[0];
        bool valid = (noun, verb, rest.Count) switch
        {
            ("token", "create", 1) => name is { Length: > 0 },
            ("token", "list", 1) or ("user", "list", 1) => true,
            ("token", "revoke", 2) => true,
            ("user", "add" or "reset-password" or "disable" or "enable", 2) => ConsoleAccounts.IsValidName(rest[1]),
            _ => false,
        };
        if (!valid)
        {
            stderr.WriteLine(usage);
            return 2;
        }

        var options = ConfigurationLoader.Bind(configuration, out var errors);
        errors = errors.Where(e => e.StartsWith("Storage:", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0)
        {
            errors.ForEach(e => stderr.WriteLine($"mailguard {noun}: {e}"));
            return 2;
        }

        // Changes are logged (event 630) like the console's, to standard error; secrets go to standard output only.
        using var logging = Logging.LogSetup.ForCli(configuration, stderr);
        return RunAsync(noun, verb, rest.Count > 1 ? rest[1] : null, name, role, json, options, logging.CreateLogger<ConsoleAccounts>(), stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string noun, string verb, string? argument, string? name, ConsoleRole role, bool json, MailGuardOptions options, Microsoft.Extensions.Logging.ILogger<ConsoleAccounts> logger, TextWriter stdout, TextWriter stderr)
    {
        var spool = new MessageSpool(Path.GetFullPath(options.Storage.Directory));
        await using var store = StoreFactory.Create(options, spool.Directory, TimeProvider.System);
        await store.InitializeAsync();
        var accounts = new ConsoleAccounts((IAccountStore)store, TimeProvider.System, logger);
        string actor = CliActor.Current;
        switch (noun, verb)
        {
            case ("token", "create"):
                var (token, secret) = await accounts.CreateTokenAsync(name!, role, actor);
                stdout.WriteLine(json ? JsonSerializer.Serialize(new { id = token.Id, name = token.Name, role = ConsoleAccounts.RoleName(role), token = secret }) : secret);
                return 0;
            case ("token", "list"):
                foreach (var t in await accounts.Store.ListTokensAsync())
                {
                    stdout.WriteLine(json
                        ? JsonSerializer.Serialize(new { id = t.Id, name = t.Name, role = ConsoleAccounts.RoleName(t.Role), created_at = t.CreatedAt, created_by = t.CreatedBy, revoked_at = t.RevokedAt })
                        : string.Create(CultureInfo.InvariantCulture, $"{t.Id}  {ConsoleAccounts.RoleName(t.Role),-8} {t.CreatedAt:yyyy-MM-dd HH:mm}  {(t.RevokedAt is null ? "active " : "revoked")}  {t.Name}"));
                }

                return 0;
            case ("token", "revoke"):
                bool revoked = await accounts.RevokeTokenAsync(argument!, actor);
                (revoked ? stdout : stderr).WriteLine(revoked ? $"{argument}: revoked" : $"mailguard token: {argument} is not an active token");
                return revoked ? 0 : 1;
            case ("user", "add"):
                string? password = await accounts.CreateUserAsync(argument!, role, actor);
                if (password is null)
                {
                    stderr.WriteLine($"mailguard user: {ConsoleAccounts.Normalize(argument!)} exists already");
                    return 1;
                }

                stdout.WriteLine(json ? JsonSerializer.Serialize(new { name = ConsoleAccounts.Normalize(argument!), role = ConsoleAccounts.RoleName(role), password }) : password);
                return 0;
            case ("user", "list"):
                foreach (var u in await accounts.Store.ListUsersAsync())
                {
                    stdout.WriteLine(json
                        ? JsonSerializer.Serialize(new { name = u.Name, role = ConsoleAccounts.RoleName(u.Role), created_at = u.CreatedAt, disabled = u.Disabled })
                        : string.Create(CultureInfo.InvariantCulture, $"{u.Name,-24} {ConsoleAccounts.RoleName(u.Role),-8} {u.CreatedAt:yyyy-MM-dd HH:mm}  {(u.Disabled ? "disabled" : "active")}"));
                }

                return 0;
            case ("user", "reset-password"):
                string? reset = await accounts.ResetPasswordAsync(argument!, actor);
                if (reset is null)
                {
                    stderr.WriteLine($"mailguard user: no account {ConsoleAccounts.Normalize(argument!)}");
                    return 1;
                }

                stdout.WriteLine(reset);
                return 0;
            default:
                bool done = await accounts.SetDisabledAsync(argument!, verb == "disable", actor);
                (done ? stdout : stderr).WriteLine(done ? $"{ConsoleAccounts.Normalize(argument!)}: {verb}d" : $"mailguard user: no account {ConsoleAccounts.Normalize(argument!)}");
                return done ? 0 : 1;
        }
    }

    private static string? TakeOption(List<string> rest, string option)
    {
        int i = rest.IndexOf(option);
        if (i < 0 || i + 1 >= rest.Count)
        {
            return null;
        }

        string value = rest[i + 1];
        rest.RemoveRange(i, 2);
        return value;
    }
}
