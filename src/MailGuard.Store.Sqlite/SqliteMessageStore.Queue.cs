using Microsoft.Data.Sqlite;
using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

public sealed partial class SqliteMessageStore
{
    private void Insert(SqliteConnection c, SqliteTransaction t, NewMessage m, bool withQueueEntries = true)
    {
        long now = Now();
        var cmd = Command(c, t, "INSERT INTO messages (id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind, inline_content) VALUES ($id, $from, $at, $client, $helo, $auth, $size, $flags, $kind, $inline)");
        cmd.Parameters.AddWithValue("$id", m.Id);
        cmd.Parameters.AddWithValue("$from", m.MailFrom);
        cmd.Parameters.AddWithValue("$at", m.ReceivedAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$client", (object?)m.ClientAddress ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$helo", (object?)m.HeloName ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$auth", (object?)m.AuthIdentity ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$size", m.Size);
        cmd.Parameters.AddWithValue("$flags", (int)m.Flags);
        cmd.Parameters.AddWithValue("$kind", (int)m.Kind);
        cmd.Parameters.AddWithValue("$inline", m.InlineContent is null ? 0 : 1);
        cmd.ExecuteNonQuery();
        if (m.InlineContent is { } content)
        {
            var blob = Command(c, t, "INSERT INTO message_content (message_id, data) VALUES ($id, $data)");
            blob.Parameters.AddWithValue("$id", m.Id);
            blob.Parameters.Add("$data", SqliteType.Blob).Value = content.ToArray();
            blob.ExecuteNonQuery();
        }

        if (withQueueEntries)
        {
            InsertQueueEntries(c, t, m.Id, m.Recipients, now);
        }
    }

    private void InsertQueueEntries(SqliteConnection c, SqliteTransaction t, string messageId, IReadOnlyList<string> recipients, long now)
    {
        var entry = Command(c, t, "INSERT INTO queue (message_id, recipient, status, attempts, next_attempt_at, lease_until, updated_at) VALUES ($id, $rcpt, 0, 0, $now, 0, $now)");
        entry.Parameters.AddWithValue("$id", messageId);
        var rcpt = entry.Parameters.AddWithValue("$rcpt", string.Empty);
        entry.Parameters.AddWithValue("$now", now);
        foreach (string recipient in recipients)
        {
            rcpt.Value = recipient;
            entry.ExecuteNonQuery();
        }
    }

    private List<ClaimedMessage> Claim(SqliteConnection c, SqliteTransaction t, string owner, int maxMessages, TimeSpan lease)
    {
        long now = Now();
        long until = now + (long)lease.TotalMilliseconds;
        // Oldest due first. DISTINCT stops after the first maxMessages messages found walking the
        // due index, so a long backlog or a message with many recipients does not widen the scan.
        var pick = Command(c, t, "SELECT DISTINCT message_id FROM queue WHERE status = 0 AND next_attempt_at <= $now AND lease_until <= $now ORDER BY next_attempt_at LIMIT $n");
        pick.Parameters.AddWithValue("$now", now);
        pick.Parameters.AddWithValue("$n", maxMessages);
        var ids = new List<string>(maxMessages);
        using (var reader = pick.ExecuteReader())
        {
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
        }

        var claimed = new List<ClaimedMessage>(ids.Count);
        foreach (string id in ids)
        {
            // The unary plus keeps SQLite on queue_message (this message's rows) instead of walking
            // queue_due, which without ANALYZE statistics it would otherwise pick: with a backlog that
            // is a scan of every due entry per claimed message.
            var lease1 = Command(c, t, "UPDATE queue SET lease_owner = $owner, lease_until = $until WHERE message_id = $id AND status = 0 AND +next_attempt_at <= $now AND +lease_until <= $now RETURNING id, recipient, attempts");
            lease1.Parameters.AddWithValue("$owner", owner);
            lease1.Parameters.AddWithValue("$until", until);
            lease1.Parameters.AddWithValue("$id", id);
            lease1.Parameters.AddWithValue("$now", now);
            var recipients = new List<ClaimedRecipient>();
            using (var reader = lease1.ExecuteReader())
            {
                while (reader.Read())
                {
                    recipients.Add(new ClaimedRecipient(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2)));
                }
            }

            recipients.Sort((a, b) => a.EntryId.CompareTo(b.EntryId));
            var message = ReadMessage(c, t, id);
            if (message is not null && recipients.Count > 0)
            {
                byte[]? content = null;
                if (message.HasInlineContent)
                {
                    var read = Command(c, t, "SELECT data FROM message_content WHERE message_id = $id");
                    read.Parameters.AddWithValue("$id", id);
                    content = read.ExecuteScalar() as byte[];
                }

                // Spelt out: byte[] null would convert to an empty (not a null) ReadOnlyMemory.
                claimed.Add(new ClaimedMessage(message, recipients, FromUnixMs(until), content is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(content)));
            }
        }

