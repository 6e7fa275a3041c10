using System.Net;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>Issue 6 item 7: hostile content is shown inert, and a reviewer never sees an unmasked identifier.</summary>
public sealed class ConsoleRenderingTests
{
    private const string Script = "<script>alert(1)</script>";

    [Fact]
    public async Task ScriptInSubjectBodyAndFileName_RenderedEncoded_HeadersForbidScripts()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.WithCsv(
            "clerk@corp.example", to, Script + " Q3 rota", "Hello " + Script + " <img src=\"https://tracker.example/p.gif\">", Script + ".csv", "Shift,Day\r\nEarly,Monday\r\n"));
        string htmlOnly = await console.HoldAsync("clerk@corp.example", to, Encoding.UTF8.GetBytes(
            $"From: clerk@corp.example\r\nTo: {string.Join(", ", to)}\r\nSubject: html only\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
            "<html><head><script>alert(2)</script></head><body><p onclick=\"alert(3)\">Visible text</p><img src=\"https://tracker.example/p.gif\"><a href=\"javascript:alert(4)\">link</a><iframe src=\"https://evil.example/\"></iframe></body></html>\r\n"));
        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        var admin = await console.LoginAsync(ConsoleRole.Admin);

        var pages = new List<(string What, string Html)>
        {
            ("list", await reviewer.PageAsync("/messages")),
            ("message", await reviewer.PageAsync("/messages/" + id)),
            ("original", await admin.PageAsync($"/messages/{id}/original")),
            ("html message", await reviewer.PageAsync("/messages/" + htmlOnly)),
            ("html original", await admin.PageAsync($"/messages/{htmlOnly}/original")),
        };
        using (var release = await reviewer.ActAsync(id, "return", "reason with " + Script))
        {
            ConsoleAssert.RedirectsTo(release, "/messages");
        }

        pages.Add(("audit", await reviewer.PageAsync("/audit")));
        pages.Add(("decided message", await reviewer.PageAsync("/messages/" + id)));
        // Filter values are echoed into the filter form and the pager links.
        string reflected = Uri.EscapeDataString("\"><script>alert(5)</script>");
        pages.Add(("list filters", await reviewer.PageAsync($"/messages?status=all&sender={reflected}&q={reflected}&rule={reflected}&from={reflected}&to={reflected}")));
        pages.Add(("audit filters", await reviewer.PageAsync($"/audit?actor={reflected}&action={reflected}&message={reflected}")));

        foreach (var (what, html) in pages)
        {
            Assert.False(html.Contains("<script", StringComparison.OrdinalIgnoreCase), what + " has a literal <script");
            Assert.False(html.Contains("<img", StringComparison.OrdinalIgnoreCase), what + " has an <img");
            Assert.False(html.Contains("<iframe", StringComparison.OrdinalIgnoreCase), what + " has an <iframe");
            Assert.False(html.Contains("javascript:", StringComparison.OrdinalIgnoreCase), what + " has a javascript: URL");
            Assert.False(html.Contains("onclick", StringComparison.OrdinalIgnoreCase), what + " has an event handler");
        }

        // The subject (list, message), file name and body (message, original) are there, encoded.
        const string Encoded = "&lt;script&gt;alert(1)&lt;/script&gt;";
        foreach (var (what, html) in pages.Where(p => p.What is "list" or "message" or "original" or "audit"))
        {
            Assert.True(html.Contains(Encoded, StringComparison.Ordinal), what + " lacks the encoded script text");
        }

        Assert.Contains(Encoded + ".csv", pages[1].Html, StringComparison.Ordinal);
        Assert.Contains(Encoded + ".csv", pages[2].Html, StringComparison.Ordinal);
        Assert.Contains("Visible text", pages[3].Html, StringComparison.Ordinal);

        // Every kind of response carries the headers: pages, the login form, errors, the API, the stylesheet.
        var anonymous = console.NewSession();
        var api = (await console.ApiClientAsync(ConsoleRole.Reviewer)).Client;
        var responses = new List<HttpResponseMessage>
        {
            await reviewer.GetAsync("/messages/" + id),
            await reviewer.GetAsync("/messages/" + MessageIds.New(TimeProvider.System)),
            await reviewer.GetAsync("/admin/users"),
            await anonymous.GetAsync("/login"),
            await anonymous.GetAsync("/assets/site.css"),
            await anonymous.GetAsync("/no-such-page"),
            await api.GetAsync($"/api/messages/{id}"),
            await api.GetAsync("/api/messages/nope"),
        };
        Assert.Equal(HttpStatusCode.NotFound, responses[1].StatusCode);
        foreach (var response in responses)
        {
            ConsoleAssert.SecurityHeaders(response);
            response.Dispose();
        }
    }

    [Fact]
    public async Task Identifiers_ReviewerPagesAndApiShowNoneUnmasked_AdminOriginalShowsThemAndIsAudited()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        var body = new StringBuilder("Claimants for the hearing:\r\n\r\n");
        for (int i = 0; i < People.Names.Length; i++)
        {
            body.Append($"{People.Names[i]}, date of birth {People.BirthDates[i]}, NI number {People.Ninos[i]}, NHS number {People.NhsNumbers[i]}\r\n");
        }

        string subject = $"Claimant {People.Ninos[0]} (NHS {People.NhsNumbers[0]}, born {People.BirthDates[0]})";
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.WithCsv(
            "clerk@corp.example", to, subject, body.ToString(), $"claimants-{People.Ninos[1]}.csv", People.Csv()));
        var record = (await console.Quarantine.GetQuarantineAsync(id))!;
        var kinds = FindingsJson.Deserialize(record.FindingsJson).Select(f => f.Kind).ToList();
        Assert.Contains(FindingKinds.ExposedRecipients, kinds);
        Assert.Contains(FindingKinds.PersonalData, kinds);
        Assert.Contains(FindingKinds.UkNino, kinds);

        string[] secrets =
        [
            .. People.Ninos,
            .. People.NhsNumbers,
            .. People.NhsNumbers.Select(n => n.Replace(" ", "", StringComparison.Ordinal)),
            .. People.BirthDates,
            .. to,
            .. to.Select(a => a[..a.IndexOf('@')]),
        ];

        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        var (api, _, _) = await console.ApiClientAsync(ConsoleRole.Reviewer);
        var seen = new List<(string What, string Text)>();
        foreach (string path in new[] { "/messages", "/messages?status=all", "/messages/" + id, "/audit", "/audit?message=" + id })
        {
            seen.Add((path, await reviewer.PageAsync(path)));
        }

        foreach (string path in new[] { "/api/messages", "/api/messages/" + id })
        {
            using var response = await api.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // Decoded, so that an escape in the JSON cannot hide a value from the check.
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            seen.Add(("API " + path, System.Text.Json.JsonSerializer.Serialize(json.RootElement, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })));
        }

        foreach (var (what, text) in seen)
        {
            string decoded = WebUtility.HtmlDecode(text);
            foreach (string secret in secrets)
            {
                int at = decoded.IndexOf(secret, StringComparison.OrdinalIgnoreCase);
                Assert.True(at < 0, $"{what} shows '{secret}' unmasked: ...{(at < 0 ? "" : decoded[Math.Max(0, at - 150)..Math.Min(decoded.Length, at + 60)])}...");
            }
        }

        // The reviewer does see that there is something, masked.
        string page = WebUtility.HtmlDecode(seen[2].Text);
        Assert.Contains("AB****56C", page, StringComparison.Ordinal);
        Assert.Contains("e***@partner0.example", page, StringComparison.Ordinal);
        Assert.Contains(People.Names[2], page, StringComparison.Ordinal);

        // The admin's original shows the values, and opening it is audited first.
        var admin = await console.LoginAsync(ConsoleRole.Admin, "admin-original");
        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), a => a.Action == "original-opened");
        string original = WebUtility.HtmlDecode(await admin.PageAsync($"/messages/{id}/original"));
        foreach (string secret in new[] { People.Ninos[0], People.Ninos[5], People.NhsNumbers[3], People.BirthDates[4], to[0], to[11], $"claimants-{People.Ninos[1]}.csv" })
        {
            Assert.Contains(secret, original, StringComparison.Ordinal);
        }

        var opened = Assert.Single(await console.Quarantine.ListAuditAsync(id, 100), a => a.Action == "original-opened");
        Assert.Equal("admin-original", opened.Actor);
        string audit = await reviewer.PageAsync("/audit?message=" + id);
        Assert.Contains("original-opened", audit, StringComparison.Ordinal);
        Assert.Contains("admin-original", audit, StringComparison.Ordinal);
    }
}
