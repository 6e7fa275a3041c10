using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MailGuard.Core.Store;
using MailGuard.Host.Review;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;

namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// The Outlook add-in's own JavaScript (commands.html and commands.js as the console serves them)
/// in Debian's headless Chromium, against a running MailGuard, with <see cref="OfficeStandIn"/> in
/// place of Office.js: the Move to Bcc flow, the personal-data block, the override, and the
/// unreachable and slow server. Where the sender goes on to send, the message then goes through the
/// relay over SMTP, which decides with the same policy.
/// </summary>
public sealed class AddinBrowserTests : IClassFixture<AddinBrowserFixture>
{
    private readonly AddinBrowserFixture _fixture;

    public AddinBrowserTests(AddinBrowserFixture fixture) => _fixture = fixture;

    private IWebDriver Driver => _fixture.Browser.Driver;

    private static readonly string[] s_external = [.. HeldMail.External(12)];

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ExposedRecipients_BlockedWithMoveToBcc_MovesExactlyThoseAndSends_RelayDelivers()
    {
        await _fixture.StartAsync();
        _fixture.OpenAddin();
        SetDraft(new { from = "clerk@corp.example", to = s_external.Append("colleague@corp.example").ToArray(), cc = new[] { "manager@corp.example" }, subject = "Rota for the open day", text = "Dear all, the rota is below." });

        var (options, _) = FireSend();
        Assert.False(options.GetProperty("allowEvent").GetBoolean());
        string message = options.GetProperty("errorMessage").GetString()!;
        Assert.StartsWith("12 people outside the organisation will see each other's addresses.", message, StringComparison.Ordinal);
        Assert.Contains("use Bcc", message, StringComparison.Ordinal);
        Assert.Equal("Move to Bcc", options.GetProperty("cancelLabel").GetString());
        Assert.Equal(AddinManifest.MoveToBccButton, options.GetProperty("commandId").GetString());
        Assert.False(options.TryGetProperty("sendModeOverride", out _));

        // The dialog's Move to Bcc runs the function command: exactly the twelve move, and it sends.
        Run("return window.__mailguardTest.runCommand('mailguardMoveToBcc')");
        var draft = Snapshot();
        Assert.Equal(["colleague@corp.example"], Strings(draft.GetProperty("to")));
        Assert.Equal(["manager@corp.example"], Strings(draft.GetProperty("cc")));
        Assert.Equal(s_external, Strings(draft.GetProperty("bcc")));
        Assert.Equal(1, draft.GetProperty("sent").GetInt32());

        // Sending fires OnMessageSend again: now it goes at once.
        Assert.True(FireSend().Options.GetProperty("allowEvent").GetBoolean());

        // And the relay, with the same policy, delivers the fixed message rather than holding it.
        byte[] fixedMessage = Encoding.UTF8.GetBytes(
            "From: Clerk <clerk@corp.example>\r\nTo: colleague@corp.example\r\nCc: manager@corp.example\r\nSubject: Rota for the open day\r\n" +
            $"Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear all, the rota is below.\r\n");
        var result = await TestMessages.SendAsync(_fixture.Relay.Port, "clerk@corp.example", [.. s_external, "colleague@corp.example", "manager@corp.example"], fixedMessage);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.DoesNotContain("held", result.Reply?.Text ?? "", StringComparison.Ordinal);
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task PersonalData_BlockedWithTheFindingAndRuleText_NoSendAnyway()
    {
        await _fixture.StartAsync();
        _fixture.OpenAddin();
        SetDraft(new
        {
            from = "hr@corp.example",
            to = new[] { "caseworker@partner.example" },
            subject = "Claimants",
            text = "Please find the claimants attached.",
            attachments = new[] { new { name = "claimants.csv", type = "text/csv", content = Convert.ToBase64String(Encoding.UTF8.GetBytes(People.Csv())) } },
        });

        var (options, _) = FireSend();
        Assert.False(options.GetProperty("allowEvent").GetBoolean());
        string message = options.GetProperty("errorMessage").GetString()!;
        Assert.Contains("Personal details of 6 people in claimants.csv.", message, StringComparison.Ordinal);
        Assert.Contains("National Insurance numbers of 6 people in claimants.csv", message, StringComparison.Ordinal);
        Assert.Contains("Personal data about several people is going outside the organisation.", message, StringComparison.Ordinal);
        Assert.Contains("Remove claimants.csv before sending.", message, StringComparison.Ordinal);
        Assert.DoesNotContain("AB123456C", message, StringComparison.Ordinal);
        Assert.DoesNotContain("send anyway", message, StringComparison.OrdinalIgnoreCase);
        Assert.False(options.TryGetProperty("sendModeOverride", out _));
        Assert.False(options.TryGetProperty("cancelLabel", out _));
        Assert.Empty(Snapshot().GetProperty("headers").EnumerateObject());
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task RuleAllowingOverride_SendAnywayOffered_Recorded_RelayStillHolds()
    {
        await _fixture.StartAsync();
        _fixture.OpenAddin();
        SetDraft(new
        {
            from = "clerk@corp.example",
            to = new[] { "partner@partner.example" },
            subject = "Notes",
            text = "Notes attached.",
            attachments = new[] { new { name = "notes.txt", type = "text/plain", content = Convert.ToBase64String("Agenda for Thursday."u8.ToArray()) } },
        });

        var (options, _) = FireSend();
        Assert.False(options.GetProperty("allowEvent").GetBoolean());
        Assert.Equal("promptUser", options.GetProperty("sendModeOverride").GetString());
        string message = options.GetProperty("errorMessage").GetString()!;
        Assert.StartsWith("Attachments of a type the organisation checks before they go out: notes.txt. " + AddinBrowserFixture.OverrideReason, message, StringComparison.Ordinal);
        Assert.Contains("Remove notes.txt before sending.", message, StringComparison.Ordinal);
        Assert.Contains("If you send anyway, your choice is recorded and MailGuard still applies the policy when the message leaves: it may still be held for review.", message, StringComparison.Ordinal);
        // Recorded before the dialog: Outlook sends with the field if the sender chooses Send anyway.
        var headers = Snapshot().GetProperty("headers");
        Assert.Equal(AddinBrowserFixture.OverrideRule, headers.GetProperty("X-MailGuard-Override").GetString());

        // A later Send without the reason to ask drops the field again.
        SetDraftKeepingHeaders(new { from = "clerk@corp.example", to = new[] { "partner@partner.example" }, subject = "Notes", text = "No attachment after all." });
        Assert.True(FireSend().Options.GetProperty("allowEvent").GetBoolean());
        Assert.Empty(Snapshot().GetProperty("headers").EnumerateObject());

        // The message sent anyway reaches the relay with the field: it holds it all the same, and logs the choice (event 406).
        string boundary = "b" + Guid.NewGuid().ToString("N");
        byte[] sent = Encoding.UTF8.GetBytes(
            $"From: Clerk <clerk@corp.example>\r\nTo: partner@partner.example\r\nSubject: Notes\r\nX-MailGuard-Override: {AddinBrowserFixture.OverrideRule}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n" +
            $"Message-ID: <{Guid.NewGuid():N}@corp.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n" +
            $"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNotes attached.\r\n--{boundary}\r\nContent-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nAgenda for Thursday.\r\n--{boundary}--\r\n");
        var result = await TestMessages.SendAsync(_fixture.Relay.Port, "clerk@corp.example", ["partner@partner.example"], sent);
        Assert.StartsWith("Ok: held for review as ", result.Reply?.Text ?? "", StringComparison.Ordinal);
        var logged = Assert.Single(_fixture.Log.Entries, e => e.EventId == Core.Diagnostics.LogEventIds.SenderOverride);
        Assert.Contains($"rule {AddinBrowserFixture.OverrideRule}; verdict hold", logged.Message, StringComparison.Ordinal);
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ServerUnreachableOrSlow_MessageGoes_WithinTheBudget()
    {
        await _fixture.StartAsync();
        var budget = AddinBrowserFixture.ClientTimeout;
        var exposing = new { from = "clerk@corp.example", to = s_external, subject = "Rota", text = "Dear all." };
        try
        {
            // Unreachable: the request fails at once, and the message goes.
            _fixture.BlockUrls(AddinBrowserFixture.OfficeJs, "*/api/v1/check*");
            _fixture.OpenAddin();
            SetDraft(exposing);
            var (unreachable, unreachableMs) = FireSend();
            Assert.True(unreachable.GetProperty("allowEvent").GetBoolean());
            Assert.True(unreachableMs < budget.TotalMilliseconds, $"{unreachableMs} ms");
        }
        finally
        {
            _fixture.BlockUrls(AddinBrowserFixture.OfficeJs);
        }

        try
        {
            // Slow: the request is held and never answered; at the budget the message goes.
            Cdp("Fetch.enable", new Dictionary<string, object?> { ["patterns"] = new object[] { new Dictionary<string, object?> { ["urlPattern"] = "*/api/v1/check*", ["requestStage"] = "Request" } } });
            _fixture.OpenAddin();
            SetDraft(exposing);
            var (slow, slowMs) = FireSend();
            Assert.True(slow.GetProperty("allowEvent").GetBoolean());
            Assert.InRange(slowMs, budget.TotalMilliseconds - 50, budget.TotalMilliseconds + 5000);
        }
        finally
        {
            Cdp("Fetch.disable", []);
        }

        // Reachable again, the same draft is stopped: the allowance above was the fail-open path.
        _fixture.OpenAddin();
        SetDraft(exposing);
        Assert.False(FireSend().Options.GetProperty("allowEvent").GetBoolean());
    }

    private void Cdp(string command, Dictionary<string, object?> parameters) =>
        ((OpenQA.Selenium.Chromium.ChromiumDriver)Driver).ExecuteCdpCommand(command, parameters);

    private void SetDraft(object draft) =>
        ((IJavaScriptExecutor)Driver).ExecuteScript("window.__mailguardTest.setDraft(JSON.parse(arguments[0]));", JsonSerializer.Serialize(draft));

    private void SetDraftKeepingHeaders(object draft) =>
        ((IJavaScriptExecutor)Driver).ExecuteScript("var h = window.__mailguardTest.headers; window.__mailguardTest.setDraft(JSON.parse(arguments[0])); window.__mailguardTest.headers = h;", JsonSerializer.Serialize(draft));

    /// <summary>Runs a script returning a promise and waits for it (Selenium's async script callback).</summary>
    private string Run(string promiseScript)
    {
        string script = "var done = arguments[arguments.length - 1]; Promise.resolve((function () { " + promiseScript + "; })()).then(function (v) { done(JSON.stringify(v === undefined ? null : v)); }, function (e) { done(JSON.stringify({ error: String(e) })); });";
        return (string?)((IJavaScriptExecutor)Driver).ExecuteAsyncScript(script) ?? "null";
    }

    private (JsonElement Options, double Ms) FireSend()
    {
        using var json = JsonDocument.Parse(Run("return window.__mailguardTest.fireSend()"));
        return (json.RootElement.GetProperty("options").Clone(), json.RootElement.GetProperty("ms").GetDouble());
    }

    private JsonElement Snapshot()
    {
        using var json = JsonDocument.Parse(Run("return window.__mailguardTest.snapshot()"));
        return json.RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}

/// <summary>
/// One relay with the shipped rules plus one that allows an override, the console serving the
/// add-in with a check token, and one Chromium whose pages get the Office.js stand-in and cannot
/// load the real office.js. Started on first use.
/// </summary>
public sealed class AddinBrowserFixture : IAsyncLifetime
{
    public const string OverrideRule = "text-files-external";
    public const string OverrideReason = "Text files going outside are kept for the records team.";
    public const string OfficeJs = "https://appsforoffice.microsoft.com/*";
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(3);

    // A check token whose secret the test knows: its hash is put in the store once the host is up.
    private const string TokenId = "a0d1bb00c0de";
    private const string TokenSecret = "dGVzdC1vbmx5LWFkZGluLXRva2VuLXNlY3JldC0wMDAx";

    private readonly Lock _gate = new();
    private Task? _start;
    private TestRelay? _relay;
    private Chromium? _browser;

    internal TestRelay Relay => _relay ?? throw new InvalidOperationException("not started");

    internal Chromium Browser => _browser ?? throw new InvalidOperationException("not started");

    internal LogCapture Log { get; } = new();

    public Uri BaseUri { get; private set; } = null!;

    public Task StartAsync()
    {
        lock (_gate)
        {
            return _start ??= StartCoreAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        _browser = Chromium.Start();
        string token = $"mgt_{TokenId}_{TokenSecret}";
        _relay = await TestRelay.StartAsync(
            new Dictionary<string, string?>
            {
                ["Console:Listen"] = "http://127.0.0.1:0",
                ["Addin:CheckToken"] = token,
                ["Addin:ClientTimeout"] = ClientTimeout.ToString(),
                ["Check:PermitsPerMinute"] = "1000",
                ["Logging:LogLevel:Default"] = "Information",
            },
            services =>
            {
                // The shipped rules (a rule list given in configuration would replace them whole), no
                // held-notices to senders, and one more rule that lets senders override it.
                var policy = TestPolicies.ShippedForCorp();
                foreach (var rule in policy.Rules)
                {
                    rule.NotifySender = false;
                }

                policy.Rules.Add(new Core.Policy.PolicyRule
                {
                    Name = OverrideRule,
                    Priority = 5,
                    When = new Core.Policy.RuleConditions { AttachmentTypes = ["txt"], AnyExternalRecipient = true },
                    Action = Core.Policy.PolicyAction.Hold,
                    AllowOverride = true,
                    Reason = OverrideReason,
                });
                Assert.Empty(policy.Validate());
                services.AddSingleton(policy);
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
                services.AddSingleton<ILoggerProvider>(Log);
            });
        BaseUri = _relay.Services.GetRequiredService<ReviewConsole>().Addresses[0];
        await _relay.Services.GetRequiredService<IAccountStore>().AddTokenAsync(
            new ApiToken(TokenId, "outlook add-in", ConsoleAccounts.HashSecret(TokenSecret), ConsoleRole.Reviewer, "test", DateTimeOffset.UtcNow, Scope: TokenScope.Check),
            new AuditEvent(DateTimeOffset.UtcNow, "test", "token-created", null, null, TokenId));

        // One check before the browser's, so the first inspection's start-up cost is not in a test's time budget.
        using var client = new HttpClient { BaseAddress = BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var warm = new ByteArrayContent(HeldMail.PersonalData("Warm-up", "caseworker@partner.example"));
        warm.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        using (var response = await client.PostAsync("/api/v1/check", warm))
        {
            Assert.True(response.IsSuccessStatusCode, "warm-up check: " + (int)response.StatusCode);
        }

        var driver = _browser.Driver;
        driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        driver.ExecuteCdpCommand("Page.addScriptToEvaluateOnNewDocument", new Dictionary<string, object?> { ["source"] = OfficeStandIn.Script });
        driver.ExecuteCdpCommand("Network.enable", []);
        BlockUrls(OfficeJs);
    }

    /// <summary>Requests to these URL patterns fail in the browser (Chromium's own blocking: no network needed).</summary>
    public void BlockUrls(params string[] patterns) =>
        Browser.Driver.ExecuteCdpCommand("Network.setBlockedURLs", new Dictionary<string, object?> { ["urls"] = patterns });

    /// <summary>Loads the add-in's page from the console and waits until its script has associated its handlers.</summary>
    public void OpenAddin()
    {
        Browser.Driver.Navigate().GoToUrl(new Uri(BaseUri, "/addin/commands.html").ToString());
        Browser.Wait(d => Equals(((IJavaScriptExecutor)d).ExecuteScript("return !!(window.__mailguardTest && window.__mailguardTest.handlers.onMessageSendHandler && window.__mailguardTest.handlers.mailguardMoveToBcc)"), true), "the add-in's handlers associated");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            _browser?.Dispose();
        }
        finally
        {
            if (_relay is not null)
            {
                await _relay.DisposeAsync();
            }
        }
    }
}
