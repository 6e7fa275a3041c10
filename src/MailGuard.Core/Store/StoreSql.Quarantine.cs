using System.Data.Common;
using Dapper;

namespace MailGuard.Core.Store;

/// <summary>The quarantine and the audit log: held messages keep their message row and content but have no queue entries until released.</summary>
internal static partial class StoreSql
{
    private const string SelectQuarantine = "SELECT " + StoreRows.QuarantineColumns + " FROM quarantine h JOIN messages m ON m.id = h.message_id";

    /// <summary>Checks a hold's arguments; returns the notices (none when null).</summary>
    public static IReadOnlyList<NewMessage> ValidateHold(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(details);
        ArgumentNullException.ThrowIfNull(audit);
        Validate(message);
        notices ??= [];
        foreach (var n in notices)
        {
            Validate(n);
        }

        return notices;
    }

    /// <summary>
    /// The quarantine row and its audit event, for a message row the provider has just added without
    /// queue entries. <paramref name="recipients"/> is the column's value as the provider stores it
    /// (see <see cref="StoreRows.Recipients"/>). The "hold" event is stamped with the hold's own
    /// instant, <paramref name="heldAt"/>: the caller made its event before the write waited its
    /// turn, and the message page and the audit log must not show two times for one hold.
    /// </summary>
    public static async Task InsertHoldAsync<TRecipients>(DbConnection c, DbTransaction t, string messageId, TRecipients recipients, long heldAt, HoldDetails details, AuditEvent audit, CancellationToken cancellationToken)
    {
        await c.ExecuteAsync(Command(
            "INSERT INTO quarantine (message_id, status, recipients, held_at, rule, reason, subject, summary, findings, inspection) VALUES (@id, 0, @rcpts, @at, @rule, @reason, @subject, @summary, @findings, @inspection)",
            new { id = messageId, rcpts = recipients, at = heldAt, rule = details.Rule, reason = details.Reason, subject = details.Subject, summary = details.Summary, findings = details.FindingsJson, inspection = details.InspectionJson },
            t,
            cancellationToken));
        await InsertAuditAsync(c, t, audit with { At = DateTimeOffset.FromUnixTimeMilliseconds(heldAt) }, cancellationToken);
    }

