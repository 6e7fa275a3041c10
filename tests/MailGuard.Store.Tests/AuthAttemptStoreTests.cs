using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;

namespace MailGuard.Store.Tests;

/// <summary>
/// The password-attempt counters, run against every provider: each upsert must see every one
/// before it, however many run at once, because the limit on password checks rests on it.
/// </summary>
public abstract class AuthAttemptStoreTests<TStore>() : StoreTestBase<TStore>("mg-auth-")
    where TStore : class, IMessageStore, IAuthAttemptStore
{
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(15);

    protected ManualTime Time { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [StoreFact]
    public async Task Count_HundredAtOnce_EachAttemptGetsItsOwnNumber()
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => Store.CountAuthAttemptsAsync(["t:user:a", "t:client:10.0.0.1"], s_window))));

        // 1..100 under each key, each exactly once: no two attempts saw the same count.
        Assert.Equal(Enumerable.Range(1, 100), counts.Select(c => c[0].Attempts).Order());
        Assert.Equal(Enumerable.Range(1, 100), counts.Select(c => c[1].Attempts).Order());
        Assert.All(counts, c => Assert.Equal(("t:user:a", "t:client:10.0.0.1"), (c[0].Key, c[1].Key)));
    }

    [StoreFact]
    public async Task Count_AfterWindow_StartsAgainAtOne()
    {
        var start = Time.GetUtcNow();
        Assert.Equal(1, (await Store.CountAuthAttemptsAsync(["t:k"], s_window))[0].Attempts);
        Time.Advance(s_window - TimeSpan.FromMilliseconds(1));
        var second = (await Store.CountAuthAttemptsAsync(["t:k"], s_window))[0];
        Assert.Equal((2, start), (second.Attempts, second.WindowStart));

        Time.Advance(TimeSpan.FromMilliseconds(1));
        var fresh = (await Store.CountAuthAttemptsAsync(["t:k"], s_window))[0];

        Assert.Equal((1, Time.GetUtcNow()), (fresh.Attempts, fresh.WindowStart));
    }

    [StoreFact]
    public async Task Settle_ForgetsAndGivesBack_OnlyInTheSameWindow()
    {
        await Store.CountAuthAttemptsAsync(["t:user", "t:client"], s_window);
        var counts = await Store.CountAuthAttemptsAsync(["t:user", "t:client"], s_window);

        await Store.SettleAuthAttemptsAsync(["t:user"], [counts[1]]);

        var after = await Store.CountAuthAttemptsAsync(["t:user", "t:client"], s_window);
        Assert.Equal([1, 2], after.Select(c => c.Attempts));

        // A give-back from a window that has ended does not reach into the next one.
        Time.Advance(s_window);
        var next = await Store.CountAuthAttemptsAsync(["t:client"], s_window);
        await Store.SettleAuthAttemptsAsync([], [after[1]]);
        Assert.Equal(2, (await Store.CountAuthAttemptsAsync(["t:client"], s_window))[0].Attempts);
        Assert.Equal(1, next[0].Attempts);
    }

    [StoreFact]
    public async Task Purge_RemovesEndedWindowsOfThePrefixOnly()
    {
        await Store.CountAuthAttemptsAsync(["smtp:client:a", "console:client:a"], s_window);
        Time.Advance(s_window);
        await Store.CountAuthAttemptsAsync(["smtp:client:b"], s_window);

        Assert.Equal(1, await Store.PurgeAuthAttemptsAsync("smtp:", s_window));

        // The console's counter of the same age stays for the console's own purge; smtp:client:b is current.
        Assert.Equal(2, (await Store.CountAuthAttemptsAsync(["console:client:a"], TimeSpan.FromHours(1)))[0].Attempts);
        Assert.Equal(2, (await Store.CountAuthAttemptsAsync(["smtp:client:b"], s_window))[0].Attempts);
        Assert.Equal(1, (await Store.CountAuthAttemptsAsync(["smtp:client:a"], s_window))[0].Attempts);
    }
}

public sealed class SqliteAuthAttemptStoreTests : AuthAttemptStoreTests<SqliteMessageStore>
{
    protected override SqliteMessageStore Open() =>
        new(new SqliteStoreOptions { DatabasePath = Path.Combine(Directory, "mailguard.db"), SpoolDirectory = Directory }, Time);
}

public sealed class PostgresAuthAttemptStoreTests(PostgresDatabaseFixture database)
    : AuthAttemptStoreTests<PostgresMessageStore>, IPostgresStoreTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = null!;

    protected override async Task CreateDatabaseAsync() => _connectionString = await database.NewSchemaAsync();

    protected override PostgresMessageStore Open() =>
        new(new PostgresStoreOptions { ConnectionString = _connectionString, SpoolDirectory = Directory }, Time);

    [PostgresFact]
    public async Task Count_TwoNodesAtOnce_ShareOneCount()
    {
        await using var other = Open();
        await other.InitializeAsync();

        var counts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => (i % 2 == 0 ? (IAuthAttemptStore)Store : other).CountAuthAttemptsAsync(["t:user:a", "t:client:b"], TimeSpan.FromMinutes(15)))));

        Assert.Equal(Enumerable.Range(1, 100), counts.Select(c => c[0].Attempts).Order());
        Assert.Equal(Enumerable.Range(1, 100), counts.Select(c => c[1].Attempts).Order());
    }
}
