using System.Data.Common;
using Dapper;
using MailGuard.Core.Store;
using Npgsql;
using NpgsqlTypes;

namespace MailGuard.Store.Postgres;

public sealed partial class PostgresMessageStore
{
    private const string SelectMessage = "SELECT " + StoreRows.MessageColumns + " FROM messages m";

    private async Task InsertAsync(DbConnection c, DbTransaction t, NewMessage m, byte[] content, bool withQueueEntries, CancellationToken cancellationToken)
    {
        await c.ExecuteAsync(StoreSql.Command(
            "INSERT INTO messages (id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind) VALUES (@id, @from, @at, @client, @helo, @auth, @size, @flags, @kind)",
            new { id = m.Id, from = m.MailFrom, at = m.ReceivedAt.ToUnixTimeMilliseconds(), client = m.ClientAddress, helo = m.HeloName, auth = m.AuthIdentity, size = m.Size, flags = (int)m.Flags, kind = (int)m.Kind },
            t,
            cancellationToken));
        await c.ExecuteAsync(StoreSql.Command(StoreSql.InsertContent, new { id = m.Id, data = content }, t, cancellationToken));
        if (withQueueEntries)
        {
            await InsertQueueEntriesAsync(c, t, m.Id, m.Recipients, Now(), cancellationToken);
        }
    }

    // One statement for all recipients; WITH ORDINALITY keeps entry ids in envelope order. Dapper
    // passes an array to Npgsql as one parameter (text[]), not as a list to expand.
    private static Task InsertQueueEntriesAsync(DbConnection c, DbTransaction t, string messageId, IReadOnlyList<string> recipients, long now, CancellationToken cancellationToken) =>
        c.ExecuteAsync(StoreSql.Command(
            "INSERT INTO queue (message_id, recipient, status, attempts, next_attempt_at, lease_until, updated_at) "
            + "SELECT @id, u.rcpt, 0, 0, @now, 0, @now FROM unnest(@rcpts) WITH ORDINALITY AS u(rcpt, n) ORDER BY u.n",
            new { id = messageId, now, rcpts = recipients.ToArray() },
            t,
            cancellationToken));

    private static async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(NpgsqlConnection c, NpgsqlTransaction t, string owner, int maxMessages, long now, long until, CancellationToken cancellationToken)
    {
        // Messages, not entries, are locked: a message's recipients go to one node together. The
        // window of due entries bounds the scan; a message with more recipients than the window
        // is still claimed whole, since the lease below takes all its due entries.
        string[] ids = (await c.QueryAsync<string>(StoreSql.Command(
            "SELECT m.id FROM messages m WHERE m.id IN ("
            + "SELECT q.message_id FROM queue q WHERE q.status = 0 AND q.next_attempt_at <= @now AND q.lease_until <= @now ORDER BY q.next_attempt_at LIMIT @window) "
            + "ORDER BY m.id LIMIT @n FOR NO KEY UPDATE OF m SKIP LOCKED",
            new { now, window = Math.Max(1000, maxMessages * 64), n = maxMessages },
            t,
            cancellationToken))).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        // The conditions are checked again on the current rows: a node that committed its lease
        // after this statement's snapshot was taken is seen here, and its entries are left alone.
        var leased = await StoreRows.ListAsync(
            c,
            StoreSql.Command(
                "UPDATE queue SET lease_owner = @owner, lease_until = @until WHERE message_id = ANY(@ids) AND status = 0 AND next_attempt_at <= @now AND lease_until <= @now "
                + "RETURNING id, message_id, recipient, attempts",
                new { owner, until, ids, now },
                t,
                cancellationToken),
            r => (MessageId: r.GetString(1), Recipient: new ClaimedRecipient(r.GetInt64(0), r.GetString(2), r.GetInt32(3))));
        var recipients = leased.GroupBy(e => e.MessageId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Recipient).OrderBy(r => r.EntryId).ToList(), StringComparer.Ordinal);
        if (recipients.Count == 0)
        {
            return [];
        }

        return await StoreRows.ListAsync(
            c,
            StoreSql.Command(
                "SELECT " + StoreRows.MessageColumns + ", d.data FROM messages m LEFT JOIN message_content d ON d.message_id = m.id WHERE m.id = ANY(@ids) ORDER BY m.id",
                new { ids = recipients.Keys.ToArray() },
                t,
                cancellationToken),
            r =>
            {
                var message = ReadMessage(r);
                byte[]? content = r.IsDBNull(9) ? null : r.GetFieldValue<byte[]>(9);
                return new ClaimedMessage(message, recipients[message.Id], DateTimeOffset.FromUnixTimeMilliseconds(until), content is null ? null : new ReadOnlyMemory<byte>(content));
            });
    }

    private async Task<AttemptCompletion> CompleteAsync(NpgsqlConnection c, NpgsqlTransaction t, string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice, byte[]? noticeContent, CancellationToken cancellationToken)
    {
        long now = Now();
        // All outcomes in one round trip: a batch, which Dapper does not build, so its parameters are typed here.
        await using (var batch = new NpgsqlBatch(c, t))
        {
            foreach (var outcome in outcomes)
            {
                NpgsqlBatchCommand cmd;
                switch (outcome.Disposition)
                {
                    case RecipientDisposition.Delivered:
                    case RecipientDisposition.Failed:
                        cmd = new NpgsqlBatchCommand(StoreSql.FinishEntry);
                        cmd.Parameters.AddWithValue("status", outcome.Disposition == RecipientDisposition.Delivered ? (int)QueueEntryStatus.Delivered : (int)QueueEntryStatus.Failed);
                        break;
                    case RecipientDisposition.Deferred:
                        cmd = new NpgsqlBatchCommand(StoreSql.DeferEntry);
                        cmd.Parameters.AddWithValue("next", (outcome.NextAttemptAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds());
                        break;
                    default:
                        cmd = new NpgsqlBatchCommand(StoreSql.UnleaseEntry);
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

        return new AttemptCompletion(MessageFinished: await StoreSql.DropContentIfFinishedAsync(c, t, messageId, cancellationToken));
    }

    // HasInlineContent is always true: in this store the database is the only place content lives.
    private static StoredMessage ReadMessage(DbDataReader r) => StoreRows.Message(r, hasInlineContent: true);
}
