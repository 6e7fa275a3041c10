using MailGuard.Core.Dispositions;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Smtp;
using MailGuard.Smtp.Server;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Relay;

/// <summary>
/// The ingress glue: relay access at RCPT, DATA streamed into a spool file, and at the final dot
/// the disposition decided and made durable by Core (<see cref="DispositionExecutor"/>), and only
/// then the reply that outcome calls for.
/// </summary>
internal sealed partial class RelayHooks : ISmtpServerHooks
{
    private readonly RelayOptions _options;
    private readonly IReadOnlyList<System.Net.IPNetwork> _allowedNetworks;
    private readonly MessageSpool _spool;
    private readonly IMessageDisposition _disposition;
    private readonly DispositionExecutor _executor;
    private readonly IRelayAuthenticator _authenticator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _inlineContentBytes;
    private readonly MailGuardMetrics _metrics;
    private readonly InspectionPool _inspection;
    private readonly Security.AuthThrottle _authThrottle;
    private readonly Security.AuthThrottlePolicy _authPolicy;

    public RelayHooks(
        IOptions<RelayOptions> relay,
        IOptions<StorageOptions> storage,
        MessageSpool spool,
        IMessageDisposition disposition,
        DispositionExecutor executor,
        IRelayAuthenticator authenticator,
        TimeProvider time,
        ILogger<RelayHooks> logger,
        MailGuardMetrics metrics,
        InspectionPool inspection,
        Security.AuthThrottle authThrottle)
    {
        _inspection = inspection;
        _authThrottle = authThrottle;
        _authPolicy = new Security.AuthThrottlePolicy("smtp", relay.Value.MaxAuthFailures, relay.Value.AuthLockout, relay.Value.AuthFailureDelay);
        _options = relay.Value;
        _allowedNetworks = relay.Value.AllowedNetworks.Select(Cidr.Parse).ToArray();
        _spool = spool;
        _disposition = disposition;
        _executor = executor;
        _authenticator = authenticator;
        _time = time;
        _logger = logger;
        _inlineContentBytes = storage.Value.InlineContentBytes;
        _metrics = metrics;
    }

    public ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

