using System.Text.Json;
using Microsoft.Data.Sqlite;
using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

/// <summary>The quarantine and the audit log: held messages keep their message row and content but have no queue entries until released.</summary>
public sealed partial class SqliteMessageStore
{
    private const string SelectQuarantine =
        "SELECT h.message_id, h.status, m.mail_from, h.recipients, h.held_at, m.size, h.rule, h.reason, h.subject, h.summary, h.findings, h.decided_at, h.decided_by, h.decision_reason, m.auth_identity " +
        "FROM quarantine h JOIN messages m ON m.id = h.message_id";

    public Task HoldAsync(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices = null, CancellationToken cancellationToken = default)
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

        return Submit(syncSpool: message.InlineContent is null || notices.Any(n => n.InlineContent is null), mustSync: true, work: (c, t) =>
        {
            Insert(c, t, message, withQueueEntries: false);
            var cmd = Command(c, t, "INSERT INTO quarantine (message_id, status, recipients, held_at, rule, reason, subject, summary, findings) VALUES ($id, 0, $rcpts, $at, $rule, $reason, $subject, $summary, $findings)");
            cmd.Parameters.AddWithValue("$id", message.Id);
            cmd.Parameters.AddWithValue("$rcpts", JsonSerializer.Serialize(message.Recipients));
            cmd.Parameters.AddWithValue("$at", Now());
            cmd.Parameters.AddWithValue("$rule", (object?)details.Rule ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$reason", (object?)details.Reason ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$subject", (object?)details.Subject ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$summary", (object?)details.Summary ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$findings", details.FindingsJson);
            cmd.ExecuteNonQuery();
            InsertAudit(c, t, audit);
            foreach (var n in notices)
            {
                Insert(c, t, n);
            }

            return true;
        });
    }

    public async Task<IReadOnlyList<QuarantineRecord>> ListQuarantineAsync(QuarantineStatus? status, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectQuarantine + (status is null ? "" : " WHERE h.status = $status") + " ORDER BY h.held_at DESC, h.message_id DESC LIMIT $n";
        if (status is { } s)
        {
            cmd.Parameters.AddWithValue("$status", (int)s);
        }

        cmd.Parameters.AddWithValue("$n", limit);
        return ReadQuarantine(cmd);
    }

    public async Task<IReadOnlyList<QuarantineRecord>> ListHeldBeforeAsync(DateTimeOffset heldBefore, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectQuarantine + " WHERE h.status = 0 AND h.held_at < $before ORDER BY h.held_at, h.message_id LIMIT $n";
        cmd.Parameters.AddWithValue("$before", heldBefore.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadQuarantine(cmd);
    }

    public async Task<QuarantineRecord?> GetQuarantineAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectQuarantine + " WHERE h.message_id = $id";
        cmd.Parameters.AddWithValue("$id", messageId);
        return ReadQuarantine(cmd).FirstOrDefault();
    }

    public async Task<QuarantineDecision> ReleaseAsync(string messageId, string actor, string? reason, byte[]? replacement = null, CancellationToken cancellationToken = default)
    {
        bool replaced = false;
        var decision = await Decide(messageId, actor, reason, QuarantineStatus.Released, replacement is null ? "release" : "release-bcc-fix", null, (c, t) =>
        {
            var read = Command(c, t, "SELECT recipients FROM quarantine WHERE message_id = $id");
            read.Parameters.AddWithValue("$id", messageId);
            var recipients = JsonSerializer.Deserialize<List<string>>((string)read.ExecuteScalar()!) ?? [];
            byte[]? content = replacement;
            if (content is null)
            {
                var blob = Command(c, t, "SELECT data FROM message_content WHERE message_id = $id");
                blob.Parameters.AddWithValue("$id", messageId);
                if (blob.ExecuteScalar() is byte[] stored && ContentProtector.IsProtected(stored))
                {
                    // Delivery reads plain bytes; they live only until the message is delivered.
                    content = (_options.Protector ?? throw new InvalidOperationException("Held content is encrypted but no Quarantine:EncryptionKey is configured.")).Unprotect(stored);
                }
            }

            if (content is not null)
            {
                var write = Command(c, t, "INSERT INTO message_content (message_id, data) VALUES ($id, $data) ON CONFLICT(message_id) DO UPDATE SET data = excluded.data");
                write.Parameters.AddWithValue("$id", messageId);
                write.Parameters.Add("$data", SqliteType.Blob).Value = content;
                write.ExecuteNonQuery();
                var flag = Command(c, t, "UPDATE messages SET inline_content = 1, size = $size WHERE id = $id");
                flag.Parameters.AddWithValue("$size", content.LongLength);
                flag.Parameters.AddWithValue("$id", messageId);
                flag.ExecuteNonQuery();
                replaced = replacement is not null;
            }

            InsertQueueEntries(c, t, messageId, recipients, Now());
        });
        if (replaced && decision.Applied)
        {
            // The Bcc-fixed copy replaced a spooled original, which nothing reads any more.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }

    public async Task<QuarantineDecision> ExpireAsync(string messageId, string actor, NewMessage? notice, string? detail = null, CancellationToken cancellationToken = default)
    {
        if (notice is not null)
        {
            Validate(notice);
        }

        var decision = await Decide(messageId, actor, "retention period over", QuarantineStatus.Expired, "expire", notice, (c, t) => DropContent(c, t, messageId), detail);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }

    public async Task<QuarantineDecision> ReturnAsync(string messageId, string actor, string? reason, NewMessage? notice, CancellationToken cancellationToken = default)
    {
        if (notice is not null)
        {
            Validate(notice);
        }

        var decision = await Decide(messageId, actor, reason, QuarantineStatus.Returned, "return", notice, (c, t) => DropContent(c, t, messageId));
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }

    public async Task<QuarantineDecision> DeleteHeldAsync(string messageId, string actor, string? reason, CancellationToken cancellationToken = default)
    {
        var decision = await Decide(messageId, actor, reason, QuarantineStatus.Deleted, "delete", null, (c, t) => DropContent(c, t, messageId));
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
        return Submit(syncSpool: false, mustSync: true, work: (c, t) =>
        {
            InsertAudit(c, t, audit);
            return true;
        });
    }

    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? messageId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT at, actor, action, message_id, reason, detail FROM audit_log" + (messageId is null ? "" : " WHERE message_id = $id") + " ORDER BY id DESC LIMIT $n";
        if (messageId is not null)
        {
            cmd.Parameters.AddWithValue("$id", messageId);
        }

        cmd.Parameters.AddWithValue("$n", limit);
        return StoreRows.ReadAll(cmd, StoreRows.Audit);
    }

    public async Task<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        var message = ReadMessage(connection, null, messageId);
        if (message is null)
        {
            return null;
        }

        if (message.HasInlineContent)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT data FROM message_content WHERE message_id = $id";
            cmd.Parameters.AddWithValue("$id", messageId);
            if (cmd.ExecuteScalar() is not byte[] data)
            {
                return null;
            }

            if (ContentProtector.IsProtected(data))
            {
                data = (_options.Protector ?? throw new InvalidOperationException("Held content is encrypted but no Quarantine:EncryptionKey is configured.")).Unprotect(data);
            }

            return new MemoryStream(data, writable: false);
        }

        string? path = MessageSpool.PathIn(_options.SpoolDirectory, messageId);
        return path is not null && File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;
    }

    // One decision per held message: the conditional update lets exactly one of two concurrent
    // reviewers through; the loser is told the message is no longer held.
    private Task<QuarantineDecision> Decide(string messageId, string actor, string? reason, QuarantineStatus to, string action, NewMessage? notice, Action<SqliteConnection, SqliteTransaction> effect, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        return Submit(syncSpool: notice is { InlineContent: null }, mustSync: true, work: (c, t) =>
        {
            var cmd = Command(c, t, "UPDATE quarantine SET status = $to, decided_at = $now, decided_by = $actor, decision_reason = $reason WHERE message_id = $id AND status = 0");
            cmd.Parameters.AddWithValue("$to", (int)to);
            cmd.Parameters.AddWithValue("$now", Now());
            cmd.Parameters.AddWithValue("$actor", actor);
            cmd.Parameters.AddWithValue("$reason", (object?)reason ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", messageId);
            if (cmd.ExecuteNonQuery() == 0)
            {
                var current = Command(c, t, "SELECT status FROM quarantine WHERE message_id = $id");
                current.Parameters.AddWithValue("$id", messageId);
                object? status = current.ExecuteScalar();
                InsertAudit(c, t, new AuditEvent(_time.GetUtcNow(), actor, action + "-refused", messageId, reason, status is null ? "not in quarantine" : "already " + ((QuarantineStatus)(int)(long)status).ToString().ToLowerInvariant()));
                return new QuarantineDecision(false, status is null ? QuarantineStatus.Deleted : (QuarantineStatus)(int)(long)status);
            }

            effect(c, t);
            if (notice is not null)
            {
                Insert(c, t, notice);
            }

            InsertAudit(c, t, new AuditEvent(_time.GetUtcNow(), actor, action, messageId, reason, detail));
            return new QuarantineDecision(true, to);
        });
    }

    private void DropContent(SqliteConnection c, SqliteTransaction t, string messageId)
    {
        var drop = Command(c, t, "DELETE FROM message_content WHERE message_id = $id");
        drop.Parameters.AddWithValue("$id", messageId);
        drop.ExecuteNonQuery();
    }

    private void InsertAudit(SqliteConnection c, SqliteTransaction t, AuditEvent e)
    {
        var cmd = Command(c, t, "INSERT INTO audit_log (at, actor, action, message_id, reason, detail) VALUES ($at, $actor, $action, $id, $reason, $detail)");
        cmd.Parameters.AddWithValue("$at", e.At.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$actor", e.Actor);
        cmd.Parameters.AddWithValue("$action", e.Action);
        cmd.Parameters.AddWithValue("$id", (object?)e.MessageId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$reason", (object?)e.Reason ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$detail", (object?)e.Detail ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    private static List<QuarantineRecord> ReadQuarantine(SqliteCommand cmd) =>
        StoreRows.ReadAll(cmd, r => StoreRows.Quarantine(r, JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? []));
}
