using Dapper;
using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>The quarantine and the audit log: held messages keep their message row and content but have no queue entries until released.</summary>
public sealed partial class PostgresMessageStore
{
    public async Task HoldAsync(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices = null, CancellationToken cancellationToken = default)
    {
        var noticeList = StoreSql.ValidateHold(message, details, audit, notices);
        byte[] content = ContentOf(message);
        var noticeContents = noticeList.Select(ContentOf).ToArray();
        await InTransactionAsync(
            async (c, t) =>
            {
                await InsertAsync(c, t, message, content, withQueueEntries: false, cancellationToken);
                await StoreSql.InsertHoldAsync(c, t, message.Id, message.Recipients.ToArray(), Now(), details, audit, cancellationToken);
                for (int i = 0; i < noticeList.Count; i++)
                {
                    await InsertAsync(c, t, noticeList[i], noticeContents[i], withQueueEntries: true, cancellationToken);
                }

                return true;
            },
            cancellationToken,
            MessageStored(message.Id));
        DeleteSpoolFileOnceStored(message);
        foreach (var n in noticeList)
        {
            DeleteSpoolFileOnceStored(n);
        }
    }

    public Task<IReadOnlyList<QuarantineRecord>> ListQuarantineAsync(QuarantineStatus? status, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListQuarantine(status, limit), cancellationToken);

    public Task<IReadOnlyList<QuarantineRecord>> ListHeldBeforeAsync(DateTimeOffset heldBefore, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListHeldBefore(heldBefore, limit), cancellationToken);

    public Task<QuarantineRecord?> GetQuarantineAsync(string messageId, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.GetQuarantine(messageId), cancellationToken);

    public async Task<QuarantineDecision> ReleaseAsync(string messageId, string actor, string? reason, byte[]? replacement = null, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        byte[]? noticeContent = null;
        if (notice is not null)
        {
            StoreSql.Validate(notice);
            noticeContent = ContentOf(notice);
        }

        var decision = await WriteAsync(
            StoreSql.Decide(messageId, actor, reason, QuarantineStatus.Released, replacement is null ? "release" : "release-bcc-fix", _time, async (c, t, ct) =>
            {
                var recipients = await StoreSql.HeldRecipientsAsync(c, t, messageId, ct);
                if (await StoreSql.StoreReleasedContentAsync(c, t, messageId, replacement, _options.Protector, ct) is { } content)
                {
                    await c.ExecuteAsync(StoreSql.Command("UPDATE messages SET size = @size WHERE id = @id", new { size = content.LongLength, id = messageId }, t, ct));
                }

                await InsertQueueEntriesAsync(c, t, messageId, recipients, Now(), ct);
                if (notice is not null)
                {
                    await InsertAsync(c, t, notice, noticeContent!, withQueueEntries: true, ct);
                }
            }),
            cancellationToken);
        if (decision.Applied && notice is not null)
        {
            DeleteSpoolFileOnceStored(notice);
        }

        return decision;
    }

    public Task<QuarantineDecision> ExpireAsync(string messageId, string actor, NewMessage? notice, string? detail = null, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, "retention period over", QuarantineStatus.Expired, "expire", notice, cancellationToken, detail);

    public Task<QuarantineDecision> ReturnAsync(string messageId, string actor, string? reason, NewMessage? notice, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, reason, QuarantineStatus.Returned, "return", notice, cancellationToken);

    public Task<QuarantineDecision> DeleteHeldAsync(string messageId, string actor, string? reason, NewMessage? notice = null, CancellationToken cancellationToken = default) =>
        DecideAndDropContentAsync(messageId, actor, reason, QuarantineStatus.Deleted, "delete", notice, cancellationToken);

    public Task<bool> SaveInspectionAsync(string messageId, string inspectionJson, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreSql.SaveInspection(messageId, inspectionJson), cancellationToken);

    public Task AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.AppendAudit(audit), cancellationToken);

    public async Task RecordAsync(IReadOnlyList<AuditEvent> audit, IReadOnlyList<NewMessage> notices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(notices);
        var contents = new List<byte[]>(notices.Count);
        foreach (var notice in notices)
        {
            StoreSql.Validate(notice);
            contents.Add(ContentOf(notice));
        }

        await WriteAsync<bool>(
            async (c, t, ct) =>
            {
                foreach (var a in audit)
                {
                    await StoreSql.AppendAudit(a)(c, t, ct);
                }

                for (int i = 0; i < notices.Count; i++)
                {
                    await InsertAsync(c, t, notices[i], contents[i], withQueueEntries: true, ct);
                }

                return true;
            },
            cancellationToken);
        foreach (var notice in notices)
        {
            DeleteSpoolFileOnceStored(notice);
        }
    }

    public Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? messageId, int limit, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListAudit(messageId, limit), cancellationToken);

    public async Task<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        var data = await ReadAsync((c, ct) => StoreSql.ReadContentAsync(c, messageId, _options.Protector, ct), cancellationToken);
        return data is null ? null : new MemoryStream(data, writable: false);
    }

    /// <summary>Expire, return, delete: the held bytes go, with <paramref name="notice"/> (a return to sender) queued in the same transaction.</summary>
    private async Task<QuarantineDecision> DecideAndDropContentAsync(string messageId, string actor, string? reason, QuarantineStatus to, string action, NewMessage? notice, CancellationToken cancellationToken, string? detail = null)
    {
        byte[]? noticeContent = null;
        var decide = StoreSql.Decide(messageId, actor, reason, to, action, _time, async (c, t, ct) =>
        {
            await StoreSql.DropContentAsync(c, t, messageId, ct);
            if (notice is not null)
            {
                await InsertAsync(c, t, notice, noticeContent!, withQueueEntries: true, ct);
            }
        }, detail);
        if (notice is not null)
        {
            StoreSql.Validate(notice);
            noticeContent = ContentOf(notice);
        }

        var decision = await WriteAsync(decide, cancellationToken);
        if (decision.Applied)
        {
            // Only after the commit: a crash before it must leave a held message with its bytes.
            MessageSpool.DeleteIn(_options.SpoolDirectory, messageId);
            if (notice is not null)
            {
                DeleteSpoolFileOnceStored(notice);
            }
        }

        return decision;
    }
}
