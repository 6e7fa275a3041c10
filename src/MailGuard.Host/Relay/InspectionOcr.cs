using MailGuard.Inspection;
using MailGuard.Inspection.Extraction;
using MailGuard.Host.Configuration;

namespace MailGuard.Host.Relay;

/// <summary>
/// The process's one OCR engine (issue 11), detected once at start from Inspection:Ocr: tesseract
/// is an optional peer like Postfix, so its absence turns OCR off (pictures are then not read)
/// and is logged once by whoever owns the log (<see cref="InspectingDisposition"/>, `scan`).
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

    /// <summary>Inspection options with this engine reading pictures (or none, when OCR is off).</summary>
    public InspectionOptions CreateOptions() => new() { Extraction = new ExtractionLimits { ImageText = Engine } };

    public void Dispose() => Engine?.Dispose();
}
