using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailGuard.Store.Tests;

/// <summary>
/// The review console's additions (issue 15), against every provider: the inspection kept with a
/// hold and backfilled once, the release-request marker, reviewers' figures for the dashboard, the
/// audit log's date filter.
/// </summary>
public abstract class ConsoleStoreTests<TStore>() : StoreTestBase<TStore>("mg-console-")
    where TStore : class, IMessageStore, IQuarantineStore, IAccountStore, IReviewStore
{
    private const string Inspection = """{"Rules":[{"Name":"identifiers-external","Action":"hold","AuditOnly":false}],"People":[],"ExternalDomains":[{"Domain":"ext.example","Recipients":1}],"Attachments":[],"Previews":[],"MimeDefects":0}""";

    private async Task<string> HoldAsync(string? inspection = null)
    {
        var m = new NewMessage(MessageIds.New(TimeProvider.System), "clerk@corp.example", ["x@ext.example"], DateTimeOffset.UtcNow, "127.0.0.1", "mta", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));
        await Store.HoldAsync(m, new HoldDetails("identifiers-external", "why", "subject", "summary", "[]", inspection), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", m.Id, "why"));
        return m.Id;
    }

    [StoreFact]
    public async Task Inspection_KeptWithTheHold_BackfilledOnceNeverReplaced()
    {
        string stored = await HoldAsync(Inspection);
        string older = await HoldAsync();
        Assert.Equal(Inspection, (await Store.GetQuarantineAsync(stored))!.InspectionJson);
        Assert.Null((await Store.GetQuarantineAsync(older))!.InspectionJson);
        Assert.Equal(Inspection, (await Store.ListQuarantineAsync(QuarantineStatus.Held, 10)).Single(r => r.MessageId == stored).InspectionJson);

        Assert.True(await Store.SaveInspectionAsync(older, """{"Rules":[]}"""));
        Assert.False(await Store.SaveInspectionAsync(older, """{"Rules":[{"Name":"later"}]}"""));
        Assert.False(await Store.SaveInspectionAsync(stored, """{"Rules":[]}"""));
        Assert.False(await Store.SaveInspectionAsync(MessageIds.New(TimeProvider.System), """{"Rules":[]}"""));
        Assert.Equal("""{"Rules":[]}""", (await Store.GetQuarantineAsync(older))!.InspectionJson);
        Assert.Equal(Inspection, (await Store.GetQuarantineAsync(stored))!.InspectionJson);

        // It survives a reopen (it is in the database, not a cache).
        await ReopenAsync();
        Assert.Equal(Inspection, (await Store.QueryQuarantineAsync(new QuarantineQuery())).Items.Single(r => r.MessageId == stored).InspectionJson);
    }

    [StoreFact]
    public async Task RequestedHeld_OnlyHeldMessagesWithARequest()
    {
        string asked = await HoldAsync();
        string quiet = await HoldAsync();
        string decided = await HoldAsync();
        foreach (string id in new[] { asked, asked, decided })
        {
            await Store.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow, "sender:clerk@corp.example", "release-requested", id, "please"));
        }

        await Store.DeleteHeldAsync(decided, "rita", "not needed");
        Assert.Equal([asked], await Store.ListRequestedHeldAsync());
        Assert.DoesNotContain(quiet, await Store.ListRequestedHeldAsync());
    }

    [StoreFact]
    public async Task ReviewStats_ReviewerDecisionsWaitsAndOldestHeld()
    {
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var empty = await Store.GetReviewStatsAsync(since);
        Assert.Empty(empty.DecisionsByAction);
        Assert.Empty(empty.DecisionWaits);
        Assert.Null(empty.OldestHeldAt);
        string oldest = await HoldAsync();
        string released = await HoldAsync();
        string deleted = await HoldAsync();
        string expired = await HoldAsync();
        await Store.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow, "alice", "release-approved", released, "ok"));
        Assert.True((await Store.ReleaseAsync(released, "bob", "ok")).Applied);
        Assert.True((await Store.DeleteHeldAsync(deleted, "alice", "no")).Applied);
        // Retention is MailGuard's decision, not a reviewer's: not counted.
        Assert.True((await Store.ExpireAsync(expired, "mailguard", null)).Applied);
        // A refused second decision is not a decision either.
        Assert.False((await Store.DeleteHeldAsync(released, "carol", "late")).Applied);

        var stats = await Store.GetReviewStatsAsync(since);
        Assert.Equal(new Dictionary<string, long> { ["release"] = 1, ["delete"] = 1, ["release-approved"] = 1 }, stats.DecisionsByAction);
        Assert.Equal(2, stats.DecisionWaits.Count);
        Assert.All(stats.DecisionWaits, w => Assert.InRange(w, TimeSpan.Zero, TimeSpan.FromMinutes(1)));
        Assert.Equal((await Store.GetQuarantineAsync(oldest))!.HeldAt, stats.OldestHeldAt);
        // Nothing since a later time.
        Assert.Empty((await Store.GetReviewStatsAsync(DateTimeOffset.UtcNow.AddMinutes(1))).DecisionsByAction);
    }

    [StoreFact]
    public async Task QueryAudit_FiltersByTime()
    {
        var day = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        foreach (int hours in new[] { -1, 0, 5, 23, 24, 30 })
        {
            await Store.AppendAuditAsync(new AuditEvent(day.AddHours(hours), "alice", "login", null, null, hours.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(["23", "5", "0"], (await Store.QueryAuditAsync(new AuditQuery(From: day, To: day.AddDays(1)))).Select(a => a.Detail));
        Assert.Equal(["30", "24"], (await Store.QueryAuditAsync(new AuditQuery(From: day.AddDays(1)))).Select(a => a.Detail));
        Assert.Equal(["-1"], (await Store.QueryAuditAsync(new AuditQuery(To: day))).Select(a => a.Detail));
    }
}

public sealed class SqliteConsoleStoreTests : ConsoleStoreTests<SqliteMessageStore>
{
    protected override SqliteMessageStore Open() =>
        new(new SqliteStoreOptions { DatabasePath = Path.Combine(Directory, "mailguard.db"), SpoolDirectory = Directory }, TimeProvider.System);

    /// <summary>
    /// Branches merge in any order: a store that applied version 7 must still apply a 5 that lands
    /// later, and a fresh store applies the steps lowest first whatever their order in the list.
    /// </summary>
    [StoreFact]
    public async Task Migrations_AMissingLowerVersionIsAppliedAfterAHigherOne()
    {
        string path = Path.Combine(Directory, "gaps.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            // A store migrated by a build whose list had a version (902) above one it lacked (901).
            var first = SqliteSchema.Migrations.Append((902, "CREATE TABLE branch_high (x INTEGER);")).ToList();
            SqliteMessageStore.Migrate(connection, first, 1);
            Assert.Equal(first.Select(m => (long)m.Item1).Order(), Versions(connection));

            // 903 indexes 901's table and is listed first: only lowest-first application succeeds. And
            // 901, below the highest applied (902), is applied at all.
            var later = first.Append((903, "CREATE INDEX branch_index ON branch_low(x);")).Append((901, "CREATE TABLE branch_low (x INTEGER);")).ToList();
            SqliteMessageStore.Migrate(connection, later.OrderByDescending(m => m.Item1), 2);
            Assert.Equal(later.Select(m => (long)m.Item1).Order(), Versions(connection));
            using var check = connection.CreateCommand();
            check.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('branch_low', 'branch_index')";
            Assert.Equal(2L, (long)check.ExecuteScalar()!);

            // Applied once: running the list again changes nothing.
            SqliteMessageStore.Migrate(connection, later, 3);
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE applied_at = 3";
            Assert.Equal(0L, (long)count.ExecuteScalar()!);
        }

        SqliteConnection.ClearAllPools();
    }

    private static List<long> Versions(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version";
        using var reader = command.ExecuteReader();
        var list = new List<long>();
        while (reader.Read())
        {
            list.Add(reader.GetInt64(0));
        }

        return list;
    }
}

public sealed class PostgresConsoleStoreTests(PostgresDatabaseFixture database)
    : ConsoleStoreTests<PostgresMessageStore>, IPostgresStoreTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = null!;

    protected override async Task CreateDatabaseAsync() => _connectionString = await database.NewSchemaAsync();

    protected override PostgresMessageStore Open() =>
        new(new PostgresStoreOptions { ConnectionString = _connectionString, SpoolDirectory = Directory }, TimeProvider.System);

    /// <summary>As for SQLite: version 4 arriving after 6 is applied; steps apply lowest first.</summary>
    [StoreFact]
    public async Task Migrations_AMissingLowerVersionIsAppliedAfterAHigherOne()
    {
        string schema = await database.NewSchemaAsync();
        await using var connection = new NpgsqlConnection(schema);
        await connection.OpenAsync();
        // A database migrated by a build whose list had a version (902) above one it lacked (901).
        var first = PostgresSchema.Migrations.Append((902, "CREATE TABLE branch_high (x int);")).ToList();
        await PostgresMessageStore.MigrateAsync(connection, first, 1, CancellationToken.None);
        Assert.Contains(902, await VersionsAsync(connection));

        // 903 indexes 901's table and is listed first: only lowest-first application succeeds.
        var later = first.Append((903, "CREATE INDEX branch_index ON branch_low(x);")).Append((901, "CREATE TABLE branch_low (x int);")).ToList();
        await PostgresMessageStore.MigrateAsync(connection, later.OrderByDescending(m => m.Item1), 2, CancellationToken.None);
        Assert.Equal(later.Select(m => m.Item1).Order(), await VersionsAsync(connection));
        await using var check = new NpgsqlCommand("SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'branch_low'", connection);
        Assert.Equal(1L, (long)(await check.ExecuteScalarAsync())!);

        await PostgresMessageStore.MigrateAsync(connection, later, 3, CancellationToken.None);
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM schema_migrations WHERE applied_at = 3", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    private static async Task<List<int>> VersionsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<int>();
        while (await reader.ReadAsync())
        {
            list.Add(reader.GetInt32(0));
        }

        return list;
    }
}
