using System.Data.Common;
using Dapper;
using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

public sealed partial class SqliteMessageStore
{
    private async Task InsertAsync(DbConnection c, DbTransaction t, NewMessage m, bool withQueueEntries = true)
    {
        long now = Now();
        await c.ExecuteAsync(StoreSql.Command(
            "INSERT INTO messages (id, mail_from, received_at, client_address, helo_name, auth_identity, size, flags, kind, inline_content, content_prefix) "
            + "VALUES (@id, @from, @at, @client, @helo, @auth, @size, @flags, @kind, @inline, @prefix)",
            new
            {
                id = m.Id,
                from = m.MailFrom,
                at = m.ReceivedAt.ToUnixTimeMilliseconds(),
                client = m.ClientAddress,
                helo = m.HeloName,
                auth = m.AuthIdentity,
                size = m.Size,
                flags = (int)m.Flags,
                kind = (int)m.Kind,
                inline = m.InlineContent is null ? 0 : 1,
                prefix = m.ContentPrefix?.ToArray(),
            },
            t,
            default));
        if (m.InlineContent is { } content)
        {
            await c.ExecuteAsync(StoreSql.Command(StoreSql.InsertContent, new { id = m.Id, data = content.ToArray() }, t, default));
        }

        if (withQueueEntries)
        {
            await InsertQueueEntriesAsync(c, t, m.Id, m.Recipients, now);
        }
    }

    // One prepared statement run once per recipient (Dapper reuses the command for a sequence of parameters).
    private static Task InsertQueueEntriesAsync(DbConnection c, DbTransaction t, string messageId, IReadOnlyList<string> recipients, long now) =>
        c.ExecuteAsync(StoreSql.Command(
            "INSERT INTO queue (message_id, recipient, status, attempts, next_attempt_at, lease_until, updated_at) VALUES (@id, @rcpt, 0, 0, @now, 0, @now)",
            recipients.Select(r => new { id = messageId, rcpt = r, now }),
            t,
            default));

    private async Task<IReadOnlyList<ClaimedMessage>> ClaimAsync(DbConnection c, DbTransaction t, string owner, int maxMessages, TimeSpan lease)
    {
        long now = Now();
        long until = now + (long)lease.TotalMilliseconds;
        // Oldest due first. DISTINCT stops after the first maxMessages messages found walking the
        // due index, so a long backlog or a message with many recipients does not widen the scan.
        var ids = await c.QueryAsync<string>(StoreSql.Command(
            "SELECT DISTINCT message_id FROM queue WHERE status = 0 AND next_attempt_at <= @now AND lease_until <= @now ORDER BY next_attempt_at LIMIT @n",
            new { now, n = maxMessages },
            t,
            default));
        var claimed = new List<ClaimedMessage>(maxMessages);
        foreach (string id in ids)
        {
            // The unary plus keeps SQLite on queue_message (this message's rows) instead of walking
            // queue_due, which without ANALYZE statistics it would otherwise pick: with a backlog that
            // is a scan of every due entry per claimed message.
            var recipients = await StoreRows.ListAsync(
                c,
                StoreSql.Command(
                    "UPDATE queue SET lease_owner = @owner, lease_until = @until WHERE message_id = @id AND status = 0 AND +next_attempt_at <= @now AND +lease_until <= @now RETURNING id, recipient, attempts",
                    new { owner, until, id, now },
                    t,
                    default),
                r => new ClaimedRecipient(r.GetInt64(0), r.GetString(1), r.GetInt32(2)));
            recipients.Sort((a, b) => a.EntryId.CompareTo(b.EntryId));
            var message = await ReadMessageAsync(c, t, id);
            if (message is not null && recipients.Count > 0)
            {
                byte[]? content = message.HasInlineContent ? await c.ExecuteScalarAsync<byte[]?>(StoreSql.Command(StoreSql.SelectContent, new { id }, t, default)) : null;
                // Spelt out: byte[] null would convert to an empty (not a null) ReadOnlyMemory.
                claimed.Add(new ClaimedMessage(message, recipients, DateTimeOffset.FromUnixTimeMilliseconds(until), content is null ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(content)));
            }
        }

        return claimed;
    }

    private async Task<AttemptCompletion> CompleteAsync(DbConnection c, DbTransaction t, string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice)
    {
        long now = Now();
        foreach (var outcome in outcomes)
        {
            (string Sql, object Parameters) statement = outcome.Disposition switch
            {
                RecipientDisposition.Delivered or RecipientDisposition.Failed => (StoreSql.FinishEntry, new
                {
                    status = outcome.Disposition == RecipientDisposition.Delivered ? (int)QueueEntryStatus.Delivered : (int)QueueEntryStatus.Failed,
                    reply = outcome.Reply,
                    now,
                    entry = outcome.EntryId,
                    id = messageId,
                }),
                RecipientDisposition.Deferred => (StoreSql.DeferEntry, new { next = (outcome.NextAttemptAt ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(), reply = outcome.Reply, now, entry = outcome.EntryId, id = messageId }),
                _ => (StoreSql.UnleaseEntry, new { next = outcome.NextAttemptAt?.ToUnixTimeMilliseconds(), reply = outcome.Reply, now, entry = outcome.EntryId, id = messageId }),
            };
            await c.ExecuteAsync(StoreSql.Command(statement.Sql, statement.Parameters, t, default));
        }

        if (notice is not null)
        {
            await InsertAsync(c, t, notice);
        }

        return new AttemptCompletion(MessageFinished: await StoreSql.DropContentIfFinishedAsync(c, t, messageId, default));
    }

    private const string SelectMessage = "SELECT " + StoreRows.MessageColumns + ", m.inline_content, m.content_prefix FROM messages m WHERE m.id = @id";

    private static async Task<StoredMessage?> ReadMessageAsync(DbConnection c, DbTransaction? t, string id) =>
        (await StoreRows.ListAsync(c, StoreSql.Command(SelectMessage, new { id }, t, default), r => StoreRows.Message(r, hasInlineContent: r.GetInt32(9) != 0) with { ContentPrefix = r.IsDBNull(10) ? null : r.GetFieldValue<byte[]>(10) })).FirstOrDefault();
}
