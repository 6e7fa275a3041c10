using System.Data.Common;
using System.Globalization;

namespace MailGuard.Core.Store;

/// <summary>
/// Rows to records, written once for both providers (their readers are both <see cref="DbDataReader"/>
/// and the columns are the same). Column order is that of the providers' SELECT constants; times are
/// Unix milliseconds. The quarantine's recipient list is the one column stored differently (JSON in
/// SQLite, text[] in PostgreSQL), so the provider reads it.
/// </summary>
internal static class StoreRows
{
    public static List<T> ReadAll<T>(DbCommand command, Func<DbDataReader, T> row)
    {
        var list = new List<T>();
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            list.Add(row(r));
        }

        return list;
    }

    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> row, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await using var r = await command.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(row(r));
        }

        return list;
    }

    /// <summary>message_id, status, mail_from, recipients, held_at, size, rule, reason, subject, summary, findings, decided_at, decided_by, decision_reason, auth_identity.</summary>
    public static QuarantineRecord Quarantine(DbDataReader r, IReadOnlyList<string> recipients) => new(
        r.GetString(0),
        (QuarantineStatus)r.GetInt32(1),
        r.GetString(2),
        recipients,
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
        Text(r, 14));

    /// <summary>id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind.</summary>
    public static StoredMessage Message(DbDataReader r, bool hasInlineContent) => new(
        r.GetString(0), r.GetString(1), Time(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), r.GetInt64(6), (MessageFlags)r.GetInt32(7), (MessageKind)r.GetInt32(8), hasInlineContent);

    /// <summary>q.id, message_id, mail_from, recipient, status, attempts, next_attempt_at, received_at, size, last_reply, lease_owner, lease_until (0: none).</summary>
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

    /// <summary>at, actor, action, message_id, reason, detail.</summary>
    public static AuditEvent Audit(DbDataReader r) => new(Time(r, 0), r.GetString(1), r.GetString(2), Text(r, 3), Text(r, 4), Text(r, 5));

    /// <summary>name, password_hash, role, created_at, disabled, sessions_from.</summary>
    public static ConsoleUser User(DbDataReader r) => new(r.GetString(0), r.GetString(1), (ConsoleRole)r.GetInt32(2), Time(r, 3), r.GetInt32(4) != 0, OptionalTime(r, 5));

    /// <summary>id, name, secret_hash, role, created_by, created_at, revoked_at.</summary>
    public static ApiToken Token(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), (ConsoleRole)r.GetInt32(3), r.GetString(4), Time(r, 5), OptionalTime(r, 6));

    /// <summary>day (yyyy-MM-dd), disposition, rule, count.</summary>
    public static DecisionCount Decision(DbDataReader r) => new(DateOnly.ParseExact(r.GetString(0), DayFormat, CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetInt64(3));

    public const string DayFormat = "yyyy-MM-dd";

    public static string Day(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static DateTimeOffset? OptionalTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
}
