using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using MailGuard.Store.Sqlite;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailGuard.EndToEnd.Tests.Notifications;

public sealed partial class ReleaseRequestTests
{
    private const string RequestUrl = "https://mailguard.example.org/request";

    [GeneratedRegex(@"https://mailguard\.example\.org/request/([0-9a-z]{20})/([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])")]
    private static partial Regex LinkPattern();

    private static byte[] Exposing(string[] to) => Encoding.UTF8.GetBytes(
        $"From: Clerk <clerk@corp.example>\r\nTo: {string.Join(", ", to)}\r\nSubject: Applications\r\nMessage-ID: <r1@corp.example>\r\n\r\nDear applicants\r\n");

    [Fact]
    public async Task Hold_ViaRelay_HeldNoticeLinkVerifies_RequestWithItIsAudited_WrongTokenRefused()
    {
        await using var relay = await TestRelay.StartAsync(configure: services =>
        {
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Notifications:ReleaseRequestUrl", RequestUrl)));
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });
        var recipients = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", recipients, Exposing(recipients));

        string id = result.Reply!.Value.Text["Ok: held for review as ".Length..];
        var notice = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        string text = Encoding.UTF8.GetString(notice.Content);
        var links = LinkPattern().Matches(text);
        Assert.NotEmpty(links);
        // The same link in the text and the HTML part, for this message.
        Assert.All(links, m => Assert.Equal(links[0].Value, m.Value));
        Assert.Equal(id, links[0].Groups[1].Value);
        string token = links[0].Groups[2].Value;
        Assert.DoesNotContain(RequestUrl + " ", text, StringComparison.Ordinal);

        // No Console:LinkKey: the key was made once, beside the store, readable by its owner only.
        string keyFile = Path.Combine(relay.Options.Storage.Directory, "link.key");
        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }

        Assert.True(ReleaseRequestLinks.FromKeyFile(keyFile).Verify(id, token));

        var requests = relay.Services.GetRequiredService<ReleaseRequests>();
        var quarantine = (IQuarantineStore)relay.Store;
        string wrong = (token[0] == 'A' ? "B" : "A") + token[1..];
        Assert.Equal(ReleaseRequestOutcome.InvalidLink, await requests.RequestReleaseAsync(id, wrong, "please"));
        Assert.Null(await requests.GetForLinkAsync(id, wrong));
        Assert.DoesNotContain(await quarantine.ListAuditAsync(id, 100), a => a.Action == ReleaseRequests.AuditAction);

        var shown = await requests.GetForLinkAsync(id, token);
        Assert.NotNull(shown);
        Assert.Equal(QuarantineStatus.Held, shown.Status);
        Assert.Equal("Applications", shown.Subject);

        Assert.Equal(ReleaseRequestOutcome.Recorded, await requests.RequestReleaseAsync(id, token, "  The applicants asked to be copied in;\r\nthey know each other.\u0007 "));