    /// <summary>
    /// Counted before the password is checked (<see cref="Security.AuthThrottle"/>): a client or user
    /// name over Relay:MaxAuthFailures gets 454 4.7.0 unchecked, and each failure's answer is held back
    /// longer than the last, so guessing runs at a few tries a minute. A store that cannot count
    /// throws, which the server answers with 454 4.7.0 (temporary): no check goes uncounted.
    /// </summary>
    public async ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken)
    {
        var permit = await _authThrottle.BeginAsync(_authPolicy, userName, session.RemoteAddress, cancellationToken);
        if (!permit.Allowed)
        {
            await _authThrottle.RefusedAsync(permit, cancellationToken);
            LogAuthThrottled(_logger, session.Id, mechanism, ClientOf(session), permit.RetryAfter);
            _metrics.AuthAttemptRefused(AuthService.Smtp, throttled: true);
            await Task.Delay(_authPolicy.MaxDelay, _time, cancellationToken);
            return SmtpAuthResult.Throttled;
        }

        bool ok = await _authenticator.AuthenticateAsync(userName, password, cancellationToken);
        if (ok)
        {
            await _authThrottle.SucceededAsync(permit, cancellationToken);
            return SmtpAuthResult.Succeeded;
        }

        // The user name is an AUTH argument too: only the session, mechanism and count are logged.
        LogAuthFailed(_logger, session.Id, mechanism, permit.Failures + 1);
        _metrics.SmtpRefused(SmtpRefusal.AuthFailed);
        _metrics.AuthAttemptRefused(AuthService.Smtp, throttled: false);
        await Task.Delay(permit.FailureDelay, _time, cancellationToken);
        return SmtpAuthResult.Failed;
    }

    /// <summary>A message is refused before its content is sent when inspection could not take it.</summary>
    public ValueTask<SmtpReply?> OnDataAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        if (!_inspection.IsFull)
        {
            return ValueTask.FromResult<SmtpReply?>(null);
        }

        LogInspectionBusy(_logger, session.Id, "DATA", _inspection.Workers, _inspection.MaxQueued);
        _metrics.InspectionBusy(atData: true);
        return ValueTask.FromResult<SmtpReply?>(InspectionBusyReply);
    }

    /// <summary>RFC 3463 X.7.1 under 451: refused for now by local policy (too busy to inspect), try again later.</summary>
    private static readonly SmtpReply InspectionBusyReply = new(451, "4.7.1", "Too busy to inspect mail now, try again later");

    private static string ClientOf(SmtpSessionContext session) => session.RemoteAddress is { } ip ? Cidr.ClientPrefix(ip).ToString() : "unknown";

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
        var session = writer.Session;
        // A spool file that could not be written during DATA (disk full) or fsynced now: the client retries.
        var spoolFailure = content.WriteFailure ?? FlushSpoolFile(content, cancellationToken);
        if (spoolFailure is not null)
        {
            LogSpoolFailed(_logger, spoolFailure, writer.Id, session.Id);
            _metrics.SmtpRefused(SmtpRefusal.CommitFailed);
            _metrics.StoreFaulted(Core.Store.StoreOperation.Commit);
            return Core.Store.StoreFaults.IsDiskFull(spoolFailure) ? SmtpReplies.InsufficientStorage : SmtpReplies.LocalError;
        }

        var message = new ReceivedMessage(
            writer.Id,
            envelope.ReversePath,
            envelope.Recipients.Select(r => r.Address).ToArray(),
            session.RemoteAddress?.ToString(),
            session.HeloName,
            session.AuthenticatedUser,
            EnvelopeFlags.Of(envelope),
            content.File?.Name,
            inline,
            content.Length,
            writer.ReceivedAt);
        LogMessageReceived(_logger, writer.Id, session.Id, message.Recipients.Count, message.Size, envelope.LongLineCount, envelope.BareLineFeedCount);
        // Inspection runs on the pool's threads, not this session's; when the pool filled up while
        // the content arrived, the client is told to retry and the spool file goes with the writer.
        if (_inspection.TryRun(ct => _disposition.DecideAsync(message, ct), cancellationToken) is not { } inspecting)
        {
            LogInspectionBusy(_logger, session.Id, "end of DATA", _inspection.Workers, _inspection.MaxQueued);
            _metrics.InspectionBusy(atData: false);
            return InspectionBusyReply;
        }

        var decision = await inspecting;
        var result = await _executor.ExecuteAsync(message, decision, cancellationToken);
        writer.Committed = result.ContentKept;
        switch (result.Outcome)
        {
            case DispositionOutcome.Queued:
                return SmtpReplies.Queued(writer.Id);
            case DispositionOutcome.Held:
                return new SmtpReply(250, "2.0.0", $"Ok: held for review as {writer.Id}");
            case DispositionOutcome.Returned:
                return new SmtpReply(250, "2.0.0", $"Ok: not delivered, returned to sender ({writer.Id})");
            case DispositionOutcome.Rejected:
                return SmtpReplies.ContentRejected(result.Reason!);
            default:
                _metrics.SmtpRefused(SmtpRefusal.CommitFailed);
                return result.Outcome == DispositionOutcome.StorageFull ? SmtpReplies.InsufficientStorage : SmtpReplies.LocalError;
        }
    }

    private static Exception? FlushSpoolFile(SpillStream content, CancellationToken cancellationToken)
    {
        if (content.File is not { } file)
        {
            return null;
        }

        try
        {
            // Flush(flushToDisk: true) writes FileStream's buffer and fsyncs; a FlushAsync before it
            // only added a thread-pool hop for the same write.
            cancellationToken.ThrowIfCancellationRequested();
            MessageSpool.FlushToDisk(file);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex;
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

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.MessageReceived, Level = LogLevel.Information, Message = "Received {QueueId} in session {SessionId}: {Recipients} recipient(s), {Size} bytes, {LongLines} long line(s), {BareLineFeeds} bare LF(s)")]
    private static partial void LogMessageReceived(ILogger logger, string queueId, long sessionId, int recipients, long size, int longLines, int bareLineFeeds);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.MessageCommitFailed, Level = LogLevel.Error, Message = "Could not make {QueueId} from session {SessionId} durable in the spool; client told to retry")]
    private static partial void LogSpoolFailed(ILogger logger, Exception exception, string queueId, long sessionId);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RelayDenied, Level = LogLevel.Warning, Message = "Relay denied to session {SessionId} from {Client}")]
    private static partial void LogRelayDenied(ILogger logger, long sessionId, string client);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.AuthFailed, Level = LogLevel.Warning, Message = "AUTH {Mechanism} failed in session {SessionId} ({Failures} failure(s) of the client or user name in the window)")]
    private static partial void LogAuthFailed(ILogger logger, long sessionId, string mechanism, int failures);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.AuthThrottled, Level = LogLevel.Warning, Message = "AUTH {Mechanism} refused unchecked in session {SessionId} from {Client}: too many failures of the client or user name; locked until {RetryAfter:O}")]
    private static partial void LogAuthThrottled(ILogger logger, long sessionId, string mechanism, string client, DateTimeOffset retryAfter);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.InspectionBusy, Level = LogLevel.Warning, Message = "Message refused with 451 4.7.1 at {Stage} in session {SessionId}: all {Workers} inspection workers busy and {MaxQueued} messages queued")]
    private static partial void LogInspectionBusy(ILogger logger, long sessionId, string stage, int workers, int maxQueued);
}
