using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;

namespace MailGuard.Store.Tests;

/// <summary>The quarantine's contract, run against every provider.</summary>
public abstract class QuarantineStoreTests<TStore>() : StoreTestBase<TStore>("mg-quarantine-")
    where TStore : class, IMessageStore, IQuarantineStore
{
    protected static NewMessage Held(params string[] recipients) =>
        new(MessageIds.New(TimeProvider.System), "clerk@corp.example", recipients, DateTimeOffset.UtcNow, "127.0.0.1", "mta.corp.example", null, 5, InlineContent: Encoding.ASCII.GetBytes("hello"));

    protected static readonly HoldDetails s_details = new("personal-data-external", "Personal data", "Extract", "1,598 rows: name, date of birth", "[]");

    /// <summary>The key both providers are opened with; held content the relay encrypts comes back plain on release.</summary>
    protected static readonly ContentProtector s_protector = new(Enumerable.Repeat((byte)7, 32).ToArray());

    /// <summary>The stores' clock: every hold gets its own, later time, so oldest-first is well defined.</summary>
    protected static readonly TimeProvider s_clock = new StepClock();

    protected static AuditEvent Audit(string id) => new(DateTimeOffset.UtcNow, "mailguard", "hold", id, "Personal data");

    [StoreFact]
    public async Task Hold_KeepsBytesAndEnvelopeWithoutQueueEntries()
    {
        var m = Held("a@ext.example", "b@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        var record = await Store.GetQuarantineAsync(m.Id);
        Assert.NotNull(record);
        Assert.Equal(QuarantineStatus.Held, record.Status);
        Assert.Equal(["a@ext.example", "b@ext.example"], record.Recipients);
        Assert.Equal("1,598 rows: name, date of birth", record.Summary);
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        using var content = await Store.OpenContentAsync(m.Id);
        Assert.Equal("hello", new StreamReader(content!).ReadToEnd());
        Assert.Single(await Store.ListQuarantineAsync(QuarantineStatus.Held, 10));
    }

    [StoreFact]
    public async Task Record_AuditAndNotices_AllInOneTransaction_OrNone()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));
        var confirmation = Held("clerk@corp.example");
        var alert = Held("security@corp.example");
        await Store.RecordAsync(
            [new AuditEvent(DateTimeOffset.UtcNow, "sender:clerk@corp.example", "release-requested", m.Id, "needed today"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "release-request-alert", m.Id, null)],
            [confirmation, alert]);

        Assert.Equal(["hold", "release-request-alert", "release-requested"], (await Store.ListAuditAsync(m.Id, 10)).Select(a => a.Action).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { alert.Id, confirmation.Id }.Order(StringComparer.Ordinal), (await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Select(c => c.Message.Id).Order(StringComparer.Ordinal));

        // A notice that cannot be stored (its id is taken) takes the audit events down with it.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.RecordAsync([new AuditEvent(DateTimeOffset.UtcNow, "sender:clerk@corp.example", "release-requested", m.Id, "again")], [confirmation]));
        Assert.Single(await Store.ListAuditAsync(m.Id, 10), a => a.Action == "release-requested");
    }

    [StoreFact]
    public async Task Hold_AuditEventCarriesTheHoldsOwnInstant_NotTheCallersEarlierOne()
    {
        // The caller stamps its event before the write waits its turn (the SQLite writer, a lock):
        // the stored event says when the message was held, to the millisecond, as the record does.
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, new AuditEvent(DateTimeOffset.UtcNow.AddSeconds(-3), "mailguard", "hold", m.Id, "Personal data"));

        var record = (await Store.GetQuarantineAsync(m.Id))!;
        var hold = Assert.Single(await Store.ListAuditAsync(m.Id, 10), e => e.Action == "hold");
        Assert.Equal(record.HeldAt, hold.At);
        Assert.Equal(("mailguard", "Personal data"), (hold.Actor, hold.Reason));
    }

    [StoreFact]
    public async Task Release_QueuesOriginalRecipientsExactlyOnceEvenWhenTwoReviewersRace()
    {
        var m = Held("a@ext.example", "b@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        var decisions = await Task.WhenAll(
            Store.ReleaseAsync(m.Id, "alice", "approved by DPO"),
            Store.ReleaseAsync(m.Id, "bob", "looks fine"));

        Assert.Single(decisions, d => d.Applied);
        var claims = await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));
        var claim = Assert.Single(claims);
        Assert.Equal(["a@ext.example", "b@ext.example"], claim.Recipients.Select(r => r.Address));
        Assert.Equal("hello", Encoding.ASCII.GetString(claim.InlineContent!.Value.Span));
        var audit = await Store.ListAuditAsync(m.Id, 10);
        Assert.Contains(audit, e => e.Action == "release");
        Assert.Contains(audit, e => e.Action == "release-refused" && e.Detail == "already released");
    }

    [StoreFact]
    public async Task Delete_RemovesContentKeepsRecordAndRefusesLaterRelease()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        Assert.True((await Store.DeleteHeldAsync(m.Id, "alice", "sent by mistake")).Applied);
        Assert.False((await Store.ReleaseAsync(m.Id, "bob", null)).Applied);
        Assert.Null(await Store.OpenContentAsync(m.Id));
        Assert.Equal(QuarantineStatus.Deleted, (await Store.GetQuarantineAsync(m.Id))!.Status);
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
    }

    [StoreFact]
    public async Task Return_QueuesNoticeInSameTransaction()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));
        var notice = new NewMessage(MessageIds.New(TimeProvider.System), "", ["clerk@corp.example"], DateTimeOffset.UtcNow, null, null, null, 6, Kind: MessageKind.DeliveryStatusNotification, InlineContent: Encoding.ASCII.GetBytes("notice"));

        Assert.True((await Store.ReturnAsync(m.Id, "alice", "use Bcc", notice)).Applied);

        var claim = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal(notice.Id, claim.Message.Id);
        Assert.Equal(QuarantineStatus.Returned, (await Store.GetQuarantineAsync(m.Id))!.Status);
    }

    [StoreFact]
    public async Task Release_WithReplacement_QueuesReplacementForOriginalRecipients()
    {
        var m = Held("a@ext.example", "b@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        Assert.True((await Store.ReleaseAsync(m.Id, "alice", "Bcc fix", Encoding.ASCII.GetBytes("fixed!"))).Applied);

        var claim = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("fixed!", Encoding.ASCII.GetString(claim.InlineContent!.Value.Span));
        Assert.Equal(6, claim.Message.Size);
        Assert.Equal(["a@ext.example", "b@ext.example"], claim.Recipients.Select(r => r.Address));
        Assert.Contains(await Store.ListAuditAsync(m.Id, 10), e => e.Action == "release-bcc-fix");
    }

    [StoreFact]
    public async Task Encrypted_OpenAndRelease_GivePlainBytes()
    {
        var m = Held("a@ext.example") with { InlineContent = s_protector.Protect("secret"u8) };
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        using (var content = await Store.OpenContentAsync(m.Id))
        {
            Assert.Equal("secret", new StreamReader(content!).ReadToEnd());
        }

        Assert.True((await Store.ReleaseAsync(m.Id, "alice", null)).Applied);
        var claim = Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("secret", Encoding.ASCII.GetString(claim.InlineContent!.Value.Span));
    }

    [StoreFact]
    public async Task Expire_DropsContentQueuesNoticeAndRefusesLaterRelease()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));
        var notice = new NewMessage(MessageIds.New(TimeProvider.System), "", ["clerk@corp.example"], DateTimeOffset.UtcNow, null, null, null, 6, Kind: MessageKind.DeliveryStatusNotification, InlineContent: Encoding.ASCII.GetBytes("notice"));

        Assert.True((await Store.ExpireAsync(m.Id, "mailguard:retention", notice)).Applied);

        Assert.Equal(QuarantineStatus.Expired, (await Store.GetQuarantineAsync(m.Id))!.Status);
        Assert.Null(await Store.OpenContentAsync(m.Id));
        Assert.False((await Store.ReleaseAsync(m.Id, "bob", null)).Applied);
        Assert.Equal(notice.Id, Assert.Single(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1))).Message.Id);
    }

    [StoreFact]
    public async Task ReleaseAndDelete_WithNotice_QueuedInTheSameDecision_OnlyOnce()
    {
        var released = Held("a@ext.example");
        var deleted = Held("b@ext.example");
        await Store.HoldAsync(released, s_details, Audit(released.Id));
        await Store.HoldAsync(deleted, s_details, Audit(deleted.Id));
        NewMessage Notice() => new(MessageIds.New(TimeProvider.System), "", ["clerk@corp.example"], DateTimeOffset.UtcNow, null, null, null, 6, Kind: MessageKind.DeliveryStatusNotification, InlineContent: Encoding.ASCII.GetBytes("notice"));
        var releasedNotice = Notice();
        var deletedNotice = Notice();

        Assert.True((await Store.ReleaseAsync(released.Id, "alice", "ok", null, releasedNotice)).Applied);
        Assert.True((await Store.DeleteHeldAsync(deleted.Id, "sender:clerk@corp.example", "withdrawn by the sender", deletedNotice)).Applied);
        // A decision refused (no longer held) queues nothing.
        Assert.False((await Store.ReleaseAsync(deleted.Id, "bob", "late", null, Notice())).Applied);
        Assert.False((await Store.DeleteHeldAsync(released.Id, "bob", "late", Notice())).Applied);

        var claimed = await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));
        Assert.Equal(
            new[] { (released.Id, "a@ext.example"), (releasedNotice.Id, "clerk@corp.example"), (deletedNotice.Id, "clerk@corp.example") }.Order(),
            claimed.SelectMany(c => c.Recipients.Select(r => (c.Message.Id, r.Address))).Order());
        Assert.Equal("notice", Encoding.ASCII.GetString(Assert.Single(claimed, c => c.Message.Id == deletedNotice.Id).InlineContent!.Value.Span));
        Assert.Null(await Store.OpenContentAsync(deleted.Id));
    }

    [StoreFact]
    public async Task Expire_WithoutNotice_DetailSaysWhatBecameOfIt()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        Assert.True((await Store.ExpireAsync(m.Id, "mailguard:retention", null, "deleted, not returned: sender not verified")).Applied);

        var expired = Assert.Single(await Store.ListAuditAsync(m.Id, 10), a => a.Action == "expire");
        Assert.Equal(("mailguard:retention", "retention period over", "deleted, not returned: sender not verified"), (expired.Actor, expired.Reason, expired.Detail));
        Assert.Empty(await Store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
    }

    [StoreFact]
    public async Task Hold_RecordCarriesTheSubmittersAuthIdentity()
    {
        var anonymous = Held("a@ext.example");
        var authenticated = Held("a@ext.example") with { AuthIdentity = "contractor@partner.example" };
        await Store.HoldAsync(anonymous, s_details, Audit(anonymous.Id));
        await Store.HoldAsync(authenticated, s_details, Audit(authenticated.Id));

        Assert.Null((await Store.GetQuarantineAsync(anonymous.Id))!.AuthIdentity);
        Assert.Equal("contractor@partner.example", (await Store.GetQuarantineAsync(authenticated.Id))!.AuthIdentity);
        Assert.Equal("contractor@partner.example", Assert.Single(await Store.ListHeldBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10), r => r.MessageId == authenticated.Id).AuthIdentity);
    }

    [StoreFact]
    public async Task Held_SurvivesPurgeOfFinishedMessages()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));
        Assert.Equal(0, await Store.PurgeFinishedAsync(DateTimeOffset.UtcNow.AddDays(1), 100));
        Assert.NotNull(await Store.GetQuarantineAsync(m.Id));
    }

    [StoreFact]
    public async Task Held_SurvivesReopen()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));
        await ReopenAsync();
        Assert.Equal(QuarantineStatus.Held, (await Store.GetQuarantineAsync(m.Id))!.Status);
    }

    [StoreFact]
    public async Task ListHeldBefore_OldestFirstOnlyStillHeldAndBeforeTheCutoff()
    {
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var m = Held("a@ext.example");
            await Store.HoldAsync(m, s_details, Audit(m.Id));
            ids.Add(m.Id);
        }

        Assert.Empty(await Store.ListHeldBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(-1), 10));
        Assert.Equal(ids.Take(2), (await Store.ListHeldBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 2)).Select(r => r.MessageId));
        await Store.ReleaseAsync(ids[0], "alice", null);
        Assert.Equal(ids.Skip(1), (await Store.ListHeldBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10)).Select(r => r.MessageId));
    }
}

