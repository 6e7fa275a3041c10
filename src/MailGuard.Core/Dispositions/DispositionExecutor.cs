using MailGuard.Core.Diagnostics;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using Microsoft.Extensions.Logging;

namespace MailGuard.Core.Dispositions;

/// <summary>How a decision ended; the relay turns it into its reply and nothing else.</summary>
public enum DispositionOutcome
{
    /// <summary>Durably queued for delivery (as received, tagged or rewritten), with its notices.</summary>
    Queued,

    /// <summary>Durably in quarantine, with its notices and audit record.</summary>
    Held,

    /// <summary>Not kept; the bounce-back warning to the sender is durably queued.</summary>
    Returned,

    /// <summary>Refused; nothing kept but the audit record. <see cref="DispositionResult.Reason"/> says why.</summary>
    Rejected,

    /// <summary>Could not be made durable because the disk is full: the client should retry later.</summary>
    StorageFull,

    /// <summary>Could not be made durable (store unavailable, I/O error): the client should retry.</summary>
    StorageFailed,
}

/// <param name="Reason">For <see cref="DispositionOutcome.Rejected"/>: the text for the client, ending with the message id.</param>
/// <param name="ContentKept">The spool file now belongs to the store (it must not be deleted when the session lets go of it).</param>
public readonly record struct DispositionResult(DispositionOutcome Outcome, string? Reason = null, bool ContentKept = false);

/// <summary>
/// Carries out a <see cref="MessageDecision"/> durably: the message (as received, or its
/// replacement), its quarantine record and audit event, and the notices it causes are written
/// before the outcome is returned, so the relay's positive reply always follows durability.
/// Expected failures (a full disk, a store that cannot commit) are outcomes, logged once.
/// </summary>
public sealed partial class DispositionExecutor
{
    private readonly IMessageStore _store;
    private readonly IQuarantineStore? _quarantine;
    private readonly ContentProtector? _protector;
    private readonly DeliverySignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IDispositionMetrics? _metrics;

    /// <param name="protector">When set, held bytes are kept encrypted in the database (Quarantine:EncryptionKey).</param>
    public DispositionExecutor(IMessageStore store, DeliverySignal signal, TimeProvider time, ILogger<DispositionExecutor> logger, ContentProtector? protector = null, IDispositionMetrics? metrics = null)
    {
        _store = store;
        // The quarantine lives in the same database as the queue (release must be one transaction).
        _quarantine = store as IQuarantineStore;
        _protector = protector;
        _signal = signal;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    public async ValueTask<DispositionResult> ExecuteAsync(ReceivedMessage message, MessageDecision decision, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteCoreAsync(message, decision, cancellationToken);
        }
        catch (Exception ex) when (StoreFaults.IsStoreFault(ex))
        {
            // Down, restarting, failing over, full or locked: the client is told to retry (451, or
            // 452 for a full disk) and the session stays open for its next transaction.
            LogCommitFailed(_logger, ex, message.Id);
            _metrics?.StoreFaulted(StoreOperation.Commit);
            return new DispositionResult(StoreFaults.IsDiskFull(ex) ? DispositionOutcome.StorageFull : DispositionOutcome.StorageFailed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug: the SMTP layer answers 451 for it; the log must have it.
            LogCommitFailed(_logger, ex, message.Id);
            throw;
        }
    }

    private async ValueTask<DispositionResult> ExecuteCoreAsync(ReceivedMessage message, MessageDecision decision, CancellationToken cancellationToken)
    {
        if (decision.Action == DispositionAction.Reject)
        {
            LogMessageRejected(_logger, message.Id);
            if (_quarantine is not null)
            {
                // Nothing of the message is kept; the audit record says it was refused and why.
                await _quarantine.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), "mailguard", "reject", message.Id, decision.Reason, $"from {message.MailFrom} to {message.Recipients.Count} recipient(s)"), cancellationToken);
            }

