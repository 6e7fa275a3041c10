using MailGuard.Core.Inspection;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Relay;
using MailGuard.Mime;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MailGuard.Host.Delivery;

/// <summary>
/// Retention: held messages older than Quarantine:RetentionDays expire, either returned to their
/// sender with the bounce-back warning or deleted (Quarantine:ExpiryAction). Their bytes go.
/// </summary>
internal sealed partial class QuarantineExpiry(
    IMessageStore store,
    MailGuardOptions options,
    PolicyOptions? policy,
    DeliverySignal signal,
    TimeProvider time,
    ILogger<QuarantineExpiry> logger) : BackgroundService
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (store is not IQuarantineStore quarantine)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.Quarantine.RetentionDays);
        int expired = 0;
        foreach (var record in await quarantine.ListQuarantineAsync(QuarantineStatus.Held, 10_000, cancellationToken))
        {
            if (record.HeldAt > cutoff)
            {
                continue;
            }

            NewMessage? notice = options.Quarantine.ExpiryAction == QuarantineExpiryAction.Return ? await BuildReturnAsync(quarantine, record, cancellationToken) : null;
            var decision = await quarantine.ExpireAsync(record.MessageId, "mailguard:retention", notice, cancellationToken);
            if (decision.Applied)
            {
                expired++;
                LogExpired(logger, record.MessageId, options.Quarantine.ExpiryAction.ToString().ToLowerInvariant());
            }
        }

        if (expired > 0)
        {
            signal.Notify();
        }

        return expired;
    }

    private async Task<NewMessage?> BuildReturnAsync(IQuarantineStore quarantine, QuarantineRecord record, CancellationToken cancellationToken)
    {
        await using var content = await quarantine.OpenContentAsync(record.MessageId, cancellationToken);
        if (content is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        using var doc = MimeDocument.Load(copy, leaveOpen: true);
        if (!PolicyNotice.MayNotifySender(record.MailFrom, doc.Message.Headers))
        {
            return null;
        }

        copy.Position = 0;
        byte[] bytes = PolicyNotice.Build(
            new PolicyNoticeRequest(PolicyNoticeKind.Returned, options.Relay.ServerName, record.MessageId, record.MailFrom, record.MailFrom, record.Subject,
                "It was held for review and not released within the retention period.", FindingsJson.Deserialize(record.FindingsJson), null, record.Recipients, time.GetUtcNow(), copy),
            policy?.Notifications.Templates);
        return new NewMessage(MessageIds.New(time), string.Empty, [record.MailFrom], time.GetUtcNow(), null, null, "mailguard:retention", bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogExpiryFailed(logger, ex);
            }

            try
            {
                await Task.Delay(options.Quarantine.ExpiryCheckInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = Logging.LogEventIds.QuarantineExpired, Level = LogLevel.Information, Message = "Quarantined {QueueId} expired ({Action})")]
    private static partial void LogExpired(ILogger logger, string queueId, string action);

    [LoggerMessage(EventId = Logging.LogEventIds.QuarantineExpiryFailed, Level = LogLevel.Error, Message = "Quarantine expiry run failed")]
    private static partial void LogExpiryFailed(ILogger logger, Exception exception);
}
