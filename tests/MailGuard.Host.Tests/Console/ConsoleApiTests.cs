using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>The API of ARCHITECTURE.md ("HTTP") over loopback with bearer tokens: lists, filters, masked findings, actions, problem details.</summary>
public sealed class ConsoleApiTests
{
    [Fact]
    public async Task List_HeldNewestFirst_PagesAndFiltersByRuleSenderAndSearch()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string alpha = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Alpha rota", to));
        string beta = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Beta claimants", "caseworker@partner.example"));
        string gamma = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Gamma rota", to));
        string betaRule = (await console.Quarantine.GetQuarantineAsync(beta))!.Rule!;
        Assert.NotEqual("exposed-recipients", betaRule);
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        var all = await ListAsync(api, "status=held");
        Assert.Equal(3, all.Total);
        Assert.Equal(new[] { alpha, beta, gamma }.Order(StringComparer.Ordinal), all.Ids.Order(StringComparer.Ordinal));
        Assert.Equal(all.HeldAt.OrderByDescending(t => t), all.HeldAt);
        Assert.Equal(all.Ids, (await ListAsync(api, "")).Ids);

        var first = await ListAsync(api, "status=held&limit=2");
        var second = await ListAsync(api, "status=held&limit=2&offset=2");
        Assert.Equal((3, 2, 1), (first.Total, first.Ids.Count, second.Ids.Count));
        Assert.Equal(all.Ids, first.Ids.Concat(second.Ids));

        Assert.Equal(new[] { alpha, gamma }.Order(StringComparer.Ordinal), (await ListAsync(api, "rule=exposed-recipients")).Ids.Order(StringComparer.Ordinal));
        Assert.Equal([beta], (await ListAsync(api, "rule=" + Uri.EscapeDataString(betaRule))).Ids);
        Assert.Equal([beta], (await ListAsync(api, "sender=hr%40corp.example")).Ids);
        Assert.Equal([gamma], (await ListAsync(api, "q=gamma")).Ids);
        Assert.Empty((await ListAsync(api, "status=released")).Ids);
        Assert.Equal(3, (await ListAsync(api, "status=all")).Total);

        foreach (string bad in new[] { "status=bogus", "status=1", "from=yesterday", "to=31%2F02%2F2026" })
        {
            using var response = await api.GetAsync("/api/messages?" + bad);
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Get_FindingsMasked_UnknownOrMalformedId404Problem()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        using (var response = await api.GetAsync("/api/messages/" + id))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = json.RootElement;
            Assert.Equal(id, root.GetProperty("message").GetProperty("id").GetString());
            Assert.Equal("held", root.GetProperty("message").GetProperty("status").GetString());
            Assert.Equal(["c***@partner.example"], root.GetProperty("recipients_masked").EnumerateArray().Select(e => e.GetString()));
            var findings = root.GetProperty("findings").EnumerateArray().ToList();
            var evidence = findings.SelectMany(f => f.GetProperty("evidence").EnumerateArray().Select(e => e.GetString()!)).ToList();
            Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "uk-nino");
            Assert.Contains("AB****56C", evidence);
            foreach (string raw in People.Ninos.Concat(People.BirthDates).Concat(People.NhsNumbers))
            {
                Assert.DoesNotContain(evidence, e => e.Contains(raw, StringComparison.Ordinal));
            }

