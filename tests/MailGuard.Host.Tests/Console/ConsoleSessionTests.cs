using System.Diagnostics;
using System.Net;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>Login throttling and the end of sessions: password change, disabled account, role change, logout.</summary>
public sealed class ConsoleSessionTests
{
    [Fact]
    public async Task Login_AfterMaxFailures_CorrectPasswordRefused429UntilLockoutPasses()
    {
        var lockout = TimeSpan.FromSeconds(3);
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Console:MaxLoginFailures"] = "3",
            ["Console:LoginLockout"] = lockout.ToString(),
        });
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var (otherName, otherPassword) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var browser = console.NewSession();

        // Started before the first failure is recorded (for "still locked") and after (for "unlocked by now").
        var beforeFirstFailure = Stopwatch.StartNew();
        Stopwatch? afterFirstFailure = null;
        for (int i = 0; i < 3; i++)
        {
            using var response = await browser.LoginAsync(name, "wrong password " + i);
            afterFirstFailure ??= Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Wrong account name or password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var response = await browser.LoginAsync(name, password))
        {
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
            Assert.Contains("Too many failed attempts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The client address is locked out too: another account's correct password from it is refused.
        using (var response = await console.NewSession().LoginAsync(otherName, otherPassword))
        {
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
        }

        Assert.True(beforeFirstFailure.Elapsed < lockout, $"the refusals came {beforeFirstFailure.Elapsed} after the first failure, past the {lockout} lockout; the test proves nothing");
        using (var response = await browser.GetAsync("/messages"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        var rest = lockout - afterFirstFailure!.Elapsed + TimeSpan.FromMilliseconds(200);
        await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
        await browser.LoginOkAsync(name, password);
        await browser.PageAsync("/messages");
        Assert.Equal(3, (await console.AuditAsync()).Count(a => a.Action == "login-failed" && a.Actor == name));
    }

    [Fact]
    public async Task PasswordChange_EndsOtherSessions_KeepsThisOne()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var here = console.NewSession();
        var elsewhere = console.NewSession();
        await here.LoginOkAsync(name, password);
        await elsewhere.LoginOkAsync(name, password);
        await elsewhere.PageAsync("/messages");

        using (var response = await here.PostFormAsync("/account", [("Current", "not my password"), ("New", "correct horse battery staple")], await here.TokenAsync("/account")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("current password is wrong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await elsewhere.PageAsync("/messages");
        using (var response = await here.PostFormAsync("/account", [("Current", password), ("New", "correct horse battery staple")], await here.TokenAsync("/account")))
        {
            ConsoleAssert.RedirectsTo(response, "/account");
        }

        Assert.Contains("Password changed", await here.PageAsync("/account"), StringComparison.Ordinal);
        using (var response = await elsewhere.GetAsync("/messages"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        await here.PageAsync("/messages");
        using (var response = await console.NewSession().LoginAsync(name, password))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await console.NewSession().LoginOkAsync(name, "correct horse battery staple");
    }

    [Fact]
    public async Task DisabledOrDemotedAccount_ExistingSessionEnds()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to));
        var admin = await console.LoginAsync(ConsoleRole.Admin);
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var reviewer = console.NewSession();
        await reviewer.LoginOkAsync(name, password);
        string reviewerToken = await reviewer.TokenAsync("/messages/" + id);
        var (otherAdmin, otherPassword) = await console.CreateUserAsync(ConsoleRole.Admin);
        var demoted = console.NewSession();
        await demoted.LoginOkAsync(otherAdmin, otherPassword);
        await demoted.PageAsync("/admin/users");

        foreach (var (op, target) in new[] { ("disable", name), ("make-reviewer", otherAdmin) })
        {
            using var response = await admin.PostFormAsync("/admin/users", [("op", op), ("name", target)], await admin.TokenAsync("/admin/users"));
            ConsoleAssert.RedirectsTo(response, "/admin/users");
        }

        using (var response = await reviewer.GetAsync("/messages"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        using (var response = await reviewer.PostFormAsync("/messages/" + id, [("verb", "release"), ("reason", "after being disabled")], reviewerToken))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        using (var response = await console.NewSession().LoginAsync(name, password))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Wrong account name or password", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The demoted admin's session carried the admin role: it ends rather than keep it.
        using (var response = await demoted.GetAsync("/admin/users"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        await demoted.LoginOkAsync(otherAdmin, otherPassword);
        using (var response = await demoted.GetAsync("/admin/users"))
        {
            ConsoleAssert.RedirectsTo(response, "/denied");
        }
    }

    [Fact]
    public async Task Login_SessionCookieHttpOnlyStrict_OffSiteReturnUrlIgnored()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        foreach (string returnUrl in new[] { "https://evil.example/", "//evil.example/x", "/\\evil.example", "/audit" })
        {
            var browser = console.NewSession();
            string token = await browser.TokenAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
            using var response = await browser.PostFormAsync("/login", [("Name", name), ("Password", password), ("ReturnUrl", returnUrl)], token);
            ConsoleAssert.RedirectsTo(response, returnUrl == "/audit" ? "/audit" : "/messages");
            string cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("mailguard.session=", StringComparison.Ordinal));
            var attributes = cookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
            Assert.Contains("httponly", attributes);
            Assert.Contains("samesite=strict", attributes);
        }
    }

    [Fact]
    public async Task Logout_EndsTheSession_AndTheAccountsOtherSessionsOnTheServer()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var session = console.NewSession();
        await session.LoginOkAsync(name, password);
        // A second session of the same account stands for a copied cookie: the server must stop accepting it.
        var other = console.NewSession();
        await other.LoginOkAsync(name, password);
        await other.PageAsync("/messages");
        using (var response = await session.PostFormAsync("/logout", [], await session.TokenAsync("/messages")))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        foreach (var s in new[] { session, other })
        {
            using var response = await s.GetAsync("/messages");
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        // Logging in again afterwards works.
        var again = console.NewSession();
        await again.LoginOkAsync(name, password);
        await again.PageAsync("/messages");
        Assert.Contains(await console.Quarantine.ListAuditAsync(null, 50), a => a.Action == "logout" && a.Actor == name);
    }
}
