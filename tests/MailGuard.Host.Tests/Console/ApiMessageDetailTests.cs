using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// GET /api/messages/{id} tells an API client what the console's message page tells a reviewer:
/// every rule the message matched, the severity of the list, the sentence a release of personal
/// data must confirm and whether two reviewers are needed; and the API's own release answers agree.
/// </summary>
public sealed class ApiMessageDetailTests
{
    private static async Task<JsonElement> GetAsync(HttpClient api, string id)
    {
        using var response = await api.GetAsync("/api/messages/" + id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task Get_MixedHold_EveryRuleSeverityConfirmationAndFourEyesAsTheConsoleShowsThem()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("hr@corp.example", to, HeldMail.WithCsv("hr@corp.example", to, "Claimants", "Please find the claimants attached.", "claimants.csv", People.Csv()));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);

        var root = await GetAsync(api, id);
        var rules = root.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();
        Assert.Contains("exposed-recipients", rules);
        Assert.Contains("personal-data-external", rules);
        Assert.Contains("identifiers-external", rules);
        Assert.All(root.GetProperty("rules").EnumerateArray(), r => Assert.False(r.GetProperty("audit_only").GetBoolean()));
        Assert.Equal("high", root.GetProperty("severity").GetString());
        Assert.True(root.GetProperty("four_eyes").GetBoolean());
        Assert.False(root.GetProperty("bcc_fix_offered").GetBoolean());
        string confirmation = root.GetProperty("release_confirmation").GetString()!;
        Assert.StartsWith("6 people's names, dates of birth, NI numbers and NHS numbers (claimants.csv) to 3 external domains (", confirmation, StringComparison.Ordinal);

        // The console's page states the same rules and the same sentence; its list the same severity.
        string page = WebUtility.HtmlDecode(await reviewer.PageAsync("/messages/" + id));
        Assert.All(rules, r => Assert.Contains($"<td>{r}</td>", page, StringComparison.Ordinal));
        Assert.Contains($"Releasing asks you to confirm what leaves: {confirmation}.", page, StringComparison.Ordinal);
        string list = await reviewer.PageAsync("/messages");
        Assert.Contains("<span class=\"sev high\">high</span>", list, StringComparison.Ordinal);

        // And the API acts on them: a release without confirmation names the same sentence; with it, a second reviewer is needed.
        using (var response = await api.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "agreed with the DPO" }))
        {
            string problem = await ConsoleAssert.ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.Contains(confirmation, JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (var response = await api.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "agreed with the DPO", confirm = true }))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
    }

    [Fact]
    public async Task Get_ExposedRecipientsOnly_LowNoConfirmationNoFourEyes_NothingToConfirmOnceReleased()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Term dates", to));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);

        var root = await GetAsync(api, id);
        Assert.Equal(["exposed-recipients"], root.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        Assert.Equal("hold", root.GetProperty("rules")[0].GetProperty("action").GetString());
        Assert.Equal("low", root.GetProperty("severity").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("release_confirmation").ValueKind);
        Assert.False(root.GetProperty("four_eyes").GetBoolean());
        Assert.True(root.GetProperty("bcc_fix_offered").GetBoolean());

        using (var response = await api.PostAsJsonAsync($"/api/messages/{id}/release", new { reason = "hide them", bcc_fix = true }))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var after = await GetAsync(api, id);
        Assert.Equal("released", after.GetProperty("message").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("release_confirmation").ValueKind);
        Assert.False(after.GetProperty("bcc_fix_offered").GetBoolean());
        Assert.Equal(["exposed-recipients"], after.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Get_ResponseHasExactlyTheFieldsDocsOpenApiDescribes()
    {
        await using var console = await ConsoleHarness.StartAsync();
        string id = await console.HoldAsync("hr@corp.example", ["caseworker@partner.example"], HeldMail.PersonalData("Claimants", "caseworker@partner.example"));
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var root = await GetAsync(api, id);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "openapi.json")));
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        static HashSet<string> Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Names(schemas.GetProperty("MessageDetail").GetProperty("properties")).Order(), Names(root).Order());
        Assert.Equal(Names(schemas.GetProperty("RuleMatch").GetProperty("properties")).Order(), Names(root.GetProperty("rules")[0]).Order());
    }
}
