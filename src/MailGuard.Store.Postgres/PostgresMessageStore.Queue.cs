using Npgsql;
using NpgsqlTypes;
using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

public sealed partial class PostgresMessageStore
{
    private const string SelectMessage = "SELECT m.id, m.mail_from, m.received_at, m.client_address, m.helo_name, m.auth_identity, m.size, m.flags, m.kind FROM messages m";

    private async Task InsertAsync(NpgsqlConnection c, NpgsqlTransaction t, NewMessage m, byte[] content, bool withQueueEntries, CancellationToken cancellationToken)
    {
        await using (var cmd = Command(c, t, "INSERT INTO messages (id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind) VALUES (@id, @from, @at, @client, @helo, @auth, @size, @flags, @kind)"))
        {
            cmd.Parameters.AddWithValue("id", m.Id);
            cmd.Parameters.AddWithValue("from", m.MailFrom);
            cmd.Parameters.AddWithValue("at", m.ReceivedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("client", NpgsqlDbType.Text, (object?)m.ClientAddress ?? DBNull.Value);
            cmd.Parameters.AddWithValue("helo", NpgsqlDbType.Text, (object?)m.HeloName ?? DBNull.Value);
            cmd.Parameters.AddWithValue("auth", NpgsqlDbType.Text, (object?)m.AuthIdentity ?? DBNull.Value);
            cmd.Parameters.AddWithValue("size", m.Size);
            cmd.Parameters.AddWithValue("flags", (int)m.Flags);
            cmd.Parameters.AddWithValue("kind", (int)m.Kind);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var blob = Command(c, t, "INSERT INTO message_content (message_id, data) VALUES (@id, @data)"))
        {
            blob.Parameters.AddWithValue("id", m.Id);
            blob.Parameters.AddWithValue("data", NpgsqlDbType.Bytea, content);
            await blob.ExecuteNonQueryAsync(cancellationToken);
        }

        if (withQueueEntries)
        {
            await InsertQueueEntriesAsync(c, t, m.Id, m.Recipients, Now(), cancellationToken);
        }
    }

    private static async Task InsertQueueEntriesAsync(NpgsqlConnection c, NpgsqlTransaction t, string messageId, IReadOnlyList<string> recipients, long now, CancellationToken cancellationToken)
    {
        // One statement for all recipients; WITH ORDINALITY keeps entry ids in envelope order.
        await using var cmd = Command(c, t,
            "INSERT INTO queue (message_id, recipient, status, attempts, next_attempt_at, lease_until, updated_at) "
            + "SELECT @id, u.rcpt, 0, 0, @now, 0, @now FROM unnest(@rcpts) WITH ORDINALITY AS u(rcpt, n) ORDER BY u.n");
        cmd.Parameters.AddWithValue("id", messageId);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("rcpts", NpgsqlDbType.Array | NpgsqlDbType.Text, recipients.ToArray());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(NpgsqlConnection c, NpgsqlTransaction t, string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken)
    {
        long now = Now();
        long until = now + (long)lease.TotalMilliseconds;
        // Messages, not entries, are locked: a message's recipients go to one node together. The
        // window of due entries bounds the scan; a message with more recipients than the window
        // is still claimed whole, since the lease below takes all its due entries.
        var ids = new List<string>(maxMessages);
        await using (var pick = Command(c, t,
            "SELECT m.id FROM messages m WHERE m.id IN ("
            + "SELECT q.message_id FROM queue q WHERE q.status = 0 AND q.next_attempt_at <= @now AND q.lease_until <= @now ORDER BY q.next_attempt_at LIMIT @window) "
            + "ORDER BY m.id LIMIT @n FOR NO KEY UPDATE OF m SKIP LOCKED"))
        {
            pick.Parameters.AddWithValue("now", now);
            pick.Parameters.AddWithValue("window", Math.Max(1000, maxMessages * 64));
            pick.Parameters.AddWithValue("n", maxMessages);
            await using var r = await pick.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                ids.Add(r.GetString(0));
            }
        }

        if (ids.Count == 0)
        {
            return [];
        }

        // The conditions are checked again on the current rows: a node that committed its lease
        // after this statement's snapshot was taken is seen here, and its entries are left alone.
        var recipients = new Dictionary<string, List<ClaimedRecipient>>(StringComparer.Ordinal);
        await using (var take = Command(c, t,
            "UPDATE queue SET lease_owner = @owner, lease_until = @until WHERE message_id = ANY(@ids) AND status = 0 AND next_attempt_at <= @now AND lease_until <= @now "
            + "RETURNING id, message_id, recipient, attempts"))
        {
            take.Parameters.AddWithValue("owner", owner);
            take.Parameters.AddWithValue("until", until);
            take.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, ids.ToArray());
            take.Parameters.AddWithValue("now", now);
            await using var r = await take.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                string id = r.GetString(1);
                if (!recipients.TryGetValue(id, out var list))
                {
                    recipients[id] = list = [];
                }

                list.Add(new ClaimedRecipient(r.GetInt64(0), r.GetString(2), r.GetInt32(3)));
            }
        }