    /// <summary>Backfills the inspection of an older hold; a stored one is never replaced.</summary>
    public static StoreWrite<bool> SaveInspection(string messageId, string inspectionJson)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(inspectionJson);
        return async (c, t, ct) => await c.ExecuteAsync(Command(
            "UPDATE quarantine SET inspection = @json WHERE message_id = @id AND inspection IS NULL", new { id = messageId, json = inspectionJson }, t, ct)) > 0;
    }

    public static StoreRead<IReadOnlyList<QuarantineRecord>> ListQuarantine(QuarantineStatus? status, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        string sql = SelectQuarantine + (status is null ? string.Empty : " WHERE h.status = @status") + " ORDER BY h.held_at DESC, h.message_id DESC LIMIT @n";
        return async (c, ct) => await StoreRows.ListAsync(c, Command(sql, new { status = (int?)status, n = limit }, null, ct), StoreRows.Quarantine);
    }

    public static StoreRead<IReadOnlyList<QuarantineRecord>> ListHeldBefore(DateTimeOffset heldBefore, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return async (c, ct) => await StoreRows.ListAsync(
            c,
            Command(SelectQuarantine + " WHERE h.status = 0 AND h.held_at < @before ORDER BY h.held_at, h.message_id LIMIT @n", new { before = heldBefore.ToUnixTimeMilliseconds(), n = limit }, null, ct),
            StoreRows.Quarantine);
    }

    public static StoreRead<QuarantineRecord?> GetQuarantine(string messageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return async (c, ct) => (await StoreRows.ListAsync(c, Command(SelectQuarantine + " WHERE h.message_id = @id", new { id = messageId }, null, ct), StoreRows.Quarantine)).FirstOrDefault();
    }

    /// <summary>
    /// One decision per held message: the conditional update lets exactly one of two concurrent
    /// reviewers through. SQLite runs one write at a time; under PostgreSQL's READ COMMITTED a second
    /// reviewer's UPDATE waits for the first one's row lock, then re-checks status = held on the
    /// committed row and matches nothing, on one node or two. The loser is told the message is no
    /// longer held, and the refusal is audited. <paramref name="apply"/> is the decision's effect in
    /// the same transaction, before its audit event.
    /// </summary>
    public static StoreWrite<QuarantineDecision> Decide(
        string messageId, string actor, string? reason, QuarantineStatus to, string action, TimeProvider time, Func<DbConnection, DbTransaction, CancellationToken, Task> apply, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        return async (c, t, ct) =>
        {
            int updated = await c.ExecuteAsync(Command(
                "UPDATE quarantine SET status = @to, decided_at = @now, decided_by = @actor, decision_reason = @reason WHERE message_id = @id AND status = 0",
                new { to = (int)to, now = UnixMs(time), actor, reason, id = messageId },
                t,
                ct));
            if (updated == 0)
            {
                var current = await c.ExecuteScalarAsync<QuarantineStatus?>(Command("SELECT status FROM quarantine WHERE message_id = @id", new { id = messageId }, t, ct));
                string refusal = current is { } s ? "already " + s.ToString().ToLowerInvariant() : "not in quarantine";
                await InsertAuditAsync(c, t, new AuditEvent(time.GetUtcNow(), actor, action + "-refused", messageId, reason, refusal), ct);
                return new QuarantineDecision(false, current ?? QuarantineStatus.Deleted);
            }

            await apply(c, t, ct);
            await InsertAuditAsync(c, t, new AuditEvent(time.GetUtcNow(), actor, action, messageId, reason, detail), ct);
            return new QuarantineDecision(true, to);
        };
    }

    /// <summary>The recipients a release queues, from the row the decision just updated (in PostgreSQL, locked): what was held is what is queued.</summary>
    public static async Task<IReadOnlyList<string>> HeldRecipientsAsync(DbConnection c, DbTransaction t, string messageId, CancellationToken cancellationToken) =>
        StoreRows.Recipients((await c.ExecuteScalarAsync(Command("SELECT recipients FROM quarantine WHERE message_id = @id", new { id = messageId }, t, cancellationToken)))!);

    /// <summary>
    /// Stores the bytes a release delivers in place of the held ones: <paramref name="replacement"/>
    /// (e.g. the Bcc fix), or the original decrypted when it was held encrypted (delivery reads plain
    /// bytes; they live only until the message is delivered). Returns what it wrote, or null when
    /// the held bytes go as they are.
    /// </summary>
    public static async Task<byte[]?> StoreReleasedContentAsync(DbConnection c, DbTransaction t, string messageId, byte[]? replacement, ContentProtector? protector, CancellationToken cancellationToken)
    {
        byte[]? content = replacement;
        if (content is null
            && await c.ExecuteScalarAsync<byte[]?>(Command(SelectContent, new { id = messageId }, t, cancellationToken)) is { } stored
            && ContentProtector.IsProtected(stored))
        {
            content = Plain(protector, stored);
        }

        if (content is not null)
        {
            await c.ExecuteAsync(Command(
                "INSERT INTO message_content (message_id, data) VALUES (@id, @data) ON CONFLICT (message_id) DO UPDATE SET data = excluded.data",
                new { id = messageId, data = content },
                t,
                cancellationToken));
        }

        return content;
    }

    public static Task InsertAuditAsync(DbConnection c, DbTransaction t, AuditEvent e, CancellationToken cancellationToken) =>
        c.ExecuteAsync(Command(
            "INSERT INTO audit_log (at, actor, action, message_id, reason, detail) VALUES (@at, @actor, @action, @id, @reason, @detail)",
            new { at = e.At.ToUnixTimeMilliseconds(), actor = e.Actor, action = e.Action, id = e.MessageId, reason = e.Reason, detail = e.Detail },
            t,
            cancellationToken));

    public static StoreWrite<bool> AppendAudit(AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return async (c, t, ct) =>
        {
            await InsertAuditAsync(c, t, audit, ct);
            return true;
        };
    }

    public static StoreRead<IReadOnlyList<AuditEvent>> ListAudit(string? messageId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        string sql = "SELECT " + StoreRows.AuditColumns + " FROM audit_log" + (messageId is null ? string.Empty : " WHERE message_id = @id") + " ORDER BY id DESC LIMIT @n";
        return async (c, ct) => await StoreRows.ListAsync(c, Command(sql, new { id = messageId, n = limit }, null, ct), StoreRows.Audit);
    }
}
