using System.Net;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The console's password throttle under concurrency: attempts arriving together, on one node and
/// spread over two nodes of one PostgreSQL store, get no more password checks than
/// Console:MaxLoginFailures; the password change at /account counts under the same limit.
/// </summary>
public sealed class ConsoleThrottleTests
{
    private const string WrongPassword = "Wrong account name or password";

    /// <summary>Fetches each session's form token first, then posts every login at once; returns (checked, refused).</summary>
    private static async Task<(int Checked, int Refused)> LoginAllAtOnceAsync(IReadOnlyList<ConsoleSession> sessions, string name)
    {
        var tokens = new List<string>();
        foreach (var session in sessions)
        {
            tokens.Add(await session.TokenAsync("/login"));
        }

        using var start = new SemaphoreSlim(0);
        var posts = sessions.Select((s, i) => Task.Run(async () =>
        {
            await start.WaitAsync();
            using var response = await s.PostFormAsync("/login", [("Name", name), ("Password", "guess " + i)], tokens[i]);
            string body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Checked: body.Contains(WrongPassword, StringComparison.Ordinal));
        })).ToList();
        start.Release(sessions.Count);
        var results = await Task.WhenAll(posts);
        Assert.All(results, r => Assert.True(r.StatusCode is HttpStatusCode.OK or (HttpStatusCode)429, r.StatusCode.ToString()));
        return (results.Count(r => r.StatusCode == HttpStatusCode.OK && r.Checked), results.Count(r => r.StatusCode == (HttpStatusCode)429));
    }

    [Fact]
    public async Task Login_HundredWrongAtOnce_AtMostMaxFailuresChecked()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Console:MaxLoginFailures"] = "5" });
        var (name, _) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var sessions = Enumerable.Range(0, 100).Select(_ => console.NewSession()).ToList();

        var (checks, refused) = await LoginAllAtOnceAsync(sessions, name);

        Assert.Equal((5, 95), (checks, refused));
        Assert.Equal(5, (await console.AuditAsync()).Count(a => a.Action == "login-failed" && a.Actor == name));
    }

    [PostgresFact]
    public async Task Login_HundredWrongAtOnceOverTwoNodes_AtMostMaxFailuresCheckedInAll()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        Dictionary<string, string?> Node(string node) => new()
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = database.ConnectionString,
            ["Delivery:NodeName"] = node,
            ["Console:LinkKey"] = Convert.ToBase64String(new byte[32]),
            ["Console:MaxLoginFailures"] = "5",
        };
        await using var nodeA = await ConsoleHarness.StartAsync(Node("node-a"));
        await using var nodeB = await ConsoleHarness.StartAsync(Node("node-b"));
        var (name, password) = await nodeA.CreateUserAsync(ConsoleRole.Reviewer);
        var sessions = Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? nodeA : nodeB).NewSession()).ToList();

        var (checks, refused) = await LoginAllAtOnceAsync(sessions, name);

        Assert.Equal((5, 95), (checks, refused));
        // The lockout is the store's, not a node's: the right password is refused on both.
        using (var a = await nodeA.NewSession().LoginAsync(name, password))
        using (var b = await nodeB.NewSession().LoginAsync(name, password))
        {
            Assert.Equal(((HttpStatusCode)429, (HttpStatusCode)429), (a.StatusCode, b.StatusCode));
        }

        Assert.Equal(5, (await nodeA.AuditAsync()).Count(a => a.Action == "login-failed" && a.Actor == name));
    }

    [Fact]
    public async Task PasswordChange_WrongCurrentPasswordsCountLikeLogins_ThenRefused429()
    {
        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Console:MaxLoginFailures"] = "3" });
        var (name, password) = await console.CreateUserAsync(ConsoleRole.Reviewer);
        var browser = console.NewSession();
        await browser.LoginOkAsync(name, password);

        for (int i = 0; i < 3; i++)
        {
            using var response = await browser.PostFormAsync("/account", [("Current", "guess " + i), ("New", "correct horse battery staple")], await browser.TokenAsync("/account"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("current password is wrong", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Locked: the right current password is not even checked, and login for the account is locked too.
        using (var response = await browser.PostFormAsync("/account", [("Current", password), ("New", "correct horse battery staple")], await browser.TokenAsync("/account")))
        {
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
            Assert.Contains("Too many failed attempts", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var response = await console.NewSession().LoginAsync(name, password))
        {
            Assert.Equal((HttpStatusCode)429, response.StatusCode);
        }

        // The password was not changed.
        Assert.NotNull((await console.Accounts.VerifyPasswordAsync(name, password, CancellationToken.None)).User);
    }
}
