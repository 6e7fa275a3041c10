using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;

namespace MailGuard.Store.Tests;

/// <summary>
/// The queue's contract, run against every provider: each subclass opens its store, the tests are
/// the same. Messages are handed over as the relay does, with their content in a spool file.
/// </summary>
public abstract class MessageStoreTests<TStore>() : StoreTestBase<TStore>("mg-store-")
    where TStore : class, IMessageStore, IQuarantineStore
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    protected ManualTime Time => _time;

    /// <summary>True when the store keeps every message's bytes itself (PostgreSQL), spooled or not.</summary>
    protected abstract bool KeepsAllContent { get; }

    // The relay fsyncs the spool file, then enqueues; the content is what a provider that keeps
    // every message's bytes (PostgreSQL) reads and stores.
    protected NewMessage Message(params string[] recipients)
    {
        string id = MessageIds.New(_time);
        File.WriteAllBytes(Path.Combine(Directory, id + ".eml"), SpoolBytes);
        return new(id, "sender@example.org", recipients, _time.GetUtcNow(), "127.0.0.1", "client.example", null, 1234, MessageFlags.EightBit);
    }

    protected static readonly byte[] SpoolBytes = "Subject: spooled\r\n\r\nbody\r\n"u8.ToArray();

    [StoreFact]
    public async Task Enqueue_ThenClaim_ReturnsEnvelopeAndEveryRecipient()
    {
        var m = Message("a@example.com", "b@example.com");
        await Store.EnqueueAsync(m);

        var claims = await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));

        var claim = Assert.Single(claims);
        Assert.Equal(m.Id, claim.Message.Id);
        Assert.Equal("sender@example.org", claim.Message.MailFrom);
        Assert.Equal(MessageFlags.EightBit, claim.Message.Flags);
        Assert.Equal(1234, claim.Message.Size);
        Assert.Equal(["a@example.com", "b@example.com"], claim.Recipients.Select(r => r.Address));
        Assert.All(claim.Recipients, r => Assert.Equal(0, r.Attempts));
    }

    [StoreFact]
    public async Task ContentPrefix_DeliveredAboveTheSpooledBytes_WithTheClaimAndToTheConsole()
    {
        // A tag's fields are kept with the row, not written into a second copy of the file.
        byte[] fields = "X-MailGuard-Verdict: tag\r\n"u8.ToArray();
        var m = Message("a@example.com") with { ContentPrefix = fields, Size = fields.Length + SpoolBytes.Length };
        await Store.EnqueueAsync(m);
        byte[] expected = [.. fields, .. SpoolBytes];

        var claim = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));

        Assert.Equal(expected.Length, claim.Message.Size);
        if (KeepsAllContent)
        {
            Assert.Equal(expected, claim.InlineContent!.Value.ToArray());
            Assert.Null(claim.Message.ContentPrefix);
        }
        else
        {
            Assert.Null(claim.InlineContent);
            Assert.Equal(SpoolBytes, File.ReadAllBytes(Path.Combine(Directory, m.Id + ".eml")));
            await using var delivered = MessageSpool.OpenFile(Path.Combine(Directory, m.Id + ".eml"), claim.Message.ContentPrefix);
            Assert.Equal(expected, ReadAll(delivered));
        }

        await using var opened = await Store.OpenContentAsync(m.Id);
        Assert.Equal(expected, ReadAll(opened!));
    }

    [StoreFact]
    public async Task ContentPrefix_WithInlineContent_Refused()
    {
        var m = Message("a@example.com") with { InlineContent = SpoolBytes, ContentPrefix = "X-A: b\r\n"u8.ToArray() };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.EnqueueAsync(m));
        Assert.Null(await Store.GetMessageAsync(m.Id));
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [StoreFact]
    public async Task InlineContent_ReturnedWithClaim_DroppedWhenFinished()
    {
        var inline = Message("a@example.com") with { InlineContent = new byte[] { 1, 2, 3 } };
        var spooled = Message("b@example.com");
        await Store.EnqueueAsync(inline);
        await Store.EnqueueAsync(spooled);

        var claims = await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));

        var a = claims.Single(c => c.Message.Id == inline.Id);
        Assert.True(a.Message.HasInlineContent);
        Assert.Equal(new byte[] { 1, 2, 3 }, a.InlineContent!.Value.ToArray());
        var b = claims.Single(c => c.Message.Id == spooled.Id);
        if (KeepsAllContent)
        {
            Assert.True(b.Message.HasInlineContent);
            Assert.Equal(SpoolBytes, b.InlineContent!.Value.ToArray());
        }
        else
        {
            Assert.False(b.Message.HasInlineContent);
            Assert.Null(b.InlineContent);
        }

        var done = await Store.CompleteAttemptAsync(inline.Id, [new RecipientOutcome(a.Recipients[0].EntryId, RecipientDisposition.Delivered, "250")]);
        Assert.True(done.MessageFinished);
        Assert.Null(await Store.OpenContentAsync(inline.Id));
    }

    [StoreFact]
    public async Task Claim_LeasedEntries_InvisibleUntilLeaseRunsOut()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        Assert.Single(await Store.ClaimDueAsync("node-a", 10, TimeSpan.FromMinutes(1)));

        Assert.Empty(await Store.ClaimDueAsync("node-b", 10, TimeSpan.FromMinutes(1)));
        _time.Advance(TimeSpan.FromSeconds(61));
        var again = Assert.Single(await Store.ClaimDueAsync("node-b", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("node-b", (await Store.ListAsync(new QueueQuery())).Single().LeaseOwner);
        Assert.Single(again.Recipients);
    }

    [StoreFact]
    public async Task Claim_MaxMessages_LimitsMessagesNotRecipients()
    {
        for (int i = 0; i < 5; i++)
        {
            await Store.EnqueueAsync(Message(Enumerable.Range(0, 50).Select(r => $"r{r}@example.com").ToArray()));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var claims = await Store.ClaimDueAsync("node", 3, TimeSpan.FromMinutes(1));

        Assert.Equal(3, claims.Count);
        Assert.All(claims, c => Assert.Equal(50, c.Recipients.Count));
    }

    [StoreFact]
    public async Task ReleaseLeases_AfterCrash_EntriesClaimableAtOnce()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(10));

        Assert.Equal(1, await Store.ReleaseLeasesAsync("node"));

        Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(10)));
    }

    [StoreFact]
    public async Task CompleteAttempt_Deferred_NotDueBeforeNextAttemptAndAttemptCounted()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single();
        var next = _time.GetUtcNow().AddMinutes(5);

        var done = await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Deferred, "451 4.3.0 try later", next)]);

        Assert.False(done.MessageFinished);
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        _time.Advance(TimeSpan.FromMinutes(5));
        var retry = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal(1, retry.Recipients[0].Attempts);
        Assert.Equal("451 4.3.0 try later", (await Store.ListAsync(new QueueQuery())).Single().LastReply);
    }

    [StoreFact]
    public async Task CompleteAttempt_Released_NotCountedAndDueAtGivenTime()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single();

        await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Released, null, _time.GetUtcNow().AddSeconds(30))]);

        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Recipients[0].Attempts);
    }

    [StoreFact]
    public async Task CompleteAttempt_EveryRecipientFinal_MessageFinishedAndNothingDue()
    {
        await Store.EnqueueAsync(Message("a@example.com", "b@example.com"));
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single();

        var first = await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Delivered, "250 ok")]);
        var second = await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[1].EntryId, RecipientDisposition.Failed, "550 5.1.1 no")]);

        Assert.False(first.MessageFinished);
        Assert.True(second.MessageFinished);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        var list = await Store.ListAsync(new QueueQuery());
        Assert.Equal([QueueEntryStatus.Delivered, QueueEntryStatus.Failed], list.Select(e => e.Status));
        Assert.Empty(await Store.ListAsync(new QueueQuery([QueueEntryStatus.Queued])));
    }

    [StoreFact]
    public async Task CompleteAttempt_WithNotice_NoticeQueuedInSameTransaction()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single();
        var notice = new NewMessage(MessageIds.New(_time), string.Empty, ["sender@example.org"], _time.GetUtcNow(), null, null, null, 10, Kind: MessageKind.DeliveryStatusNotification, InlineContent: "dsn-bytes"u8.ToArray());

        await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Failed, "550")], notice);

        var dsn = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal(notice.Id, dsn.Message.Id);
        Assert.Equal(string.Empty, dsn.Message.MailFrom);
        Assert.Equal(MessageKind.DeliveryStatusNotification, dsn.Message.Kind);
    }

    [StoreFact]
    public async Task PurgeFinished_RemovesOnlyOldFinishedMessages()
    {
        var oldDone = Message("a@example.com");
        var oldWaiting = Message("b@example.com");
        await Store.EnqueueAsync(oldDone);
        await Store.EnqueueAsync(oldWaiting);
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single(c => c.Message.Id == oldDone.Id);
        await Store.CompleteAttemptAsync(oldDone.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Delivered, "250")]);
        _time.Advance(TimeSpan.FromHours(2));
        var newDone = Message("c@example.com");
        await Store.EnqueueAsync(newDone);
        await Store.ReleaseLeasesAsync("node");
        claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single(c => c.Message.Id == newDone.Id);
        await Store.CompleteAttemptAsync(newDone.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Delivered, "250")]);

        Assert.Equal(1, await Store.PurgeFinishedAsync(_time.GetUtcNow().AddHours(-1), 100));

        Assert.Null(await Store.GetMessageAsync(oldDone.Id));
        Assert.NotNull(await Store.GetMessageAsync(oldWaiting.Id));
        Assert.NotNull(await Store.GetMessageAsync(newDone.Id));
    }

    [StoreFact]
    public async Task Requeue_DeferredEntry_DueNow()
    {
        await Store.EnqueueAsync(Message("a@example.com"));
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single();
        await Store.CompleteAttemptAsync(claim.Message.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Deferred, "451", _time.GetUtcNow().AddHours(1))]);

        Assert.Equal(1, await Store.RequeueAsync(claim.Message.Id));

        Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
    }

    [StoreFact]
    public async Task Delete_RemovesMessageAndEntries()
    {
        var m = Message("a@example.com", "b@example.com");
        await Store.EnqueueAsync(m);

        Assert.True(await Store.DeleteAsync(m.Id));

        Assert.False(await Store.DeleteAsync(m.Id));
        Assert.Null(await Store.GetMessageAsync(m.Id));
        Assert.Empty(await Store.ListAsync(new QueueQuery()));
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
    }

    [StoreFact]
    public async Task GetStats_CountsEntriesByStatusOldestQueuedAndStillHeld()
    {
        Assert.Equal(new StoreStats(0, 0, 0, null, 0), await Store.GetStatsAsync());

        var first = Message("a@example.com", "b@example.com", "c@example.com");
        await Store.EnqueueAsync(first);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = Message("d@example.com");
        await Store.EnqueueAsync(second);
        var claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single(c => c.Message.Id == first.Id);
        await Store.CompleteAttemptAsync(first.Id,
        [
            new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Delivered, "250"),
            new RecipientOutcome(claim.Recipients[1].EntryId, RecipientDisposition.Failed, "550"),
            new RecipientOutcome(claim.Recipients[2].EntryId, RecipientDisposition.Deferred, "451", _time.GetUtcNow().AddHours(1)),
        ]);

        // Deferred and leased entries are still queued; the oldest is the first message's.
        Assert.Equal(new StoreStats(2, 1, 1, first.ReceivedAt, 0), await Store.GetStatsAsync());

        _time.Advance(TimeSpan.FromHours(2));
        claim = (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Single(c => c.Message.Id == first.Id);
        await Store.CompleteAttemptAsync(first.Id, [new RecipientOutcome(claim.Recipients[0].EntryId, RecipientDisposition.Delivered, "250")]);
        var kept = HeldMessage();
        var decided = HeldMessage();
        await Store.HoldAsync(kept, new HoldDetails("rule", "why", "Subject", null, "[]"), new AuditEvent(_time.GetUtcNow(), "mailguard", "hold", kept.Id, null));
        await Store.HoldAsync(decided, new HoldDetails("rule", "why", "Subject", null, "[]"), new AuditEvent(_time.GetUtcNow(), "mailguard", "hold", decided.Id, null));
        Assert.True((await Store.DeleteHeldAsync(decided.Id, "reviewer", "not needed")).Applied);

        // Held messages have no queue entries; only the one still held is counted.
        Assert.Equal(new StoreStats(1, 2, 1, second.ReceivedAt, 1), await Store.GetStatsAsync());
    }

    private NewMessage HeldMessage() =>
        new(MessageIds.New(_time), "clerk@example.org", ["x@example.com"], _time.GetUtcNow(), "127.0.0.1", "client.example", null, 5, InlineContent: "held"u8.ToArray());

    [StoreFact]
    public async Task Reopen_QueueSurvives_MigrationsAppliedOnce()
    {
        var m = Message("a@example.com");
        await Store.EnqueueAsync(m);
        await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));
        await ReopenAsync();

        Assert.NotNull(await Store.GetMessageAsync(m.Id));
        Assert.Equal(1, await Store.ReleaseLeasesAsync("node"));
        Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
    }

    [StoreFact]
    public async Task Enqueue_DuplicateId_FailsOnlyThatOperation()
    {
        var m = Message("a@example.com");
        await Store.EnqueueAsync(m);
        var other = Message("b@example.com");

        var duplicate = Store.EnqueueAsync(m);
        var fine = Store.EnqueueAsync(other);

        await Assert.ThrowsAnyAsync<Exception>(() => duplicate);
        await fine;
        Assert.NotNull(await Store.GetMessageAsync(other.Id));
        Assert.Equal(2, (await Store.ListAsync(new QueueQuery())).Count);
    }

    [StoreFact]
    public async Task Enqueue_NoRecipients_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.EnqueueAsync(Message()));
    }

    [StoreFact]
    public async Task Spool_RemoveOrphans_DeletesFilesWithoutMessages()
    {
        var spool = new MessageSpool(Directory);
        var kept = Message("a@example.com");
        await using (var f = spool.Create(kept.Id))
        {
            f.WriteByte(1);
        }

        await Store.EnqueueAsync(kept);
        string orphan = MessageIds.New(_time);
        await using (var f = spool.Create(orphan))
        {
            f.WriteByte(1);
        }

        Assert.Equal(1, await spool.RemoveOrphansAsync(Store));
        Assert.True(spool.Exists(kept.Id));
        Assert.False(spool.Exists(orphan));
    }
}

