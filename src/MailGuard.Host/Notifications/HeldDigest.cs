using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Notifications;

/// <summary>What one digest run did.</summary>
public enum DigestOutcome
{
    /// <summary>Queued to the security team and audited.</summary>
    Sent,

    /// <summary>This day's digest was already sent, by this node or another sharing the store.</summary>
    AlreadySent,

    /// <summary>Nothing is held and Digest:SendWhenEmpty is off.</summary>
    NothingHeld,

    /// <summary>No digest is configured (no policy, Digest:Enabled off, or no SecurityTeam).</summary>
    Disabled,
}

/// <summary>
/// The daily digest of held mail to Policy:Notifications:SecurityTeam at Digest:TimeOfDay in
/// Digest:TimeZone. A node that starts after that time on a day with no digest sent yet sends it at
/// once, so a restart over the hour does not lose the day's digest. However many nodes share the
/// store, one digest goes out per day (see <see cref="RunOnceAsync"/>).
/// </summary>
internal sealed partial class HeldDigest(
    IMessageStore store,
    IOptions<ConsoleOptions> consoleOptions,
    IOptions<RelayOptions> relayOptions,
    PolicyOptions? policy,
    DeliverySignal signal,
    TimeProvider time,
    ILogger<HeldDigest> logger,
    MailGuardMetrics? metrics = null) : StoreBackedService(StoreOperation.Digest, time, logger, metrics)
{
    public const string AuditAction = "digest-sent";
    public const string Actor = "mailguard:digest";

    /// <summary>
    /// Held messages read for one digest (oldest first). A bound on the memory one run takes: far
    /// above any review queue that people still work through, and the digest says when there were more.
    /// </summary>
    private const int MaxRead = 10_000;

    private readonly TimeZoneInfo _zone = policy?.Notifications.Digest.FindTimeZone() ?? TimeZoneInfo.Utc;

    /// <summary>The last day whose digest this node saw sent (by itself or another node).</summary>
    private DateOnly? _done;

    protected override bool Enabled => policy is { Enabled: true, Notifications.DigestEnabled: true } && store is IQuarantineStore;

    /// <summary>
    /// The queue id of <paramref name="day"/>'s digest: the day's midnight (UTC) in the time part
    /// and a fixed tail, so every node computes the same id and the ids still sort by time (retention
    /// purges by id range; the tail's letters are all in the id alphabet).
    /// </summary>
    public static string MessageIdFor(DateOnly day) =>
        MessageIds.LowerBound(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))[..10] + "000000dgst";

    /// <summary>The day (in the digest's time zone) that <paramref name="instant"/> falls on.</summary>
    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, _zone).DateTime);

    /// <summary>When <paramref name="day"/>'s digest is due.</summary>
    public DateTimeOffset DueAt(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.FromTimeSpan(policy?.Notifications.Digest.TimeOfDay ?? TimeSpan.Zero));
        // A time skipped by a change to summer time (01:30 in Europe/London's spring gap) is sent an
        // hour later; a repeated one (autumn) is read as standard time. Either way once that day.
        if (_zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, _zone), TimeSpan.Zero);
    }

    /// <summary>
    /// Sends <paramref name="day"/>'s digest unless it was sent already.
    /// </summary>
    /// <remarks>
    /// One per day across nodes, in two steps. The digest's queue id is fixed per day
    /// (<see cref="MessageIdFor"/>), so of two nodes enqueuing it at once the store's primary key lets
    /// one in; the other's enqueue fails, and it finds the message there and stands down. The
    /// providers fail differently (SqliteException, PostgresException 23505), so the loser is
    /// recognised by the message being there, not by the exception's type. The primary key alone
    /// would not do: the delivered digest is purged after Storage:RetainFinishedHours, after which a
    /// node starting later that day would send it again. So the run first looks for the day's
    /// "digest-sent" audit event (the audit log is never purged) and only then tries the enqueue.
    /// </remarks>
    public async Task<DigestOutcome> RunOnceAsync(DateOnly day, CancellationToken cancellationToken)
    {
        if (!Enabled || store is not IQuarantineStore quarantine)
        {
            return DigestOutcome.Disabled;
        }

        string id = MessageIdFor(day);
        if ((await quarantine.ListAuditAsync(id, 1, cancellationToken)).Any(a => a.Action == AuditAction))
        {
            return DigestOutcome.AlreadySent;
        }

        var now = Time.GetUtcNow();
        // "Before" is exclusive; a message held in this very millisecond is held too.
        var held = await quarantine.ListHeldBeforeAsync(now.AddMilliseconds(1), MaxRead + 1, cancellationToken);
        bool more = held.Count > MaxRead;
        if (more)
        {
            held = held.Take(MaxRead).ToList();
        }

        if (held.Count == 0 && !policy!.Notifications.Digest.SendWhenEmpty)
        {
            return DigestOutcome.NothingHeld;
        }

        string team = policy!.Notifications.SecurityTeam!.Trim();
        byte[] bytes = HeldDigestNotice.Build(new HeldDigestRequest(
            relayOptions.Value.ServerName, team, id, day, now, _zone, held, more, consoleOptions.Value.PublicUrl));
        var message = new NewMessage(id, string.Empty, [team], now, null, null, Actor, bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes);
        try
        {
            await store.EnqueueAsync(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (await store.GetMessageAsync(id, cancellationToken) is not null)
            {
                LogAlreadySent(Logger, day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), id);
                return DigestOutcome.AlreadySent;
            }

            throw;
        }

        await quarantine.AppendAuditAsync(new AuditEvent(now, Actor, AuditAction, id, null, $"{held.Count}{(more ? "+" : "")} held; to {team}"), cancellationToken);
        signal.Notify();
        LogSent(Logger, id, held.Count);
        return DigestOutcome.Sent;
    }

    /// <summary>
    /// Sends today's digest when it is due (or overdue: this node started after the hour) and not yet
    /// sent; otherwise sleeps until the next due time, measured afresh after every wake-up, so a timer
    /// that fires early or a clock set back only means another round. A run the store fails is tried
    /// again after the store backoff.
    /// </summary>
    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken stoppingToken)
    {
        var now = Time.GetUtcNow();
        var today = DayOf(now);
        var due = DueAt(today);
        if (now >= due && _done != today)
        {
            await RunOnceAsync(today, stoppingToken);
            _done = today;
            return TimeSpan.Zero;
        }

        return (now >= due ? DueAt(today.AddDays(1)) : due) - now;
    }
}
