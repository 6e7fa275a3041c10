using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.Identity;

namespace MailGuard.Host.Review;

/// <summary>
/// Console accounts and API tokens over <see cref="IAccountStore"/>: names, password hashes
/// (<see cref="Security.Passwords"/>, the scheme relay AUTH users share),
/// random passwords, and bearer tokens of the form <c>mgt_ID_SECRET</c> of which only a SHA-256
/// of the secret is stored (the secret has 256 bits of entropy, so a slow hash adds nothing).
/// </summary>
public sealed partial class ConsoleAccounts
{
    private const string TokenPrefix = "mgt_";

    private readonly IAccountStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ConsoleAccounts(IAccountStore store, TimeProvider time, ILogger<ConsoleAccounts> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    public IAccountStore Store => _store;

    /// <summary>Letters, digits and <c>. - _ @</c>, 1 to 64 characters; names are compared lower-cased.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@');

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    /// <summary>A password for a new or reset account: 20 characters from a 57-symbol alphabet (about 116 bits).</summary>
    public static string RandomPassword() => RandomNumberGenerator.GetString("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);

    /// <summary>At least 12 characters: long passphrases beat composition rules (NIST SP 800-63B §5.1.1).</summary>
    public static string? PasswordProblem(string? password) =>
        password is null || password.Length < 12 ? "A password needs at least 12 characters." : password.Length > 256 ? "A password may have at most 256 characters." : null;

    public static string HashPassword(string password) => Security.Passwords.Hash(password);

    /// <summary>
    /// With no accounts at all, creates <paramref name="name"/> as admin with a random password and
    /// logs it once: never a fixed default password. Returns the password, or null when accounts exist.
    /// </summary>
    public async Task<string?> EnsureInitialAdminAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await _store.CountUsersAsync(cancellationToken) > 0)
        {
            return null;
        }

        string password = RandomPassword();
        var user = new ConsoleUser(Normalize(name), HashPassword(password), ConsoleRole.Admin, _time.GetUtcNow());
        if (!await _store.AddUserAsync(user, new AuditEvent(_time.GetUtcNow(), "system", "user-created", null, "first start: no console accounts", $"{user.Name} (admin)"), cancellationToken))
        {
            // Another node sharing the store created it first.
            return null;
        }

        LogInitialAdmin(_logger, user.Name, password);
        return password;
    }

    /// <summary>
    /// <see cref="PasswordCheck.User"/> is the account when the name and password match an enabled
    /// account, null otherwise (same cost either way); <see cref="PasswordCheck.AccountExists"/> says
    /// whether the name is an account at all, so a failed login can be audited without a second lookup.
    /// </summary>
    public async Task<PasswordCheck> VerifyPasswordAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        var user = IsValidName(name) ? await _store.GetUserAsync(Normalize(name), cancellationToken) : null;
        // An unknown name costs as much as a wrong password.
        var result = Security.Passwords.Verify(user?.PasswordHash, password ?? "");
        if (user is null || user.Disabled || result == PasswordVerificationResult.Failed)
        {
            return new PasswordCheck(null, user is not null);
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await _store.UpdateUserAsync(user.Name, new ConsoleUserChange(PasswordHash: HashPassword(password!)), new AuditEvent(_time.GetUtcNow(), "system", "password-rehashed", null, null, user.Name), cancellationToken);
        }