        return claimed;
    }

    private AttemptCompletion Complete(SqliteConnection c, SqliteTransaction t, string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice)
    {
        long now = Now();
        foreach (var outcome in outcomes)
        {
            SqliteCommand cmd;
            switch (outcome.Disposition)
            {
                case RecipientDisposition.Delivered:
                case RecipientDisposition.Failed:
                    cmd = Command(c, t, "UPDATE queue SET status = $status, attempts = attempts + 1, last_reply = $reply, lease_owner = NULL, lease_until = 0, updated_at = $now WHERE id = $entry AND message_id = $id");
                    cmd.Parameters.AddWithValue("$status", outcome.Disposition == RecipientDisposition.Delivered ? (int)QueueEntryStatus.Delivered : (int)QueueEntryStatus.Failed);
                    break;
                case RecipientDisposition.Deferred:
                    cmd = Command(c, t, "UPDATE queue SET attempts = attempts + 1, next_attempt_at = $next, last_reply = $reply, lease_owner = NULL, lease_until = 0, updated_at = $now WHERE id = $entry AND message_id = $id AND status = 0");
                    cmd.Parameters.AddWithValue("$next", (outcome.NextAttemptAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds());
                    break;
                default:
                    cmd = Command(c, t, "UPDATE queue SET lease_owner = NULL, lease_until = 0, next_attempt_at = COALESCE($next, next_attempt_at), last_reply = COALESCE($reply, last_reply), updated_at = $now WHERE id = $entry AND message_id = $id AND status = 0");
                    cmd.Parameters.AddWithValue("$next", outcome.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : DBNull.Value);
                    break;
            }

            cmd.Parameters.AddWithValue("$reply", (object?)outcome.Reply ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$now", now);
            cmd.Parameters.AddWithValue("$entry", outcome.EntryId);
            cmd.Parameters.AddWithValue("$id", messageId);
            cmd.ExecuteNonQuery();
        }

        if (notice is not null)
        {
            Insert(c, t, notice);
        }

        var left = Command(c, t, "SELECT EXISTS (SELECT 1 FROM queue WHERE message_id = $id AND status = 0)");
        left.Parameters.AddWithValue("$id", messageId);
        bool finished = (long)left.ExecuteScalar()! == 0;
        if (finished)
        {
            // The bytes are not needed once no recipient waits; the envelope rows stay for the listing.
            var drop = Command(c, t, "DELETE FROM message_content WHERE message_id = $id");
            drop.Parameters.AddWithValue("$id", messageId);
            drop.ExecuteNonQuery();
        }

        return new AttemptCompletion(MessageFinished: finished);
    }

    // One statement, so the figures come from one read snapshot. Each count walks an index
    // (queue_due leads with status, quarantine_status with status); the oldest queued message is a
    // join over queued entries only, however many finished ones wait for the purge.
    private const string StatsQuery =
        "SELECT (SELECT COUNT(*) FROM queue WHERE status = 0), "
        + "(SELECT COUNT(*) FROM queue WHERE status = 1), "
        + "(SELECT COUNT(*) FROM queue WHERE status = 2), "
        + "(SELECT MIN(m.received_at) FROM queue q JOIN messages m ON m.id = q.message_id WHERE q.status = 0), "
        + "(SELECT COUNT(*) FROM quarantine WHERE status = 0)";

    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = StatsQuery;
        using var r = cmd.ExecuteReader();
        r.Read();
        return StoreRows.Stats(r);
    }

    private const string SelectMessage = "SELECT id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind, inline_content FROM messages WHERE id = $id";

    private StoredMessage? ReadMessage(SqliteConnection c, SqliteTransaction? t, string id)
    {
        // On the writer connection the prepared command is reused; readers prepare their own.
        using var owned = t is null ? c.CreateCommand() : null;
        var cmd = owned ?? Command(c, t!, SelectMessage);
        cmd.CommandText = SelectMessage;
        cmd.Parameters.Clear();
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        return StoreRows.Message(r, hasInlineContent: r.GetInt32(9) != 0);
    }

    private abstract class WriteOperation(bool syncsSpool)
    {
        public bool SyncsSpool { get; } = syncsSpool;

        /// <summary>The caller will tell a client its mail is safe (or an operator acted): commit with synchronous=FULL.</summary>
        public bool MustSync { get; init; }

        public Exception? Error { get; set; }

        public abstract void Run(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>Called after the batch committed: publish the result, or the operation's own error.</summary>
        public abstract void Finish();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOperation<T>(Func<SqliteConnection, SqliteTransaction, T> work, bool syncsSpool) : WriteOperation(syncsSpool)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = work(connection, transaction);

        public override void Finish()
        {
            if (Error is not null)
            {
                _completion.TrySetException(Error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
