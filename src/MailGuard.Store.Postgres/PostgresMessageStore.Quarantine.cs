using Npgsql;
using NpgsqlTypes;
using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>The quarantine and the audit log: held messages keep their message row and content but have no queue entries until released.</summary>
public sealed partial class PostgresMessageStore
{
    private const string SelectQuarantine =
        "SELECT h.message_id, h.status, m.mail_from, h.recipients, h.held_at, m.size, h.rule, h.reason, h.subject, h.summary, h.findings, h.decided_at, h.decided_by, h.decision_reason, m.auth_identity " +
        "FROM quarantine h JOIN messages m ON m.id = h.message_id";

    public async Task HoldAsync(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices = null, CancellationToken cancellationToken = default)
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

        byte[] content = ContentOf(message);
        var noticeContents = notices.Select(ContentOf).ToArray();
        await InTransactionAsync(async (c, t) =>
        {
            await InsertAsync(c, t, message, content, withQueueEntries: false, cancellationToken);
            await using (var cmd = Command(c, t, "INSERT INTO quarantine (message_id, status, recipients, held_at, rule, reason, subject, summary, findings) VALUES (@id, 0, @rcpts, @at, @rule, @reason, @subject, @summary, @findings)"))
            {
                cmd.Parameters.AddWithValue("id", message.Id);
                cmd.Parameters.AddWithValue("rcpts", NpgsqlDbType.Array | NpgsqlDbType.Text, message.Recipients.ToArray());
                cmd.Parameters.AddWithValue("at", Now());
                cmd.Parameters.AddWithValue("rule", NpgsqlDbType.Text, (object?)details.Rule ?? DBNull.Value);
                cmd.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)details.Reason ?? DBNull.Value);
                cmd.Parameters.AddWithValue("subject", NpgsqlDbType.Text, (object?)details.Subject ?? DBNull.Value);
                cmd.Parameters.AddWithValue("summary", NpgsqlDbType.Text, (object?)details.Summary ?? DBNull.Value);
                cmd.Parameters.AddWithValue("findings", details.FindingsJson);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }

            await InsertAuditAsync(c, t, audit, cancellationToken);
            for (int i = 0; i < notices.Count; i++)
            {
                await InsertAsync(c, t, notices[i], noticeContents[i], withQueueEntries: true, cancellationToken);
            }

