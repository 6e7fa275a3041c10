using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>Password-attempt counters shared by every node on this database.</summary>
public sealed partial class PostgresMessageStore : IAuthAttemptStore
{
    public Task<IReadOnlyList<AuthAttemptCount>> CountAuthAttemptsAsync(IReadOnlyList<string> keys, TimeSpan window, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreSql.CountAuthAttempts(keys, window, _time), cancellationToken);

    public Task SettleAuthAttemptsAsync(IReadOnlyCollection<string> forget, IReadOnlyCollection<AuthAttemptCount> giveBack, CancellationToken cancellationToken = default) =>
        forget.Count == 0 && giveBack.Count == 0 ? Task.CompletedTask : WriteAsync(StoreSql.SettleAuthAttempts(forget, giveBack), cancellationToken);

    public Task<int> PurgeAuthAttemptsAsync(string keyPrefix, TimeSpan window, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreSql.PurgeAuthAttempts(keyPrefix, window, _time), cancellationToken);
}
