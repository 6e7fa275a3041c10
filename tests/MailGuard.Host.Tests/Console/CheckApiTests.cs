using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// `POST /api/v1/check` over loopback with real tokens: the verdict and fixes for clean, exposing
/// and personal-data drafts (JSON and MIME), nothing stored, the token scope, and CORS.
/// </summary>
public sealed class CheckApiTests
{
    internal static readonly string[] TwelveExternal = [.. HeldMail.External(12)];

    internal static async Task<(HttpClient Client, ApiToken Token)> CheckClientAsync(ConsoleHarness console)
    {
        var (token, secret) = await console.Accounts.CreateTokenAsync("outlook add-in", ConsoleRole.Reviewer, TokenScope.Check, "test");
        return (console.ApiClient(secret), token);
    }

    internal static object Draft(string subject, string[] to, string body = "See you on Thursday.", string[]? cc = null, object[]? attachments = null) => new
    {
        from = "clerk@corp.example",
        to,
        cc = cc ?? [],
        bcc = Array.Empty<string>(),
        subject,
        body_text = body,
        body_html = "<p>" + body + "</p>",
        attachments = attachments ?? [],
    };

    internal static async Task<JsonElement> CheckOkAsync(HttpClient client, HttpContent content)
    {
        using var response = await client.PostAsync("/api/v1/check", content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Json_ExposedAndPersonalData_VerdictFixesAndSentences_NothingStored()
    {
        var log = new LogCapture();
        await using var console = await ConsoleHarness.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" },
            services => services.AddSingleton<ILoggerProvider>(log));
        var (client, token) = await CheckClientAsync(console);
        const string marker = "Quokka-7731";

        // Clean: one external recipient, nothing about people.
        var clean = await CheckOkAsync(client, JsonContent.Create(Draft("Lunch " + marker, ["friend@partner.example"])));
        Assert.Equal("deliver", clean.GetProperty("action").GetString());
        Assert.False(clean.GetProperty("stops").GetBoolean());
        Assert.Empty(clean.GetProperty("fixes").EnumerateArray());
        Assert.Empty(clean.GetProperty("rules").EnumerateArray());

        // Twelve external addresses in To, one internal in Cc: held by exposed-recipients; move exactly the twelve.
        var exposed = await CheckOkAsync(client, JsonContent.Create(Draft("Rota " + marker, TwelveExternal, cc: ["colleague@corp.example"])));
        Assert.Equal("hold", exposed.GetProperty("action").GetString());
        Assert.True(exposed.GetProperty("stops").GetBoolean());
        Assert.Equal("exposed-recipients", exposed.GetProperty("rule").GetString());
        Assert.False(exposed.GetProperty("override_allowed").GetBoolean());
        Assert.Equal(12, exposed.GetProperty("people").GetProperty("visible_external").GetInt32());
        Assert.Equal(1, exposed.GetProperty("people").GetProperty("visible_internal").GetInt32());
        var move = Assert.Single(exposed.GetProperty("fixes").EnumerateArray());
        Assert.Equal("move-to-bcc", move.GetProperty("type").GetString());
        Assert.Equal(TwelveExternal.Order(StringComparer.Ordinal), Strings(move.GetProperty("addresses")).Order(StringComparer.Ordinal));
        var sentence = Assert.Single(exposed.GetProperty("messages").EnumerateArray());
        Assert.Equal("12 people outside the organisation will see each other's addresses.", sentence.GetProperty("text").GetString());
        Assert.Equal("Many external recipients can see each other's addresses in To/Cc; use Bcc.", sentence.GetProperty("reason").GetString());

        // Personal data in an attachment to one external recipient: held; remove the attachment; findings masked.
        var csv = Convert.ToBase64String(Encoding.UTF8.GetBytes(People.Csv()));
        var personal = await CheckOkAsync(client, JsonContent.Create(Draft("Claimants " + marker, ["caseworker@partner.example"], "Please find the claimants attached.", attachments: [new { name = "claimants.csv", type = "text/csv", content = csv }])));
        Assert.Equal("hold", personal.GetProperty("action").GetString());
        Assert.Equal("personal-data-external", personal.GetProperty("rule").GetString());
        Assert.Equal(6, personal.GetProperty("people").GetProperty("max_people").GetInt64());
        Assert.Contains(personal.GetProperty("rules").EnumerateArray(), r => r.GetProperty("name").GetString() == "identifiers-external");
        Assert.Contains(personal.GetProperty("fixes").EnumerateArray(), f => f.GetProperty("type").GetString() == "remove-attachment" && f.GetProperty("file_name").GetString() == "claimants.csv");
        Assert.DoesNotContain(personal.GetProperty("fixes").EnumerateArray(), f => f.GetProperty("type").GetString() == "move-to-bcc");
        string texts = string.Join(" ", personal.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        Assert.Contains("National Insurance numbers of 6 people in claimants.csv", texts, StringComparison.Ordinal);
        string raw = personal.GetRawText();
        Assert.Contains("AB****56C", raw, StringComparison.Ordinal);
        foreach (string nino in People.Ninos)
        {
            Assert.DoesNotContain(nino, raw, StringComparison.Ordinal);
        }

        // Nothing stored: no queue entry, no quarantine record, no audit event, and the draft's words
        // are in no file of the store (database and spool alike) and in no log line.
        Assert.Equal(0, (await ((IReviewStore)console.Relay.Store).QueryQuarantineAsync(new QuarantineQuery(null, null, null, null, null, null, 0, 10))).Total);
        Assert.DoesNotContain(await console.AuditAsync(), a => a.MessageId is not null || a.Action is not ("token-created" or "user-created"));
        foreach (string file in Directory.EnumerateFiles(console.Relay.Options.Storage.Directory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0, $"{file} holds the draft's subject");
            Assert.False(bytes.AsSpan().IndexOf("Zebediah"u8) >= 0, $"{file} holds the draft's attachment");
        }

        var answered = log.Entries.Where(e => e.EventId == Core.Diagnostics.LogEventIds.CheckAnswered).ToList();
        Assert.Equal(3, answered.Count);
        Assert.All(answered, e => Assert.StartsWith($"Check for token:{token.Id}: ", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, answered.Count(e => e.Message.Contains(": hold, ", StringComparison.Ordinal)));
        foreach (string secret in new[] { marker, "partner0.example", "caseworker", "claimants", People.Ninos[0], "Zebediah" })
        {
            Assert.DoesNotContain(secret, log.Text, StringComparison.Ordinal);
        }

        using var metrics = await console.ApiClient(null).GetAsync("/metrics");
        string exposition = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("mailguard_checks_total{result=\"hold\"} 2", exposition, StringComparison.Ordinal);
        Assert.Contains("mailguard_checks_total{result=\"deliver\"} 1", exposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawMime_PersonalMailboxRuleWithOverride_RemoveRecipientsAndOverrideAllowed()
    {
        // A rule list given in configuration replaces the shipped one: here one rule, about personal data
        // to private mailboxes, which lets senders override it.
        var policy = TestPolicies.ShippedForCorp(
            ("Policy:Rules:5:Name", "personal-data-private-mailbox"),
            ("Policy:Rules:5:Priority", "5"),
            ("Policy:Rules:5:When:FindingKinds:0", "personal-data"),
            ("Policy:Rules:5:When:MinPersonalMailboxes", "1"),
            ("Policy:Rules:5:Action", "Hold"),
            ("Policy:Rules:5:AllowOverride", "true"),
            ("Policy:Rules:5:Reason", "Personal data does not go to private mailboxes."));
        await using var console = await ConsoleHarness.StartAsync(configure: services => services.AddSingleton(policy));
        var (client, _) = await CheckClientAsync(console);

        var message = HeldMail.WithCsv("hr@corp.example", ["someone@gmail.com"], "Two rows", "Attached.", "staff.csv",
            "Name,Date of birth\r\nZebediah Quill,14/03/1987\r\nOttoline Marsh,02/11/1975\r\n");
        var content = new ByteArrayContent(message);
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        var answer = await CheckOkAsync(client, content);

        Assert.Equal("hold", answer.GetProperty("action").GetString());
        Assert.Equal("personal-data-private-mailbox", answer.GetProperty("rule").GetString());
        Assert.True(answer.GetProperty("override_allowed").GetBoolean());
        var remove = Assert.Single(answer.GetProperty("fixes").EnumerateArray(), f => f.GetProperty("type").GetString() == "remove-recipients");
        Assert.Equal(["someone@gmail.com"], Strings(remove.GetProperty("addresses")));
        Assert.Contains(answer.GetProperty("fixes").EnumerateArray(), f => f.GetProperty("type").GetString() == "remove-attachment" && f.GetProperty("file_name").GetString() == "staff.csv");
        Assert.Equal(1, answer.GetProperty("people").GetProperty("personal_mailboxes").GetInt32());
        var rule = Assert.Single(answer.GetProperty("rules").EnumerateArray());
        Assert.True(rule.GetProperty("allow_override").GetBoolean());
        Assert.Equal("Personal data does not go to private mailboxes.", rule.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Scope_OnlyCheckTokens_AndCheckTokensNothingElse()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (check, token) = await CheckClientAsync(console);
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Admin);
        var draft = Draft("Hello", ["friend@partner.example"]);

        using (var anonymous = await console.ApiClient(null).PostAsJsonAsync("/api/v1/check", draft))
        {
            await ConsoleAssert.ProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        }

        using (var wrong = await console.ApiClient("mgt_000000000000_notatoken").PostAsJsonAsync("/api/v1/check", draft))
        {
            await ConsoleAssert.ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        }

        // An admin's review-API token is not a check token.
        using (var admin = await api.PostAsJsonAsync("/api/v1/check", draft))
        {
            Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        }

        // A check token reads nothing of the review API.
        using (var list = await check.GetAsync("/api/messages?status=all"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        }

        await CheckOkAsync(check, JsonContent.Create(draft));
        Assert.True(await console.Accounts.RevokeTokenAsync(token.Id, "test"));
        using var revoked = await check.PostAsJsonAsync("/api/v1/check", draft);
        await ConsoleAssert.ProblemAsync(revoked, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Cors_OnlyTheConfiguredAddinOrigin()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Check:AllowedOrigins:0"] = "https://addin.example.org" });
        var (check, _) = await CheckClientAsync(console);

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/check");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await console.ApiClient(null).SendAsync(request);
        }

        using (var allowed = await PreflightAsync("https://addin.example.org"))
        {
            Assert.True(allowed.IsSuccessStatusCode, ((int)allowed.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(["https://addin.example.org"], allowed.Headers.GetValues("Access-Control-Allow-Origin"));
            Assert.Contains("POST", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        }

        using (var other = await PreflightAsync("https://evil.example"))
        {
            Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        }

        foreach (var (origin, allowedOrigin) in new[] { ("https://addin.example.org", true), ("https://evil.example", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/check") { Content = JsonContent.Create(Draft("Hello", ["friend@partner.example"])) };
            request.Headers.Add("Origin", origin);
            using var response = await check.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(allowedOrigin, response.Headers.Contains("Access-Control-Allow-Origin"));
        }

        // The review API answers no browser from another origin.
        using var apiPreflight = new HttpRequestMessage(HttpMethod.Options, "/api/messages");
        apiPreflight.Headers.Add("Origin", "https://addin.example.org");
        apiPreflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var api = await console.ApiClient(null).SendAsync(apiPreflight);
        Assert.False(api.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