            return true;
        }, cancellationToken);
        DeleteSpoolFileOnceStored(message);
        foreach (var n in notices)
        {
            DeleteSpoolFileOnceStored(n);
        }
    }

    public async Task<IReadOnlyList<QuarantineRecord>> ListQuarantineAsync(QuarantineStatus? status, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectQuarantine + (status is null ? "" : " WHERE h.status = @status") + " ORDER BY h.held_at DESC, h.message_id DESC LIMIT @n");
        if (status is { } s)
        {
            cmd.Parameters.AddWithValue("status", (int)s);
        }

        cmd.Parameters.AddWithValue("n", limit);
        return await ReadQuarantineAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<QuarantineRecord>> ListHeldBeforeAsync(DateTimeOffset heldBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectQuarantine + " WHERE h.status = 0 AND h.held_at < @before ORDER BY h.held_at, h.message_id LIMIT @n");
        cmd.Parameters.AddWithValue("before", heldBefore.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("n", limit);
        return await ReadQuarantineAsync(cmd, cancellationToken);
    }

    public async Task<QuarantineRecord?> GetQuarantineAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectQuarantine + " WHERE h.message_id = @id");
        cmd.Parameters.AddWithValue("id", messageId);
        return (await ReadQuarantineAsync(cmd, cancellationToken)).FirstOrDefault();
    }

    public Task<QuarantineDecision> ReleaseAsync(string messageId, string actor, string? reason, byte[]? replacement = null, CancellationToken cancellationToken = default) =>
        DecideAsync(messageId, actor, reason, QuarantineStatus.Released, replacement is null ? "release" : "release-bcc-fix", null, async (c, t) =>
        {
            // The recipients come from the row the decision just updated (and so locked): what was held is what is queued.
            string[] recipients;
            await using (var read = Command(c, t, "SELECT recipients FROM quarantine WHERE message_id = @id"))
            {
                read.Parameters.AddWithValue("id", messageId);
                recipients = (string[])(await read.ExecuteScalarAsync(cancellationToken))!;
            }

            byte[]? content = replacement;
            if (content is null)
            {
                await using var blob = Command(c, t, "SELECT data FROM message_content WHERE message_id = @id");
                blob.Parameters.AddWithValue("id", messageId);
                if (await blob.ExecuteScalarAsync(cancellationToken) is byte[] stored && ContentProtector.IsProtected(stored))
                {
                    // Delivery reads plain bytes; they live only until the message is delivered.
                    content = Unprotect(stored);
                }
            }

            if (content is not null)
            {
                await using var write = Command(c, t, "INSERT INTO message_content (message_id, data) VALUES (@id, @data) ON CONFLICT (message_id) DO UPDATE SET data = excluded.data");
                write.Parameters.AddWithValue("id", messageId);
                write.Parameters.AddWithValue("data", NpgsqlDbType.Bytea, content);
                await write.ExecuteNonQueryAsync(cancellationToken);
                await using var size = Command(c, t, "UPDATE messages SET size = @size WHERE id = @id");
                size.Parameters.AddWithValue("size", content.LongLength);
                size.Parameters.AddWithValue("id", messageId);
                await size.ExecuteNonQueryAsync(cancellationToken);
            }

            await InsertQueueEntriesAsync(c, t, messageId, recipients, Now(), cancellationToken);
        }, cancellationToken);

    public async Task<QuarantineDecision> ExpireAsync(string messageId, string actor, NewMessage? notice, string? detail = null, CancellationToken cancellationToken = default)
    {
        var decision = await DecideAsync(messageId, actor, "retention period over", QuarantineStatus.Expired, "expire", notice, (c, t) => DropContentAsync(c, t, messageId, cancellationToken), cancellationToken, detail);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        if (decision.Applied && notice is not null)
        {
            DeleteSpoolFileOnceStored(notice);
        }

        return decision;
    }

    public async Task<QuarantineDecision> ReturnAsync(string messageId, string actor, string? reason, NewMessage? notice, CancellationToken cancellationToken = default)
    {
        var decision = await DecideAsync(messageId, actor, reason, QuarantineStatus.Returned, "return", notice, (c, t) => DropContentAsync(c, t, messageId, cancellationToken), cancellationToken);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        if (decision.Applied && notice is not null)
        {
            DeleteSpoolFileOnceStored(notice);
        }

        return decision;
    }

    public async Task<QuarantineDecision> DeleteHeldAsync(string messageId, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        var decision = await DecideAsync(messageId, actor, reason, QuarantineStatus.Deleted, "delete", null, (c, t) => DropContentAsync(c, t, messageId, cancellationToken), cancellationToken);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }

    public Task AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return InTransactionAsync(async (c, t) =>
        {
            await InsertAuditAsync(c, t, audit, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? messageId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT at, actor, action, message_id, reason, detail FROM audit_log" + (messageId is null ? "" : " WHERE message_id = @id") + " ORDER BY id DESC LIMIT @n");
        if (messageId is not null)
        {
            cmd.Parameters.AddWithValue("id", messageId);
        }

        cmd.Parameters.AddWithValue("n", limit);
        return await StoreRows.ReadAllAsync(cmd, StoreRows.Audit, cancellationToken);
    }

    public async Task<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT data FROM message_content WHERE message_id = @id");
        cmd.Parameters.AddWithValue("id", messageId);
        if (await cmd.ExecuteScalarAsync(cancellationToken) is not byte[] data)
        {
            return null;
        }

        return new MemoryStream(ContentProtector.IsProtected(data) ? Unprotect(data) : data, writable: false);
    }

    private byte[] Unprotect(byte[] stored) =>
        (_options.Protector ?? throw new InvalidOperationException("Held content is encrypted but no Quarantine:EncryptionKey is configured.")).Unprotect(stored);

    // One decision per held message. Under READ COMMITTED a second reviewer's UPDATE waits for the
    // first one's row lock, then re-checks status = held on the committed row and matches nothing:
    // of two reviewers, on one node or two, exactly one is applied.
    private Task<QuarantineDecision> DecideAsync(string messageId, string actor, string? reason, QuarantineStatus to, string action, NewMessage? notice, Func<NpgsqlConnection, NpgsqlTransaction, Task> effect, CancellationToken cancellationToken, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        byte[]? noticeContent = null;
        if (notice is not null)
        {
            Validate(notice);
            noticeContent = ContentOf(notice);
        }

        return InTransactionAsync(async (c, t) =>
        {
            int updated;
            await using (var cmd = Command(c, t, "UPDATE quarantine SET status = @to, decided_at = @now, decided_by = @actor, decision_reason = @reason WHERE message_id = @id AND status = 0"))
            {
                cmd.Parameters.AddWithValue("to", (int)to);
                cmd.Parameters.AddWithValue("now", Now());
                cmd.Parameters.AddWithValue("actor", actor);
                cmd.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)reason ?? DBNull.Value);
                cmd.Parameters.AddWithValue("id", messageId);
                updated = await cmd.ExecuteNonQueryAsync(cancellationToken);
            }

            if (updated == 0)
            {
                object? status;
                await using (var current = Command(c, t, "SELECT status FROM quarantine WHERE message_id = @id"))
                {
                    current.Parameters.AddWithValue("id", messageId);
                    status = await current.ExecuteScalarAsync(cancellationToken);
                }

                var now = status is null ? QuarantineStatus.Deleted : (QuarantineStatus)(int)status;
                await InsertAuditAsync(c, t, new AuditEvent(_time.GetUtcNow(), actor, action + "-refused", messageId, reason, status is null ? "not in quarantine" : "already " + now.ToString().ToLowerInvariant()), cancellationToken);
                return new QuarantineDecision(false, now);
            }

            await effect(c, t);
            if (notice is not null)
            {
                await InsertAsync(c, t, notice, noticeContent!, withQueueEntries: true, cancellationToken);
            }

            await InsertAuditAsync(c, t, new AuditEvent(_time.GetUtcNow(), actor, action, messageId, reason, detail), cancellationToken);
            return new QuarantineDecision(true, to);
        }, cancellationToken);
    }

    private static async Task InsertAuditAsync(NpgsqlConnection c, NpgsqlTransaction t, AuditEvent e, CancellationToken cancellationToken)
    {
        await using var cmd = Command(c, t, "INSERT INTO audit_log (at, actor, action, message_id, reason, detail) VALUES (@at, @actor, @action, @id, @reason, @detail)");
        cmd.Parameters.AddWithValue("at", e.At.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("actor", e.Actor);
        cmd.Parameters.AddWithValue("action", e.Action);
        cmd.Parameters.AddWithValue("id", NpgsqlDbType.Text, (object?)e.MessageId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("reason", NpgsqlDbType.Text, (object?)e.Reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("detail", NpgsqlDbType.Text, (object?)e.Detail ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task<List<QuarantineRecord>> ReadQuarantineAsync(NpgsqlCommand cmd, CancellationToken cancellationToken) =>
        StoreRows.ReadAllAsync(cmd, r => StoreRows.Quarantine(r, r.GetFieldValue<string[]>(3)), cancellationToken);
}
