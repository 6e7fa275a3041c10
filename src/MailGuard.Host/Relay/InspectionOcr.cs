using MailGuard.Host.Configuration;
using MailGuard.Inspection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Host.Relay;

/// <summary>
/// The process's one OCR engine (issue 11), detected once at start from Inspection:Ocr: tesseract
/// is an optional peer like Postfix, so its absence turns OCR off (pictures are then not read)
/// and is logged once by whoever owns the log (<see cref="Core.Dispositions.InspectingDisposition"/>, `scan`).
/// </summary>
internal sealed class InspectionOcr : IDisposable
{
    public InspectionOcr(OcrSettings settings)
    {
        Detection = settings.Enabled
            ? OcrEngine.Detect(settings.TesseractPath, settings.PdftoppmPath)
            : new OcrDetection(null, null, null, "turned off by Inspection:Ocr:Enabled=false");
        Engine = Detection.Available ? new OcrEngine(Detection, settings.MaxConcurrency) : null;
    }

    public OcrDetection Detection { get; }

    public OcrEngine? Engine { get; }

    /// <summary>
    /// Inspection options from Inspection:* (validated at start, so the limits' own range checks
    /// never throw here), with this engine reading pictures (or none, when OCR is off) and every
    /// time budget on the host's clock.
    /// </summary>
    public InspectionOptions CreateOptions(InspectionSettings settings, TimeProvider time) => new()
    {
        TimeBudget = settings.TimeBudget,
        MaxMessageDepth = settings.MaxMessageDepth,
        Extraction = new ExtractionLimits
        {
            ImageText = Engine,
            Time = time,
            TimeBudget = settings.AttachmentTimeBudget,
            MaxNestingDepth = settings.MaxNestingDepth,
            MaxTotalExpandedBytes = settings.MaxExpandedBytes,
            MaxExpansionRatio = settings.MaxExpansionRatio,
            MaxEntries = settings.MaxArchiveEntries,
            MaxCells = settings.MaxCells,
            MaxPdfPages = settings.MaxPdfPages,
        },
    };

    public void Dispose() => Engine?.Dispose();
}

/// <summary>Says once, at start, whether pictures will be read (OCR ready, or off and why).</summary>
internal sealed partial class InspectionOcrStatus(InspectionOcr ocr, ILogger<InspectionOcrStatus> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (ocr.Engine is null)
        {
            LogOcrUnavailable(logger, ocr.Detection.Problem ?? "unknown");
        }
        else
        {
            LogOcrReady(logger, ocr.Detection.TesseractVersion ?? "tesseract", ocr.Detection.TesseractPath!, ocr.Detection.PdftoppmPath ?? "none (image-only PDF pages are not OCRed)");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.OcrReady, Level = LogLevel.Information, Message = "OCR of pictures and image-only PDF pages: {Version} at {TesseractPath}; PDF page renderer: {PdftoppmPath}")]
    private static partial void LogOcrReady(ILogger logger, string version, string tesseractPath, string pdftoppmPath);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.OcrUnavailable, Level = LogLevel.Warning, Message = "OCR is off, pictures and scanned PDF pages are not read: {Problem}")]
    private static partial void LogOcrUnavailable(ILogger logger, string problem);
}