        return new PasswordCheck(user, AccountExists: true);
    }

    /// <summary>Creates an account with a random password; null when the name is invalid or taken.</summary>
    public async Task<string?> CreateUserAsync(string name, ConsoleRole role, string actor, CancellationToken cancellationToken = default)
    {
        if (!IsValidName(name))
        {
            return null;
        }

        string password = RandomPassword();
        var user = new ConsoleUser(Normalize(name), HashPassword(password), role, _time.GetUtcNow());
        bool added = await _store.AddUserAsync(user, new AuditEvent(_time.GetUtcNow(), actor, "user-created", null, null, $"{user.Name} ({RoleName(role)})"), cancellationToken);
        return Logged(added, "user-created", user.Name, actor) ? password : null;
    }

    /// <summary>Sets a new random password (admin reset); null when there is no such account.</summary>
    public async Task<string?> ResetPasswordAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        string password = RandomPassword();
        bool done = await _store.UpdateUserAsync(Normalize(name), new ConsoleUserChange(PasswordHash: HashPassword(password)), new AuditEvent(_time.GetUtcNow(), actor, "password-reset", null, null, Normalize(name)), cancellationToken);
        return Logged(done, "password-reset", Normalize(name), actor) ? password : null;
    }

    public async Task<bool> ChangePasswordAsync(string name, string newPassword, CancellationToken cancellationToken = default) =>
        Logged(await _store.UpdateUserAsync(Normalize(name), new ConsoleUserChange(PasswordHash: HashPassword(newPassword)), new AuditEvent(_time.GetUtcNow(), Normalize(name), "password-changed", null, null, Normalize(name)), cancellationToken), "password-changed", Normalize(name), Normalize(name));

    /// <summary>Logout: every session of the account that started before now ends (on every device).</summary>
    public async Task<bool> EndSessionsAsync(string name, CancellationToken cancellationToken = default) =>
        await _store.UpdateUserAsync(Normalize(name), new ConsoleUserChange(SessionsFrom: _time.GetUtcNow()), new AuditEvent(_time.GetUtcNow(), Normalize(name), "logout", null, null, null), cancellationToken);

    public async Task<bool> SetDisabledAsync(string name, bool disabled, string actor, CancellationToken cancellationToken = default) =>
        Logged(await _store.UpdateUserAsync(Normalize(name), new ConsoleUserChange(Disabled: disabled), new AuditEvent(_time.GetUtcNow(), actor, disabled ? "user-disabled" : "user-enabled", null, null, Normalize(name)), cancellationToken), disabled ? "user-disabled" : "user-enabled", Normalize(name), actor);

    public async Task<bool> SetRoleAsync(string name, ConsoleRole role, string actor, CancellationToken cancellationToken = default) =>
        Logged(await _store.UpdateUserAsync(Normalize(name), new ConsoleUserChange(Role: role), new AuditEvent(_time.GetUtcNow(), actor, "user-role-changed", null, null, $"{Normalize(name)} ({RoleName(role)})"), cancellationToken), "user-role-changed:" + RoleName(role), Normalize(name), actor);

    /// <summary>Creates a review-API bearer token; the returned text is the only copy of its secret.</summary>
    public Task<(ApiToken Token, string Secret)> CreateTokenAsync(string name, ConsoleRole role, string actor, CancellationToken cancellationToken = default) =>
        CreateTokenAsync(name, role, TokenScope.Api, actor, cancellationToken);

    /// <summary>Creates a bearer token for <paramref name="scope"/> (a check token's role is stored as reviewer and means nothing); the returned text is the only copy of its secret.</summary>
    public async Task<(ApiToken Token, string Secret)> CreateTokenAsync(string name, ConsoleRole role, TokenScope scope, string actor, CancellationToken cancellationToken = default)
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        string secret = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken(id, name.Trim(), HashSecret(secret), scope == TokenScope.Check ? ConsoleRole.Reviewer : role, actor, _time.GetUtcNow(), Scope: scope);
        await _store.AddTokenAsync(token, new AuditEvent(_time.GetUtcNow(), actor, "token-created", null, null, $"{id} {token.Name} ({TokenKind(token)})"), cancellationToken);
        Logged(true, "token-created", "token:" + id, actor);
        return (token, TokenPrefix + id + "_" + secret);
    }

    public async Task<bool> RevokeTokenAsync(string id, string actor, CancellationToken cancellationToken = default) =>
        Logged(await _store.RevokeTokenAsync(id, new AuditEvent(_time.GetUtcNow(), actor, "token-revoked", null, null, id), cancellationToken), "token-revoked", "token:" + id, actor);

    /// <summary>The token when <paramref name="presented"/> is a live token's full text; null otherwise.</summary>
    public async Task<ApiToken?> VerifyTokenAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(TokenPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            return null;
        }

        int separator = presented.IndexOf('_', TokenPrefix.Length);
        if (separator < 0)
        {
            return null;
        }

        string id = presented[TokenPrefix.Length..separator];
        string secret = presented[(separator + 1)..];
        if (id.Length != 12 || !id.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var token = await _store.GetTokenAsync(id, cancellationToken);
        if (token is null || token.RevokedAt is not null)
        {
            return null;
        }

        bool same = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(HashSecret(secret)), Encoding.ASCII.GetBytes(token.SecretHash));
        return same ? token : null;
    }

    public static string RoleName(ConsoleRole role) => role == ConsoleRole.Admin ? "admin" : "reviewer";

    /// <summary>What a token is for, as lists show it: its role for a review-API token, "check" for a check token.</summary>
    public static string TokenKind(ApiToken token) => token.Scope == TokenScope.Check ? "check" : RoleName(token.Role);

    /// <summary>Whether <paramref name="presented"/> has the form of a token (mgt_, 12 lower-case hex digits, _, a secret); says nothing about whether it is live.</summary>
    public static bool LooksLikeToken(string? presented) =>
        presented is { Length: > 18 and <= 200 } && presented.StartsWith(TokenPrefix, StringComparison.Ordinal) && presented[16] == '_'
        && presented.AsSpan(TokenPrefix.Length, 12).ToString().All(char.IsAsciiHexDigitLower);

    public static bool TryParseRole(string? text, out ConsoleRole role)
    {
        role = ConsoleRole.Reviewer;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "admin":
                role = ConsoleRole.Admin;
                return true;
            case "reviewer":
                return true;
            default:
                return false;
        }
    }

    /// <summary>Logs an applied account or token change (event 630); never a password or a token.</summary>
    private bool Logged(bool applied, string action, string target, string actor)
    {
        if (applied)
        {
            LogAccountChanged(_logger, action, target, actor);
        }

        return applied;
    }

    internal static string HashSecret(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));


    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.AccountChanged, Level = LogLevel.Information, Message = "Console account change: {Action} {Target} by {Actor}")]
    private static partial void LogAccountChanged(ILogger logger, string action, string target, string actor);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.InitialAdminCreated, Level = LogLevel.Warning, Message = "No console accounts: created admin account '{Name}' with password {Password} (shown once; log in and change it)")]
    private static partial void LogInitialAdmin(ILogger logger, string name, string password);
}

/// <summary>The outcome of a password check.</summary>
public sealed record PasswordCheck(ConsoleUser? User, bool AccountExists);
