using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>Limits and knobs for one message's inspection.</summary>
public sealed class InspectionOptions
{
    public MimeParserOptions Mime { get; init; } = MimeParserOptions.Default;

    public ExtractionLimits Extraction { get; init; } = new();

    public ContentAnalyzerOptions Analyzer { get; init; } = new();

    /// <summary>Wall-clock budget for a whole message (all parts and archives). Default 30 s, so a relay session never waits minutes for a verdict.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Nested messages (forwarded mail, .eml in archives) opened at most this deep.</summary>
    public int MaxMessageDepth { get; init; } = 8;

    /// <summary>Keep a digest of every part inspected (<see cref="InspectionResult.InspectedContent"/>), for tests and diagnostics.</summary>
    public bool RecordInspectedContent { get; init; }
}

/// <summary>An attachment as the reviewer should see it: declared name and type, and what the bytes really are.</summary>
public sealed record AttachmentInfo(string Location, string? FileName, string DeclaredType, string DetectedFormat, long EncodedSize);

/// <summary>Everything inspection learned about one message.</summary>
public sealed record InspectionResult(
    RecipientExposure Exposure,
    IReadOnlyList<Finding> Findings,
    long MaxPeople,
    IReadOnlyList<TableSummary> Tables,
    IReadOnlyList<TextSummary> Texts,
    IReadOnlyList<AttachmentInfo> Attachments,
    int MimeDefects,
    TimeSpan Elapsed,
    bool TimedOut)
{
    /// <summary>Messages read a second time (by MimeKit, and by the reading that takes the last of repeated fields) because their parse recorded a defect.</summary>
    public int SecondReadings { get; init; }

    /// <summary>Digests of the parts inspected (see <see cref="Inspection.InspectedContent"/>); empty unless <see cref="InspectionOptions.RecordInspectedContent"/>.</summary>
    public IReadOnlyCollection<string> InspectedContent { get; init; } = [];

    /// <summary>Masked previews of the offending content (tables of people, sentences around identifiers), for reviewers.</summary>
    public IReadOnlyList<Detection.ContentPreview> Previews { get; init; } = [];

    /// <summary>Detected formats and file extensions of the attachments, for rules on attachment types.</summary>
    public IReadOnlyList<string> AttachmentTypes
    {
        get
        {
            var types = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var a in Attachments)
            {
                types.Add(a.DetectedFormat);
                if (a.FileName is not null && Path.GetExtension(a.FileName) is { Length: > 1 } ext)
                {
                    types.Add(ext[1..]);
                }
            }

            return types.ToList();
        }
    }
}

/// <summary>
/// Inspects a parsed message: <see cref="MessageWalker"/> reads every part any reader would show
/// into the extractors and detectors, and the findings are combined with the recipient-exposure
/// analysis.
/// </summary>
public sealed class MessageInspector
{
    private readonly InspectionOptions _options;
    private readonly DomainSet _internalDomains;
    private readonly DomainSet _personalDomains;
    private readonly MailboxDomains _mailboxes;
    private readonly TimeProvider _time;

    public MessageInspector(InspectionOptions options, DomainSet internalDomains, DomainSet personalMailboxDomains, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _internalDomains = internalDomains;
        _personalDomains = personalMailboxDomains;
        _mailboxes = new MailboxDomains(personalMailboxDomains, internalDomains);
        _time = timeProvider ?? TimeProvider.System;
    }

    public InspectionResult Inspect(MimeDocument document, MessageEnvelope? envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        long started = _time.GetTimestamp();
        var analyzer = new ContentAnalyzer(_options.Analyzer, _time, _mailboxes);
        var attachments = new List<AttachmentInfo>();
        using var budget = new CancellationTokenSource(_options.TimeBudget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        bool timedOut = false;
        var walker = new MessageWalker(_options, analyzer, attachments, new InspectedContent(_options.RecordInspectedContent), linked.Token);
        try
        {
            walker.WalkMessage(document, new ContentLocation("/"), depth: 0);
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            timedOut = true;
            analyzer.OnUnscannable(new ContentLocation("/"), UnscannableReason.TimeBudgetExceeded, $"inspection exceeded {_options.TimeBudget.TotalSeconds:F0} s");
        }

        var exposure = RecipientAnalyzer.Analyze(document.Message, envelope, _internalDomains, _personalDomains);
        var findings = new List<Finding>();
        // One external address in To/Cc exposes nobody: it takes two for external recipients to see each other.
        if (exposure.VisibleExternal > 1)
        {
            findings.Add(new Finding(
                FindingKinds.ExposedRecipients,
                exposure.VisibleExternal,
                Confidence.High,
                new ContentLocation("/", "To/Cc"),
                exposure.MaskedExamples,
                $"{exposure.VisibleExternal:N0} external addresses visible in To/Cc ({exposure.DistinctExternalDomains:N0} domains, {exposure.PersonalMailboxes:N0} personal mailboxes); {exposure.Hidden:N0} in Bcc"));
        }

        findings.AddRange(analyzer.Findings);
        return new InspectionResult(exposure, findings, analyzer.MaxPeopleCount, analyzer.Tables, analyzer.Texts, attachments, document.Defects.Count, _time.GetElapsedTime(started), timedOut)
        {
            SecondReadings = walker.SecondReadings,
            Previews = analyzer.Previews,
            InspectedContent = walker.Inspected.Recording ? walker.Inspected.Digests : [],
        };
    }
}
