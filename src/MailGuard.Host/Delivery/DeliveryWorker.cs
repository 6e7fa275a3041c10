using System.Threading.Channels;
using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Logging;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace MailGuard.Host.Delivery;

/// <summary>
/// Drains the queue. One dispatcher claims due messages (leases in the store) as worker slots
/// free up and hands them to Delivery:Concurrency workers, each with its own transport session
/// (a reused SMTP connection). Outcomes go back to the store per recipient: delivered, deferred
/// with exponential backoff, or failed with a DSN queued in the same transaction (only to a
/// verified sender: internal, or authenticated as itself; for any other the DSN is withheld,
/// logged and audited, as a forged sender would make it backscatter). A circuit
/// breaker (Polly) around the upstream stops claiming while the smart host is down; mail waits in
/// the queue, its attempts uncounted.
/// <para>
/// A store fault that passes by itself never stops it: claiming backs off (<see cref="StoreOutage"/>)
/// and resumes when the store answers, and an outcome that cannot be recorded is kept in hand and recorded once the store
/// is back, for as long as the lease lasts (recorded late rather than sent twice). A dispatcher
/// failure that is not (a bug, or a store no retry mends: see <see cref="StoreFaults.IsTransient"/>)
/// is logged, and the host stops (exit code 1).
/// </para>
/// </summary>
internal sealed partial class DeliveryWorker : BackgroundService
{
    private readonly IMessageStore _store;
    private readonly MessageSpool _spool;
    private readonly IDeliveryTransport _transport;
    private readonly DeliverySignal _signal;
    private readonly DeliveryOptions _options;
    private readonly string _serverName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetrySchedule _retry;
    private readonly ResiliencePipeline<TransportResult> _pipeline;
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly Channel<ClaimedMessage> _work = Channel.CreateUnbounded<ClaimedMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly SemaphoreSlim _slots;
    private readonly MailGuardMetrics _metrics;
    private readonly UpstreamHealth _health;
    private readonly MailGuard.Inspection.DomainSet _internalDomains;
    private readonly StoreOutage _claimOutage;
    private readonly StoreOutage _recordOutage;

    public DeliveryWorker(IMessageStore store, MessageSpool spool, IDeliveryTransport transport, DeliverySignal signal, IOptions<DeliveryOptions> delivery, IOptions<RelayOptions> relay, TimeProvider time, ILogger<DeliveryWorker> logger, MailGuardMetrics metrics, UpstreamHealth health, Core.Policy.PolicyOptions? policy = null)
    {
        // Without a policy no domain is internal: DSNs then go only to senders that authenticated as themselves.
        _internalDomains = new MailGuard.Inspection.DomainSet(policy?.InternalDomains ?? []);
        _store = store;
        _spool = spool;
        _transport = transport;
        _signal = signal;
        _options = delivery.Value;
        _serverName = relay.Value.ServerName;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _health = health;
        _retry = new RetrySchedule(_options);
        _claimOutage = new StoreOutage(StoreOperation.Claim, time, logger, metrics);
        _recordOutage = new StoreOutage(StoreOperation.Record, time, logger, metrics);
        // Two messages per worker in hand: one being sent, one ready, without leasing far ahead.
        _slots = new SemaphoreSlim(_options.Concurrency * 2);
        var breaker = _options.CircuitBreaker;
        var builder = new ResiliencePipelineBuilder<TransportResult> { TimeProvider = time };
        if (transport.IsRemote)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<TransportResult>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                StateProvider = _breakerState,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null || args.Outcome.Result?.UpstreamFailure == true),
                OnOpened = args =>
                {
                    LogCircuitOpened(_logger, args.BreakDuration.TotalSeconds);
                    _health.CircuitOpened(args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogCircuitClosed(_logger);
                    _health.CircuitClosed();
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    LogCircuitHalfOpened(_logger);
                    _health.CircuitHalfOpened();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.Build();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, _transport.GetType().Name, _options.Concurrency);
        // The workers stop with the host, and also when the dispatcher fails (the host is about to stop).
        using var workersStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var workers = Enumerable.Range(0, _options.Concurrency).Select(_ => Task.Run(() => WorkAsync(workersStop.Token), CancellationToken.None)).ToArray();
        try
        {
            await DispatchAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            StoreBackedService.LogServiceFailed(_logger, ex, nameof(DeliveryWorker));
            await workersStop.CancelAsync();
            throw;
        }
        finally
        {
            _work.Writer.TryComplete();
            await Task.WhenAll(workers);
        }
    }