            _metrics?.MessageDecided(PolicyAction.Reject);
            return Rejected(decision.Reason is { Length: > 0 } reason ? reason : "Message refused by policy", message.Id);
        }

        ReadOnlyMemory<byte>? inline = message.BufferedContent;
        long size = message.Size;
        if (decision.ReplacementContent is { } replacement)
        {
            // The edited message replaces the received one: inline, or atomically over the spool file.
            if (message.ContentPath is { } spooled)
            {
                FileSync.WriteAtomically(spooled, replacement.Span);
            }
            else
            {
                inline = replacement;
            }

            size = replacement.Length;
        }

        ReadOnlyMemory<byte>? prefix = null;
        if (decision.HeaderPrefix is { Length: > 0 } fields)
        {
            // Fields above the received bytes: kept by the store beside the spool file, which is
            // already durable and stays as it is; a message kept inline simply starts with them.
            if (inline is { } buffered)
            {
                var joined = new byte[fields.Length + buffered.Length];
                fields.Span.CopyTo(joined);
                buffered.Span.CopyTo(joined.AsSpan(fields.Length));
                inline = joined;
            }
            else
            {
                prefix = fields;
            }

            size += fields.Length;
        }

        var notices = (decision.Notices ?? []).Select(n =>
            new NewMessage(MessageIds.New(_time), string.Empty, [n.To], message.ReceivedAt, null, null, null, n.Content.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, n.Content)).ToList();
        // The message as the store keeps it, whether it is queued or held.
        var stored = new NewMessage(message.Id, message.MailFrom, message.Recipients, message.ReceivedAt, message.ClientAddress, message.HeloName, message.AuthenticatedUser, size, message.Flags, MessageKind.Relayed, inline, prefix);

        if (decision.Action == DispositionAction.Hold)
        {
            if (decision.Hold is not { } hold || _quarantine is null)
            {
                // No quarantine to keep it in: refusing is the only answer that loses nothing.
                LogMessageRejected(_logger, message.Id);
                _metrics?.MessageDecided(PolicyAction.Reject);
                return Rejected(decision.Reason ?? "Message held back by policy", message.Id);
            }

            // The exact bytes and envelope, the findings and the audit record, and any notices,
            // in one transaction: the reply means the message is durably in quarantine.
            bool encryptedCopy = false;
            if (_protector is not null)
            {
                // Held bytes are kept encrypted, in the database, whatever their size; the plain
                // spool file goes when the session lets go of it.
                byte[] plain = message.ContentPath is { } f ? await File.ReadAllBytesAsync(f, cancellationToken) : inline!.Value.ToArray();
                stored = stored with { InlineContent = _protector.Protect(plain) };
                encryptedCopy = message.ContentPath is not null;
            }

            await _quarantine.HoldAsync(stored, hold, new AuditEvent(_time.GetUtcNow(), "mailguard", "hold", message.Id, hold.Reason, hold.Rule is null ? null : "rule " + hold.Rule), notices, cancellationToken);
            _signal.Notify();
            LogMessageHeld(_logger, message.Id, hold.Rule ?? "-");
            _metrics?.MessageDecided(PolicyAction.Hold);
            LogNoticesQueued(notices, message.Id);
            return new DispositionResult(DispositionOutcome.Held, ContentKept: !encryptedCopy);
        }

        foreach (var notice in notices)
        {
            await _store.EnqueueAsync(notice, cancellationToken);
        }

        LogNoticesQueued(notices, message.Id);
        if (decision.Action == DispositionAction.Return)
        {
            // The notice is durable before the reply; the original goes back inside it, nowhere else.
            _signal.Notify();
            LogMessageReturned(_logger, message.Id);
            _metrics?.MessageDecided(PolicyAction.Return);
            return new DispositionResult(DispositionOutcome.Returned);
        }

        await _store.EnqueueAsync(stored, cancellationToken);
        _signal.Notify();
        LogMessageAccepted(_logger, message.Id, message.Recipients.Count, size);
        // Counted once durable, like the others: a commit that fails is counted as a refusal instead.
        _metrics?.MessageDecided(decision.AppliedAction is PolicyAction.Tag or PolicyAction.RewriteBcc ? decision.AppliedAction.Value : PolicyAction.Deliver);
        return new DispositionResult(DispositionOutcome.Queued, ContentKept: true);
    }

    private static DispositionResult Rejected(string reason, string id) => new(DispositionOutcome.Rejected, reason + " (" + id + ")");

    private void LogNoticesQueued(List<NewMessage> notices, string queueId)
    {
        foreach (var notice in notices)
        {
            LogPolicyNoticeQueued(_logger, notice.Id, queueId);
        }
    }

    [LoggerMessage(EventId = LogEventIds.MessageAccepted, Level = LogLevel.Information, Message = "Queued {QueueId}: {Recipients} recipient(s), {Size} bytes")]
    private static partial void LogMessageAccepted(ILogger logger, string queueId, int recipients, long size);

    [LoggerMessage(EventId = LogEventIds.MessageHeld, Level = LogLevel.Information, Message = "Held {QueueId} in quarantine (rule {Rule})")]
    private static partial void LogMessageHeld(ILogger logger, string queueId, string rule);

    [LoggerMessage(EventId = LogEventIds.PolicyNoticeQueued, Level = LogLevel.Information, Message = "Queued notice {NoticeId} about {QueueId}")]
    private static partial void LogPolicyNoticeQueued(ILogger logger, string noticeId, string queueId);

    [LoggerMessage(EventId = LogEventIds.MessageReturned, Level = LogLevel.Information, Message = "Returned {QueueId} to its sender by disposition")]
    private static partial void LogMessageReturned(ILogger logger, string queueId);

    [LoggerMessage(EventId = LogEventIds.MessageRejected, Level = LogLevel.Information, Message = "Rejected {QueueId} by disposition")]
    private static partial void LogMessageRejected(ILogger logger, string queueId);

    [LoggerMessage(EventId = LogEventIds.MessageCommitFailed, Level = LogLevel.Error, Message = "Could not make {QueueId} durable; client told to retry")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string queueId);
}
