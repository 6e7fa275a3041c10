using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;

namespace MailGuard.Store.Tests;

/// <summary>The review console's store contract (accounts, tokens, filtered pages, daily counts), run against every provider.</summary>
public abstract class ReviewStoreTests<TStore>() : StoreTestBase<TStore>("mg-review-")
    where TStore : class, IMessageStore, IQuarantineStore, IAccountStore, IReviewStore
{
    private static AuditEvent Event(string action, string? detail = null) => new(DateTimeOffset.UtcNow, "admin", action, null, null, detail);

    private async Task<string> HoldAsync(string from, string subject, string rule, string summary, DateTimeOffset? at = null)
    {
        var m = new NewMessage(MessageIds.New(TimeProvider.System), from, ["x@ext.example"], at ?? DateTimeOffset.UtcNow, "127.0.0.1", "mta", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));
        await Store.HoldAsync(m, new HoldDetails(rule, "why", subject, summary, "[]"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", m.Id, "why"));
        return m.Id;
    }

    [StoreFact]
    public async Task Users_AddGetListUpdate_WithAudit()
    {
        Assert.Equal(0, await Store.CountUsersAsync());
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.True(await Store.AddUserAsync(new ConsoleUser("alice", "hash1", ConsoleRole.Admin, at), Event("user-created", "alice")));
        Assert.False(await Store.AddUserAsync(new ConsoleUser("alice", "hash2", ConsoleRole.Reviewer, at), Event("user-created", "alice")));
        Assert.True(await Store.AddUserAsync(new ConsoleUser("bob", "hashb", ConsoleRole.Reviewer, at), Event("user-created", "bob")));
        Assert.Equal(2, await Store.CountUsersAsync());
        Assert.Equal(new ConsoleUser("alice", "hash1", ConsoleRole.Admin, at), await Store.GetUserAsync("alice"));
        Assert.Null(await Store.GetUserAsync("carol"));

        Assert.True(await Store.UpdateUserAsync("bob", new ConsoleUserChange(Disabled: true), Event("user-disabled", "bob")));
        Assert.True(await Store.UpdateUserAsync("bob", new ConsoleUserChange(PasswordHash: "hashc", Role: ConsoleRole.Admin), Event("password-reset", "bob")));
        Assert.False(await Store.UpdateUserAsync("carol", new ConsoleUserChange(Disabled: true), Event("user-disabled", "carol")));
        var loggedOut = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);
        Assert.True(await Store.UpdateUserAsync("bob", new ConsoleUserChange(SessionsFrom: loggedOut), Event("logout", "bob")));
        var bob = await Store.GetUserAsync("bob");
        Assert.Equal(("hashc", ConsoleRole.Admin, true, (DateTimeOffset?)loggedOut), (bob!.PasswordHash, bob.Role, bob.Disabled, bob.SessionsFrom));
        Assert.Equal(["alice", "bob"], (await Store.ListUsersAsync()).Select(u => u.Name));
        // The duplicate add and the update of a missing account audit nothing.
        Assert.Equal(["logout", "password-reset", "user-disabled", "user-created", "user-created"], (await Store.ListAuditAsync(null, 10)).Select(a => a.Action));
    }

    [StoreFact]
    public async Task Tokens_AddGetRevokeOnce()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var token = new ApiToken("0123456789ab", "siem", "secrethash", ConsoleRole.Reviewer, "cli:root", at);
        await Store.AddTokenAsync(token, Event("token-created"));
        Assert.Equal(token, await Store.GetTokenAsync("0123456789ab"));
        Assert.True(await Store.RevokeTokenAsync("0123456789ab", Event("token-revoked")));
        Assert.False(await Store.RevokeTokenAsync("0123456789ab", Event("token-revoked")));
        Assert.NotNull((await Store.GetTokenAsync("0123456789ab"))!.RevokedAt);
        Assert.Single(await Store.ListTokensAsync());
    }

    [StoreFact]
    public async Task Tokens_Scope_StoredAndReadBack()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var check = new ApiToken("aaaaaaaaaaaa", "outlook add-in", "hash1", ConsoleRole.Reviewer, "cli:root", at, Scope: TokenScope.Check);
        var api = new ApiToken("bbbbbbbbbbbb", "siem", "hash2", ConsoleRole.Admin, "cli:root", at);
        await Store.AddTokenAsync(check, Event("token-created"));
        await Store.AddTokenAsync(api, Event("token-created"));

        Assert.Equal(check, await Store.GetTokenAsync("aaaaaaaaaaaa"));
        Assert.Equal(TokenScope.Api, (await Store.GetTokenAsync("bbbbbbbbbbbb"))!.Scope);
        Assert.Equal([TokenScope.Check, TokenScope.Api], (await Store.ListTokensAsync()).OrderBy(t => t.Id).Select(t => t.Scope));
    }

    [StoreFact]
    public async Task QueryQuarantine_FiltersPagesAndCounts()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-3);
        string a = await HoldAsync("clerk@corp.example", "Payroll 100% final_v2", "personal-data-external", "1,598 people: name, date of birth");
        string b = await HoldAsync("boss@corp.example", "Party invite", "exposed-recipients", "12 external addresses visible");
        string c = await HoldAsync("clerk@corp.example", "Invite list", "exposed-recipients", "40 external addresses visible");
        await Store.DeleteHeldAsync(c, "admin", "duplicate");

        var held = await Store.QueryQuarantineAsync(new QuarantineQuery());
        Assert.Equal(2, held.Total);
        Assert.Equal([b, a], held.Items.Select(i => i.MessageId));
        Assert.Equal(3, (await Store.QueryQuarantineAsync(new QuarantineQuery(Status: null))).Total);
        Assert.Equal([b], (await Store.QueryQuarantineAsync(new QuarantineQuery(Rule: "exposed-recipients"))).Items.Select(i => i.MessageId));
        Assert.Equal([a], (await Store.QueryQuarantineAsync(new QuarantineQuery(Sender: "CLERK@"))).Items.Select(i => i.MessageId));
        Assert.Equal([a], (await Store.QueryQuarantineAsync(new QuarantineQuery(Search: "date of birth"))).Items.Select(i => i.MessageId));
        // LIKE wildcards in the search are literal characters.
        Assert.Equal([a], (await Store.QueryQuarantineAsync(new QuarantineQuery(Search: "100%"))).Items.Select(i => i.MessageId));
        Assert.Empty((await Store.QueryQuarantineAsync(new QuarantineQuery(Search: "l_st"))).Items);
        Assert.Equal([c], (await Store.QueryQuarantineAsync(new QuarantineQuery(Status: QuarantineStatus.Deleted, Search: c[..8]))).Items.Select(i => i.MessageId));
        Assert.Empty((await Store.QueryQuarantineAsync(new QuarantineQuery(HeldTo: old))).Items);
        var page2 = await Store.QueryQuarantineAsync(new QuarantineQuery(Offset: 1, Limit: 1));
        Assert.Equal((2L, a), (page2.Total, Assert.Single(page2.Items).MessageId));
    }

    [StoreFact]
    public async Task QueryQuarantine_OrdersOldestAndBySender_InTheStore_PagedOverEveryMatch()
    {
        string first = await HoldAsync("Zoe@corp.example", "one", "exposed-recipients", "12 external addresses visible");
        string second = await HoldAsync("adam@corp.example", "two", "exposed-recipients", "12 external addresses visible");
        string third = await HoldAsync("mia@corp.example", "three", "exposed-recipients", "12 external addresses visible");

        Assert.Equal([third, second, first], (await Store.QueryQuarantineAsync(new QuarantineQuery())).Items.Select(i => i.MessageId));
        Assert.Equal([first, second, third], (await Store.QueryQuarantineAsync(new QuarantineQuery(Order: QuarantineOrder.Oldest))).Items.Select(i => i.MessageId));
        // Sender order ignores case (Zoe after mia), and pages like the others.
        Assert.Equal([second, third, first], (await Store.QueryQuarantineAsync(new QuarantineQuery(Order: QuarantineOrder.Sender))).Items.Select(i => i.MessageId));
        var last = await Store.QueryQuarantineAsync(new QuarantineQuery(Offset: 2, Limit: 1, Order: QuarantineOrder.Oldest));
        Assert.Equal((3L, third), (last.Total, Assert.Single(last.Items).MessageId));
    }

    [StoreFact]
    public async Task QueryAudit_FiltersAndPagesNewestFirst()
    {
        for (int i = 0; i < 5; i++)
        {
            await Store.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow, i % 2 == 0 ? "alice" : "bob", "login", null, null, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(["4", "2", "0"], (await Store.QueryAuditAsync(new AuditQuery(Actor: "alice"))).Select(a => a.Detail));
        Assert.Equal(["3"], (await Store.QueryAuditAsync(new AuditQuery(Offset: 1, Limit: 1))).Select(a => a.Detail));
        Assert.Empty(await Store.QueryAuditAsync(new AuditQuery(Action: "release")));
    }

    [StoreFact]
    public async Task DecisionCounts_AddUpPerDayDispositionAndRule()
    {
        var day = new DateOnly(2026, 11, 20);
        await Store.AddDecisionCountsAsync([new(day, "hold", "exposed-recipients", 2), new(day, "deliver", "-", 10)]);
        await Store.AddDecisionCountsAsync([new(day, "hold", "exposed-recipients", 3), new(day.AddDays(1), "hold", "exposed-recipients", 1), new(day.AddDays(5), "reject", "x", 1)]);
        var rows = await Store.ListDecisionCountsAsync(day, day.AddDays(1));
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
