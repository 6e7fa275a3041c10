using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Smtp;
using MailGuard.Smtp.Server;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Relay;

/// <summary>
/// The ingress glue: relay access at RCPT, DATA streamed into a spool file, and at the final dot
/// the disposition, the durable enqueue (group-committed with other sessions) and only then 250.
/// </summary>
internal sealed partial class RelayHooks : ISmtpServerHooks
{
    private readonly RelayOptions _options;
    private readonly IReadOnlyList<System.Net.IPNetwork> _allowedNetworks;
    private readonly IMessageStore _store;
    private readonly MessageSpool _spool;
    private readonly IMessageDisposition _disposition;
    private readonly IRelayAuthenticator _authenticator;
    private readonly DeliverySignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _inlineContentBytes;
    private readonly IQuarantineStore? _quarantine;
    private readonly ContentProtector? _protector;
    private readonly MailGuardMetrics _metrics;

    public RelayHooks(
        MailGuardOptions options,
        IMessageStore store,
        MessageSpool spool,
        IMessageDisposition disposition,
        IRelayAuthenticator authenticator,
        DeliverySignal signal,
        TimeProvider time,
        ILogger<RelayHooks> logger,
        MailGuardMetrics metrics)
    {
        _options = options.Relay;
        _allowedNetworks = options.Relay.AllowedNetworks.Select(Cidr.Parse).ToArray();
        _store = store;
        // The quarantine lives in the same database as the queue (release must be one transaction).
        _quarantine = store as IQuarantineStore;
        _protector = ContentProtector.FromBase64(options.Quarantine.EncryptionKey, out _);
        _spool = spool;
        _disposition = disposition;
        _authenticator = authenticator;
        _signal = signal;
        _time = time;
        _logger = logger;
        _inlineContentBytes = options.Storage.InlineContentBytes;
        _metrics = metrics;
    }

    public ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

