using System.Net;
using System.Net.Http.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Review;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>The console's limits at their edges: reasons (1,000 characters), passwords (12 to 256), bulk selections (100 messages).</summary>
public sealed class ConsoleLimitsTests
{
    [Fact]
    public async Task BulkAction_AtMostMaxBulkMessages_OneMoreRefusedWithNothingDone()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string held = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Bulk", to));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        // Valid ids of messages that do not exist fill the selection up to (and past) the limit.
        var others = Enumerable.Range(0, MailGuard.Host.Review.Pages.MessagesModel.MaxBulk).Select(_ => MessageIds.New(TimeProvider.System)).ToList();

        var tooMany = others.Prepend(held).Select(id => ("ids", id)).Append(("verb", "delete")).Append(("reason", "clean-up")).ToArray();
        Assert.Equal(MailGuard.Host.Review.Pages.MessagesModel.MaxBulk + 1, tooMany.Count(f => f.Item1 == "ids"));
        using (var response = await reviewer.SubmitAsync("/messages", tooMany))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Contains($"At most {MailGuard.Host.Review.Pages.MessagesModel.MaxBulk} messages at once.", await reviewer.PageAsync("/messages"), StringComparison.Ordinal);
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(held));
        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(held, 100), a => a.Action == "delete");

        var exactly = others.Skip(1).Prepend(held).Select(id => ("ids", id)).Append(("verb", "delete")).Append(("reason", "clean-up")).ToArray();
        using (var response = await reviewer.SubmitAsync("/messages", exactly))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Deleted, await console.StatusAsync(held));
    }

    [Fact]
    public async Task Reason_KeptUpTo1000Characters_CutAfter_BlankRefused_IdentifiersMasked()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var to = HeldMail.External(12);
        string exact = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("One", to));
        string over = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Two", to));
        string blank = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Three", to));
        string quoting = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Four", to));

        string thousand = new('r', ReviewActions.MaxReasonLength);
        using (var response = await api.PostAsJsonAsync($"/api/messages/{exact}/delete", new { reason = thousand }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await api.PostAsJsonAsync($"/api/messages/{over}/delete", new { reason = thousand + "s" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var response = await api.PostAsJsonAsync($"/api/messages/{blank}/delete", new { reason = " \t\r\n " }))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        }

        using (var response = await api.PostAsJsonAsync($"/api/messages/{quoting}/delete", new { reason = "duplicate of the claim for NI AB123456C\r\nsee ticket" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(thousand, (await console.Quarantine.GetQuarantineAsync(exact))!.DecisionReason);
        Assert.Equal(thousand, (await console.Quarantine.GetQuarantineAsync(over))!.DecisionReason);
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(blank));
        string masked = (await console.Quarantine.GetQuarantineAsync(quoting))!.DecisionReason!;
        Assert.DoesNotContain("AB123456C", masked);
        Assert.DoesNotContain("\n", masked);
        Assert.StartsWith("duplicate of the claim for NI AB", masked);
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void Password_LengthEdges(int length, bool accepted) =>
        Assert.Equal(accepted, ConsoleAccounts.PasswordProblem(new string('p', length)) is null);

    [Theory]
    [InlineData(MessageView.MaxBodyChars, false)]
    [InlineData(MessageView.MaxBodyChars + 1, true)]
    public void MessageView_BodyShownUpTo100000Characters(int length, bool truncated)
    {
        byte[] raw = System.Text.Encoding.ASCII.GetBytes("From: a@corp.example\r\nTo: b@ext.example\r\nSubject: long\r\n\r\n" + new string('x', length));
        var view = MessageView.Build(new MemoryStream(raw), masked: true, new MailGuard.Inspection.DomainSet(["corp.example"]), new DateOnly(2026, 11, 22));
        Assert.Equal(truncated, view.BodyTruncated);
        Assert.Equal(Math.Min(length, MessageView.MaxBodyChars), view.BodyText.Length);
    }

    [Fact]
    public async Task ApiLimit_ClampedToOneAtTheBottom_LargeLimitsAccepted()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var to = HeldMail.External(12);
        await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("One", to));
        await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Two", to));
        foreach (var (limit, expected) in new[] { (0, 1), (1, 1), (1000, 2), (100_000, 2) })
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync($"/api/messages?limit={limit}"));
            Assert.Equal(2, doc.RootElement.GetProperty("total").GetInt64());
            Assert.Equal(expected, doc.RootElement.GetProperty("items").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("/request/01m80j8ndz9fqz9dfry0/AbCdEfGhIjKlMnOpQrStUvWx", "/request/{id}/{token}")]
    [InlineData("/messages/01m80j8ndz9fqz9dfry0", "/messages/01m80j8ndz9fqz9dfry0")]
    public void ErrorLog_KeepsNoReleaseLinkToken(string path, string logged) =>
        Assert.Equal(logged, ConsoleErrors.LoggablePath(path));
}
