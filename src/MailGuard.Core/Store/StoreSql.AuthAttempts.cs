using Dapper;

namespace MailGuard.Core.Store;

/// <summary>The auth_attempts table (SQLite version 6, PostgreSQL version 5), in words both dialects read alike.</summary>
internal static partial class StoreSql
{
    // INSERT ... ON CONFLICT DO UPDATE ... RETURNING: SQLite 3.35+ and PostgreSQL 9.5+ (RETURNING 8.2).
    // The SET expressions read the row as it was before this update, in both; PostgreSQL takes the
    // row lock first, so concurrent upserts of one key are applied one after the other.
    private const string CountAttempt =
        "INSERT INTO auth_attempts (key, attempts, window_start) VALUES (@key, 1, @now) "
        + "ON CONFLICT (key) DO UPDATE SET "
        + "attempts = CASE WHEN auth_attempts.window_start <= @expired THEN 1 ELSE auth_attempts.attempts + 1 END, "
        + "window_start = CASE WHEN auth_attempts.window_start <= @expired THEN @now ELSE auth_attempts.window_start END "
        + "RETURNING attempts, window_start";

    public static StoreWrite<IReadOnlyList<AuthAttemptCount>> CountAuthAttempts(IReadOnlyList<string> keys, TimeSpan window, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        return async (c, t, ct) =>
        {
            long now = UnixMs(time);
            long expired = now - (long)window.TotalMilliseconds;
            var counts = new Dictionary<string, AuthAttemptCount>(StringComparer.Ordinal);
            // Ordinal order: two PostgreSQL transactions counting the same pair lock its rows in one order.
            foreach (string key in keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var (attempts, start) = await c.QuerySingleAsync<(long, long)>(Command(CountAttempt, new { key, now, expired }, t, ct));
                counts[key] = new AuthAttemptCount(key, (int)Math.Min(attempts, int.MaxValue), DateTimeOffset.FromUnixTimeMilliseconds(start));
            }

            return keys.Select(k => counts[k]).ToList();
        };
    }

    public static StoreWrite<bool> SettleAuthAttempts(IReadOnlyCollection<string> forget, IReadOnlyCollection<AuthAttemptCount> giveBack)
    {
        ArgumentNullException.ThrowIfNull(forget);
        ArgumentNullException.ThrowIfNull(giveBack);
        return async (c, t, ct) =>
        {
            foreach (string key in forget.Order(StringComparer.Ordinal))
            {
                await c.ExecuteAsync(Command("DELETE FROM auth_attempts WHERE key = @key", new { key }, t, ct));
            }

            foreach (var count in giveBack.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                await c.ExecuteAsync(Command(
                    "UPDATE auth_attempts SET attempts = attempts - 1 WHERE key = @key AND window_start = @start AND attempts > 0",
                    new { key = count.Key, start = count.WindowStart.ToUnixTimeMilliseconds() },
                    t,
                    ct));
            }

            return true;
        };
    }

    public static StoreWrite<int> PurgeAuthAttempts(string keyPrefix, TimeSpan window, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        // substr, not LIKE: a prefix is matched as it is, with no wildcard characters to escape.
        return (c, t, ct) => c.ExecuteAsync(Command(
            "DELETE FROM auth_attempts WHERE window_start <= @expired AND substr(key, 1, @length) = @prefix",
            new { expired = UnixMs(time) - (long)window.TotalMilliseconds, length = keyPrefix.Length, prefix = keyPrefix },
            t,
            ct));
    }
}