            Assert.Contains(root.GetProperty("audit").EnumerateArray(), a => a.GetProperty("action").GetString() == "hold");
        }

        foreach (string unknown in new[] { MessageIds.New(TimeProvider.System), "not-an-id", "..%2F..%2Fetc%2Fpasswd", new string('0', 300) })
        {
            using var response = await api.GetAsync("/api/messages/" + unknown);
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Actions_ReleaseReturnDeleteAndBccFix_AppliedOnceDeliveredAndAuditedAsToken()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string released = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("To release", to));
        string returned = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("To return", to));
        string deleted = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("To delete", to));
        string bccFixed = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("To fix", to));
        var (api, actor, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        foreach (var (id, action, body, status) in new[]
        {
            (released, "release", (object)new { reason = "expected by the recipients" }, "released"),
            (returned, "return", new { reason = "use Bcc" }, "returned"),
            (deleted, "delete", new { reason = "sent by mistake" }, "deleted"),
            (bccFixed, "release", new { reason = "send, hidden", bcc_fix = true }, "released"),
        })
        {
            using var response = await api.PostAsJsonAsync($"/api/messages/{id}/{action}", body);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{action} {id}: {(int)response.StatusCode} {text}");
            using var json = JsonDocument.Parse(text);
            Assert.True(json.RootElement.GetProperty("applied").GetBoolean());
            Assert.Equal(status, json.RootElement.GetProperty("status").GetString());
        }

        // Released twice (plain and Bcc-fixed), returned once (a notice to the sender); the deleted one
        // goes nowhere. The sender hears of each of the four decisions.
        await console.Relay.WaitForPickupAsync(6);
        var picked = await console.Relay.WaitForQueueDrainedAsync();
        Assert.Equal(6, picked.Count);
        Assert.Equal(4, picked.Count(p => p.MailFrom.Length == 0 && p.RcptTo.SequenceEqual(["clerk@corp.example"])));
        var plain = Assert.Single(picked, p => Encoding.UTF8.GetString(p.Content).Contains("Subject: To release", StringComparison.Ordinal));
        Assert.Equal(to.Order(StringComparer.Ordinal), plain.RcptTo.Order(StringComparer.Ordinal));
        var fixedCopy = Assert.Single(picked, p => Encoding.UTF8.GetString(p.Content).Contains("Subject: To fix", StringComparison.Ordinal));
        Assert.Equal(12, fixedCopy.RcptTo.Length);
        using (var doc = MailGuard.Mime.MimeDocument.Load(fixedCopy.Content))
        {
            Assert.DoesNotContain(doc.Message.To, a => to.Contains(a.Address));
        }

        var notice = Assert.Single(picked, p => Encoding.UTF8.GetString(p.Content).Contains("X-MailGuard-Notice: returned;", StringComparison.Ordinal));
        Assert.Contains(returned, Encoding.UTF8.GetString(notice.Content), StringComparison.Ordinal);
        Assert.Null(await console.Quarantine.OpenContentAsync(deleted));

        // A second action on a decided message: 409, and nothing more happens than the refusal being audited.
        foreach (var (id, action) in new[] { (released, "delete"), (deleted, "release"), (returned, "return") })
        {
            using var response = await api.PostAsJsonAsync($"/api/messages/{id}/{action}", new { reason = "again" });
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
        }

        foreach (var (id, action, reason) in new[] { (released, "release", "expected by the recipients"), (returned, "return", "use Bcc"), (deleted, "delete", "sent by mistake"), (bccFixed, "release-bcc-fix", "send, hidden") })
        {
            var audit = await console.Quarantine.ListAuditAsync(id, 100);
            var decided = Assert.Single(audit, a => a.Actor == actor && a.Reason != "again");
            Assert.Equal((action, reason), (decided.Action, decided.Reason));
            Assert.All(audit.Where(a => a.Reason == "again"), a => Assert.EndsWith("-refused", a.Action, StringComparison.Ordinal));
        }

        Assert.Equal(6, PickedUp.ReadAll(console.Relay.PickupDirectory).Count);
    }

    [Fact]
    public async Task Actions_BadRequests_ProblemDetailsWithoutStackTraces_MessageStaysHeld()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Held", to));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Admin);

        var cases = new (string Name, string Path, HttpContent? Body, HttpStatusCode Status)[]
        {
            ("no reason", $"/api/messages/{id}/release", Json("{}"), HttpStatusCode.BadRequest),
            ("blank reason", $"/api/messages/{id}/release", Json("{\"reason\": \" \\u0007 \"}"), HttpStatusCode.BadRequest),
            ("null body", $"/api/messages/{id}/delete", Json("null"), HttpStatusCode.BadRequest),
            ("no body", $"/api/messages/{id}/return", null, HttpStatusCode.BadRequest),
            ("truncated JSON", $"/api/messages/{id}/release", Json("{\"reason\": "), HttpStatusCode.BadRequest),
            ("not JSON", $"/api/messages/{id}/release", Json("reason=yes"), HttpStatusCode.BadRequest),
            ("reason of the wrong type", $"/api/messages/{id}/release", Json("{\"reason\": 5}"), HttpStatusCode.BadRequest),
            ("bcc_fix of the wrong type", $"/api/messages/{id}/release", Json("{\"reason\": \"x\", \"bcc_fix\": \"yes\"}"), HttpStatusCode.BadRequest),
            ("text/plain", $"/api/messages/{id}/release", new StringContent("{\"reason\": \"x\"}", Encoding.UTF8, "text/plain"), HttpStatusCode.BadRequest),
            ("deep nesting", $"/api/messages/{id}/release", Json(new string('[', 5000) + new string(']', 5000)), HttpStatusCode.BadRequest),
            ("unknown action", $"/api/messages/{id}/frobnicate", Json("{\"reason\": \"x\"}"), HttpStatusCode.NotFound),
            ("unknown id", $"/api/messages/{MessageIds.New(TimeProvider.System)}/release", Json("{\"reason\": \"x\"}"), HttpStatusCode.NotFound),
            ("malformed id", "/api/messages/x%27%3B--%20/release", Json("{\"reason\": \"x\"}"), HttpStatusCode.NotFound),
            ("unknown route", "/api/nothing-here", null, HttpStatusCode.NotFound),
        };

        foreach (var (name, path, body, status) in cases)
        {
            using var request = new HttpRequestMessage(name == "unknown route" ? HttpMethod.Get : HttpMethod.Post, path) { Content = body };
            using var response = await api.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode} {text}");
            await ConsoleAssert.ProblemAsync(response, status);
        }

        using (var response = await api.DeleteAsync($"/api/messages/{id}"))
        {
            await ConsoleAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        Assert.Equal(["hold"], (await console.Quarantine.ListAuditAsync(id, 100)).Select(a => a.Action));
    }

    [Fact]
    public async Task StoreFailure_ApiAndPages_503WithoutStackTraceOrSql()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Held", to));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);

        // The audit table disappears under the running console: every read of it fails inside the store.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(console.Relay.Options.Storage.Directory, "mailguard.db")};Default Timeout=30"))
        {
            connection.Open();
            using var rename = connection.CreateCommand();
            rename.CommandText = "ALTER TABLE audit_log RENAME TO audit_log_gone";
            rename.ExecuteNonQuery();
        }

        using (var response = await api.GetAsync("/api/messages/" + id))
        {
            // A store fault (here: a table gone) is the store not answering: 503 with Retry-After, never its text.
            string body = await ConsoleAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.DoesNotContain("audit_log", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Sqlite", body, StringComparison.OrdinalIgnoreCase);
            ConsoleAssert.SecurityHeaders(response);
        }

        foreach (string path in new[] { "/messages/" + id, "/audit" })
        {
            using var response = await reviewer.GetAsync(path);
            string body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            ConsoleAssert.NoStackTrace(body);
            Assert.DoesNotContain("audit_log", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Sqlite", body, StringComparison.OrdinalIgnoreCase);
            ConsoleAssert.SecurityHeaders(response);
        }
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private sealed record Listing(long Total, List<string> Ids, List<DateTimeOffset> HeldAt);

    private static async Task<Listing> ListAsync(HttpClient api, string query)
    {
        using var response = await api.GetAsync("/api/messages?" + query);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        return new Listing(
            json.RootElement.GetProperty("total").GetInt64(),
            items.Select(i => i.GetProperty("id").GetString()!).ToList(),
            items.Select(i => i.GetProperty("held_at").GetDateTimeOffset()).ToList());
    }
}
