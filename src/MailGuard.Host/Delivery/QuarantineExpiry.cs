using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Host.Metrics;
using MailGuard.Host.Resilience;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Delivery;

/// <summary>
/// Retention: held messages older than Quarantine:RetentionDays expire, either returned to their
/// sender with the bounce-back warning or deleted (Quarantine:ExpiryAction); either way a verified
/// sender is told (the expired notice). Their bytes go. A message that cannot be returned (its
/// sender is not verified, or must not be answered: see <see cref="HeldMessageNotices"/>) is
/// deleted instead, and its audit record says so. A run the store fails is tried again with
/// <see cref="StoreOutage"/>'s backoff instead of a whole interval later.
/// </summary>
internal sealed partial class QuarantineExpiry(
    IMessageStore store,
    IOptions<QuarantineOptions> quarantineOptions,
    IOptions<RelayOptions> relayOptions,
    PolicyOptions? policy,
    DeliverySignal signal,
    TimeProvider time,
    ILogger<QuarantineExpiry> logger,
    MailGuardMetrics? metrics = null) : StoreBackedService(StoreOperation.Expiry, time, logger, metrics)
{
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (store is not IQuarantineStore quarantine)
        {
            return 0;
        }

        // Batches of the oldest first, until none is left: however many are held, all that are due
        // expire (each one expired leaves the held set, so the loop ends).
        const int Batch = 500;
        var cutoff = Time.GetUtcNow() - TimeSpan.FromDays(quarantineOptions.Value.RetentionDays);
        var internalDomains = new MailGuard.Inspection.DomainSet(policy?.InternalDomains ?? []);
        var notices = new HeldMessageNotices(internalDomains, relayOptions.Value.ServerName, policy ?? new PolicyOptions(), Time);
        int expired = 0;
        IReadOnlyList<QuarantineRecord> due;
        do
        {
            due = await quarantine.ListHeldBeforeAsync(cutoff, Batch, cancellationToken);
            foreach (var record in due)
            {
                bool returning = quarantineOptions.Value.ExpiryAction == QuarantineExpiryAction.Return;
                var returned = await notices.BuildAsync(quarantine, record, PolicyNoticeKind.Expired, null, attachOriginal: returning, "mailguard:retention", cancellationToken: cancellationToken);
                NewMessage? notice = returned.Notice;
                string outcome, detail;
                if (returning)
                {
                    (outcome, detail) = returned.Refusal is { } refusal
                        ? ("delete instead of return", "deleted, not returned: " + refusal)
                        : ("return", returned.Notice is null ? "returned without a notice: the content was gone" : "returned to the sender");
                }
                else
                {
                    (outcome, detail) = ("delete", "deleted (Quarantine:ExpiryAction=Delete)" + (notice is null ? "" : "; the sender was told"));
                }

                var decision = await quarantine.ExpireAsync(record.MessageId, "mailguard:retention", notice, detail, cancellationToken);
                if (decision.Applied)
                {
                    expired++;
                    LogExpired(Logger, record.MessageId, outcome);
                }
            }
        }
        while (due.Count == Batch);

        if (expired > 0)
        {
            signal.Notify();
        }

        return expired;
    }

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken stoppingToken)
    {
        await RunOnceAsync(stoppingToken);
        return quarantineOptions.Value.ExpiryCheckInterval;
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.QuarantineExpired, Level = LogLevel.Information, Message = "Quarantined {QueueId} expired ({Action})")]
    private static partial void LogExpired(ILogger logger, string queueId, string action);
}