public sealed class SqliteMessageStoreTests : MessageStoreTests<SqliteMessageStore>
{
    protected override bool KeepsAllContent => false;

    protected override SqliteMessageStore Open() =>
        new(new SqliteStoreOptions { DatabasePath = Path.Combine(Directory, "mailguard.db"), SpoolDirectory = Directory }, Time);

    [Fact]
    public async Task Initialize_EveryMigrationRecordedOnce()
    {
        await ReopenAsync();

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Directory, "mailguard.db")}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT group_concat(version) FROM (SELECT version FROM schema_migrations ORDER BY version)";
        // Every shipped migration, each once, whatever their number.
        Assert.Equal(string.Join(",", MailGuard.Store.Sqlite.SqliteSchema.Migrations.Select(m => m.Version).Order()), cmd.ExecuteScalar());
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE name = 'queue_message'";
        Assert.Contains("message_id, status", (string)cmd.ExecuteScalar()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_Concurrent_GroupedIntoFewerTransactions()
    {
        var messages = Enumerable.Range(0, 2000).Select(_ => Message("a@example.com")).ToArray();

        await Task.WhenAll(messages.Select(m => Task.Run(() => Store.EnqueueAsync(m))));

        Assert.Equal(2000, (await Store.ListAsync(new QueueQuery(Limit: 5000))).Count);
        Assert.True(Store.CommittedBatches < 2000, $"{Store.CommittedBatches} commits for 2000 enqueues");
    }

    [Fact]
    public void MessageIds_SortByTimeAndValidate()
    {
        var a = MessageIds.New(Time);
        Time.Advance(TimeSpan.FromMilliseconds(1));
        var b = MessageIds.New(Time);

        Assert.True(string.CompareOrdinal(a, b) < 0);
        Assert.True(MessageIds.IsValid(a));
        Assert.False(MessageIds.IsValid("../../etc/passwd...."));
        Assert.False(MessageIds.IsValid(a + "x"));
    }
}

