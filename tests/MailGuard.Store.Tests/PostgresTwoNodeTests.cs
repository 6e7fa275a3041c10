using System.Collections.Concurrent;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Testing;

namespace MailGuard.Store.Tests;

/// <summary>Two MailGuard nodes, i.e. two store instances with their own connection pools, on one PostgreSQL database.</summary>
public sealed class PostgresTwoNodeTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private string _connectionString = null!;
    private PostgresMessageStore _nodeA = null!;
    private PostgresMessageStore _nodeB = null!;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null)
        {
            return;
        }

        _connectionString = await database.NewSchemaAsync();
        _nodeA = Node();
        _nodeB = Node();
        // Both start at once on an empty schema: the advisory lock makes one apply the migrations.
        await Task.WhenAll(_nodeA.InitializeAsync(), _nodeB.InitializeAsync());
    }

    public async Task DisposeAsync()
    {
        if (_nodeA is not null)
        {
            await _nodeA.DisposeAsync();
            await _nodeB.DisposeAsync();
        }
    }

    private PostgresMessageStore Node() => new(new PostgresStoreOptions { ConnectionString = _connectionString }, TimeProvider.System);

    private static NewMessage Message(params string[] recipients) =>
        new(MessageIds.New(TimeProvider.System), "clerk@corp.example", recipients, DateTimeOffset.UtcNow, "127.0.0.1", "mta.corp.example", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));

    [PostgresFact]
    public async Task StartTogether_EveryMigrationAppliedOnce()
    {
        // Every shipped step once, whatever their numbers (branches take numbers with gaps between them).
        Assert.Equal(
            string.Join(",", MailGuard.Store.Postgres.PostgresSchema.Migrations.Select(m => m.Version).Order()),
            await PostgresDatabaseFixture.ScalarAsync(_connectionString, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"));
    }

    [PostgresFact]
    public async Task ClaimConcurrently_NoMessageClaimedTwice()
    {
        const int Messages = 300;
        var ids = new List<string>();
        for (int i = 0; i < Messages; i++)
        {
            var m = Message("a@ext.example", "b@ext.example", "c@ext.example");
            ids.Add(m.Id);
            await (i % 2 == 0 ? _nodeA : _nodeB).EnqueueAsync(m);
        }

        var claims = new ConcurrentBag<(string Node, ClaimedMessage Claim)>();
        async Task DrainAsync(PostgresMessageStore store, string node)
        {
            // Bounded: 300 messages at 7 a claim need about 43 claims between the two workers.
            for (int round = 0; round < 500; round++)
            {
                var batch = await store.ClaimDueAsync(node, 7, TimeSpan.FromMinutes(5));
                if (batch.Count == 0 && claims.Count >= Messages)
                {
                    return;
                }

                foreach (var claim in batch)
                {
                    claims.Add((node, claim));
                }
            }
        }

        await Task.WhenAll(
            Task.Run(() => DrainAsync(_nodeA, "node-a")),
            Task.Run(() => DrainAsync(_nodeA, "node-a2")),
            Task.Run(() => DrainAsync(_nodeB, "node-b")),
            Task.Run(() => DrainAsync(_nodeB, "node-b2")));

        // Every message exactly once, with all its recipients in that one claim.
        Assert.Equal(ids.Order(StringComparer.Ordinal), claims.Select(c => c.Claim.Message.Id).Order(StringComparer.Ordinal));
        Assert.All(claims, c => Assert.Equal(3, c.Claim.Recipients.Count));
        Assert.Equal(Messages * 3, claims.SelectMany(c => c.Claim.Recipients).Select(r => r.EntryId).Distinct().Count());
        // Both nodes did some of the work (if one had taken everything, the test would prove little).
        Assert.Contains(claims, c => c.Node.StartsWith("node-a", StringComparison.Ordinal));
        Assert.Contains(claims, c => c.Node.StartsWith("node-b", StringComparison.Ordinal));
        var leases = await _nodeB.ListAsync(new QueueQuery(Limit: 5000));
        Assert.All(leases, e => Assert.Equal(claims.Single(c => c.Claim.Message.Id == e.MessageId).Node, e.LeaseOwner));
    }

    [PostgresFact]
    public async Task HeldOnA_ReleasedFromAAndBAtOnce_QueuedExactlyOnce()
    {
        const int Messages = 20;
        var held = new List<NewMessage>();
        for (int i = 0; i < Messages; i++)
        {
            var m = Message("a@ext.example", "b@ext.example");
            await _nodeA.HoldAsync(m, new HoldDetails("rule", "reason", "subject", "summary", "[]"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", m.Id, "reason"));
            held.Add(m);
        }

        foreach (var m in held)
        {
            var decisions = await Task.WhenAll(
                Task.Run(() => _nodeA.ReleaseAsync(m.Id, "alice@node-a", "approved")),
                Task.Run(() => _nodeB.ReleaseAsync(m.Id, "bob@node-b", "approved")));

            Assert.Single(decisions, d => d.Applied);
            Assert.All(decisions, d => Assert.Equal(QuarantineStatus.Released, d.Status));
            var audit = await _nodeB.ListAuditAsync(m.Id, 10);
            Assert.Single(audit, e => e.Action == "release");
            Assert.Single(audit, e => e.Action == "release-refused" && e.Detail == "already released");
        }

        // Node B delivers what node A held: each message once, to its two original recipients.
        var entries = await _nodeB.ListAsync(new QueueQuery(Limit: 5000));
        Assert.Equal(Messages * 2, entries.Count);
        Assert.All(held, m => Assert.Equal(["a@ext.example", "b@ext.example"], entries.Where(e => e.MessageId == m.Id).Select(e => e.Recipient)));
        var claims = await _nodeB.ClaimDueAsync("node-b", Messages, TimeSpan.FromMinutes(5));
        Assert.Equal(Messages, claims.Count);
        Assert.All(claims, c => Assert.Equal("hello", Encoding.ASCII.GetString(c.InlineContent!.Value.Span)));
    }
}
