using System.Text.Json;
using Dapper;
using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

/// <summary>The quarantine and the audit log: held messages keep their message row and content but have no queue entries until released.</summary>
public sealed partial class SqliteMessageStore
{
    public Task HoldAsync(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices = null, CancellationToken cancellationToken = default)
    {
        var noticeList = StoreSql.ValidateHold(message, details, audit, notices);
        return Submit(
            async (c, t, ct) =>
            {
                await InsertAsync(c, t, message, withQueueEntries: false);
                await StoreSql.InsertHoldAsync(c, t, message.Id, JsonSerializer.Serialize(message.Recipients), Now(), details, audit, ct);
                foreach (var n in noticeList)
                {
                    await InsertAsync(c, t, n);
                }

                return true;
            },
            syncSpool: message.InlineContent is null || noticeList.Any(n => n.InlineContent is null),
            mustSync: true);
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListQuarantineAsync(QuarantineStatus? status, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListQuarantine(status, limit), cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListHeldBeforeAsync(DateTimeOffset heldBefore, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListHeldBefore(heldBefore, limit), cancellationToken);

    public Task<QuarantineRecord?> GetQuarantineAsync(string messageId, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.GetQuarantine(messageId), cancellationToken);

    public async Task<QuarantineDecision> ReleaseAsync(string messageId, string actor, string? reason, byte[]? replacement = null, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        if (notice is not null)
        {
            StoreSql.Validate(notice);
        }

        var decision = await Submit(
            StoreSql.Decide(messageId, actor, reason, QuarantineStatus.Released, replacement is null ? "release" : "release-bcc-fix", _time, async (c, t, ct) =>
            {
                var recipients = await StoreSql.HeldRecipientsAsync(c, t, messageId, ct);
                if (await StoreSql.StoreReleasedContentAsync(c, t, messageId, replacement, _options.Protector, ct) is { } content)
                {
                    // Delivery now reads the bytes from the database, whether or not they were spooled.
                    await c.ExecuteAsync(StoreSql.Command("UPDATE messages SET inline_content = 1, size = @size WHERE id = @id", new { size = content.LongLength, id = messageId }, t, ct));
                }

                await InsertQueueEntriesAsync(c, t, messageId, recipients, Now());
                if (notice is not null)
                {
                    await InsertAsync(c, t, notice);
                }
            }),
            syncSpool: notice is { InlineContent: null },
            mustSync: true);
        if (replacement is not null && decision.Applied)
        {
            // The Bcc-fixed copy replaced a spooled original, which nothing reads any more.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }

    public Task<QuarantineDecision> ExpireAsync(string messageId, string actor, NewMessage? notice, string? detail = null, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, "retention period over", QuarantineStatus.Expired, "expire", notice, detail);

    public Task<QuarantineDecision> ReturnAsync(string messageId, string actor, string? reason, NewMessage? notice, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, reason, QuarantineStatus.Returned, "return", notice);

    public Task<QuarantineDecision> DeleteHeldAsync(string messageId, string actor, string? reason, NewMessage? notice = null, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, reason, QuarantineStatus.Deleted, "delete", notice);

    public Task<bool> SaveInspectionAsync(string messageId, string inspectionJson, CancellationToken cancellationToken = default) =>
        Submit(StoreSql.SaveInspection(messageId, inspectionJson), mustSync: true);

    public Task AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default) => Submit(StoreSql.AppendAudit(audit), mustSync: true);

    public Task RecordAsync(IReadOnlyList<AuditEvent> audit, IReadOnlyList<NewMessage> notices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(notices);
        foreach (var notice in notices)
        {
            StoreSql.Validate(notice);
        }

        return Submit<bool>(
            async (c, t, ct) =>
            {
                foreach (var a in audit)
                {
                    await StoreSql.AppendAudit(a)(c, t, ct);
                }

                foreach (var notice in notices)
                {
                    await InsertAsync(c, t, notice);
                }

                return true;
            },
            syncSpool: notices.Any(n => n.InlineContent is null),
            mustSync: true);
    }

    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? messageId, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListAudit(messageId, limit), cancellationToken);

    public async Task<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        var message = await ReadMessageAsync(connection, null, messageId);
        if (message is null)
        {
            return null;
        }

        if (message.HasInlineContent)
        {
            return await StoreSql.ReadContentAsync(connection, messageId, _options.Protector, cancellationToken) is { } data ? new MemoryStream(data, writable: false) : null;
        }

        string? path = MessageSpool.PathIn(_options.SpoolDirectory, messageId);
        return path is not null && File.Exists(path) ? MessageSpool.OpenFile(path, message.ContentPrefix) : null;
    }

    /// <summary>Expire, return, delete: the held bytes go, with <paramref name="notice"/> (a return to sender) queued in the same transaction.</summary>
    private async Task<QuarantineDecision> DecideAndDropContentAsync(string messageId, string actor, string? reason, QuarantineStatus to, string action, NewMessage? notice, string? detail = null)
    {
        if (notice is not null)
        {
            StoreSql.Validate(notice);
        }

        var decision = await Submit(
            StoreSql.Decide(messageId, actor, reason, to, action, _time, async (c, t, ct) =>
            {
                await StoreSql.DropContentAsync(c, t, messageId, ct);
                if (notice is not null)
                {
                    await InsertAsync(c, t, notice);
                }
            }, detail),
            syncSpool: notice is { InlineContent: null },
            mustSync: true);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
        }

        return decision;
    }
}
