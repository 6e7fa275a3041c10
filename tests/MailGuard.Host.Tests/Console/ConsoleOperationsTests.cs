using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using MailGuard.Core.Policy;
using MailGuard.Host.Review;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The console's operational surface end to end on loopback: accounts and tokens made with the CLI
/// used over HTTP, /metrics access rules, the dashboard's counts, and the sender's release request
/// reaching the reviewer's message page.
/// </summary>
public sealed partial class ConsoleOperationsTests
{
    private static PolicyOptions Policy(string releaseRequestUrl = "")
    {
        var settings = new Dictionary<string, string?> { ["Policy:InternalDomains:0"] = "corp.example" };
        if (releaseRequestUrl.Length > 0)
        {
            settings["Policy:Notifications:ReleaseRequestUrl"] = releaseRequestUrl;
        }

        return TestPolicies.Shipped(settings);
    }

    private static Task<TestRelay> StartAsync(Dictionary<string, string?>? settings = null, PolicyOptions? policy = null)
    {
        settings ??= [];
        settings.TryAdd("Console:Listen", "http://127.0.0.1:0");
        return TestRelay.StartAsync(settings, services =>
        {
            services.AddSingleton(policy ?? Policy());
            services.AddSingleton<IMessageDisposition, InspectingDisposition>();
        });
    }

    private static Uri BaseAddress(TestRelay relay) => relay.Services.GetRequiredService<ReviewConsole>().Addresses[0];

    private static async Task<string> HoldAsync(TestRelay relay, string subject = "Applications")
    {
        var to = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();
        byte[] content = Encoding.UTF8.GetBytes($"From: Clerk <clerk@corp.example>\r\nTo: {string.Join(", ", to)}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\r\n\r\nSee you there.\r\n");
        var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", to, content);
        string text = result.Reply!.Value.Text;
        Assert.StartsWith("Ok: held for review as ", text);
        return text["Ok: held for review as ".Length..];
    }

    private static int Cli(TestRelay relay, out string output, params string[] args)
    {
        var stdout = new StringWriter();
        int code = MailGuard.Host.Commands.Cli.Run([.. args, $"--Storage:Directory={relay.Options.Storage.Directory}"], stdout, new StringWriter());
        output = stdout.ToString().Trim();
        return code;
    }

