using System.Net;
using System.Net.Http.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Review;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>Console:FourEyes: releasing a message with findings about people takes two different reviewers.</summary>
public sealed class ConsoleFourEyesTests
{
    private static readonly Dictionary<string, string?> s_fourEyes = new() { ["Console:FourEyes"] = "true" };

    [Fact]
    public async Task PersonalData_FirstReleaseIsAnApproval_SameReviewerRefused_SecondReviewerReleases()
    {
        await using var console = await ConsoleHarness.StartAsync(s_fourEyes);
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var (nameA, passwordA) = await console.CreateUserAsync(ConsoleRole.Reviewer, "reviewer-a");
        var a = console.NewSession();
        await a.LoginOkAsync(nameA, passwordA);
        var b = await console.LoginAsync(ConsoleRole.Reviewer, "reviewer-b");
        Assert.Contains("needs two reviewers", await a.PageAsync("/messages/" + id), StringComparison.Ordinal);

        // First the confirmation of what leaves: nothing is done, nothing audited.
        using (var response = await a.ActAsync(id, "release", "the caseworker is entitled to this"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            string page = await response.Content.ReadAsStringAsync();
            Assert.Contains("Releasing this message sends", page, StringComparison.Ordinal);
            Assert.Contains("to 1 external domain (partner.example)", page, StringComparison.Ordinal);
            Assert.Contains("your confirmation is the first approval", page, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
        using (var response = await a.ActAsync(id, "release", "the caseworker is entitled to this", confirmed: true))
        {
            ConsoleAssert.RedirectsTo(response, "/messages/" + id);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        var approval = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
        Assert.Equal(("reviewer-a", "the caseworker is entitled to this"), (approval.Actor, approval.Reason));

        // A again, from a second browser too: refused, still one approval.
        var aElsewhere = console.NewSession();
        await aElsewhere.LoginOkAsync(nameA, passwordA);
        foreach (var session in new[] { a, aElsewhere })
        {
            using var response = await session.ActAsync(id, "release", "me again", confirmed: true);
            ConsoleAssert.RedirectsTo(response, "/messages/" + id);
            Assert.Contains("a different reviewer must release it", await session.PageAsync("/messages/" + id), StringComparison.Ordinal);
        }

        // The Bcc fix is not offered for personal data (it would still send the data), and refused when posted.
        Assert.DoesNotContain("value=\"release-bcc-fix\"", await a.PageAsync("/messages/" + id), StringComparison.Ordinal);
        using (var response = await a.ActAsync(id, "release-bcc-fix", "hide the addresses", confirmed: true))
        {
            ConsoleAssert.RedirectsTo(response, "/messages/" + id);
            Assert.Contains("only for messages held for exposed recipients alone", await a.PageAsync("/messages/" + id), StringComparison.Ordinal);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
        Assert.Contains("Approved by reviewer-a", await b.PageAsync("/messages/" + id), StringComparison.Ordinal);
        // Still held means nothing was queued for it: a release queues its entries in the same transaction.
        Assert.Empty(await console.Relay.Store.ListAsync(new QueueQuery(MessageId: id)));

        using (var response = await b.ActAsync(id, "release", "second pair of eyes: agreed", confirmed: true))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Released, await console.StatusAsync(id));
        // The message, and the "released" notice to its sender.
        var picked = await console.Relay.WaitForPickupAsync(2);
        var delivered = Assert.Single(picked, p => p.MailFrom.Length > 0);
        Assert.Equal(["caseworker@partner.example"], delivered.RcptTo);
        Assert.Single(picked, p => p.MailFrom.Length == 0);
        var release = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == "release");
        Assert.Equal("reviewer-b", release.Actor);
    }

    [Fact]
    public async Task ExposedRecipientsOnly_OneReviewerReleases()
    {
        await using var console = await ConsoleHarness.StartAsync(s_fourEyes);
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        Assert.DoesNotContain("needs two reviewers", await reviewer.PageAsync("/messages/" + id), StringComparison.Ordinal);

        using (var response = await reviewer.ActAsync(id, "release", "they all know each other"))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Released, await console.StatusAsync(id));
        Assert.Equal(12, Assert.Single(await console.Relay.WaitForPickupAsync(2), p => p.MailFrom.Length > 0).RcptTo.Length);
        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
    }

    [Fact]
    public async Task PersonalData_ViaApi_FirstToken202_SameToken409_SecondToken200()
    {
        await using var console = await ConsoleHarness.StartAsync(s_fourEyes);
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var (first, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer, createdBy: "alice");
        var (second, secondActor, _) = await console.ApiClientAsync(ConsoleRole.Reviewer, createdBy: "bob");
        // A token counts as the person who made it: alice's second token is still alice.
        var (alsoAlice, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer, createdBy: "alice");

        // Without "confirm": nothing done, and the problem says what would leave.
        using (var response = await first.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "approve" }))
        {
            var problem = await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.Contains("to 1 external domain (partner.example)", problem, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
        using (var response = await first.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "approve", confirm = true }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Contains("awaiting-second-reviewer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var response = await first.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "approve again", confirm = true }))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        }

        using (var response = await alsoAlice.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "approve with another token", confirm = true }))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        using (var response = await second.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "agreed", confirm = true }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(["caseworker@partner.example"], Assert.Single(await console.Relay.WaitForPickupAsync(2), p => p.MailFrom.Length > 0).RcptTo);
        Assert.Equal(secondActor, Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == "release").Actor);
    }
}
