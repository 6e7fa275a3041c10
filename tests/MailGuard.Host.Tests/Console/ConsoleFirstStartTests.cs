using System.Text.RegularExpressions;
using MailGuard.Core.Diagnostics;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Tests.Review;

/// <summary>First start with no accounts: an admin with a random password, logged once, never a fixed default.</summary>
public sealed partial class ConsoleFirstStartTests
{
    [GeneratedRegex("created admin account 'admin' with password (\\S+) ")]
    private static partial Regex PasswordLine();

    [Fact]
    public async Task FirstStart_InitialAdminPasswordLoggedOnce_DiffersPerStore_NotLoggedOnRestart()
    {
        string storeA = TempDirectory.Create("first-start-a");
        string storeB = TempDirectory.Create("first-start-b");
        try
        {
            var (logA, passwordA) = await StartFreshAsync(storeA);
            var (logB, passwordB) = await StartFreshAsync(storeB);
            Assert.NotEqual(passwordA, passwordB);
            Assert.True(passwordA.Length >= 16, "a short initial password");
            Assert.DoesNotContain(passwordB, logA.Text, StringComparison.Ordinal);

            // Restarted on the same store: the account exists, nothing is created or logged.
            var restart = new LogCapture();
            await using (var console = await StartAsync(storeA, restart))
            {
                await console.NewSession().LoginOkAsync("admin", passwordA);
                Assert.Single(await console.Accounts.Store.ListUsersAsync());
            }

            Assert.DoesNotContain(restart.Entries, e => e.EventId == LogEventIds.InitialAdminCreated);
            Assert.DoesNotContain(passwordA, restart.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("password", restart.Text, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            TempDirectory.Delete(storeA);
            TempDirectory.Delete(storeB);
        }
    }

    /// <summary>Starts on an empty store; returns the log and the password it showed, after checking it works and appears once.</summary>
    private static async Task<(LogCapture Log, string Password)> StartFreshAsync(string store)
    {
        var log = new LogCapture();
        string password;
        await using (var console = await StartAsync(store, log))
        {
            var created = Assert.Single(log.Entries, e => e.EventId == LogEventIds.InitialAdminCreated);
            Assert.Equal(LogLevel.Warning, created.Level);
            var match = PasswordLine().Match(created.Message);
            Assert.True(match.Success, created.Message);
            password = match.Groups[1].Value;
            Assert.Equal(1, Regex.Count(log.Text, Regex.Escape(password)));

            var admin = Assert.Single(await console.Accounts.Store.ListUsersAsync());
            Assert.Equal(("admin", ConsoleRole.Admin), (admin.Name, admin.Role));
            Assert.DoesNotContain(password, admin.PasswordHash, StringComparison.Ordinal);
            var session = console.NewSession();
            await session.LoginOkAsync("admin", password);
            await session.PageAsync("/admin/users");
            // Nowhere else: not in the audit log, not in the pages.
            Assert.DoesNotContain(await console.AuditAsync(), e => $"{e.Reason} {e.Detail}".Contains(password, StringComparison.Ordinal));
            Assert.DoesNotContain(password, await session.PageAsync("/admin/users"), StringComparison.Ordinal);
        }

        Assert.Equal(1, Regex.Count(log.Text, Regex.Escape(password)));
        return (log, password);
    }

    private static Task<ConsoleHarness> StartAsync(string store, LogCapture log) => ConsoleHarness.StartAsync(
        new Dictionary<string, string?> { ["Storage:Directory"] = store, ["Logging:LogLevel:Default"] = "Information" },
        services => services.AddSingleton<ILoggerProvider>(log));
}
