using MailGuard.Core.Dispositions;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using MailGuard.Mime;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// The inspection kept with a hold, for the console. A hold made before it was kept (an older
/// version) is inspected once, on first view, with the policy in force, and the result stored
/// beside it: no message is inspected again on every view.
/// </summary>
public sealed partial class HoldInspections
{
    private readonly IQuarantineStore _store;
    private readonly PolicyOptions _policy;
    private readonly ConsoleOptions _console;
    private readonly DomainSet _internalDomains;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HoldInspections(IQuarantineStore store, PolicyOptions? policy, IOptions<ConsoleOptions> console, TimeProvider time, ILogger logger)
    {
        _store = store;
        _policy = policy ?? new PolicyOptions();
        _console = console.Value;
        _internalDomains = new DomainSet(_policy.InternalDomains);
        _time = time;
        _logger = logger;
    }

    public DomainSet InternalDomains => _internalDomains;

    /// <summary>The facts for the list: from the record and whatever inspection is stored, no content read.</summary>
    public HoldFacts Facts(QuarantineRecord record) =>
        HoldFacts.Of(record, HoldInspection.Deserialize(record.InspectionJson), _policy, _console.FourEyes, _internalDomains);

    /// <summary>The facts for the message page and for decisions: the stored inspection, or one made (once) now.</summary>
    public async Task<HoldFacts> FactsAsync(QuarantineRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var inspection = HoldInspection.Deserialize(record.InspectionJson);
        if (inspection is null && record.Status == QuarantineStatus.Held)
        {
            inspection = await InspectOnceAsync(record, cancellationToken);
        }

        return HoldFacts.Of(record, inspection, _policy, _console.FourEyes, _internalDomains);
    }

    private async Task<HoldInspection?> InspectOnceAsync(QuarantineRecord record, CancellationToken cancellationToken)
    {
        await using var content = await _store.OpenContentAsync(record.MessageId, cancellationToken);
        if (content is null)
        {
            return null;
        }

        using var document = MimeDocument.Load(content, leaveOpen: true);
        var engine = new PolicyEngine(_policy);
        var inspector = new MessageInspector(new InspectionOptions { TimeBudget = TimeSpan.FromSeconds(10) }, engine.InternalDomains, engine.PersonalMailboxDomains, _time);
        var result = inspector.Inspect(document, new MessageEnvelope(record.MailFrom, record.Recipients), cancellationToken);
        var verdict = engine.Decide(result, record.MailFrom, record.Recipients);
        var inspection = HoldInspectionBuilder.Build(result, verdict, record.Recipients, _internalDomains, DateOnly.FromDateTime(record.HeldAt.UtcDateTime));
        bool saved = await _store.SaveInspectionAsync(record.MessageId, inspection.Serialize(), cancellationToken);
        LogBackfilled(_logger, record.MessageId, verdict.MatchedRules.Count, saved);
        return inspection;
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.HoldInspectionBackfilled, Level = LogLevel.Information, Message = "Held message {MessageId} had no stored inspection: inspected once ({Rules} rules matched now), stored: {Stored}")]
    private static partial void LogBackfilled(ILogger logger, string messageId, int rules, bool stored);
}
