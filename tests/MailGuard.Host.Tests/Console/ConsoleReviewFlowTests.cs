using System.Net;
using MailGuard.Core.Store;
using MailGuard.Host.Review;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// Four-eyes per rule (Policy:Rules:N:FourEyes, on by default for identifier rules), and the
/// inspection kept with a hold: an older hold without one is inspected once and the result stored.
/// </summary>
public sealed class ConsoleReviewFlowTests
{
    [Fact]
    public async Task IdentifierRule_FourEyesByDefault_WithoutConsoleFourEyes()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        string page = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("identifiers-external", page, StringComparison.Ordinal);
        Assert.Contains("needs two reviewers", page, StringComparison.Ordinal);

        using (var response = await reviewer.ActAsync(id, "release", "entitled", confirmed: true))
        {
            ConsoleAssert.RedirectsTo(response, "/messages/" + id);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        var approval = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), e => e.Action == ReviewActions.ApprovalAction);
        Assert.Contains("6 people's", approval.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentifierRule_FourEyesFalse_OneReviewerReleasesAfterConfirming()
    {
        await using var console = await ConsoleHarness.StartAsync(configure: services =>
            services.AddSingleton(TestPolicies.ShippedForCorp(("Policy:Rules:0:NotifySender", "false"), ("Policy:Rules:1:NotifySender", "false"), ("Policy:Rules:2:NotifySender", "false"), ("Policy:Rules:2:FourEyes", "false"))));
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        Assert.DoesNotContain("needs two reviewers", await reviewer.PageAsync("/messages/" + id), StringComparison.Ordinal);

        // Still a confirmation: it is personal data.
        using (var response = await reviewer.ActAsync(id, "release", "entitled"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Releasing this message sends", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        using (var response = await reviewer.ActAsync(id, "release", "entitled", confirmed: true))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Released, await console.StatusAsync(id));
        var audit = await console.Quarantine.ListAuditAsync(id, 100);
        Assert.Contains("names, dates of birth, NI numbers and NHS numbers (claimants.csv) to 1 external domain (partner.example)", Assert.Single(audit, e => e.Action == ReviewActions.ConfirmedAction).Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(audit, e => e.Action == ReviewActions.ApprovalAction);
    }

    [Fact]
    public async Task OlderHoldWithoutInspection_InspectedOnceOnFirstView_ThenStored()
    {
        await using var console = await ConsoleHarness.StartAsync();
        // A hold as an older version stored it: no inspection with it.
        var content = HeldMail.PersonalData("Claimants", "caseworker@partner.example");
        var message = new NewMessage(MessageIds.New(TimeProvider.System), "hr@corp.example", ["caseworker@partner.example"], DateTimeOffset.UtcNow, "127.0.0.1", "mta", null, content.Length, InlineContent: content);
        await console.Quarantine.HoldAsync(message, new HoldDetails("personal-data-external", "why", "Claimants", "6 rows", "[]"), new AuditEvent(DateTimeOffset.UtcNow, "mailguard", "hold", message.Id, "why"));
        Assert.Null((await console.Quarantine.GetQuarantineAsync(message.Id))!.InspectionJson);

        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        string page = await reviewer.PageAsync("/messages/" + message.Id);
        // The policy in force, run on the one inspection: every rule it matches now.
        Assert.Contains("<td>identifiers-external</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>personal-data-external</td>", page, StringComparison.Ordinal);
        Assert.Contains("first 5 of 6 rows", page, StringComparison.Ordinal);
        Assert.DoesNotContain(People.Ninos[0], page, StringComparison.Ordinal);
        string? stored = (await console.Quarantine.GetQuarantineAsync(message.Id))!.InspectionJson;
        Assert.NotNull(stored);
        Assert.Contains("identifiers-external", stored, StringComparison.Ordinal);
        foreach (string nino in People.Ninos)
        {
            Assert.DoesNotContain(nino, stored, StringComparison.Ordinal);
        }
    }
}