    [Fact]
    public async Task CliMadeAccountAndToken_WorkOverHttp_AndRevokedTokenIsRefused()
    {
        await using var relay = await StartAsync();
        string id = await HoldAsync(relay);
        if (!OperatingSystem.IsWindows())
        {
            // The keys that protect session cookies are the service's alone.
            var keys = Path.Combine(relay.Options.Storage.Directory, "console-keys");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
        }

        Assert.Equal(0, Cli(relay, out string password, "user", "add", "Rita", "--role", "reviewer"));
        Assert.Equal(20, password.Length);
        Assert.Equal(1, Cli(relay, out _, "user", "add", "rita"));
        Assert.Equal(0, Cli(relay, out string token, "token", "create", "--name", "siem export", "--role", "reviewer"));
        Assert.StartsWith("mgt_", token);

        using var browser = new ConsoleSession(BaseAddress(relay));
        await browser.LoginOkAsync("rita", password);
        Assert.Contains(id, await browser.PageAsync("/messages"));

        using var api = new HttpClient { BaseAddress = BaseAddress(relay) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string list = await api.GetStringAsync("/api/messages?status=held");
        Assert.Contains(id, list);

        Assert.Equal(0, Cli(relay, out string tokens, "token", "list"));
        string tokenId = token.Split('_')[1];
        Assert.Contains(tokenId, tokens);
        Assert.Equal(0, Cli(relay, out _, "token", "revoke", tokenId));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/messages")).StatusCode);

        // Disabling the account ends its session at the next request.
        Assert.Equal(0, Cli(relay, out _, "user", "disable", "rita"));
        var after = await browser.GetAsync("/messages");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Metrics_OpenToAllowedNetworks_OtherwiseNeedToken()
    {
        await using (var relay = await StartAsync())
        {
            await HoldAsync(relay);
            using var http = new HttpClient { BaseAddress = BaseAddress(relay) };
            var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
            string text = await response.Content.ReadAsStringAsync();
            Assert.Contains("mailguard_messages_total{disposition=\"hold\"} 1", text);
            Assert.Contains("mailguard_quarantine_held 1", text);
            Assert.DoesNotContain("applicant", text);
        }

        await using (var relay = await StartAsync(new() { ["Console:MetricsAllowedNetworks:0"] = "10.0.0.0/8", ["Console:MetricsAllowedNetworks:1"] = null }))
        {
            using var http = new HttpClient { BaseAddress = BaseAddress(relay) };
            var refused = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.Equal(0, Cli(relay, out string token, "token", "create", "--name", "prometheus"));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        }
    }

    [Fact]
    public async Task Dashboard_ShowsTodaysDecisionsQueueAndUpstream()
    {
        await using var relay = await StartAsync();
        await HoldAsync(relay);
        await HoldAsync(relay);
        await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["friend@ext.example"], TestMessages.Build("Lunch"));
        await relay.WaitForPickupAsync(1);
        await relay.Services.GetRequiredService<DecisionRecorder>().FlushAsync();
        Assert.Equal(0, Cli(relay, out string password, "user", "add", "ana", "--role", "admin"));
        using var browser = new ConsoleSession(BaseAddress(relay));
        await browser.LoginOkAsync("ana", password);
        string page = await browser.PageAsync("/dashboard");
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<title>{today} hold: 2</title>", page);
        Assert.Contains($"<title>{today} deliver: 1</title>", page);
        Assert.Contains("<td>exposed-recipients</td><td>hold</td><td class=\"num\">2</td>", page);
        Assert.Contains("Upstream (pickup)", page);
        Assert.DoesNotContain("<script", page);
    }

    [Fact]
    public async Task SendersReleaseRequest_FromTheHeldNotice_ReachesTheReviewersMessagePage()
    {
        await using var relay = await StartAsync(policy: Policy("http://console.invalid/request"));
        string id = await HoldAsync(relay);
        // The held notice goes to the sender; its link carries the message id and the MAC.
        var notices = await relay.WaitForPickupAsync(1);
        string notice = Encoding.UTF8.GetString(notices.Single(n => n.RcptTo.SequenceEqual(["clerk@corp.example"])).Content);
        var link = new Regex(@"http://console\.invalid(/request/" + id + @"/[A-Za-z0-9_\-]+)").Match(notice.Replace("=\r\n", "", StringComparison.Ordinal));
        Assert.True(link.Success, notice);
        string path = link.Groups[1].Value;

        using var sender = new ConsoleSession(BaseAddress(relay));
        Assert.Equal(HttpStatusCode.NotFound, (await sender.GetAsync($"/request/{id}/AAAAAAAAAAAAAAAAAAAAAAAA")).StatusCode);
        var sent = await sender.SubmitAsync(path, ("justification", "The invitees agreed to share addresses <b>at the meeting</b>."));
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Contains("your request is with the reviewers", await sent.Content.ReadAsStringAsync());

        Assert.Equal(0, Cli(relay, out string password, "user", "add", "rev"));
        using var reviewer = new ConsoleSession(BaseAddress(relay));
        await reviewer.LoginOkAsync("rev", password);
        string page = await reviewer.PageAsync("/messages/" + id);
        Assert.Contains("Sender's release requests", page);
        Assert.Contains("The invitees agreed to share addresses &lt;b&gt;at the meeting&lt;/b&gt;.", page);
        Assert.Contains("sender:clerk@corp.example", page);
    }

    [Fact]
    public async Task SearchingForAnIdentifier_RefusedForReviewers_AllowedForAdmins()
    {
        await using var relay = await StartAsync();
        string id = await HoldAsync(relay, "Case AB123456C");
        Assert.Equal(0, Cli(relay, out string reviewerPassword, "user", "add", "rev"));
        Assert.Equal(0, Cli(relay, out string adminPassword, "user", "add", "boss", "--role", "admin"));
        using var reviewer = new ConsoleSession(BaseAddress(relay));
        await reviewer.LoginOkAsync("rev", reviewerPassword);
        // The whole value, a prefix of it (a character-at-a-time probe) and an address are all refused.
        foreach (string probe in new[] { "AB123456C", "AB1234", "3456", "clerk@" })
        {
            string refused = await reviewer.PageAsync("/messages?q=" + Uri.EscapeDataString(probe));
            Assert.Contains("Reviewers search for words or a message reference", refused);
            Assert.DoesNotContain(id, refused);
        }

        // A message's reference is not personal data: searching for it works.
        Assert.Contains(id, await reviewer.PageAsync("/messages?q=" + id));
        // An ordinary search still works, and shows the subject masked.
        string found = await reviewer.PageAsync("/messages?q=Case");
        Assert.Contains(id, found);
        Assert.DoesNotContain("AB123456C", found);

        using var admin = new ConsoleSession(BaseAddress(relay));
        await admin.LoginOkAsync("boss", adminPassword);
        Assert.Contains(id, await admin.PageAsync("/messages?q=AB123456C"));

        Assert.Equal(0, Cli(relay, out string token, "token", "create", "--name", "t"));
        using var api = new HttpClient { BaseAddress = BaseAddress(relay) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await api.GetAsync("/api/messages?q=AB123456C");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task HttpsListen_ServesTheConfiguredCertificate_SecureCookie_ReloadsRenewedCertificate()
    {
        string dir = TempDirectory.Create("console-tls");
        try
        {
            using var certificate = TestMessages.Certificate("localhost");
            string certPath = Path.Combine(dir, "console.pem"), keyPath = Path.Combine(dir, "console.key");
            TestMessages.WritePem(certificate, certPath, keyPath);
            await using var relay = await StartAsync(new()
            {
                ["Console:Listen"] = "https://127.0.0.1:0",
                ["Console:Tls:CertificatePath"] = certPath,
                ["Console:Tls:KeyPath"] = keyPath,
            });
            var address = BaseAddress(relay);
            Assert.Equal("https", address.Scheme);
            string? seen = null;
            using var handler = new HttpClientHandler
            {
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = (_, cert, _, _) =>
                {
                    seen = cert?.Thumbprint;
                    return true;
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = address };
            Assert.Equal("healthy\n", await http.GetStringAsync("/healthz"));
            Assert.Equal(certificate.Thumbprint, seen);

            Assert.Equal(0, Cli(relay, out string password, "user", "add", "tls"));
            string login = await http.GetStringAsync("/login");
            string token = new Regex("name=\"__af\" type=\"hidden\" value=\"([^\"]+)\"").Match(login).Groups[1].Value;
            var response = await http.PostAsync("/login", new FormUrlEncodedContent([new("Name", "tls"), new("Password", password), new("__af", token)]));
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            string session = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("mailguard.session=", StringComparison.Ordinal));
            Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);

            // A renewed certificate written over the files is served to new connections without a restart.
            using var renewed = TestMessages.Certificate("localhost");
            TestMessages.WritePem(renewed, certPath, keyPath);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            string? served = null;
            while (served != renewed.Thumbprint && DateTime.UtcNow < deadline)
            {
                using var fresh = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => { served = cert?.Thumbprint; return true; } };
                using var client = new HttpClient(fresh) { BaseAddress = address };
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
                if (served != renewed.Thumbprint)
                {
                    await Task.Delay(100);
                }
            }

            Assert.Equal(renewed.Thumbprint, served);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [PostgresFact]
    public async Task TwoNodesOnPostgres_OneInitialAdmin_AccountsHoldsAndCountsShared_ReleaseFromTheOtherNode()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        Dictionary<string, string?> Node(string name) => new()
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Delivery:NodeName"] = name,
            ["Console:LinkKey"] = Convert.ToBase64String(new byte[32]),
        };
        var starting = new[] { StartAsync(Node("node-a")), StartAsync(Node("node-b")) };
        await Task.WhenAll(starting);
        await using var nodeA = await starting[0];
        await using var nodeB = await starting[1];
        var accounts = (MailGuard.Core.Store.IAccountStore)nodeA.Store;
        // Both consoles started on an empty store; exactly one made the initial admin.
        Assert.Equal(1, await accounts.CountUsersAsync());

        string id = await HoldAsync(nodeA);
        await nodeA.Services.GetRequiredService<DecisionRecorder>().FlushAsync();
        var stdout = new StringWriter();
        Assert.Equal(0, MailGuard.Host.Commands.Cli.Run(["user", "add", "rev", "--Storage:Provider=Postgres", $"--Storage:ConnectionString={database.ConnectionString}", $"--Storage:Directory={nodeB.Options.Storage.Directory}"], stdout, new StringWriter()));

        using var reviewer = new ConsoleSession(BaseAddress(nodeB));
        await reviewer.LoginOkAsync("rev", stdout.ToString().Trim());
        Assert.Contains(id, await reviewer.PageAsync("/messages"));
        string today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<title>{today} hold: 1</title>", await reviewer.PageAsync("/dashboard"));
        var released = await reviewer.SubmitAsync("/messages/" + id, ("verb", "release"), ("reason", "approved on node b"));
        Assert.Equal(HttpStatusCode.Redirect, released.StatusCode);

        // Whichever node's worker claims it, it is delivered once.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<PickedUp> delivered;
        do
        {
            await Task.Delay(100);
            delivered = PickedUp.ReadAll(nodeA.PickupDirectory).Concat(PickedUp.ReadAll(nodeB.PickupDirectory)).Where(p => p.RcptTo.Count() == 12).ToList();
        }
        while (delivered.Count == 0 && DateTime.UtcNow < deadline);
        await nodeA.WaitForQueueDrainedAsync(); // one store: nothing more is waiting on either node
        delivered = PickedUp.ReadAll(nodeA.PickupDirectory).Concat(PickedUp.ReadAll(nodeB.PickupDirectory)).Where(p => p.RcptTo.Count() == 12).ToList();
        Assert.Single(delivered);
        Assert.Contains(await ((MailGuard.Core.Store.IQuarantineStore)nodeA.Store).ListAuditAsync(id, 10), a => a.Action == "release" && a.Actor == "rev" && a.Reason == "approved on node b");
    }

    [Fact]
    public async Task WithEncryptionKey_ConsoleKeysSealedAtRest_SessionSurvivesRestart()
    {
        string dir = TempDirectory.Create("console-keys");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Quarantine:EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                ["Storage:Directory"] = Path.Combine(dir, "data"),
                ["Delivery:PickupDirectory"] = Path.Combine(dir, "pickup"),
            };
            var cookies = new CookieContainer();
            await using (var first = await StartAsync(new(settings)))
            {
                Assert.Equal(0, Cli(first, out string password, "user", "add", "keeper"));
                using var browser = new ConsoleSession(BaseAddress(first), cookies);
                await browser.LoginOkAsync("keeper", password);
                string keyFile = Assert.Single(Directory.GetFiles(Path.Combine(dir, "data", "console-keys"), "key-*.xml"));
                string xml = await File.ReadAllTextAsync(keyFile);
                Assert.Contains("sealedKey", xml);
                Assert.DoesNotContain("masterKey", xml);
            }

            // A restarted node reads the sealed key back: the session cookie it issued still works.
            await using var second = await StartAsync(new(settings));
            using var again = new ConsoleSession(BaseAddress(second), cookies);
            var response = await again.GetAsync("/messages");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task TokenMadeByAConsoleAccount_FollowsTheAccount_DemotedActsAsReviewer_DisabledStops()
    {
        await using var relay = await StartAsync();
        await HoldAsync(relay, "Case AB123456C");
        var accounts = relay.Services.GetRequiredService<ConsoleAccounts>();
        Assert.NotNull(await accounts.CreateUserAsync("boss", MailGuard.Core.Store.ConsoleRole.Admin, "test"));
        var (_, secret) = await accounts.CreateTokenAsync("boss's script", MailGuard.Core.Store.ConsoleRole.Admin, "boss");
        using var api = new HttpClient { BaseAddress = BaseAddress(relay) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        // An identifier search is an admin's: allowed while boss is an admin.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/messages?q=AB123456C")).StatusCode);

        await accounts.SetRoleAsync("boss", MailGuard.Core.Store.ConsoleRole.Reviewer, "test");
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/messages?q=AB123456C")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/messages")).StatusCode);

        await accounts.SetDisabledAsync("boss", true, "test");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/messages")).StatusCode);
    }
}
