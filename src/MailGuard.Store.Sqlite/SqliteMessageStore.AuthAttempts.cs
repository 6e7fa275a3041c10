using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

/// <summary>Password-attempt counters: through the one writer, so each upsert sees the one before it.</summary>
public sealed partial class SqliteMessageStore : IAuthAttemptStore
{
    public Task<IReadOnlyList<AuthAttemptCount>> CountAuthAttemptsAsync(IReadOnlyList<string> keys, TimeSpan window, CancellationToken cancellationToken = default) =>
        Submit(StoreSql.CountAuthAttempts(keys, window, _time));

    public Task SettleAuthAttemptsAsync(IReadOnlyCollection<string> forget, IReadOnlyCollection<AuthAttemptCount> giveBack, CancellationToken cancellationToken = default) =>
        forget.Count == 0 && giveBack.Count == 0 ? Task.CompletedTask : Submit(StoreSql.SettleAuthAttempts(forget, giveBack));

    public Task<int> PurgeAuthAttemptsAsync(string keyPrefix, TimeSpan window, CancellationToken cancellationToken = default) =>
        Submit(StoreSql.PurgeAuthAttempts(keyPrefix, window, _time));
}
