using System.Net;
using System.Net.Http.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Review;

namespace MailGuard.Host.Tests.Review;

/// <summary>The console's text limits at their edges: reasons (1,000 characters) and passwords (12 to 256).</summary>
public sealed class ConsoleLimitsTests
{
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
}
