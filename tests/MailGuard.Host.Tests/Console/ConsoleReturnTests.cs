using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// A reviewer's Return mails the original, with everything it holds, to the envelope sender. It is
/// refused, through the console, the API and the CLI alike, when that sender is neither internal
/// nor the address the submitter authenticated as: an envelope sender can be forged. The message
/// stays held, nothing is queued, the refusal is audited, and delete remains.
/// </summary>
public sealed class ConsoleReturnTests
{
    private const string Forged = "ceo@victim.example";

    private static readonly string[] To = HeldMail.External(12);

    /// <summary>Every queue entry, any status: a return's notice would be queued in the decision's own transaction.</summary>
    private static Task<IReadOnlyList<QueueEntryInfo>> QueueAsync(ConsoleHarness console) => console.Relay.Store.ListAsync(new QueueQuery());

    private static async Task AssertRefusalAuditedAsync(ConsoleHarness console, string id)
    {
        var refused = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), a => a.Action == "return-refused");
        Assert.StartsWith("not returnable: its envelope sender is not in Policy:InternalDomains", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_ReturnForgedExternalSender_RefusedWithDeleteOffered_StaysHeldNothingSent()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync(Forged, To, HeldMail.Exposing("Forged sender", To));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);

        string page = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("Return to sender is not available", page, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"return\"", page, StringComparison.Ordinal);
        Assert.Contains("value=\"delete\"", page, StringComparison.Ordinal);

        // A crafted post (the button is not there) is refused all the same.
        using (var response = await reviewer.ActAsync(id, "return", "send it back"))
        {
            ConsoleAssert.RedirectsTo(response, "/messages/" + id);
        }

        string after = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("The message cannot be returned to its sender", after, StringComparison.Ordinal);
        Assert.Contains("Delete it instead.", after, StringComparison.Ordinal);
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        Assert.Empty(await QueueAsync(console));
        await AssertRefusalAuditedAsync(console, id);

        using (var response = await reviewer.ActAsync(id, "delete", "forged sender, not ours"))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Deleted, await console.StatusAsync(id));
        Assert.Empty(await QueueAsync(console));
    }

    [Fact]
    public async Task Api_ReturnForgedExternalSender_409ProblemStaysHeld_InternalSenderStillReturned()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string forged = await console.HoldAsync(Forged, To, HeldMail.Exposing("Forged sender", To));
        string own = await console.HoldAsync("clerk@corp.example", To, HeldMail.Exposing("Our sender", To));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        using (var response = await api.PostAsJsonAsync($"/api/messages/{forged}/return", new { reason = "use Bcc" }))
        {
            string problem = await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
            using var json = JsonDocument.Parse(problem);
            Assert.Equal("Cannot return to sender", json.RootElement.GetProperty("title").GetString());
            Assert.Contains("Delete it instead", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(forged));
        Assert.Empty(await QueueAsync(console));
        await AssertRefusalAuditedAsync(console, forged);

        using (var response = await api.PostAsJsonAsync($"/api/messages/{own}/return", new { reason = "use Bcc" }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var notice = Assert.Single(await console.Relay.WaitForPickupAsync(1));
        Assert.Equal(["clerk@corp.example"], notice.RcptTo);
        Assert.Contains("Subject: Our sender", Encoding.UTF8.GetString(notice.Content), StringComparison.Ordinal);
        Assert.Equal([("clerk@corp.example", "")], (await QueueAsync(console)).Select(e => (e.Recipient, e.MailFrom)));
    }

    [Fact]
    public async Task Cli_ReturnForgedExternalSender_ExitsNonZeroWithMessage_DeleteWorks()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync(Forged, To, HeldMail.Exposing("Forged sender", To));
        string[] common = [$"--Storage:Directory={console.Relay.Options.Storage.Directory}", "--Policy:InternalDomains:0=corp.example"];

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(1, Cli.Run(["quarantine", "return", id, "--reason", "use Bcc", .. common], stdout, stderr));
        Assert.Contains("cannot be returned to its sender", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"mailguard quarantine delete {id}", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("not returned; still held", stdout.ToString(), StringComparison.Ordinal);

        var json = new StringWriter();
        Assert.Equal(1, Cli.Run(["quarantine", "return", id, "--json", .. common], json, new StringWriter()));
        using (var doc = JsonDocument.Parse(json.ToString()))
        {
            Assert.False(doc.RootElement.GetProperty("applied").GetBoolean());
            Assert.Equal("return-refused", doc.RootElement.GetProperty("status").GetString());
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        Assert.Empty(await QueueAsync(console));
        Assert.Equal(0, Cli.Run(["quarantine", "delete", id, "--reason", "forged sender", .. common], new StringWriter(), new StringWriter()));
        Assert.Equal(QuarantineStatus.Deleted, await console.StatusAsync(id));
        Assert.Empty(await QueueAsync(console));
    }
}
