using System.Globalization;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Review;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard token create --name NAME [--role reviewer|admin | --scope check] | list | revoke ID` and
/// `mailguard user add NAME [--role reviewer|admin] | list | reset-password NAME | disable NAME | enable NAME`,
/// on the store `run` uses, for admins over SSH and for provisioning scripts. New secrets (a token,
/// a random password) are printed once on standard output; the store keeps only hashes. Every change
/// is audited with the operating system user as the actor. Exit 0 on success, 1 when the account or
/// token does not exist (or the name is taken), 2 on usage errors.
/// </summary>
internal static class AccountCommand
{
    /// <summary><paramref name="verb"/> is create (with <paramref name="name"/>), list, or revoke (with <paramref name="id"/>).</summary>
    /// <param name="scope">For create: api (the review API, with <paramref name="role"/>) or check (only the add-in's check API).</param>
    public static int RunToken(string verb, string? id, string? name, ConsoleRole role, bool json, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr, TokenScope scope = TokenScope.Api) =>
        Run("token", verb, id, name, role, json, arguments, stdout, stderr, scope);

    /// <summary><paramref name="verb"/> is add, list, reset-password, disable or enable; <paramref name="name"/> (a valid account name) is null for list only.</summary>
    public static int RunUser(string verb, string? name, ConsoleRole role, bool json, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr) =>
        Run("user", verb, name, null, role, json, arguments, stdout, stderr);

    private static int Run(string noun, string verb, string? argument, string? name, ConsoleRole role, bool json, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr, TokenScope scope = TokenScope.Api)
    {
        if (!arguments.TryLoad(out var configuration, out string? error))
        {
            stderr.WriteLine($"mailguard {noun}: {error}");
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
        return RunAsync(noun, verb, argument, name, role, scope, json, options, logging.CreateLogger<ConsoleAccounts>(), stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string noun, string verb, string? argument, string? name, ConsoleRole role, TokenScope scope, bool json, MailGuardOptions options, Microsoft.Extensions.Logging.ILogger<ConsoleAccounts> logger, TextWriter stdout, TextWriter stderr)
    {
        var spool = new MessageSpool(Path.GetFullPath(options.Storage.Directory));
        await using var store = StoreFactory.Create(options, spool.Directory, TimeProvider.System);
        await store.InitializeAsync();
        var accounts = new ConsoleAccounts((IAccountStore)store, TimeProvider.System, logger);
        string actor = CliActor.Current;
        switch (noun, verb)
        {
            case ("token", "create"):
                var (token, secret) = await accounts.CreateTokenAsync(name!, role, scope, actor);
                stdout.WriteLine(json ? JsonSerializer.Serialize(new { id = token.Id, name = token.Name, role = ConsoleAccounts.TokenKind(token), scope = ScopeName(token.Scope), token = secret }) : secret);
                return 0;
            case ("token", "list"):
                foreach (var t in await accounts.Store.ListTokensAsync())
                {
                    stdout.WriteLine(json
                        ? JsonSerializer.Serialize(new { id = t.Id, name = t.Name, role = ConsoleAccounts.TokenKind(t), scope = ScopeName(t.Scope), created_at = t.CreatedAt, created_by = t.CreatedBy, revoked_at = t.RevokedAt })
                        : string.Create(CultureInfo.InvariantCulture, $"{t.Id}  {ConsoleAccounts.TokenKind(t),-8} {t.CreatedAt:yyyy-MM-dd HH:mm}  {(t.RevokedAt is null ? "active " : "revoked")}  {t.Name}"));
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

    public static string ScopeName(TokenScope scope) => scope == TokenScope.Check ? "check" : "api";
}