    public async ValueTask<bool> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken)
    {
        bool ok = await _authenticator.AuthenticateAsync(userName, password, cancellationToken);
        if (!ok)
        {
            // The user name is an AUTH argument too: only the session and mechanism are logged.
            LogAuthFailed(_logger, session.Id, mechanism);
            _metrics.SmtpRefused(SmtpRefusal.AuthFailed);
        }

        return ok;
    }

    public ValueTask<SmtpReply> OnMailFromAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(SmtpReplies.SenderOk);

    public ValueTask<SmtpReply> OnRcptToAsync(SmtpSessionContext session, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
    {
        if (SmtpReplies.IsRelayAllowed(session, _allowedNetworks))
        {
            return ValueTask.FromResult(SmtpReplies.RecipientOk);
        }

        LogRelayDenied(_logger, session.Id, session.RemoteAddress?.ToString() ?? "unknown");
        _metrics.SmtpRefused(SmtpRefusal.RelayDenied);
        return ValueTask.FromResult(SmtpReplies.RelayDenied);
    }

    public async ValueTask<IMessageWriter> BeginMessageAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        string id = MessageIds.New(_time);
        var content = new SpillStream(_inlineContentBytes, () => _spool.Create(id));
        byte[] trace = ReceivedHeader.Build(session, envelope, _options.ServerName, id, now);
        await content.WriteAsync(trace, cancellationToken);
        return new SpoolMessageWriter(this, session, id, content, now);
    }

    private async ValueTask<SmtpReply> CommitAsync(SpoolMessageWriter writer, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        var content = writer.Stream;
        // Typed explicitly: a bare null would convert to an empty ReadOnlyMemory, not to "no inline content".
        ReadOnlyMemory<byte>? inline = content.File is null ? content.Buffered : (ReadOnlyMemory<byte>?)null;
        try
        {
            long size = content.Length;
            if (content.File is { } file)
            {
                // Flush(flushToDisk: true) writes FileStream's buffer and fsyncs; a FlushAsync before it
                // only added a thread-pool hop for the same write.
                cancellationToken.ThrowIfCancellationRequested();
                MessageSpool.FlushToDisk(file);
            }

            var message = new IngressMessage(writer.Id, writer.Session, envelope, content.File?.Name, inline, size, writer.ReceivedAt);
            var decision = await _disposition.DecideAsync(message, cancellationToken);
            if (decision.Action == DispositionAction.Reject)
            {
                LogMessageRejected(_logger, writer.Id, writer.Session.Id);
                if (_quarantine is not null)
                {
                    // Nothing of the message is kept; the audit record says it was refused and why.
                    await _quarantine.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), "mailguard", "reject", writer.Id, decision.Reason, $"from {envelope.ReversePath} to {envelope.Recipients.Count} recipient(s)"), cancellationToken);
                }

                _metrics.MessageDecided(PolicyAction.Reject);
                return SmtpReplies.ContentRejected(decision.Reason is { Length: > 0 } reason ? reason + " (" + writer.Id + ")" : "Message refused by policy (" + writer.Id + ")");
            }

            if (decision.ReplacementContent is { } replacement)
            {
                // The edited message replaces the received one: inline, or atomically over the spool file.
                if (content.File is { } spooled)
                {
                    FileSync.WriteAtomically(spooled.Name, replacement.Span);
                }
                else
                {
                    inline = replacement;
                }

                size = replacement.Length;
            }

            var notices = (decision.Notices ?? []).Select(n =>
                new NewMessage(MessageIds.New(_time), string.Empty, [n.To], writer.ReceivedAt, null, null, null, n.Content.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, n.Content)).ToList();
            // The message as the store keeps it, whether it is queued or held.
            var recipients = envelope.Recipients.Select(r => r.Address).ToArray();
            var stored = new NewMessage(
                writer.Id,
                envelope.ReversePath,
                recipients,
                writer.ReceivedAt,
                writer.Session.RemoteAddress?.ToString(),
                writer.Session.HeloName,
                writer.Session.AuthenticatedUser,
                size,
                EnvelopeFlags.Of(envelope),
                MessageKind.Relayed,
                inline);

            if (decision.Action == DispositionAction.Hold)
            {
                if (decision.Hold is not { } hold || _quarantine is null)
                {
                    // No quarantine to keep it in: refusing is the only answer that loses nothing.
                    LogMessageRejected(_logger, writer.Id, writer.Session.Id);
                    _metrics.MessageDecided(PolicyAction.Reject);
                    return SmtpReplies.ContentRejected((decision.Reason ?? "Message held back by policy") + " (" + writer.Id + ")");
                }

                // The exact bytes and envelope, the findings and the audit record, and any notices,
                // in one transaction: 250 means the message is durably in quarantine.
                bool encryptedCopy = false;
                if (_protector is not null)
                {
                    // Held bytes are kept encrypted, in the database, whatever their size; the
                    // plain spool file goes when the writer is disposed uncommitted.
                    byte[] plain = content.File is { } f ? await File.ReadAllBytesAsync(f.Name, cancellationToken) : inline!.Value.ToArray();
                    stored = stored with { InlineContent = _protector.Protect(plain) };
                    encryptedCopy = content.File is not null;
                }

                await _quarantine.HoldAsync(stored, hold, new AuditEvent(_time.GetUtcNow(), "mailguard", "hold", writer.Id, hold.Reason, hold.Rule is null ? null : "rule " + hold.Rule), notices, cancellationToken);
                writer.Committed = !encryptedCopy;
                _signal.Notify();
                LogMessageHeld(_logger, writer.Id, writer.Session.Id, hold.Rule ?? "-");
                _metrics.MessageDecided(PolicyAction.Hold);
                LogNoticesQueued(notices, writer.Id);
                return new SmtpReply(250, "2.0.0", $"Ok: held for review as {writer.Id}");
            }

            foreach (var notice in notices)
            {
                await _store.EnqueueAsync(notice, cancellationToken);
            }

            LogNoticesQueued(notices, writer.Id);

            if (decision.Action == DispositionAction.Return)
            {
                // The notice is durable before the 250; the original goes back inside it, nowhere else.
                writer.Committed = false;
                _signal.Notify();
                LogMessageReturned(_logger, writer.Id, writer.Session.Id);
                _metrics.MessageDecided(PolicyAction.Return);
                return new SmtpReply(250, "2.0.0", $"Ok: not delivered, returned to sender ({writer.Id})");
            }

            await _store.EnqueueAsync(stored, cancellationToken);
            writer.Committed = true;
            _signal.Notify();
            LogMessageAccepted(_logger, writer.Id, writer.Session.Id, recipients.Length, size, envelope.LongLineCount, envelope.BareLineFeedCount);
            // Counted once durable, like the others: a commit that fails is counted as a refusal instead.
            _metrics.MessageDecided(decision.AppliedAction is PolicyAction.Tag or PolicyAction.RewriteBcc ? decision.AppliedAction.Value : PolicyAction.Deliver);
            return SmtpReplies.Queued(writer.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            LogCommitFailed(_logger, ex, writer.Id, writer.Session.Id);
            _metrics.SmtpRefused(SmtpRefusal.CommitFailed);
            bool full = ex is IOException io && (io.HResult & 0xFFFF) == 28; // ENOSPC
            return full ? SmtpReplies.InsufficientStorage : SmtpReplies.LocalError;
        }
    }

    private void LogNoticesQueued(List<NewMessage> notices, string queueId)
    {
        foreach (var notice in notices)
        {
            LogPolicyNoticeQueued(_logger, notice.Id, queueId);
        }
    }

    /// <summary>One message's content. Anything but a successful commit leaves no spool file behind.</summary>
    private sealed class SpoolMessageWriter(RelayHooks owner, SmtpSessionContext session, string id, SpillStream stream, DateTimeOffset receivedAt) : IMessageWriter
    {
        public string Id { get; } = id;

        public SmtpSessionContext Session { get; } = session;

        public SpillStream Stream { get; } = stream;

        public DateTimeOffset ReceivedAt { get; } = receivedAt;

        public bool Committed { get; set; }

        public Stream Content => Stream;

        public ValueTask<SmtpReply> CommitAsync(SmtpEnvelope envelope, CancellationToken cancellationToken) => owner.CommitAsync(this, envelope, cancellationToken);

        public ValueTask AbortAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            bool spilled = Stream.File is not null;
            await Stream.DisposeAsync();
            if (!Committed && spilled)
            {
                owner._spool.Delete(Id);
            }
        }
    }

    [LoggerMessage(EventId = Logging.LogEventIds.MessageAccepted, Level = LogLevel.Information, Message = "Queued {QueueId} from session {SessionId}: {Recipients} recipient(s), {Size} bytes, {LongLines} long line(s), {BareLineFeeds} bare LF(s)")]
    private static partial void LogMessageAccepted(ILogger logger, string queueId, long sessionId, int recipients, long size, int longLines, int bareLineFeeds);

    [LoggerMessage(EventId = Logging.LogEventIds.MessageHeld, Level = LogLevel.Information, Message = "Held {QueueId} from session {SessionId} in quarantine (rule {Rule})")]
    private static partial void LogMessageHeld(ILogger logger, string queueId, long sessionId, string rule);

    [LoggerMessage(EventId = Logging.LogEventIds.PolicyNoticeQueued, Level = LogLevel.Information, Message = "Queued notice {NoticeId} about {QueueId}")]
    private static partial void LogPolicyNoticeQueued(ILogger logger, string noticeId, string queueId);

    [LoggerMessage(EventId = Logging.LogEventIds.MessageReturned, Level = LogLevel.Information, Message = "Returned {QueueId} from session {SessionId} to its sender by disposition")]
    private static partial void LogMessageReturned(ILogger logger, string queueId, long sessionId);

    [LoggerMessage(EventId = Logging.LogEventIds.MessageRejected, Level = LogLevel.Information, Message = "Rejected {QueueId} from session {SessionId} by disposition")]
    private static partial void LogMessageRejected(ILogger logger, string queueId, long sessionId);

    [LoggerMessage(EventId = Logging.LogEventIds.MessageCommitFailed, Level = LogLevel.Error, Message = "Could not make {QueueId} from session {SessionId} durable; client told to retry")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string queueId, long sessionId);

    [LoggerMessage(EventId = Logging.LogEventIds.RelayDenied, Level = LogLevel.Warning, Message = "Relay denied to session {SessionId} from {Client}")]
    private static partial void LogRelayDenied(ILogger logger, long sessionId, string client);

    [LoggerMessage(EventId = Logging.LogEventIds.AuthFailed, Level = LogLevel.Warning, Message = "AUTH {Mechanism} failed in session {SessionId}")]
    private static partial void LogAuthFailed(ILogger logger, long sessionId, string mechanism);
}
