using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Notifications;
using MailGuard.Inspection;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailGuard.EndToEnd.Tests.Notifications;

public sealed class HeldDigestTests
{
    private const string Team = "security@corp.example";

    private static readonly DateTimeOffset Start = new(2026, 11, 20, 6, 0, 0, TimeSpan.Zero);

    private static readonly string Findings = FindingsJson.Serialize(
    [
        new Finding(FindingKinds.PersonalData, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2), [], "1,598 rows: name, date of birth, immigration status"),
        new Finding(FindingKinds.UkNino, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2, 3), ["AB****56C"]),
    ]);

    private static PolicyOptions Policy(params (string Key, string Value)[] more) =>
        TestPolicies.ShippedForCorp([("Policy:Notifications:SecurityTeam", Team), .. more]);

    private static async Task<string> HoldAsync(IQuarantineStore store, TimeProvider time, string rule, string subject)
    {
        byte[] content = Encoding.UTF8.GetBytes($"From: clerk@corp.example\r\nSubject: {subject}\r\n\r\nApplicant AB123456C\r\n");
        var held = new NewMessage(MessageIds.New(time), "clerk@corp.example", ["a@ext.example", "b@ext.example"], time.GetUtcNow(), null, null, null, content.Length, InlineContent: content);
        await store.HoldAsync(held, new HoldDetails(rule, "why", subject, "1,598 rows: name, date of birth, immigration status", Findings), new AuditEvent(time.GetUtcNow(), "mailguard", "hold", held.Id, null));
        return held.Id;
    }

    private static HeldDigest Digest(IMessageStore store, TimeProvider time, PolicyOptions? policy, MailGuardOptions? options = null, DeliverySignal? signal = null)
    {
        options ??= new MailGuardOptions();
        options.Relay.ServerName = "mailguard.test";
        return new HeldDigest(store, Microsoft.Extensions.Options.Options.Create(options.Console), Microsoft.Extensions.Options.Options.Create(options.Relay), policy, signal ?? new DeliverySignal(), time, NullLogger<HeldDigest>.Instance);
    }

    [Fact]
    public async Task Relay_FakeClock_OneDigestAtTheHourPerDay_EvenWithTwoServicesOnOneStore()
    {
        var time = new FakeTime(Start);
        // 07:07 rather than a round hour: the relay's other services (retention, purging) sleep on the
        // same clock in whole hours and minutes, and the test tells the digest's timers by their time.
        var policy = Policy(("Policy:Notifications:Digest:TimeOfDay", "07:07"));
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?> { ["Console:PublicUrl"] = "https://mailguard.example.org/" },
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton(policy);
            });
        var quarantine = (IQuarantineStore)relay.Store;
        string first = await HoldAsync(quarantine, time, "personal-data-external", "<b>Applications</b>");
        time.Advance(TimeSpan.FromMinutes(10));
        string second = await HoldAsync(quarantine, time, "exposed-recipients", "Newsletter");
        // A second node's digest service on the same store (as two nodes on one PostgreSQL database).
        // It wakes the same delivery worker: with the clock stopped, the worker's polls never come
        // round, so a digest this one queued would otherwise wait forever.
        var otherNode = Digest(relay.Store, time, policy, relay.Options, relay.Services.GetRequiredService<DeliverySignal>());
        await otherNode.StartAsync(CancellationToken.None);
        try
        {
            var day1 = new DateOnly(2026, 11, 20);
            var due = new DateTimeOffset(2026, 11, 20, 7, 7, 0, TimeSpan.Zero);
            await time.WaitForTimerAsync(due, count: 2);

            time.Advance(TimeSpan.FromMinutes(56));
            Assert.Null(await relay.Store.GetMessageAsync(HeldDigest.MessageIdFor(day1)));
            await time.WaitForTimerAsync(due, count: 2);

            time.Advance(TimeSpan.FromMinutes(1));
            var picked = Assert.Single(await relay.WaitForPickupAsync(1));
            // Both services ran and went back to sleep until tomorrow; still one digest.
            await time.WaitForTimerAsync(due.AddDays(1), count: 2);
            Assert.Single(PickedUp.ReadAll(relay.PickupDirectory));

            Assert.Equal(HeldDigest.MessageIdFor(day1), picked.Name);
            Assert.Equal("", picked.MailFrom);
            Assert.Equal([Team], picked.RcptTo);
            using (var doc = MailGuard.Mime.MimeDocument.Load(picked.Content))
            {
                Assert.Equal("[MailGuard] digest 2026-11-20: 2 messages held for review", doc.Message.Subject);
            }

            string text = Encoding.UTF8.GetString(picked.Content);
            Assert.Contains($"{first}, held 2026-11-20 06:00 UTC by rule personal-data-external", text, StringComparison.Ordinal);
            Assert.Contains($"{second}, held 2026-11-20 06:10 UTC by rule exposed-recipients", text, StringComparison.Ordinal);
            Assert.Contains("The oldest has waited 1 h 7 min", text, StringComparison.Ordinal);
            Assert.Contains($"https://mailguard.example.org/messages/{first}", text, StringComparison.Ordinal);
            Assert.Contains($"https://mailguard.example.org/messages/{second}", text, StringComparison.Ordinal);
            Assert.Contains("From clerk@corp.example to 2 recipients", text, StringComparison.Ordinal);
            Assert.Contains("1,598 rows: name, date of birth, immigration status", text, StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;Applications&lt;/b&gt;", text, StringComparison.Ordinal);
            Assert.DoesNotContain("AB****56C", text, StringComparison.Ordinal);
            Assert.DoesNotContain("AB123456C", text, StringComparison.Ordinal);

            var audit = Assert.Single(await quarantine.ListAuditAsync(HeldDigest.MessageIdFor(day1), 10));
            Assert.Equal(HeldDigest.AuditAction, audit.Action);
            Assert.Equal(HeldDigest.Actor, audit.Actor);

            // The next day: one more digest, listing only what is still held (the released message
            // is delivered too, so three files in all).
            Assert.True((await quarantine.ReleaseAsync(first, "reviewer", "fine")).Applied);
            time.Advance(TimeSpan.FromDays(1));
            var all = await relay.WaitForPickupAsync(3);
            await time.WaitForTimerAsync(due.AddDays(2), count: 2);
            var digests = PickedUp.ReadAll(relay.PickupDirectory).Where(p => p.Name.EndsWith("dgst", StringComparison.Ordinal)).ToList();
            Assert.Equal([HeldDigest.MessageIdFor(day1), HeldDigest.MessageIdFor(day1.AddDays(1))], digests.Select(d => d.Name));
            string nextText = Encoding.UTF8.GetString(digests[1].Content);
            Assert.Contains(second, nextText, StringComparison.Ordinal);
            Assert.DoesNotContain(first, nextText, StringComparison.Ordinal);
            Assert.Contains("1 message held for review", nextText, StringComparison.Ordinal);
        }
        finally
        {
            await otherNode.StopAsync(CancellationToken.None);
        }
    }

    private sealed class SqliteFixture : IAsyncDisposable
    {
        private readonly string _dir;

        private SqliteFixture(string dir, SqliteMessageStore store)
        {
            _dir = dir;
            Store = store;
        }

        public SqliteMessageStore Store { get; }

        public static async Task<SqliteFixture> CreateAsync(TimeProvider time)
        {
            string dir = TempDirectory.Create("digest");
            var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, time);
            await store.InitializeAsync();
            return new SqliteFixture(dir, store);
        }

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            TempDirectory.Delete(_dir);
        }
    }

    [Fact]
    public async Task RunOnce_NothingHeld_NoMailUnlessSendWhenEmpty()
    {
        var time = new FakeTime(Start);
        await using var f = await SqliteFixture.CreateAsync(time);
        var day = new DateOnly(2026, 11, 20);

        Assert.Equal(DigestOutcome.NothingHeld, await Digest(f.Store, time, Policy()).RunOnceAsync(day, CancellationToken.None));
        Assert.Empty(await f.Store.ListAsync(new QueueQuery()));

        Assert.Equal(DigestOutcome.Sent, await Digest(f.Store, time, Policy(("Policy:Notifications:Digest:SendWhenEmpty", "true"))).RunOnceAsync(day, CancellationToken.None));
        var entry = Assert.Single(await f.Store.ListAsync(new QueueQuery()));
        Assert.Equal(Team, entry.Recipient);
    }

    [Fact]
    public async Task RunOnce_SameDayTwice_AlreadySentEvenAfterTheDigestWasPurged()
    {
        var time = new FakeTime(Start);
        await using var f = await SqliteFixture.CreateAsync(time);
        await HoldAsync(f.Store, time, "r", "s");
        var day = new DateOnly(2026, 11, 20);
        var digest = Digest(f.Store, time, Policy());

        Assert.Equal(DigestOutcome.Sent, await digest.RunOnceAsync(day, CancellationToken.None));
        Assert.Equal(DigestOutcome.AlreadySent, await digest.RunOnceAsync(day, CancellationToken.None));
        Assert.True(await f.Store.DeleteAsync(HeldDigest.MessageIdFor(day)));
        // The audit log remembers what the queue forgot.
        Assert.Equal(DigestOutcome.AlreadySent, await Digest(f.Store, time, Policy()).RunOnceAsync(day, CancellationToken.None));
        Assert.Equal(DigestOutcome.Sent, await digest.RunOnceAsync(day.AddDays(1), CancellationToken.None));
    }

    private static NewMessage OtherNodesDigest(DateOnly day, TimeProvider time) =>
        new(HeldDigest.MessageIdFor(day), "", [Team], time.GetUtcNow(), null, null, HeldDigest.Actor, 4, MessageFlags.None, MessageKind.DeliveryStatusNotification, "x\r\n"u8.ToArray());

    [Fact]
    public async Task RunOnce_DigestQueuedByAnotherNodeNotYetAudited_AlreadySentByPrimaryKey()
    {
        var time = new FakeTime(Start);
        await using var f = await SqliteFixture.CreateAsync(time);
        await HoldAsync(f.Store, time, "r", "s");
        var day = new DateOnly(2026, 11, 20);
        await f.Store.EnqueueAsync(OtherNodesDigest(day, time));

        Assert.Equal(DigestOutcome.AlreadySent, await Digest(f.Store, time, Policy()).RunOnceAsync(day, CancellationToken.None));
        Assert.Single(await f.Store.ListAsync(new QueueQuery()));
        Assert.Empty(await f.Store.ListAuditAsync(HeldDigest.MessageIdFor(day), 10));
    }

    [Fact]
    public async Task RunOnce_NoSecurityTeamOrDisabled_Disabled()
    {
        var time = new FakeTime(Start);
        await using var f = await SqliteFixture.CreateAsync(time);
        await HoldAsync(f.Store, time, "r", "s");
        var day = new DateOnly(2026, 11, 20);

        Assert.Equal(DigestOutcome.Disabled, await Digest(f.Store, time, TestPolicies.ShippedForCorp()).RunOnceAsync(day, CancellationToken.None));
        Assert.Equal(DigestOutcome.Disabled, await Digest(f.Store, time, Policy(("Policy:Notifications:Digest:Enabled", "false"))).RunOnceAsync(day, CancellationToken.None));
        Assert.Equal(DigestOutcome.Disabled, await Digest(f.Store, time, policy: null).RunOnceAsync(day, CancellationToken.None));
        Assert.Empty(await f.Store.ListAsync(new QueueQuery()));
    }

    [Fact]
    public async Task Execute_StartedAfterTheHour_SendsTodaysDigestAtOnce()
    {
        var time = new FakeTime(Start.AddHours(3));
        await using var f = await SqliteFixture.CreateAsync(time);
        await HoldAsync(f.Store, time, "r", "s");
        var digest = Digest(f.Store, time, Policy());

        await digest.StartAsync(CancellationToken.None);
        try
        {
            await time.WaitForTimerAsync(new DateTimeOffset(2026, 11, 21, 7, 0, 0, TimeSpan.Zero));
        }
        finally
        {
            await digest.StopAsync(CancellationToken.None);
        }

        Assert.NotNull(await f.Store.GetMessageAsync(HeldDigest.MessageIdFor(new DateOnly(2026, 11, 20))));
    }

    [Fact]
    public void DueAt_LondonTime_FollowsSummerTime()
    {
        var digest = Digest(new NoStore(), TimeProvider.System, Policy(("Policy:Notifications:Digest:TimeZone", "Europe/London"), ("Policy:Notifications:Digest:TimeOfDay", "07:30")));

        Assert.Equal(new DateTimeOffset(2026, 1, 15, 7, 30, 0, TimeSpan.Zero), digest.DueAt(new DateOnly(2026, 1, 15)));
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 6, 30, 0, TimeSpan.Zero), digest.DueAt(new DateOnly(2026, 7, 15)));
        // 23:30 UTC on 14 July is already the 15th in London.
        Assert.Equal(new DateOnly(2026, 7, 15), digest.DayOf(new DateTimeOffset(2026, 7, 14, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void DueAt_TimeSkippedBySpringForward_AnHourLater()
    {
        var digest = Digest(new NoStore(), TimeProvider.System, Policy(("Policy:Notifications:Digest:TimeZone", "Europe/London"), ("Policy:Notifications:Digest:TimeOfDay", "01:30")));

        // 29 March 2026: London's clocks go from 01:00 GMT to 02:00 BST; 01:30 does not happen.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), digest.DueAt(new DateOnly(2026, 3, 29)));
    }

    [Fact]
    public void MessageIdFor_EachDay_ValidDistinctAndTimeOrdered()
    {
        var days = Enumerable.Range(0, 400).Select(i => new DateOnly(2026, 1, 1).AddDays(i)).ToList();
        var ids = days.Select(HeldDigest.MessageIdFor).ToList();

        Assert.All(ids, id => Assert.True(MessageIds.IsValid(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [PostgresFact]
    public async Task RunOnce_TwoNodesOnPostgresAtOnce_OneDigestPerDay()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        var time = new FakeTime(Start);
        string dir = TempDirectory.Create("digest-pg");
        await using var storeA = new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString, SpoolDirectory = dir }, time);
        await using var storeB = new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString, SpoolDirectory = dir }, time);
        try
        {
            await storeA.InitializeAsync();
            await storeB.InitializeAsync();
            await HoldAsync(storeA, time, "r", "s");
            var nodeA = Digest(storeA, time, Policy());
            var nodeB = Digest(storeB, time, Policy());

            for (int i = 0; i < 10; i++)
            {
                var day = new DateOnly(2026, 11, 20).AddDays(i);
                var outcomes = await Task.WhenAll(
                    Task.Run(() => nodeA.RunOnceAsync(day, CancellationToken.None)),
                    Task.Run(() => nodeB.RunOnceAsync(day, CancellationToken.None)));

                Assert.Equal([DigestOutcome.Sent, DigestOutcome.AlreadySent], outcomes.Order());
                Assert.Single(await storeA.ListAuditAsync(HeldDigest.MessageIdFor(day), 10));
            }

            Assert.Equal(10, (await storeA.ListAsync(new QueueQuery())).Count);

            // The other node has queued the day's digest but not yet audited it: the primary key stops this one.
            var raced = new DateOnly(2027, 1, 1);
            await storeB.EnqueueAsync(OtherNodesDigest(raced, time));
            Assert.Equal(DigestOutcome.AlreadySent, await nodeA.RunOnceAsync(raced, CancellationToken.None));
            Assert.Empty(await storeA.ListAuditAsync(HeldDigest.MessageIdFor(raced), 10));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    /// <summary>For the schedule arithmetic, which never touches the store.</summary>
    private sealed class NoStore : IMessageStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task EnqueueAsync(NewMessage message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
