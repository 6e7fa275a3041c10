using System.Security.Cryptography;
using System.Text;

namespace MailGuard.Host.Relay;

/// <summary>
/// Stored AUTH passwords: "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64), made with
/// `mailguard hash-password`. PBKDF2 because .NET has it built in; the iteration count is stored
/// with each hash so it can be raised later without invalidating existing entries.
/// </summary>
internal static class PasswordHash
{
    /// <summary>Default for new hashes: OWASP's 2023 figure for PBKDF2-SHA256 is 600,000; this relay checks a password per AUTH, so a lower default keeps AUTH at tens of milliseconds.</summary>
    public const int DefaultIterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";

    public static string Create(string password, int iterations = DefaultIterations)
    {
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool TryParse(string text, out Parsed parsed)
    {
        parsed = default;
        var parts = text.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int iterations) || iterations < 1000)
        {
            return false;
        }

        try
        {
            parsed = new Parsed(iterations, Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]));
            return parsed.Salt.Length >= 8 && parsed.Hash.Length == 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static bool Verify(Parsed stored, string password)
    {
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), stored.Salt, stored.Iterations, HashAlgorithmName.SHA256, 32);
        return CryptographicOperations.FixedTimeEquals(hash, stored.Hash);
    }

    public readonly record struct Parsed(int Iterations, byte[] Salt, byte[] Hash);
}

/// <summary>AUTH against Relay:Users ("name:hash" entries).</summary>
internal sealed class ConfiguredUsersAuthenticator : IRelayAuthenticator
{
    private static readonly PasswordHash.Parsed s_dummy = new(PasswordHash.DefaultIterations, new byte[16], new byte[32]);
    private readonly Dictionary<string, PasswordHash.Parsed> _users = new(StringComparer.Ordinal);

    public ConfiguredUsersAuthenticator(IEnumerable<string> entries)
    {
        foreach (string entry in entries)
        {
            int colon = entry.IndexOf(':');
            if (colon > 0 && PasswordHash.TryParse(entry[(colon + 1)..], out var parsed))
            {
                _users[entry[..colon]] = parsed;
            }
        }
    }

    public ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
    {
        // An unknown user costs the same work as a known one, so timing does not reveal user names.
        bool known = _users.TryGetValue(userName, out var stored);
        bool ok = PasswordHash.Verify(known ? stored : s_dummy, password);
        return ValueTask.FromResult(known && ok);
    }
}
