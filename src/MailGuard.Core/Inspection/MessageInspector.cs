using System.Diagnostics;
using MailGuard.Core.Inspection.Detection;
using MailGuard.Core.Inspection.Extraction;
using MailGuard.Mime;

namespace MailGuard.Core.Inspection;

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
/// Walks a parsed message: every leaf body and attachment is decoded (streamed) into the
/// extractors, forwarded messages and .eml archive members are parsed and walked in turn, and
/// the detectors' findings are combined with the recipient-exposure analysis.
/// </summary>
public sealed class MessageInspector
{
    private readonly InspectionOptions _options;
    private readonly DomainSet _internalDomains;
    private readonly DomainSet _personalDomains;
    private readonly TimeProvider _time;

    public MessageInspector(InspectionOptions options, DomainSet internalDomains, DomainSet personalMailboxDomains, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _internalDomains = internalDomains;
        _personalDomains = personalMailboxDomains;
        _time = timeProvider ?? TimeProvider.System;
    }

    public InspectionResult Inspect(MimeDocument document, MessageEnvelope? envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var clock = Stopwatch.StartNew();
        var analyzer = new ContentAnalyzer(_options.Analyzer, _time);
        var attachments = new List<AttachmentInfo>();
        using var budget = new CancellationTokenSource(_options.TimeBudget);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        bool timedOut = false;
        var walker = new Walker(this, analyzer, attachments, linked.Token);
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
        foreach (var d in walker.LimitDefects)
        {
            findings.Add(d);
        }

        return new InspectionResult(exposure, findings, analyzer.MaxPeopleCount, analyzer.Tables, analyzer.Texts, attachments, document.Defects.Count, clock.Elapsed, timedOut);
    }

    private sealed class Walker(MessageInspector owner, ContentAnalyzer analyzer, List<AttachmentInfo> attachments, CancellationToken ct)
    {
        public List<Finding> LimitDefects { get; } = new();

        public void WalkMessage(MimeDocument document, ContentLocation location, int depth)
        {
            foreach (var defect in document.Defects)
            {
                if (defect.Kind is MimeDefectKind.MaxDepthExceeded or MimeDefectKind.MaxPartsExceeded)
                {
                    var reason = defect.Kind == MimeDefectKind.MaxDepthExceeded ? UnscannableReason.NestingTooDeep : UnscannableReason.TooManyParts;
                    analyzer.OnUnscannable(location with { PartPath = defect.PartPath }, reason, defect.Kind.ToString());
                }
            }

            WalkEntity(document.Message.Body, location, depth);
        }

        private void WalkEntity(MimeEntity entity, ContentLocation parent, int depth)
        {
            ct.ThrowIfCancellationRequested();
            string? fileName = entity.FileName;
            var location = fileName is null ? parent with { PartPath = entity.Path } : parent.Child(fileName) with { PartPath = entity.Path };
            switch (entity.Kind)
            {
                case MimeEntityKind.Multipart:
                    foreach (var child in entity.Children)
                    {
                        WalkEntity(child, parent, depth);
                    }

                    return;
                case MimeEntityKind.Message:
                    var inner = fileName is null ? parent.Child("attached message") with { PartPath = entity.Path } : location;
                    WalkEntity(entity.Message!.Body, inner, depth + 1);
                    return;
            }

            if (entity.ContentType.IsEncapsulatedMessage)
            {
                // A transfer-encoded message/rfc822 (forbidden, but sent): decode and parse it.
                using var decoded = entity.OpenDecodedContent();
                OpenEmbedded(decoded, fileName is null ? parent.Child("attached message") : location, depth + 1);
                return;
            }

            var declared = entity.Headers["Content-Type"]?.Value ?? entity.ContentType.MimeType;
            using var content = entity.OpenDecodedContent();
            var format = ContentExtractor.Extract(
                content,
                fileName,
                declared,
                location,
                analyzer,
                owner._options.Extraction,
                ct,
                (stream, loc, d, token) => OpenEmbedded(stream, loc, d),
                nestingDepth: depth);
            if (fileName is not null || entity.ContentDisposition?.IsAttachment == true)
            {
                attachments.Add(new AttachmentInfo(location.ToString(), fileName, entity.ContentType.MimeType, format.ToString().ToLowerInvariant(), entity.BodyLength));
            }
        }

        private void OpenEmbedded(Stream stream, ContentLocation location, int depth)
        {
            if (depth > owner._options.MaxMessageDepth)
            {
                analyzer.OnUnscannable(location, UnscannableReason.NestingTooDeep, $"messages nested deeper than {owner._options.MaxMessageDepth}");
                return;
            }

            using var doc = MimeDocument.Load(stream, owner._options.Mime, leaveOpen: true);
            WalkMessage(doc, location, depth);
        }
    }
}
