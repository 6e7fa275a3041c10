using System.Globalization;
using MailGuard.Core.Store;
using MailGuard.Host.Review;
using MailGuard.Host.Review.Pages;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The dashboard's days are calendar days in Console:TimeZone, as the console's times are: a
/// decision made when the zone is already on the next day (or still on the previous one) is
/// counted, stored and drawn under the zone's day, not the UTC one.
/// </summary>
public sealed class ConsoleDashboardZoneTests
{
    /// <summary>A clock that starts at a chosen instant and runs at the real rate (real timers, so the relay works as ever).</summary>
    private sealed class ShiftedTime(DateTimeOffset start) : TimeProvider
    {
        private readonly long _started = System.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => start + System.GetElapsedTime(_started);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    /// <summary>The next instant at <paramref name="utcHour"/>:00 UTC from now: never in the past, so no cookie or token made from it has expired.</summary>
    private static DateTimeOffset NextUtc(int utcHour)
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, utcHour, 0, 0, TimeSpan.Zero);
        return at > now ? at : at.AddDays(1);
    }

    [Theory]
    [InlineData("Pacific/Kiritimati", 22)] // UTC+14: 22:00 UTC is noon of the next day there.
    [InlineData("Pacific/Pago_Pago", 8)] // UTC-11: 08:00 UTC is 21:00 of the previous day there.
    public async Task Dashboard_DaysInConsoleTimeZone_NotUtc(string zoneId, int utcHour)
    {
        var start = NextUtc(utcHour);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
        var utcDay = DateOnly.FromDateTime(start.UtcDateTime);
        Assert.NotEqual(utcDay, localDay);

        await using var console = await ConsoleHarness.StartAsync(
            new Dictionary<string, string?> { ["Console:TimeZone"] = zoneId },
            services => services.AddSingleton<TimeProvider>(new ShiftedTime(start)));
        var to = HeldMail.External(12);
        await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota", to));
        await console.HoldAsync("clerk@corp.example", to, HeldMail.Exposing("Rota again", to));
        await console.Relay.Services.GetRequiredService<DecisionRecorder>().FlushAsync();

        // Stored under the zone's day.
        var stored = await ((IReviewStore)console.Relay.Store).ListDecisionCountsAsync(utcDay.AddDays(-1), utcDay.AddDays(1));
        Assert.Equal([(localDay, "hold", 2L)], stored.Select(c => (c.Day, c.Disposition, c.Count)));

        var admin = await console.LoginAsync(ConsoleRole.Admin);
        string page = await admin.PageAsync("/dashboard");
        string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains($"<title>{Iso(localDay)} hold: 2</title>", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"<title>{Iso(utcDay)} hold", page, StringComparison.Ordinal);
        Assert.Contains($"last {DashboardModel.Days} days ({zoneId})", page, StringComparison.Ordinal);
        // The chart ends on the zone's today and starts 13 days before it.
        string Label(DateOnly d) => ">" + d.ToString("dd MMM", CultureInfo.InvariantCulture) + "</text>";
        int last = page.IndexOf(Label(localDay), StringComparison.Ordinal);
        int first = page.IndexOf(Label(localDay.AddDays(-(DashboardModel.Days - 1))), StringComparison.Ordinal);
        Assert.True(first > 0 && last > first, "day labels: first " + first + ", last " + last);
        Assert.Equal(DashboardModel.Days, System.Text.RegularExpressions.Regex.Matches(page, @">\d\d [A-Z][a-z]{2}</text>").Count);
        if (localDay > utcDay)
        {
            Assert.DoesNotContain(Label(localDay.AddDays(-DashboardModel.Days)), page, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(Label(utcDay), page, StringComparison.Ordinal);
        }
    }
}
