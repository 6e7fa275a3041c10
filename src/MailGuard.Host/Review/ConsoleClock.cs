using System.Globalization;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// Times as the console shows them: in Console:TimeZone, with the zone named (the page header and
/// column heads say which zone), so a reviewer in London reads 09:30, not 08:30 UTC in summer.
/// </summary>
public sealed class ConsoleClock
{
    public ConsoleClock(IOptions<ConsoleOptions> options, TimeProvider time)
    {
        Zone = FindZone(options.Value.TimeZone) ?? TimeZoneInfo.Utc;
        ZoneName = Zone == TimeZoneInfo.Utc ? "UTC" : Zone.Id;
        Time = time;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>The zone's id as configured (Europe/London), or UTC.</summary>
    public string ZoneName { get; }

    public TimeProvider Time { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Today's date in the zone (the dashboard's days).</summary>
    public DateOnly Today => DateOnly.FromDateTime(Local(Now).DateTime);

    /// <summary>The zone, or null when the id is unknown on this machine ("UTC" always known).</summary>
    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        return string.Equals(id.Trim(), "UTC", StringComparison.OrdinalIgnoreCase)
            ? TimeZoneInfo.Utc
            : TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;
    }

    public DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>"2026-12-05 09:30" in the zone.</summary>
    public string Minutes(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"2026-12-05 09:30:12" in the zone.</summary>
    public string Seconds(DateTimeOffset instant) => Local(instant).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>"2026-12-05 09:30 Europe/London": a time with its zone, for places without a column head.</summary>
    public string WithZone(DateTimeOffset instant) => Minutes(instant) + " " + ZoneName;

    /// <summary>The calendar day in the zone (for date filters: "from 2026-12-05" means that day's midnight here).</summary>
    public DateTimeOffset StartOfDay(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Zone.GetUtcOffset(local));
    }
}
