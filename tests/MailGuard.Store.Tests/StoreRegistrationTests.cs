using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Store.Tests;

/// <summary>AddMailGuardSqliteStore / AddMailGuardPostgresStore: one provider instance, every store contract resolving to it.</summary>
public sealed class StoreRegistrationTests
{
    [Fact]
    public async Task AddMailGuardSqliteStore_EveryContract_SameInstance()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mg-reg-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection().AddMailGuardSqliteStore(_ => new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db") });
        try
        {
            await using (var provider = services.BuildServiceProvider())
            {
                var store = provider.GetRequiredService<SqliteMessageStore>();
                AssertEveryContract(provider, store);
                await store.InitializeAsync();
                Assert.Equal(0, await provider.GetRequiredService<IAccountStore>().CountUsersAsync());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task AddMailGuardPostgresStore_EveryContract_SameInstance()
    {
        // Nothing connects until InitializeAsync, so no server is needed to resolve.
        var services = new ServiceCollection().AddMailGuardPostgresStore(_ => new PostgresStoreOptions { ConnectionString = "Host=127.0.0.1;Database=unused" });
        await using var provider = services.BuildServiceProvider();

        AssertEveryContract(provider, provider.GetRequiredService<PostgresMessageStore>());
    }

    [Fact]
    public async Task AddMailGuardSqliteStore_RegisteredFirst_Kept()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch);
        var mine = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = "unused.db" }, time);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IMessageStore>(mine)
            .AddMailGuardSqliteStore(_ => throw new InvalidOperationException("the registered store is used"));
        await using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<IMessageStore>());
        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.Single(services, d => d.ServiceType == typeof(IMessageStore));
    }

    private static void AssertEveryContract(IServiceProvider provider, object store)
    {
        Assert.Same(store, provider.GetRequiredService<IMessageStore>());
        Assert.Same(store, provider.GetRequiredService<IQuarantineStore>());
        Assert.Same(store, provider.GetRequiredService<IReviewStore>());
        Assert.Same(store, provider.GetRequiredService<IAccountStore>());
    }
}
