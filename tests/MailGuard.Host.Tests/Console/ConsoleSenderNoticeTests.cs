using System.Net;
using System.Net.Http.Json;
using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Host.Notifications;
using MailGuard.Host.Review;
using MailGuard.Mime;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The sender hears of every reviewer's decision (release, return, delete) in a notice that carries
/// the reviewer's note to them and never the reason written for the audit log; through the
/// console form, the API and the same ReviewActions the CLI uses. The held notice's withdraw link
/// deletes the message for good (audited as the sender), and a release request is confirmed.
/// </summary>
public sealed class ConsoleSenderNoticeTests
{
    private const string Sender = "clerk@corp.example";
    private const string RequestUrl = "https://mailguard.corp.example/request";
    private const string AuditReason = "AUDIT-ONLY: checked with DPO Jane, case 4471, not for the sender";
    private const string Note = "Released as agreed; next time use the partner portal.";

    private static readonly string[] To = HeldMail.External(12);

    private static Task<ConsoleHarness> StartAsync() => ConsoleHarness.StartAsync(configure: services =>
        services.AddSingleton(TestPolicies.ShippedForCorp(
            ("Policy:Rules:0:NotifySender", "false"), ("Policy:Rules:1:NotifySender", "false"), ("Policy:Rules:2:NotifySender", "false"),
            ("Policy:Rules:0:SenderMessage", "Mail to many outside addresses goes in Bcc."),
            ("Policy:Notifications:ReleaseRequestUrl", RequestUrl),
            ("Policy:Notifications:Contact", "IG team, ext. 4321"))));

    /// <summary>
    /// Waits until <paramref name="count"/> notices (from the null sender) to <paramref name="to"/>
    /// have been delivered into the pickup directory, and returns what each says, in no set order.
    /// </summary>
    private static async Task<List<string>> NoticesToAsync(ConsoleHarness console, string to, int count)
    {
        List<PickedUp> found = [];
        await Wait.UntilAsync(() =>
        {
            found = PickedUp.ReadAll(console.Relay.PickupDirectory).Where(p => p.MailFrom.Length == 0 && p.RcptTo.Contains(to)).ToList();
            return Task.FromResult(found.Count >= count);
        });
        Assert.Equal(count, found.Count);
        return found.Select(p => Decoded(p.Content)).ToList();
    }

    /// <summary>Queue entries (any status) addressed to <paramref name="to"/>: none means nothing was ever queued for them.</summary>
    private static async Task<int> QueuedToAsync(ConsoleHarness console, string to) =>
        (await console.Relay.Store.ListAsync(new QueueQuery())).Count(e => e.Recipient == to);

    /// <summary>Every text part of a notice, decoded, and its subject: what the sender could read.</summary>
    private static string Decoded(byte[] notice)
    {
        using var doc = MimeDocument.Load(notice);
        var all = new StringBuilder(doc.Message.Subject).Append('\n');
        foreach (var part in doc.Message.Body.DescendantsAndSelf().Where(e => e.ContentType.MediaType == "text"))
        {
            using var s = part.OpenDecodedContent();
            all.Append(new StreamReader(s, System.Text.Encoding.UTF8).ReadToEnd()).Append('\n');
        }

        return all.ToString();
    }

    [Fact]
    public async Task Console_ReleaseReturnDelete_SenderToldWithTheNote_AuditReasonNeverMailed()
    {
        await using var console = await StartAsync();
        string released = await console.HoldAsync(Sender, To, HeldMail.Exposing("Term dates", To));
        string returned = await console.HoldAsync(Sender, To, HeldMail.Exposing("Trip letter", To));
        string deleted = await console.HoldAsync(Sender, To, HeldMail.Exposing("Old list", To));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);

        string page = await reviewer.PageAsync("/messages/" + released);
        Assert.Contains("name=\"noteToSender\"", page, StringComparison.Ordinal);
        Assert.Contains(NoticeReference.For(released), page, StringComparison.Ordinal);
        foreach (var (id, verb) in new[] { (released, "release"), (returned, "return"), (deleted, "delete") })
        {
            using var response = await reviewer.PostFormAsync("/messages/" + id, [("verb", verb), ("reason", AuditReason), ("noteToSender", Note + " (" + verb + ")")], await reviewer.TokenAsync("/messages/" + id));
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        var notices = await NoticesToAsync(console, Sender, 3);
        Assert.All(notices, n => Assert.DoesNotContain("AUDIT-ONLY", n, StringComparison.Ordinal));
        Assert.All(notices, n => Assert.DoesNotContain("DPO Jane", n, StringComparison.Ordinal));
        Assert.All(notices, n => Assert.Contains("Mail to many outside addresses goes in Bcc.", n, StringComparison.Ordinal));
        Assert.All(notices, n => Assert.Contains("IG team, ext. 4321", n, StringComparison.Ordinal));
        string r = Assert.Single(notices, n => n.Contains(NoticeReference.For(released), StringComparison.Ordinal));
        Assert.StartsWith("Released: Term dates\n", r, StringComparison.Ordinal);
        Assert.Contains("Note from the reviewer: " + Note + " (release)", r, StringComparison.Ordinal);
        string b = Assert.Single(notices, n => n.Contains(NoticeReference.For(returned), StringComparison.Ordinal));
        Assert.StartsWith("Not sent: Trip letter\n", b, StringComparison.Ordinal);
        Assert.Contains("Note from the reviewer: " + Note + " (return)", b, StringComparison.Ordinal);
        Assert.DoesNotContain("ask for release", b, StringComparison.OrdinalIgnoreCase);
        string d = Assert.Single(notices, n => n.Contains(NoticeReference.For(deleted), StringComparison.Ordinal));
        Assert.StartsWith("Not sent, deleted by a reviewer: Old list\n", d, StringComparison.Ordinal);
        Assert.Contains("Note from the reviewer: " + Note + " (delete)", d, StringComparison.Ordinal);

        // The audit log keeps the reason, and shows what the sender was told.
        var audit = await console.Quarantine.ListAuditAsync(released, 100);
        Assert.Contains(audit, a => a.Action == "release" && a.Reason == AuditReason);
        var told = Assert.Single(audit, a => a.Action == ReviewActions.SenderNotifiedAction);
        Assert.Equal(Note + " (release)", told.Reason);
        Assert.Equal("notice queued to the sender", told.Detail);
    }

