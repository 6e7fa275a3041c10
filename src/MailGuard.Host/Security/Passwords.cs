using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Security;

/// <summary>
/// The one password-hashing scheme of MailGuard, for relay AUTH users (Relay:Users, made with
/// `mailguard hash-password`) and console accounts alike: ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (version 3: PBKDF2-HMAC-SHA512 with a per-hash salt and the
/// iteration count stored in the hash, so it can be raised later; a hash made with fewer
/// iterations than today's default verifies and asks to be rehashed).
/// </summary>
internal static class Passwords
{
    private static readonly PasswordHasher<object> s_hasher = new();

    // Verified when the name is not known, so that a wrong name costs as much as a wrong password.
    private static readonly string s_dummyHash = s_hasher.HashPassword(null!, "not a password: " + Guid.NewGuid());

    /// <summary>Iterations of a new hash: Identity's default (100,000 PBKDF2-HMAC-SHA512 rounds, tens of milliseconds).</summary>
    public static int DefaultIterations { get; } = new PasswordHasherOptions().IterationCount;

    public static string Hash(string password, int? iterations = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hasher = iterations is { } n ? new PasswordHasher<object>(Options.Create(new PasswordHasherOptions { IterationCount = n })) : s_hasher;
        return hasher.HashPassword(null!, password);
    }

    /// <summary>Checks a password against a stored hash; a null hash (unknown user) costs the same and fails.</summary>
    public static PasswordVerificationResult Verify(string? hash, string password)
    {
        var result = s_hasher.VerifyHashedPassword(null!, hash ?? s_dummyHash, password ?? "");
        return hash is null ? PasswordVerificationResult.Failed : result;
    }

    /// <summary>Whether the text is a hash this scheme made (version 3 format), for configuration checks.</summary>
    public static bool IsHash(string text)
    {
        Span<byte> bytes = stackalloc byte[128];
        return Convert.TryFromBase64String(text, bytes, out int length) && length >= 13 + 16 + 32 && bytes[0] == 0x01;
    }
}

/// <summary>AUTH against Relay:Users ("name:hash" entries).</summary>
internal sealed class ConfiguredUsersAuthenticator : Relay.IRelayAuthenticator
{
    private readonly Dictionary<string, string> _users = new(StringComparer.Ordinal);

    public ConfiguredUsersAuthenticator(IEnumerable<string> entries)
    {
        foreach (string entry in entries)
        {
            int colon = entry.IndexOf(':');
            if (colon > 0 && Passwords.IsHash(entry[(colon + 1)..]))
            {
                _users[entry[..colon]] = entry[(colon + 1)..];
            }
        }
    }

    public ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
    {
        // An unknown user costs the same work as a known one, so timing does not reveal user names.
        _users.TryGetValue(userName, out string? hash);
        return ValueTask.FromResult(Passwords.Verify(hash, password) != PasswordVerificationResult.Failed);
    }
}
