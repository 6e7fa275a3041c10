using System.Data.Common;
using System.Globalization;
using Dapper;

namespace MailGuard.Core.Store;

/// <summary>A read on a connection the provider opened (and closes).</summary>
internal delegate Task<T> StoreRead<T>(DbConnection connection, CancellationToken cancellationToken);

/// <summary>Work inside a transaction the provider began and commits.</summary>
internal delegate Task<T> StoreWrite<T>(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

/// <summary>
/// What both providers say to their database in the same words, written once: statements that read
/// the same in SQLite and PostgreSQL (with '@name' parameters, which both drivers accept), and the
/// operations made of nothing else. An operation checks its arguments when it is made and runs when
/// the provider runs it: a read on a connection the provider opened, a write inside the provider's
/// transaction (SQLite: the writer's group-commit batch; PostgreSQL: one transaction per call,
/// retried on deadlock). Durability, locking and retries stay the provider's business.
/// </summary>
internal static partial class StoreSql
{
    public static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    public static void Validate(NewMessage message)
    {
        if (!MessageIds.IsValid(message.Id))
        {
            throw new ArgumentException($"'{message.Id}' is not a queue id.", nameof(message));
        }

        if (message.Recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(message));
        }

        if (message.ContentPrefix is not null && message.InlineContent is not null)
        {
            throw new ArgumentException("A content prefix goes with spooled content; inline content already includes it.", nameof(message));
        }
    }

    public static long UnixMs(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    public const string InsertContent = "INSERT INTO message_content (message_id, data) VALUES (@id, @data)";

    public const string SelectContent = "SELECT data FROM message_content WHERE message_id = @id";

    public static Task DropContentAsync(DbConnection c, DbTransaction t, string messageId, CancellationToken cancellationToken) =>
        c.ExecuteAsync(Command("DELETE FROM message_content WHERE message_id = @id", new { id = messageId }, t, cancellationToken));

    /// <summary>The stored bytes as they were received (decrypted when held encrypted), or null when there are none.</summary>
    public static async Task<byte[]?> ReadContentAsync(DbConnection c, string messageId, ContentProtector? protector, CancellationToken cancellationToken) =>
        await c.ExecuteScalarAsync<byte[]?>(Command(SelectContent, new { id = messageId }, null, cancellationToken)) is { } data ? Plain(protector, data) : null;

    public static byte[] Plain(ContentProtector? protector, byte[] stored) =>
        !ContentProtector.IsProtected(stored)
            ? stored
            : (protector ?? throw new InvalidOperationException("Held content is encrypted but no Quarantine:EncryptionKey is configured.")).Unprotect(stored);

    public static StoreWrite<int> ReleaseLeases(string owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return (c, t, ct) => c.ExecuteAsync(Command("UPDATE queue SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = @owner AND status = 0", new { owner }, t, ct));
    }

    public static StoreWrite<int> Requeue(string messageId, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        // Only entries still queued: a finished message's content is gone, so failed entries cannot be retried.
        return (c, t, ct) => c.ExecuteAsync(Command(
            "UPDATE queue SET next_attempt_at = @now, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE message_id = @id AND status = 0",
            new { now = UnixMs(time), id = messageId },
            t,
            ct));
    }

    public static StoreWrite<bool> Delete(string messageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return async (c, t, ct) => await c.ExecuteAsync(Command("DELETE FROM messages WHERE id = @id", new { id = messageId }, t, ct)) > 0;
    }

    public static StoreRead<IReadOnlyList<QueueEntryInfo>> ListQueue(QueueQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        if (query.MessageId is not null)
        {
            where.Add("q.message_id = @id");
        }

        if (query.Statuses is { Count: > 0 } statuses)
        {
            // Numbers of the enum, not user text: written into the statement, the same in both dialects.
            where.Add("q.status IN (" + string.Join(',', statuses.Select(s => ((int)s).ToString(CultureInfo.InvariantCulture))) + ")");
        }

        string sql = "SELECT " + StoreRows.QueueEntryColumns + " FROM queue q JOIN messages m ON m.id = q.message_id"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
            + " ORDER BY q.id LIMIT @limit";
        return async (c, ct) => await StoreRows.ListAsync(c, Command(sql, new { id = query.MessageId, limit = query.Limit }, null, ct), StoreRows.QueueEntry);
    }

    // One statement, so the figures come from one read snapshot (of a queue other nodes may be
    // changing). The counts walk indexes that lead with status (SQLite's queue_due and
    // quarantine_status; PostgreSQL counts queued entries from its partial queue_due); the oldest
    // queued message is a join over queued entries only, however many finished ones wait for the purge.
    private const string StatsQuery =
        "SELECT (SELECT COUNT(*) FROM queue WHERE status = 0), "
        + "(SELECT COUNT(*) FROM queue WHERE status = 1), "
        + "(SELECT COUNT(*) FROM queue WHERE status = 2), "
        + "(SELECT MIN(m.received_at) FROM queue q JOIN messages m ON m.id = q.message_id WHERE q.status = 0), "
        + "(SELECT COUNT(*) FROM quarantine WHERE status = 0)";

    public static async Task<StoreStats> StatsAsync(DbConnection c, CancellationToken cancellationToken) =>
        (await StoreRows.ListAsync(c, Command(StatsQuery, null, null, cancellationToken), StoreRows.Stats))[0];

    // Delivered and failed entries are finished whatever their status; deferred and released ones
    // only while still queued.
    public const string FinishEntry = "UPDATE queue SET status = @status, attempts = attempts + 1, last_reply = @reply, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE id = @entry AND message_id = @id";

    public const string DeferEntry = "UPDATE queue SET attempts = attempts + 1, next_attempt_at = @next, last_reply = @reply, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE id = @entry AND message_id = @id AND status = 0";

    /// <summary>Not attempted: the lease is dropped and the attempt not counted.</summary>
    public const string UnleaseEntry = "UPDATE queue SET lease_owner = NULL, lease_until = 0, next_attempt_at = COALESCE(@next, next_attempt_at), last_reply = COALESCE(@reply, last_reply), updated_at = @now WHERE id = @entry AND message_id = @id AND status = 0";

    /// <summary>After a message's outcomes are recorded: when no recipient waits any more, its bytes go (the envelope rows stay for the listing).</summary>
    public static async Task<bool> DropContentIfFinishedAsync(DbConnection c, DbTransaction t, string messageId, CancellationToken cancellationToken)
    {
        bool finished = !await c.ExecuteScalarAsync<bool>(Command("SELECT EXISTS (SELECT 1 FROM queue WHERE message_id = @id AND status = 0)", new { id = messageId }, t, cancellationToken));
        if (finished)
        {
            // A held message has no queue entries either, but it is never completed: only released ones are.
            await DropContentAsync(c, t, messageId, cancellationToken);
        }

        return finished;
    }
}
