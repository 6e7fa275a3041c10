namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Pictures: a screenshot of a spreadsheet of people is a spreadsheet of people. Pictures large
/// enough to hold a table (<see cref="ExtractionLimits.OcrMinWidth"/> and friends) are OCRed and
/// their text goes to the sink like any text, where the table and prose detectors read it.
/// Small pictures (logos, signatures) are neither read nor findings. A large picture that could
/// not be read (OCR failed, timed out, or the picture is over the pixel limit) is unscannable.
/// Without an OCR engine nothing is read and nothing is reported.
/// </summary>
internal static class ImageTextExtractor
{
    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        IImageTextReader? reader = context.Limits.ImageText;
        if (reader is null)
        {
            return;
        }

        byte[] image = ReadAll(stream);
        if (image.Length < context.Limits.OcrMinBytes)
        {
            return;
        }

        string size = "";
        if (ImageInfo.TryGetSize(image, out int width, out int height))
        {
            if (!context.Limits.LargeEnoughForOcr(width, height))
            {
                return;
            }

            size = $"{width} x {height} px ";
            if ((long)width * height > context.Limits.OcrMaxPixels)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.ExpandedSizeExceeded, $"image {size}is over the OCR pixel limit ({ExtractionLimits.Count(context.Limits.OcrMaxPixels)} px)");
                return;
            }
        }

        // A picture whose header we cannot read is not known to be small: it goes to OCR, which decides.
        context.ThrowIfCancelled();
        ImageTextResult result = reader.ReadImage(image, context.OcrTimeout, context.CancellationToken);
        Report(context, location, result, "image " + size);
    }

    /// <summary>Recognised text goes to the sink; a failure is unscannable, a timeout as such.</summary>
    internal static bool Report(ExtractionContext context, ContentLocation location, ImageTextResult result, string what)
    {
        switch (result.Status)
        {
            case ImageTextStatus.Read:
                if (!string.IsNullOrWhiteSpace(result.Text))
                {
                    context.Sink.OnText(location, result.Text);
                }

                return true;
            case ImageTextStatus.TimedOut:
            case ImageTextStatus.Busy:
                context.Sink.OnUnscannable(location, UnscannableReason.TimeBudgetExceeded, $"{what}not OCRed: OCR time limit ({context.Limits.OcrTimeout.TotalSeconds:0.#} s) reached ({result.Detail})");
                return false;
            default:
                context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, $"{what}could not be OCRed: {result.Detail}");
                return false;
        }
    }

    private static byte[] ReadAll(Stream stream)
    {
        if (stream.CanSeek)
        {
            byte[] data = new byte[stream.Length - stream.Position];
            stream.ReadExactly(data);
            return data;
        }

        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
