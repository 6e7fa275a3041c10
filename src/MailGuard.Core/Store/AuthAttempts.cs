namespace MailGuard.Core.Store;

/// <summary>One key's attempts in its current window, as the store counted them.</summary>
/// <param name="Attempts">Attempts counted in the window, this one included.</param>
/// <param name="WindowStart">When the window began (its first attempt); it ends a lockout period later.</param>
public sealed record AuthAttemptCount(string Key, int Attempts, DateTimeOffset WindowStart);

/// <summary>
/// Counters of password attempts (console login and password change, SMTP AUTH), kept in the store
/// so every node sharing it counts together. An attempt is counted before the password is checked,
/// with one atomic upsert per key, so however many attempts arrive at once, only the first
/// N of a window see a count of N or less: that is what limits the checks, not a read followed by
/// a write. Keys are opaque to the store (the caller hashes user names into them).
/// </summary>
public interface IAuthAttemptStore
{
    /// <summary>
    /// Counts one attempt under each key (in one transaction, keys in ordinal order): a key whose window
    /// began <paramref name="window"/> or longer ago starts a new window at 1. Returns the counts, in the order given.
    /// </summary>
    Task<IReadOnlyList<AuthAttemptCount>> CountAuthAttemptsAsync(IReadOnlyList<string> keys, TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>
    /// Settles attempts that were not failures: the keys in <paramref name="forget"/> lose their count
    /// (an account that logged in), those in <paramref name="giveBack"/> get this attempt back if their
    /// window is still the one it was counted in (a success from a shared address, a refusal).
    /// </summary>
    Task SettleAuthAttemptsAsync(IReadOnlyCollection<string> forget, IReadOnlyCollection<AuthAttemptCount> giveBack, CancellationToken cancellationToken = default);

    /// <summary>Deletes the counters whose key starts with <paramref name="keyPrefix"/> and whose window ended (began <paramref name="window"/> or longer ago); returns how many.</summary>
    Task<int> PurgeAuthAttemptsAsync(string keyPrefix, TimeSpan window, CancellationToken cancellationToken = default);
}