        var claimed = new List<ClaimedMessage>(recipients.Count);
        await using (var read = Command(c, t, SelectMessage.Replace("FROM messages m", ", d.data FROM messages m LEFT JOIN message_content d ON d.message_id = m.id", StringComparison.Ordinal) + " WHERE m.id = ANY(@ids) ORDER BY m.id"))
        {
            read.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, recipients.Keys.ToArray());
            await using var r = await read.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
            {
                var message = ReadMessage(r);
                var list = recipients[message.Id];
                list.Sort((a, b) => a.EntryId.CompareTo(b.EntryId));
                byte[]? content = r.IsDBNull(9) ? null : r.GetFieldValue<byte[]>(9);
                claimed.Add(new ClaimedMessage(message, list, FromUnixMs(until), content is null ? null : new ReadOnlyMemory<byte>(content)));
            }
        }

        return claimed;
    }

    public async Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        // One statement: one snapshot of a queue other nodes are changing. Queued entries are
        // counted from the partial index queue_due; the finished ones (kept until the purge) and
        // the held messages by scans that read no content.
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null,
            "SELECT (SELECT COUNT(*) FROM queue WHERE status = 0), "
            + "(SELECT COUNT(*) FROM queue WHERE status = 1), "
            + "(SELECT COUNT(*) FROM queue WHERE status = 2), "
            + "(SELECT MIN(m.received_at) FROM queue q JOIN messages m ON m.id = q.message_id WHERE q.status = 0), "
            + "(SELECT COUNT(*) FROM quarantine WHERE status = 0)");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        await r.ReadAsync(cancellationToken);
        return StoreRows.Stats(r);
    }

    private async Task<AttemptCompletion> CompleteAsync(NpgsqlConnection c, NpgsqlTransaction t, string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice, byte[]? noticeContent, CancellationToken cancellationToken)
    {
        long now = Now();
        // All outcomes in one round trip.
        await using (var batch = new NpgsqlBatch(c, t))
        {
            foreach (var outcome in outcomes)
            {
                NpgsqlBatchCommand cmd;
                switch (outcome.Disposition)
                {
                    case RecipientDisposition.Delivered:
                    case RecipientDisposition.Failed:
                        cmd = new NpgsqlBatchCommand("UPDATE queue SET status = @status, attempts = attempts + 1, last_reply = @reply, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE id = @entry AND message_id = @id");
                        cmd.Parameters.AddWithValue("status", outcome.Disposition == RecipientDisposition.Delivered ? (int)QueueEntryStatus.Delivered : (int)QueueEntryStatus.Failed);
                        break;
                    case RecipientDisposition.Deferred:
                        cmd = new NpgsqlBatchCommand("UPDATE queue SET attempts = attempts + 1, next_attempt_at = @next, last_reply = @reply, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE id = @entry AND message_id = @id AND status = 0");
                        cmd.Parameters.AddWithValue("next", (outcome.NextAttemptAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds());
                        break;
                    default:
                        cmd = new NpgsqlBatchCommand("UPDATE queue SET lease_owner = NULL, lease_until = 0, next_attempt_at = COALESCE(@next, next_attempt_at), last_reply = COALESCE(@reply, last_reply), updated_at = @now WHERE id = @entry AND message_id = @id AND status = 0");
                        cmd.Parameters.AddWithValue("next", NpgsqlDbType.Bigint, outcome.NextAttemptAt is { } next ? next.ToUnixTimeMilliseconds() : DBNull.Value);
                        break;
                }

                cmd.Parameters.AddWithValue("reply", NpgsqlDbType.Text, (object?)outcome.Reply ?? DBNull.Value);
                cmd.Parameters.AddWithValue("now", now);
                cmd.Parameters.AddWithValue("entry", outcome.EntryId);
                cmd.Parameters.AddWithValue("id", messageId);
                batch.BatchCommands.Add(cmd);
            }

            if (batch.BatchCommands.Count > 0)
            {
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        if (notice is not null)
        {
            await InsertAsync(c, t, notice, noticeContent!, withQueueEntries: true, cancellationToken);
        }

        bool finished;
        await using (var left = Command(c, t, "SELECT NOT EXISTS (SELECT 1 FROM queue WHERE message_id = @id AND status = 0)"))
        {
            left.Parameters.AddWithValue("id", messageId);
            finished = (bool)(await left.ExecuteScalarAsync(cancellationToken))!;
        }

        if (finished)
        {
            // The bytes are not needed once no recipient waits; the envelope rows stay for the listing.
            // A held message has no queue entries, but it is never completed: only released ones are.
            await DropContentAsync(c, t, messageId, cancellationToken);
        }

        return new AttemptCompletion(MessageFinished: finished);
    }

    private static async Task DropContentAsync(NpgsqlConnection c, NpgsqlTransaction t, string messageId, CancellationToken cancellationToken)
    {
        await using var drop = Command(c, t, "DELETE FROM message_content WHERE message_id = @id");
        drop.Parameters.AddWithValue("id", messageId);
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<StoredMessage?> ReadMessageAsync(NpgsqlConnection c, NpgsqlTransaction? t, string id, CancellationToken cancellationToken)
    {
        await using var cmd = Command(c, t, SelectMessage + " WHERE m.id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? ReadMessage(r) : null;
    }

    // HasInlineContent is always true: in this store the database is the only place content lives.
    private static StoredMessage ReadMessage(NpgsqlDataReader r) => StoreRows.Message(r, hasInlineContent: true);
}