    private async Task DispatchAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await _slots.WaitAsync(stop);
            int free = 1;
            while (free < 64 && _slots.Wait(0))
            {
                free++;
            }

            var wake = _signal.WaitAsync();
            IReadOnlyList<ClaimedMessage> claims = [];
            if (_breakerState.CircuitState is CircuitState.Open or CircuitState.Isolated or CircuitState.HalfOpen)
            {
                // While the circuit is open only one message at a time is taken out: it is either
                // put back until the break ends or, once it has, becomes the half-open probe
                // (Polly moves to half-open only when an execution is attempted). With one slot free
                // there is nothing to give back (SemaphoreSlim.Release(0) throws).
                if (free > 1)
                {
                    _slots.Release(free - 1);
                    free = 1;
                }
            }

            TimeSpan? backoff = null;
            try
            {
                claims = await _store.ClaimDueAsync(_options.NodeName, free, _options.LeaseTime, CancellationToken.None);
                _claimOutage.Succeeded();
            }
            catch (Exception ex) when (StoreFaults.IsStoreFault(ex) && StoreFaults.IsTransient(ex))
            {
                backoff = _claimOutage.Failed(ex);
            }

            foreach (var claim in claims)
            {
                _work.Writer.TryWrite(claim);
            }

            if (free > claims.Count)
            {
                _slots.Release(free - claims.Count);
            }

