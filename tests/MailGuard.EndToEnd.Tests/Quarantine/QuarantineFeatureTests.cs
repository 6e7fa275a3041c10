using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Delivery;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailGuard.EndToEnd.Tests.Quarantine;

public sealed class QuarantineFeatureTests
{
    private static PolicyOptions Policy() =>
        TestPolicies.Shipped(new Dictionary<string, string?> { ["Policy:InternalDomains:0"] = "corp.example", ["Policy:Rules:0:NotifySender"] = "false" });

    private const string Secret = "Applicant Zebediah Quill-Marsh, born 14/03/1987";

    private static byte[] Exposing(string[] to) => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {string.Join(", ", to)}\r\nSubject: Applications\r\nMessage-ID: <q1@corp.example>\r\n\r\n{Secret}\r\n");

    [Fact]
    public async Task Hold_WithEncryptionKey_DatabaseHoldsNoPlaintext_ReleaseWithBccFixDeliversHiddenCopy()
    {
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?> { ["Quarantine:EncryptionKey"] = key },
            services =>
            {
                services.AddSingleton(Policy());
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            });
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").Append("boss@corp.example").ToArray();
        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Exposing(recipients));
        string id = result.Reply!.Value.Text["Ok: held for review as ".Length..];
        string storage = relay.Options.Storage.Directory;

        // Every file of the store (database, WAL, spool) is free of the held text.
        foreach (string file in Directory.EnumerateFiles(storage, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[fs.Length];
                fs.ReadExactly(bytes);
            }

            Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Zebediah")) >= 0, $"plaintext found in {file}");
        }

        Assert.Equal(0, Cli.Run(["quarantine", "release", id, "--bcc-fix", "--confirm", "--reason", "send, but hide them", "--note", "Sent with the addresses hidden; use Bcc next time.", "--config", Path.Combine(RepoPaths.Root, "config", "mailguard.json"), $"--Storage:Directory={storage}", $"--Quarantine:EncryptionKey={key}", "--Policy:InternalDomains:0=corp.example"], new StringWriter(), new StringWriter()));

        // The Bcc-fixed copy, and the "released" notice to the sender with the --note, never the --reason.
        var picked = await relay.WaitForPickupAsync(2);
        var notice = Assert.Single(picked, p => p.MailFrom.Length == 0);
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        string noticeText = Encoding.UTF8.GetString(notice.Content);
        Assert.Contains("Note from the reviewer: Sent with the addresses hidden; use Bcc next time.", noticeText, StringComparison.Ordinal);
        Assert.DoesNotContain("send, but hide them", noticeText, StringComparison.Ordinal);
        Assert.DoesNotContain("Zebediah", noticeText, StringComparison.Ordinal);
        var delivered = Assert.Single(picked, p => p.MailFrom.Length > 0);
        Assert.Equal(13, delivered.RcptTo.Length);
        using var doc = MailGuard.Mime.MimeDocument.Load(delivered.Content);
        Assert.Equal(["boss@corp.example"], doc.Message.To.Select(a => a.Address));
        Assert.Contains(Secret, Encoding.UTF8.GetString(delivered.Content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expiry_AfterRetention_ReturnsToSenderAndDropsContent()
    {
        string dir = TempDirectory.Create("expiry");
        try
        {
            var time = new ManualTime(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
            await using var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, time);
            await store.InitializeAsync();
            var held = new NewMessage(MessageIds.New(time), "clerk@corp.example", ["a@ext.example"], time.GetUtcNow(), null, null, null, 10, InlineContent: Exposing(["a@ext.example"]));
            await store.HoldAsync(held, new HoldDetails("r", "why", "Applications", null, "[]"), new AuditEvent(time.GetUtcNow(), "mailguard", "hold", held.Id, null));
            var options = new MailGuardOptions();
            options.Relay.ServerName = "mailguard.test";
            // The policy's InternalDomains make clerk@corp.example a sender retention may return to.
            var expiry = new QuarantineExpiry(store, Microsoft.Extensions.Options.Options.Create(options.Quarantine), Microsoft.Extensions.Options.Options.Create(options.Relay), Policy(), new DeliverySignal(), time, NullLogger<QuarantineExpiry>.Instance);

            time.Advance(TimeSpan.FromDays(29));
            Assert.Equal(0, await expiry.RunOnceAsync(CancellationToken.None));
            time.Advance(TimeSpan.FromDays(2));
            Assert.Equal(1, await expiry.RunOnceAsync(CancellationToken.None));

            Assert.Equal(QuarantineStatus.Expired, (await store.GetQuarantineAsync(held.Id))!.Status);
            Assert.Null(await store.OpenContentAsync(held.Id));
            var notice = Assert.Single(await store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1)));
            Assert.Equal("", notice.Message.MailFrom);
            Assert.Contains("retention period", Encoding.UTF8.GetString(notice.InlineContent!.Value.Span), StringComparison.Ordinal);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Expiry_ReturnForForgedExternalSender_DeletedInsteadAndAudited_InternalSenderReturned()
    {
        string dir = TempDirectory.Create("expiry");
        try
        {
            var time = new ManualTime(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
            await using var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, time);
            await store.InitializeAsync();
            async Task<string> HoldAsync(string from, string? authenticatedAs)
            {
                var held = new NewMessage(MessageIds.New(time), from, ["a@ext.example"], time.GetUtcNow(), "127.0.0.1", null, authenticatedAs, 10, InlineContent: Exposing(["a@ext.example"]));
                await store.HoldAsync(held, new HoldDetails("r", "why", "Applications", null, "[]"), new AuditEvent(time.GetUtcNow(), "mailguard", "hold", held.Id, null));
                return held.Id;
            }

            string forged = await HoldAsync("ceo@victim.example", null);
            // Authenticated, but as somebody else: no proof of owning the address it gave.
            string otherUser = await HoldAsync("ceo@victim.example", "alice");
            string own = await HoldAsync("clerk@corp.example", null);
            string contractor = await HoldAsync("contractor@partner.example", "contractor@partner.example");
            var options = new MailGuardOptions();
            options.Relay.ServerName = "mailguard.test";
            Assert.Equal(QuarantineExpiryAction.Return, options.Quarantine.ExpiryAction);
            var expiry = new QuarantineExpiry(store, Microsoft.Extensions.Options.Options.Create(options.Quarantine), Microsoft.Extensions.Options.Options.Create(options.Relay), Policy(), new DeliverySignal(), time, NullLogger<QuarantineExpiry>.Instance);

            time.Advance(TimeSpan.FromDays(31));
            Assert.Equal(4, await expiry.RunOnceAsync(CancellationToken.None));

            foreach (string id in new[] { forged, otherUser, own, contractor })
            {
                Assert.Equal(QuarantineStatus.Expired, (await store.GetQuarantineAsync(id))!.Status);
                Assert.Null(await store.OpenContentAsync(id));
            }

            foreach (string id in new[] { forged, otherUser })
            {
                var expired = Assert.Single(await store.ListAuditAsync(id, 10), a => a.Action == "expire");
                Assert.StartsWith("deleted, not returned: its envelope sender is not in Policy:InternalDomains", expired.Detail, StringComparison.Ordinal);
            }

            Assert.Equal("returned to the sender", Assert.Single(await store.ListAuditAsync(own, 10), a => a.Action == "expire").Detail);
            var notices = await store.ClaimDueAsync("node", 10, TimeSpan.FromMinutes(1));
            Assert.Equal(["clerk@corp.example", "contractor@partner.example"], notices.SelectMany(n => n.Recipients).Select(r => r.Address).Order(StringComparer.Ordinal));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
