using System.Net;
using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>Odd and hostile query strings and form posts: answered with a page or a 4xx, never a 500.</summary>
public sealed class ConsoleHostileInputTests
{
    [Fact]
    public async Task HugePageNumbers_MessagesAndAudit_AnswerWithAPageNotA500()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        foreach (string path in new[] { "/messages?page=2000000000", "/messages?status=all&page=2147483647", "/audit?page=2000000000", "/audit?page=2147483647" })
        {
            using var response = await reviewer.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task FarFutureToDate_MessagesPage_AnswersWithAPageNotA500()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        foreach (string path in new[] { "/messages?to=9999-12-31", "/messages?status=all&from=0001-01-01&to=9999-12-31T23:59:59Z" })
        {
            using var response = await reviewer.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task EmptyStatus_MessagesPage_ShowsHeldNotA500()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        using var response = await reviewer.GetAsync("/messages?status=");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Held messages", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonNumericPaging_Api_IsA400Problem()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        foreach (string path in new[] { "/api/messages?limit=abc", "/api/messages?offset=1e9", "/api/messages?offset=99999999999" })
        {
            using var response = await api.GetAsync(path);
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task SendersJustification_QuotingIdentifiers_IsMaskedForReviewers()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync("clerk@corp.example", HeldMail.External(12), HeldMail.Exposing("Rota", HeldMail.External(12)));
        string token = console.Relay.Services.GetRequiredService<ReleaseRequestLinks>().Create(id);
        var sender = console.NewSession();
        string path = $"/request/{id}/{token}";
        using (var sent = await sender.PostFormAsync(path, [("justification", $"Needed for {People.Names[0]}, NI {People.Ninos[0]}, NHS {People.NhsNumbers[0]}")], await sender.TokenAsync(path)))
        {
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            Assert.Contains("your request is with the reviewers", await sent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var seen = new List<(string What, string Text)>
        {
            ("message", WebUtility.HtmlDecode(await reviewer.PageAsync("/messages/" + id))),
            ("audit", WebUtility.HtmlDecode(await reviewer.PageAsync("/audit?message=" + id))),
        };
        using (var response = await api.GetAsync("/api/messages/" + id))
        {
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            seen.Add(("API", System.Text.Json.JsonSerializer.Serialize(json.RootElement, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        }

        foreach (var (what, text) in seen)
        {
            Assert.Contains("Needed for " + People.Names[0], text, StringComparison.Ordinal);
            Assert.DoesNotContain(People.Ninos[0], text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(People.NhsNumbers[0], text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Utf7Body_MessageAndOriginalPages_ShowTheMessageNotA500()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, Encoding.UTF8.GetBytes(
            $"From: clerk@corp.example\r\nTo: {string.Join(", ", to)}\r\nSubject: Rota\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-7\r\n\r\nHello world\r\n"));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        Assert.Contains("Hello world", await reviewer.PageAsync("/messages/" + id), StringComparison.Ordinal);
        var admin = await console.LoginAsync(ConsoleRole.Admin);
        Assert.Contains("Hello world", await admin.PageAsync($"/messages/{id}/original"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedActionBody_Api_Is413ProblemNot400()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        string json = "{\"reason\": \"" + new string('x', 2 * 1024 * 1024) + "\"}";
        // The server may answer before the upload ends and close the connection: retry until the answer is read.
        HttpResponseMessage? response = null;
        for (int attempt = 0; response is null && attempt < 10; attempt++)
        {
            try
            {
                response = await api.PostAsync($"/api/messages/{id}/delete", new StringContent(json, Encoding.UTF8, "application/json"));
            }
            catch (HttpRequestException)
            {
            }
        }

        Assert.NotNull(response);
        await ConsoleAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        response.Dispose();
        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
    }
}