            if (backoff is { } wait)
            {
                // New mail does not wake a dispatcher whose store is down: it waits out the backoff.
                await Task.Delay(wait, _time, stop);
            }
            else if (claims.Count == 0)
            {
                await Task.WhenAny(wake, Task.Delay(_options.PollInterval, _time, stop));
                stop.ThrowIfCancellationRequested();
            }
        }
    }

    private async Task WorkAsync(CancellationToken stop)
    {
        await using var session = _transport.OpenSession();
        var reader = _work.Reader;
        bool used = false;
        while (true)
        {
            if (!reader.TryRead(out var claim))
            {
                var ready = reader.WaitToReadAsync(CancellationToken.None).AsTask();
                // A session that sent something gets one poll interval to be reused, then its
                // connection is closed (Postfix's smtp_connection_cache_time_limit idea).
                if (used && !ready.IsCompleted && await Task.WhenAny(ready, Task.Delay(_options.PollInterval, _time, CancellationToken.None)) != ready)
                {
                    await session.IdleAsync();
                    used = false;
                }

                if (!await ready)
                {
                    return;
                }

                continue;
            }

            used = true;

            try
            {
                if (stop.IsCancellationRequested)
                {
                    await ReleaseAsync(claim, null);
                }
                else
                {
                    await DeliverAsync(session, claim, stop);
                }
            }
            catch (Exception ex) when (StoreFaults.IsStoreFault(ex) && !(ex is FileNotFoundException or DirectoryNotFoundException))
            {
                // Putting a message back failed, or its content could not be read from the spool: the
                // lease runs out and it is claimed again.
                _recordOutage.Failed(ex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug tied to this message stays this message's problem: logged, and the message is
                // claimed again when its lease runs out. A message that trips a bug cannot stop the node.
                LogDeliveryError(_logger, ex, claim.Message.Id);
            }
            finally
            {
                _slots.Release();
            }
        }
    }

    private async Task DeliverAsync(IDeliverySession session, ClaimedMessage claim, CancellationToken stop)
    {
        var message = claim.Message;
        TransportResult result;
        try
        {
            await using var content = OpenContent(claim);
            bool whole = claim.Recipients.All(r => r.Attempts == 0);
            var delivery = new OutgoingDelivery(message, claim.Recipients, content, whole);
            result = await _pipeline.ExecuteAsync(async ct => await session.SendAsync(delivery, ct), stop);
        }
        catch (BrokenCircuitException ex)
        {
            LogCircuitRejected(_logger, message.Id);
            await ReleaseAsync(claim, _time.GetUtcNow() + (ex.RetryAfter ?? _options.CircuitBreaker.BreakDuration));
            return;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await ReleaseAsync(claim, null);
            return;
        }
        catch (FileNotFoundException)
        {
            // The content is gone (deleted by hand): nothing can ever be sent, so fail for good.
            result = new TransportResult(claim.Recipients.Select(r => new RecipientAttempt(r.Address, RecipientAttemptStatus.Permanent, "554 5.3.0 message content missing from spool", "5.3.0")).ToArray(), false, null);
        }

        await RecordAsync(claim, result, stop);
    }

    private Stream OpenContent(ClaimedMessage claim) =>
        claim.InlineContent is { } inline
            ? Core.Dispositions.ReadOnlyMemoryStream.Over(inline)
            : _spool.OpenRead(claim.Message.Id, claim.Message.ContentPrefix);

    private async Task RecordAsync(ClaimedMessage claim, TransportResult result, CancellationToken stop)
    {
        var message = claim.Message;
        var now = _time.GetUtcNow();
        bool expired = now - message.ReceivedAt >= TimeSpan.FromHours(_options.MaxAgeHours);
        var outcomes = new List<RecipientOutcome>(claim.Recipients.Count);
        var failed = new List<FailedRecipient>();
        int delivered = 0, deferred = 0;
        for (int i = 0; i < claim.Recipients.Count; i++)
        {
            var entry = claim.Recipients[i];
            var attempt = result.Recipients[i];
            switch (attempt.Status)
            {
                case RecipientAttemptStatus.Delivered:
                    outcomes.Add(new RecipientOutcome(entry.EntryId, RecipientDisposition.Delivered, attempt.Reply));
                    delivered++;
                    break;
                case RecipientAttemptStatus.Permanent:
                    outcomes.Add(new RecipientOutcome(entry.EntryId, RecipientDisposition.Failed, attempt.Reply));
                    failed.Add(new FailedRecipient(entry.Address, attempt.EnhancedCode is { } code && code.StartsWith('5') ? code : "5.0.0", attempt.Reply, result.RemoteMta));
                    break;
                case RecipientAttemptStatus.Transient when expired:
                    // RFC 3463 4.4.7: delivery time expired; the last transient reply explains why.
                    outcomes.Add(new RecipientOutcome(entry.EntryId, RecipientDisposition.Failed, "expired: " + attempt.Reply));
                    failed.Add(new FailedRecipient(entry.Address, "4.4.7", attempt.Reply, result.RemoteMta));
                    break;
                default:
                    outcomes.Add(new RecipientOutcome(entry.EntryId, RecipientDisposition.Deferred, attempt.Reply, now + _retry.DelayAfter(entry.Attempts)));
                    deferred++;
                    break;
            }
        }

        NewMessage? notice = null;
        bool withheld = false;
        if (failed.Count > 0 && message.MailFrom.Length > 0 && message.Kind != MessageKind.DeliveryStatusNotification)
        {
            if (VerifiedSender.IsVerified(message.MailFrom, message.AuthIdentity, _internalDomains))
            {
                notice = WriteNotice(claim, failed, now);
            }
            else
            {
                withheld = true;
            }
        }

        if (await CompleteAsync(claim, outcomes, notice, stop) is not { } completion)
        {
            return;
        }

        RecordMetrics(message, result, delivered, deferred, failed.Count, now);
        if (delivered > 0)
        {
            LogDelivered(_logger, message.Id, delivered, result.RemoteMta ?? "pickup");
        }

        if (deferred > 0)
        {
            LogDeferred(_logger, message.Id, deferred, LogRedaction.MaskAddresses(result.Recipients.First(r => r.Status == RecipientAttemptStatus.Transient).Reply ?? "no reply"));
        }

        if (failed.Count > 0)
        {
            if (expired && failed.Exists(f => f.Status == "4.4.7"))
            {
                LogExpired(_logger, message.Id, failed.Count);
            }
            else
            {
                LogFailed(_logger, message.Id, failed.Count, LogRedaction.MaskAddresses(failed[0].Diagnostic ?? "no reply"));
            }
        }

        if (notice is not null)
        {
            LogNoticeQueued(_logger, notice.Id, message.Id);
            _signal.Notify();
        }

        if (withheld)
        {
            await RecordWithheldDsnAsync(message, failed.Count, now);
        }

        if (completion.MessageFinished && !message.HasInlineContent)
        {
            _spool.Delete(message.Id);
        }
    }

    /// <summary>
    /// Records an attempt's outcomes, trying again through a store outage while the lease lasts (the
    /// upstream has the message already: a repeat would be a duplicate). Null when it could not be
    /// recorded: the lease runs out and the attempt is repeated (at-least-once). It gives up at once
    /// on a fault no retry mends and when the node is stopping, so neither holds up the shutdown.
    /// </summary>
    private async Task<AttemptCompletion?> CompleteAsync(ClaimedMessage claim, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice, CancellationToken stop)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var completion = await _store.CompleteAttemptAsync(claim.Message.Id, outcomes, notice, CancellationToken.None);
                _recordOutage.Succeeded();
                return completion;
            }
            catch (Exception ex) when (attempt > 1 && notice is not null && ex is System.Data.Common.DbException { SqlState: "23505" })
            {
                // The DSN's id is taken: an earlier try whose commit reply was lost did commit (with the
                // outcomes). Recording the outcomes again without it is harmless.
                notice = null;
            }
            catch (Exception ex) when (StoreFaults.IsStoreFault(ex))
            {
                var wait = _recordOutage.Failed(ex);
                if (!StoreFaults.IsTransient(ex) || stop.IsCancellationRequested || _time.GetUtcNow() + wait >= claim.LeaseUntil - s_leaseMargin)
                {
                    LogDeliveryError(_logger, ex, claim.Message.Id);
                    return null;
                }

                try
                {
                    await Task.Delay(wait, _time, stop);
                }
                catch (OperationCanceledException)
                {
                    LogDeliveryError(_logger, ex, claim.Message.Id);
                    return null;
                }
            }
        }
    }

    /// <summary>How long before its lease ends a node stops trying to record an outcome, so another node never claims a message this one still holds.</summary>
    private static readonly TimeSpan s_leaseMargin = TimeSpan.FromSeconds(30);

    /// <summary>Counts the recorded outcomes and tells the upstream health what this attempt says about the upstream.</summary>
    private void RecordMetrics(StoredMessage message, TransportResult result, int delivered, int deferred, int failed, DateTimeOffset now)
    {
        _metrics.DeliveryAttempted(RecipientDisposition.Delivered, delivered);
        _metrics.DeliveryAttempted(RecipientDisposition.Deferred, deferred);
        _metrics.DeliveryAttempted(RecipientDisposition.Failed, failed);
        if (delivered > 0)
        {
            _metrics.Delivered(now - message.ReceivedAt);
            _health.Succeeded();
        }

        // A refused recipient is the recipient's problem; an upstream that failed, or deferred
        // everyone, is the upstream's.
        if (result.UpstreamFailure || (delivered == 0 && deferred > 0))
        {
            var why = result.Recipients.FirstOrDefault(r => r.Status == RecipientAttemptStatus.Transient) ?? result.Recipients.FirstOrDefault(r => r.Status != RecipientAttemptStatus.Delivered);
            _health.Failed(why?.Reply);
        }
    }

    /// <summary>
    /// What an MTA does with a bounce for a sender it cannot vouch for is to drop it; the failure
    /// stays visible all the same: in the queue listing (the entries are failed), in the log, and
    /// in the audit log when the store keeps one.
    /// </summary>
    private async Task RecordWithheldDsnAsync(StoredMessage message, int failed, DateTimeOffset now)
    {
        Exception? auditFailure = null;
        if (_store is IQuarantineStore audit)
        {
            try
            {
                await audit.AppendAuditAsync(new AuditEvent(now, "mailguard:delivery", "dsn-withheld", message.Id,
                    "the sender is not verified (not in Policy:InternalDomains, not authenticated as itself)", $"{failed} recipient(s) failed"), CancellationToken.None);
            }
            catch (Exception ex) when (StoreFaults.IsStoreFault(ex))
            {
                // The outcomes are committed already; the log event keeps the trace, with the failure beside it.
                auditFailure = ex;
            }
        }

        LogDsnWithheld(_logger, auditFailure, message.Id, failed);
    }

    private NewMessage WriteNotice(ClaimedMessage claim, List<FailedRecipient> failed, DateTimeOffset now)
    {
        var message = claim.Message;
        byte[] headers;
        try
        {
            using var original = OpenContent(claim);
            headers = DeliveryStatusNotice.ReadHeaderSection(original);
        }
        catch (FileNotFoundException)
        {
            headers = [];
        }

        byte[] bytes = DeliveryStatusNotice.Build(new DeliveryStatusRequest(_serverName, message.Id, message.MailFrom, message.ReceivedAt, failed, headers, now));
        string id = MessageIds.New(_time);
        var flags = MessageFlags.EightBit | (System.Text.Ascii.IsValid(message.MailFrom) ? MessageFlags.None : MessageFlags.SmtpUtf8);
        // A DSN is small (headers only, at most 64 KiB of them): it always lives in the store.
        return new NewMessage(id, string.Empty, [message.MailFrom], now, null, _serverName, null, bytes.Length, flags, MessageKind.DeliveryStatusNotification, bytes);
    }

    private async Task ReleaseAsync(ClaimedMessage claim, DateTimeOffset? notBefore)
    {
        var outcomes = claim.Recipients.Select(r => new RecipientOutcome(r.EntryId, RecipientDisposition.Released, null, notBefore)).ToArray();
        await _store.CompleteAttemptAsync(claim.Message.Id, outcomes, null, CancellationToken.None);
    }
}
