using System.Net;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>Issue 6 item 7: a form posted without its antiforgery token, or with another session's, is refused (400) and changes nothing.</summary>
public sealed class ConsoleAntiforgeryTests
{
    [Fact]
    public async Task Login_WithoutTokenOrWithAnotherSessionsToken_400AndNoSession()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var browser = console.NewSession();
        await browser.TokenAsync("/login"); // the browser holds its own antiforgery cookie
        string otherToken = await console.NewSession().TokenAsync("/login");

        using (var response = await browser.PostFormAsync("/login", [("Name", name), ("Password", password)], antiforgery: null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await browser.PostFormAsync("/login", [("Name", name), ("Password", password)], otherToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var response = await browser.GetAsync("/messages"))
        {
            ConsoleAssert.RedirectsTo(response, "/login");
        }

        // Nothing reached the password check: no failure recorded, no lockout counted.
        Assert.DoesNotContain(await console.AuditAsync(), a => a.Action is "login" or "login-failed");
        await browser.LoginOkAsync(name, password);
    }

    [Fact]
    public async Task MessageAction_WithoutTokenOrWithForeignToken_400AndStillHeld()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string id = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to));
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var reviewer = console.NewSession();
        string anonymousToken = await reviewer.TokenAsync("/login");
        await reviewer.LoginOkAsync(name, password);
        await reviewer.PageAsync("/messages/" + id);
        // The same account logged in from another browser.
        var other = console.NewSession();
        await other.LoginOkAsync(name, password);
        string otherToken = await other.TokenAsync("/messages/" + id);
        var fields = new[] { ("verb", "delete"), ("reason", "forged") };

        foreach (string? token in new[] { null, otherToken, anonymousToken, "CfDJ8" + new string('A', 100) })
        {
            using var response = await reviewer.PostFormAsync("/messages/" + id, fields, token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"token {token?[..Math.Min(token.Length, 12)] ?? "none"}: {(int)response.StatusCode}");
            Assert.Equal(QuarantineStatus.Held, await console.StatusAsync(id));
        }

        Assert.DoesNotContain(await console.Quarantine.ListAuditAsync(id, 100), a => a.Reason == "forged");
        using (var response = await reviewer.ActAsync(id, "delete", "done properly"))
        {
            ConsoleAssert.RedirectsTo(response, "/messages");
        }

        Assert.Equal(QuarantineStatus.Deleted, await console.StatusAsync(id));
    }

    [Fact]
    public async Task AdminForms_WithoutTokenOrWithAnotherAdminsToken_400AndNothingChanged()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var admin = await console.LoginAsync(ConsoleRole.Admin);
        var otherAdmin = await console.LoginAsync(ConsoleRole.Admin);
        var (victim, victimPassword) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        await admin.PageAsync("/admin/users");
        string otherToken = await otherAdmin.TokenAsync("/admin/users");
        var posts = new (string Path, (string, string)[] Fields)[]
        {
            ("/admin/users", [("op", "create"), ("name", "forged-admin"), ("role", "admin")]),
            ("/admin/users", [("op", "reset"), ("name", victim)]),
            ("/admin/users", [("op", "make-admin"), ("name", victim)]),
            ("/admin/tokens", [("op", "create"), ("name", "forged"), ("role", "admin")]),
            ("/account", [("Current", "whatever"), ("New", "a-new-password-1234")]),
            ("/logout", []),
        };

        foreach (var (path, fields) in posts)
        {
            foreach (string? token in new[] { null, otherToken })
            {
                using var response = await admin.PostFormAsync(path, fields, token);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"POST {path} {fields.FirstOrDefault().Item2} with {(token is null ? "no" : "another admin's")} token: {(int)response.StatusCode}");
            }
        }

        var users = await console.Accounts.Store.ListUsersAsync();
        Assert.DoesNotContain(users, u => u.Name == "forged-admin");
        Assert.Equal(ConsoleRole.Reviewer, users.Single(u => u.Name == victim).Role);
        Assert.NotNull((await console.Accounts.VerifyPasswordAsync(victim, victimPassword)).User);
        Assert.Empty(await console.Accounts.Store.ListTokensAsync());
        // The refused logout did not end the session.
        await admin.PageAsync("/admin/users");
    }
}
