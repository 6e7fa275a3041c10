using System.Text;
using MailGuard.Core.Store;
using MailGuard.Core.Store.Postgres;
using MailGuard.Core.Store.Sqlite;
using MailGuard.Testing;

namespace MailGuard.Core.Tests.Store;

/// <summary>The review console's store contract (accounts, tokens, filtered pages, daily counts), run against every provider.</summary>
public abstract class ReviewStoreTests<TStore> : IAsyncLifetime
    where TStore : class, IMessageStore, IQuarantineStore, IAccountStore, IReviewStore
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mg-review-" + Guid.NewGuid().ToString("N"));
    private TStore _store = null!;

    protected string Directory => _directory;

    protected abstract TStore Open();

    protected virtual Task CreateDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(_directory);
        await CreateDatabaseAsync();
        _store = Open();
        await _store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static AuditEvent Event(string action, string? detail = null) => new(DateTimeOffset.UtcNow, "admin", action, null, null, detail);

    private async Task<string> HoldAsync(string from, string subject, string rule, string summary, DateTimeOffset? at = null)
    {
        var m = new NewMessage(MessageIds.New(TimeProvider.System), from, ["x@ext.example"], at ?? DateTimeOffset.UtcNow, "127.0.0.1", "mta", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));
        await _store.HoldAsync(m, new HoldDetails(rule, "why", subject, summary, "[]"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", m.Id, "why"));
        return m.Id;
    }

    [StoreFact]
    public async Task Users_AddGetListUpdate_WithAudit()
    {
        Assert.Equal(0, await _store.CountUsersAsync());
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.True(await _store.AddUserAsync(new ConsoleUser("alice", "hash1", ConsoleRole.Admin, at), Event("user-created", "alice")));
        Assert.False(await _store.AddUserAsync(new ConsoleUser("alice", "hash2", ConsoleRole.Reviewer, at), Event("user-created", "alice")));
        Assert.True(await _store.AddUserAsync(new ConsoleUser("bob", "hashb", ConsoleRole.Reviewer, at), Event("user-created", "bob")));
        Assert.Equal(2, await _store.CountUsersAsync());
        Assert.Equal(new ConsoleUser("alice", "hash1", ConsoleRole.Admin, at), await _store.GetUserAsync("alice"));
        Assert.Null(await _store.GetUserAsync("carol"));

        Assert.True(await _store.UpdateUserAsync("bob", new ConsoleUserChange(Disabled: true), Event("user-disabled", "bob")));
        Assert.True(await _store.UpdateUserAsync("bob", new ConsoleUserChange(PasswordHash: "hashc", Role: ConsoleRole.Admin), Event("password-reset", "bob")));
        Assert.False(await _store.UpdateUserAsync("carol", new ConsoleUserChange(Disabled: true), Event("user-disabled", "carol")));
        var loggedOut = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);
        Assert.True(await _store.UpdateUserAsync("bob", new ConsoleUserChange(SessionsFrom: loggedOut), Event("logout", "bob")));
        var bob = await _store.GetUserAsync("bob");
        Assert.Equal(("hashc", ConsoleRole.Admin, true, (DateTimeOffset?)loggedOut), (bob!.PasswordHash, bob.Role, bob.Disabled, bob.SessionsFrom));
        Assert.Equal(["alice", "bob"], (await _store.ListUsersAsync()).Select(u => u.Name));
        // The duplicate add and the update of a missing account audit nothing.
        Assert.Equal(["logout", "password-reset", "user-disabled", "user-created", "user-created"], (await _store.ListAuditAsync(null, 10)).Select(a => a.Action));
    }

    [StoreFact]
    public async Task Tokens_AddGetRevokeOnce()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var token = new ApiToken("0123456789ab", "siem", "secrethash", ConsoleRole.Reviewer, "cli:root", at);
        await _store.AddTokenAsync(token, Event("token-created"));
        Assert.Equal(token, await _store.GetTokenAsync("0123456789ab"));
        Assert.True(await _store.RevokeTokenAsync("0123456789ab", Event("token-revoked")));
        Assert.False(await _store.RevokeTokenAsync("0123456789ab", Event("token-revoked")));
        Assert.NotNull((await _store.GetTokenAsync("0123456789ab"))!.RevokedAt);
        Assert.Single(await _store.ListTokensAsync());
    }

    [StoreFact]
    public async Task QueryQuarantine_FiltersPagesAndCounts()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-3);
        string a = await HoldAsync("clerk@corp.example", "Payroll 100% final_v2", "personal-data-external", "1,598 people: name, date of birth");
        string b = await HoldAsync("boss@corp.example", "Party invite", "exposed-recipients", "12 external addresses visible");
        string c = await HoldAsync("clerk@corp.example", "Invite list", "exposed-recipients", "40 external addresses visible");
        await _store.DeleteHeldAsync(c, "admin", "duplicate");

        var held = await _store.QueryQuarantineAsync(new QuarantineQuery());
        Assert.Equal(2, held.Total);
        Assert.Equal([b, a], held.Items.Select(i => i.MessageId));
        Assert.Equal(3, (await _store.QueryQuarantineAsync(new QuarantineQuery(Status: null))).Total);
        Assert.Equal([b], (await _store.QueryQuarantineAsync(new QuarantineQuery(Rule: "exposed-recipients"))).Items.Select(i => i.MessageId));
        Assert.Equal([a], (await _store.QueryQuarantineAsync(new QuarantineQuery(Sender: "CLERK@"))).Items.Select(i => i.MessageId));
        Assert.Equal([a], (await _store.QueryQuarantineAsync(new QuarantineQuery(Search: "date of birth"))).Items.Select(i => i.MessageId));
        // LIKE wildcards in the search are literal characters.
        Assert.Equal([a], (await _store.QueryQuarantineAsync(new QuarantineQuery(Search: "100%"))).Items.Select(i => i.MessageId));
        Assert.Empty((await _store.QueryQuarantineAsync(new QuarantineQuery(Search: "l_st"))).Items);
        Assert.Equal([c], (await _store.QueryQuarantineAsync(new QuarantineQuery(Status: QuarantineStatus.Deleted, Search: c[..8]))).Items.Select(i => i.MessageId));
        Assert.Empty((await _store.QueryQuarantineAsync(new QuarantineQuery(HeldTo: old))).Items);
        var page2 = await _store.QueryQuarantineAsync(new QuarantineQuery(Offset: 1, Limit: 1));
        Assert.Equal((2L, a), (page2.Total, Assert.Single(page2.Items).MessageId));
    }

    [StoreFact]
    public async Task QueryAudit_FiltersAndPagesNewestFirst()
    {
        for (int i = 0; i < 5; i++)
        {
            await _store.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow, i % 2 == 0 ? "alice" : "bob", "login", null, null, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(["4", "2", "0"], (await _store.QueryAuditAsync(new AuditQuery(Actor: "alice"))).Select(a => a.Detail));
        Assert.Equal(["3"], (await _store.QueryAuditAsync(new AuditQuery(Offset: 1, Limit: 1))).Select(a => a.Detail));
        Assert.Empty(await _store.QueryAuditAsync(new AuditQuery(Action: "release")));
    }

    [StoreFact]
    public async Task DecisionCounts_AddUpPerDayDispositionAndRule()
    {
        var day = new DateOnly(2026, 11, 20);
        await _store.AddDecisionCountsAsync([new(day, "hold", "exposed-recipients", 2), new(day, "deliver", "-", 10)]);
        await _store.AddDecisionCountsAsync([new(day, "hold", "exposed-recipients", 3), new(day.AddDays(1), "hold", "exposed-recipients", 1), new(day.AddDays(5), "reject", "x", 1)]);
        var rows = await _store.ListDecisionCountsAsync(day, day.AddDays(1));
        Assert.Equal(
            [new(day, "deliver", "-", 10), new(day, "hold", "exposed-recipients", 5), new DecisionCount(day.AddDays(1), "hold", "exposed-recipients", 1)],
            rows);
    }
}

public sealed class SqliteReviewStoreTests : ReviewStoreTests<SqliteMessageStore>
{
    protected override SqliteMessageStore Open() =>
        new(new SqliteStoreOptions { DatabasePath = Path.Combine(Directory, "mailguard.db"), SpoolDirectory = Directory }, TimeProvider.System);
}

public sealed class PostgresReviewStoreTests(PostgresDatabaseFixture database)
    : ReviewStoreTests<PostgresMessageStore>, IPostgresStoreTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = null!;

    protected override async Task CreateDatabaseAsync() => _connectionString = await database.NewSchemaAsync();

    protected override PostgresMessageStore Open() =>
        new(new PostgresStoreOptions { ConnectionString = _connectionString, SpoolDirectory = Directory }, TimeProvider.System);
}
