using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;

namespace MailGuard.Core.Store;

/// <summary>
/// Rows to records, written once for both providers, each mapper beside the column list it reads
/// (times are Unix milliseconds, statuses the stored enum values). Mapped by position rather than
/// by Dapper's constructor matching, which wants each column's type to be the parameter's exactly:
/// SQLite hands every INTEGER back as Int64, PostgreSQL an int column as Int32.
/// </summary>
internal static class StoreRows
{
    /// <summary>Runs <paramref name="command"/> (Dapper binds its parameters) and maps every row.</summary>
    public static async Task<List<T>> ListAsync<T>(DbConnection connection, CommandDefinition command, Func<DbDataReader, T> row)
    {
        var list = new List<T>();
        await using var r = await connection.ExecuteReaderAsync(command);
        while (await r.ReadAsync(command.CancellationToken))
        {
            list.Add(row(r));
        }

        return list;
    }

    public const string QuarantineColumns =
        "h.message_id, h.status, m.mail_from, h.recipients, h.held_at, m.size, h.rule, h.reason, h.subject, h.summary, h.findings, h.decided_at, h.decided_by, h.decision_reason, m.auth_identity, h.inspection";

    public static QuarantineRecord Quarantine(DbDataReader r) => new(
        r.GetString(0),
        (QuarantineStatus)r.GetInt32(1),
        r.GetString(2),
        Recipients(r.GetValue(3)),
        Time(r, 4),
        r.GetInt64(5),
        Text(r, 6),
        Text(r, 7),
        Text(r, 8),
        Text(r, 9),
        r.GetString(10),
        OptionalTime(r, 11),
        Text(r, 12),
        Text(r, 13),
        Text(r, 14),
        Text(r, 15));

    /// <summary>A held message's recipients: JSON text in SQLite, text[] in PostgreSQL (the one column stored differently).</summary>
    public static IReadOnlyList<string> Recipients(object value) =>
        value is string[] array ? array : JsonSerializer.Deserialize<List<string>>((string)value) ?? [];

    /// <summary>The message columns <see cref="Message"/> reads, from <c>messages m</c>.</summary>
    public const string MessageColumns = "m.id, m.mail_from, m.received_at, m.client_address, m.helo_name, m.auth_identity, m.size, m.flags, m.kind";

    public static StoredMessage Message(DbDataReader r, bool hasInlineContent) => new(
        r.GetString(0), r.GetString(1), Time(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), r.GetInt64(6), (MessageFlags)r.GetInt32(7), (MessageKind)r.GetInt32(8), hasInlineContent);

    public const string QueueEntryColumns = "q.id, q.message_id, m.mail_from, q.recipient, q.status, q.attempts, q.next_attempt_at, m.received_at, m.size, q.last_reply, q.lease_owner, q.lease_until";

    /// <summary>lease_until 0 means no lease.</summary>
    public static QueueEntryInfo QueueEntry(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        (QueueEntryStatus)r.GetInt32(4),
        r.GetInt32(5),
        Time(r, 6),
        Time(r, 7),
        r.GetInt64(8),
        Text(r, 9),
        Text(r, 10),
        r.GetInt64(11) == 0 ? null : Time(r, 11));

    /// <summary>queued, delivered, failed, oldest queued received_at (null: none), held.</summary>
    public static StoreStats Stats(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), OptionalTime(r, 3), r.GetInt64(4));

    public const string AuditColumns = "at, actor, action, message_id, reason, detail";

    public static AuditEvent Audit(DbDataReader r) => new(Time(r, 0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Text(r, 5));

    public const string UserColumns = "name, password_hash, role, created_at, disabled, sessions_from";

    public static ConsoleUser User(DbDataReader r) => new(r.GetString(0), r.GetString(1), (ConsoleRole)r.GetInt32(2), Time(r, 3), r.GetInt32(4) != 0, OptionalTime(r, 5));

    public const string TokenColumns = "id, name, secret_hash, role, created_by, created_at, revoked_at, scope";

    public static ApiToken Token(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), (ConsoleRole)r.GetInt32(3), r.GetString(4), Time(r, 5), OptionalTime(r, 6), (TokenScope)r.GetInt32(7));

    public const string DecisionColumns = "day, disposition, rule, count";

    public static DecisionCount Decision(DbDataReader r) => new(DateOnly.ParseExact(r.GetString(0), DayFormat, CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetInt64(3));

    public const string DayFormat = "yyyy-MM-dd";

    public static string Day(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static DateTimeOffset? OptionalTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
}