public sealed class PostgresMessageStoreTests(PostgresDatabaseFixture database)
    : MessageStoreTests<PostgresMessageStore>, IPostgresStoreTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = null!;

    protected override bool KeepsAllContent => true;

    protected override async Task CreateDatabaseAsync() => _connectionString = await database.NewSchemaAsync();

    protected override PostgresMessageStore Open() =>
        new(new PostgresStoreOptions { ConnectionString = _connectionString, SpoolDirectory = Directory }, Time);

    [PostgresFact]
    public async Task Initialize_EveryMigrationRecordedOnce()
    {
        await ReopenAsync();

        Assert.Equal(
            string.Join(",", MailGuard.Store.Postgres.PostgresSchema.Migrations.Select(m => m.Version).Order()),
            await PostgresDatabaseFixture.ScalarAsync(_connectionString, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"));
    }

    [PostgresFact]
    public async Task Enqueue_Concurrent_EveryMessageQueuedOnce()
    {
        var messages = Enumerable.Range(0, 200).Select(_ => Message("a@example.com")).ToArray();

        await Task.WhenAll(messages.Select(m => Task.Run(() => Store.EnqueueAsync(m))));

        Assert.Equal(200, (await Store.ListAsync(new QueueQuery(Limit: 5000))).Count);
    }

    [PostgresFact]
    public async Task Enqueue_NoInlineContentAndNoSpoolFile_Refused()
    {
        var m = Message("a@example.com");
        File.Delete(Path.Combine(Directory, m.Id + ".eml"));

        await Assert.ThrowsAsync<ArgumentException>(() => Store.EnqueueAsync(m));
        Assert.Null(await Store.GetMessageAsync(m.Id));
    }

    [PostgresFact]
    public async Task Enqueue_FromSpoolFile_BytesInDatabaseAndFileRemoved()
    {
        var m = Message("a@example.com");
        await Store.EnqueueAsync(m);

        // Another node could never read this node's file: the database copy is the message now.
        Assert.False(File.Exists(Path.Combine(Directory, m.Id + ".eml")));

        var claim = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));

        Assert.Equal(SpoolBytes, claim.InlineContent!.Value.ToArray());
    }
}