    [Fact]
    public async Task Api_DecisionWithoutNote_NoticeStillSentWithoutReason_ForgedSenderToldNothing()
    {
        await using var console = await StartAsync();
        string own = await console.HoldAsync(Sender, To, HeldMail.Exposing("Own", To));
        string forged = await console.HoldAsync("ceo@victim.example", To, HeldMail.Exposing("Forged", To));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        using (var response = await api.PostAsJsonAsync($"/api/messages/{own}/delete", new { reason = AuditReason }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await api.PostAsJsonAsync($"/api/messages/{forged}/release", new { reason = AuditReason, note_to_sender = Note }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        string notice = Assert.Single(await NoticesToAsync(console, Sender, 1));
        Assert.Contains("deleted by a reviewer", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("Note from the reviewer", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("AUDIT-ONLY", notice, StringComparison.Ordinal);
        Assert.Equal(0, await QueuedToAsync(console, "ceo@victim.example"));
        var told = Assert.Single(await console.Quarantine.ListAuditAsync(forged, 100), a => a.Action == ReviewActions.SenderNotifiedAction);
        Assert.StartsWith("no notice: its envelope sender is not in Policy:InternalDomains", told.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdraw_GetAsksPostDeletesAsSender_ReleaseImpossibleAfter_RequestTokenDoesNotWithdraw()
    {
        await using var console = await StartAsync();
        string id = await console.HoldAsync(Sender, To, HeldMail.Exposing("Fixing this", To));
        var links = console.Relay.Services.GetRequiredService<ReleaseRequestLinks>();
        string withdraw = new Uri(links.WithdrawLink(RequestUrl, id)).AbsolutePath;
        string requestToken = links.Create(id);
        var sender = console.NewSession();

        // A link scanner's GET changes nothing.
        string page = await sender.PageAsync(withdraw);
        Assert.Contains("Withdraw the message", page, StringComparison.Ordinal);
        Assert.Contains(NoticeReference.For(id), page, StringComparison.Ordinal);
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        using (var wrong = await sender.GetAsync($"/request/withdraw/{id}/{requestToken}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        }

        using (var response = await sender.SubmitAsync(withdraw))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Withdrawn: the message has been deleted", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(QuarantineStatus.Deleted, await console.StatusAsync(id));
        var delete = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), a => a.Action == "delete");
        Assert.Equal("sender:" + Sender, delete.Actor);
        Assert.Equal(ReleaseRequests.WithdrawnReason, delete.Reason);

        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        using (var response = await api.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "late release" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }

        Assert.Equal(0, await QueuedToAsync(console, Sender));
        Assert.Empty(await console.Relay.Store.ListAsync(new QueueQuery()));
        Assert.Equal(WithdrawOutcome.NotHeld, await console.Relay.Services.GetRequiredService<ReleaseRequests>().WithdrawAsync(id, links.CreateWithdraw(id)));
    }

    [Fact]
    public async Task ReleaseRequest_Recorded_SenderGetsConfirmationWithWithdrawLink()
    {
        await using var console = await StartAsync();
        string id = await console.HoldAsync(Sender, To, HeldMail.Exposing("Please release", To));
        var links = console.Relay.Services.GetRequiredService<ReleaseRequestLinks>();
        var requests = console.Relay.Services.GetRequiredService<ReleaseRequests>();

        Assert.Equal(ReleaseRequestOutcome.Recorded, await requests.RequestReleaseAsync(id, links.Create(id), "The parents asked for it."));

        string notice = Assert.Single(await NoticesToAsync(console, Sender, 1));
        Assert.StartsWith("Release requested: Please release\n", notice, StringComparison.Ordinal);
        Assert.Contains("has reached the reviewers", notice, StringComparison.Ordinal);
        Assert.Contains(links.WithdrawLink(RequestUrl, id), notice, StringComparison.Ordinal);
        Assert.DoesNotContain(RequestUrl + "/" + id + "/", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ByShortReference_FindsTheMessage()
    {
        await using var console = await StartAsync();
        string id = await console.HoldAsync(Sender, To, HeldMail.Exposing("Find me", To));
        await console.HoldAsync(Sender, To, HeldMail.Exposing("Not me", To));
        var store = (IReviewStore)console.Relay.Store;

        var page = await store.QueryQuarantineAsync(new QuarantineQuery(Status: null, Search: NoticeReference.For(id).ToLowerInvariant()));

        Assert.Equal([id], page.Items.Select(i => i.MessageId));
    }
}
