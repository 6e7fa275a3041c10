using System.Globalization;
using MailGuard.Core.Store;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>The pager's links on the held list and the audit log lead to the older entries.</summary>
public sealed class ConsolePagingTests
{
    [Fact]
    public async Task SecondPage_MessagesAndAudit_ShowTheOlderEntries()
    {
        await using var console = await ConsoleHarness.StartAsync();
        var to = HeldMail.External(12);
        string oldest = await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota oldest", to));
        for (int i = 0; i < 50; i++)
        {
            await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota " + i.ToString(CultureInfo.InvariantCulture), to));
        }

        for (int i = 0; i < 120; i++)
        {
            await console.Quarantine.AppendAuditAsync(new AuditEvent(DateTimeOffset.UtcNow, "probe-" + i.ToString("000", CultureInfo.InvariantCulture), "note", null, null, null));
        }

        var reviewer = await console.LoginAsync(ConsoleRole.Reviewer);
        string first = await reviewer.PageAsync("/messages");
        Assert.Contains("Page 1 of 2", first, StringComparison.Ordinal);
        Assert.DoesNotContain(oldest, first, StringComparison.Ordinal);
        Assert.Contains("href=\"/messages?status=held&amp;page=2\"", first, StringComparison.Ordinal);
        string second = await reviewer.PageAsync("/messages?status=held&page=2");
        Assert.Contains("Page 2 of 2", second, StringComparison.Ordinal);
        Assert.Contains(oldest, second, StringComparison.Ordinal);

        // Oldest first is the store's order over every match: the oldest leads page 1, and the
        // newest is on the last page, not cut off by a window.
        string oldestFirst = await reviewer.PageAsync("/messages?status=held&sort=oldest");
        Assert.Contains(oldest, oldestFirst, StringComparison.Ordinal);
        Assert.Contains("Page 1 of 2", oldestFirst, StringComparison.Ordinal);
        Assert.Contains("Rota 49", await reviewer.PageAsync("/messages?status=held&sort=oldest&page=2"), StringComparison.Ordinal);
        Assert.DoesNotContain("among the newest", oldestFirst, StringComparison.Ordinal);

        string auditFirst = await reviewer.PageAsync("/audit");
        Assert.DoesNotContain("probe-000", auditFirst, StringComparison.Ordinal);
        string auditSecond = await reviewer.PageAsync("/audit?page=2");
        Assert.Contains("Page 2", auditSecond, StringComparison.Ordinal);
        Assert.Contains("probe-000", auditSecond, StringComparison.Ordinal);
    }
}