        var audit = Assert.Single(await quarantine.ListAuditAsync(id, 100), a => a.Action == ReleaseRequests.AuditAction);
        Assert.Equal("sender:clerk@corp.example", audit.Actor);
        Assert.Equal("The applicants asked to be copied in; they know each other.", audit.Reason);
        Assert.Equal(id, audit.MessageId);
    }

    private sealed class Fixture : IAsyncDisposable
    {
        private readonly string _dir;

        private Fixture(string dir, SqliteMessageStore store, ReleaseRequestLinks links)
        {
            _dir = dir;
            Store = store;
            Links = links;
            Requests = new ReleaseRequests(store, links, TimeProvider.System, NullLogger<ReleaseRequests>.Instance);
        }

        public SqliteMessageStore Store { get; }

        public ReleaseRequestLinks Links { get; }

        public ReleaseRequests Requests { get; }

        public static async Task<Fixture> CreateAsync()
        {
            string dir = TempDirectory.Create("release-requests");
            var store = new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, TimeProvider.System);
            await store.InitializeAsync();
            return new Fixture(dir, store, new ReleaseRequestLinks(RandomNumberGenerator.GetBytes(32)));
        }

        public async Task<string> HoldAsync()
        {
            var held = new NewMessage(MessageIds.New(TimeProvider.System), "clerk@corp.example", ["a@ext.example"], DateTimeOffset.UtcNow, null, null, null, 10, InlineContent: Exposing(["a@ext.example"]));
            await Store.HoldAsync(held, new HoldDetails("r", "why", "Applications", null, "[]"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", held.Id, null));
            return held.Id;
        }

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            TempDirectory.Delete(_dir);
        }
    }

    [Fact]
    public async Task RequestRelease_MoreThanFive_SixthRefusedTooMany()
    {
        await using var f = await Fixture.CreateAsync();
        string id = await f.HoldAsync();
        string token = f.Links.Create(id);

        for (int i = 0; i < ReleaseRequests.MaxRequestsPerMessage; i++)
        {
            Assert.Equal(ReleaseRequestOutcome.Recorded, await f.Requests.RequestReleaseAsync(id, token, $"reason {i}"));
        }

        Assert.Equal(ReleaseRequestOutcome.TooMany, await f.Requests.RequestReleaseAsync(id, token, "once more"));
        Assert.Equal(ReleaseRequests.MaxRequestsPerMessage, (await f.Store.ListAuditAsync(id, 100)).Count(a => a.Action == ReleaseRequests.AuditAction));
    }

    [Fact]
    public async Task RequestRelease_MessageReleasedAlready_NotHeldAndNothingRecorded()
    {
        await using var f = await Fixture.CreateAsync();
        string id = await f.HoldAsync();
        Assert.True((await f.Store.ReleaseAsync(id, "reviewer", "fine")).Applied);

        Assert.Equal(ReleaseRequestOutcome.NotHeld, await f.Requests.RequestReleaseAsync(id, f.Links.Create(id), "please"));
        Assert.DoesNotContain(await f.Store.ListAuditAsync(id, 100), a => a.Action == ReleaseRequests.AuditAction);
        // The page can still show what the link was about, and that it is decided.
        Assert.Equal(QuarantineStatus.Released, (await f.Requests.GetForLinkAsync(id, f.Links.Create(id)))!.Status);
    }

    [Fact]
    public async Task RequestRelease_GenuineLinkToNoHeldMessage_NotHeld()
    {
        await using var f = await Fixture.CreateAsync();
        string id = MessageIds.New(TimeProvider.System);

        Assert.Equal(ReleaseRequestOutcome.NotHeld, await f.Requests.RequestReleaseAsync(id, f.Links.Create(id), "please"));
        Assert.Null(await f.Requests.GetForLinkAsync(id, f.Links.Create(id)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t\u0000")]
    public async Task RequestRelease_NothingButWhiteSpaceOrControls_EmptyJustification(string justification)
    {
        await using var f = await Fixture.CreateAsync();
        string id = await f.HoldAsync();

        Assert.Equal(ReleaseRequestOutcome.EmptyJustification, await f.Requests.RequestReleaseAsync(id, f.Links.Create(id), justification));
        Assert.DoesNotContain(await f.Store.ListAuditAsync(id, 100), a => a.Action == ReleaseRequests.AuditAction);
    }

    [Fact]
    public async Task RequestRelease_LongJustification_KeptTo2000Characters()
    {
        await using var f = await Fixture.CreateAsync();
        string id = await f.HoldAsync();

        Assert.Equal(ReleaseRequestOutcome.Recorded, await f.Requests.RequestReleaseAsync(id, f.Links.Create(id), new string('x', 5000)));

        var audit = Assert.Single(await f.Store.ListAuditAsync(id, 100), a => a.Action == ReleaseRequests.AuditAction);
        Assert.Equal(new string('x', ReleaseRequests.MaxJustificationChars), audit.Reason);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    [InlineData("01KBZ3Q9W0A1B2C3D4E5")]
    public async Task RequestRelease_MalformedId_InvalidLink(string id)
    {
        await using var f = await Fixture.CreateAsync();

        Assert.Equal(ReleaseRequestOutcome.InvalidLink, await f.Requests.RequestReleaseAsync(id, f.Links.Create(id.Length == 0 ? "x" : id), "please"));
    }
}