public sealed class SqliteQuarantineStoreTests : QuarantineStoreTests<SqliteMessageStore>
{
    protected override SqliteMessageStore Open() =>
        new(new SqliteStoreOptions { DatabasePath = Path.Combine(Directory, "mailguard.db"), SpoolDirectory = Directory, Protector = s_protector }, s_clock);
}

public sealed class PostgresQuarantineStoreTests(PostgresDatabaseFixture database)
    : QuarantineStoreTests<PostgresMessageStore>, IPostgresStoreTests, IClassFixture<PostgresDatabaseFixture>
{
    private string _connectionString = null!;

    protected override async Task CreateDatabaseAsync() => _connectionString = await database.NewSchemaAsync();

    protected override PostgresMessageStore Open() =>
        new(new PostgresStoreOptions { ConnectionString = _connectionString, SpoolDirectory = Directory, Protector = s_protector }, s_clock);

    [PostgresFact]
    public async Task AuditLog_UpdateDeleteTruncate_RefusedByTrigger()
    {
        var m = Held("a@ext.example");
        await Store.HoldAsync(m, s_details, Audit(m.Id));

        foreach (string sql in new[] { "UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log" })
        {
            var ex = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PostgresDatabaseFixture.ExecuteAsync(_connectionString, sql));
            Assert.Contains("append-only", ex.MessageText, StringComparison.Ordinal);
        }

        Assert.Equal("mailguard", Assert.Single(await Store.ListAuditAsync(m.Id, 10)).Actor);
    }
}
