using System.Diagnostics;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>How reading text from a picture went.</summary>
public enum ImageTextStatus
{
    Read,

    /// <summary>The recogniser ran past its time limit and was killed.</summary>
    TimedOut,

    /// <summary>Every OCR slot stayed busy for the whole wait.</summary>
    Busy,

    /// <summary>The recogniser or the page renderer failed (an unreadable picture, a crash).</summary>
    Failed,

    /// <summary>Nothing can read this kind of input here (no PDF renderer installed).</summary>
    Unavailable,
}

/// <param name="Text">Recognised text (empty unless <see cref="ImageTextStatus.Read"/>).</param>
/// <param name="Detail">Why it failed, for the unscannable finding; never the text itself.</param>
public sealed record ImageTextResult(ImageTextStatus Status, string Text, string Detail);

/// <summary>Reads text out of pictures and of image-only PDF pages. <see cref="OcrEngine"/> is the real one; tests may fake it.</summary>
public interface IImageTextReader
{
    /// <param name="image">A whole PNG, JPEG, GIF, BMP, TIFF or WebP file.</param>
    ImageTextResult ReadImage(ReadOnlyMemory<byte> image, TimeSpan timeout, CancellationToken cancellationToken);

    /// <param name="pdf">A whole PDF file.</param>
    /// <param name="pageNumber">One-based page number.</param>
    ImageTextResult ReadPdfPage(ReadOnlyMemory<byte> pdf, int pageNumber, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// What start-up found: the tesseract program (with English data) and, optionally, poppler's
/// pdftoppm for image-only PDF pages. The Host logs it once; <see cref="Problem"/> says why OCR
/// is off, in words an operator can act on.
/// </summary>
public sealed record OcrDetection(string? TesseractPath, string? TesseractVersion, string? PdftoppmPath, string? Problem)
{
    public bool Available => TesseractPath is not null && Problem is null;
}

/// <summary>
/// OCR with Debian's tesseract-ocr as a child process: the picture goes in on stdin and the text
/// comes back on stdout (no temporary files, no shell: arguments are passed as a list). At most
/// <c>maxConcurrency</c> recognisers run at once (one per core by default; each is limited to one
/// thread with OMP_THREAD_LIMIT, so the pool is the only parallelism); a caller waits a bounded
/// time for a slot, and a recogniser that outlives its time limit is killed with its process tree.
/// Image-only PDF pages are rendered by pdftoppm (stdin to stdout too) and then recognised: it
/// decodes what scanners write (CCITT G4, JBIG2, JPEG 2000), which neither MailGuard's PDF reader
/// nor PdfPig's image export decodes, and a renderer crash on a hostile file stays in its process.
/// </summary>
public sealed class OcrEngine : IImageTextReader, IDisposable
{
    /// <summary>
    /// Page segmentation mode 6, "a single uniform block of text": rows of a spreadsheet come out
    /// as lines, and preserve_interword_spaces keeps the gaps between columns, which the text
    /// table reader splits on. Mode 3 (automatic) tends to read each column as its own block.
    /// </summary>
    private static readonly string[] s_tesseractArguments = ["stdin", "stdout", "-l", "eng", "--psm", "6", "-c", "preserve_interword_spaces=1"];

    /// <summary>Rendering resolution of PDF pages: 200 DPI reads 9-point text reliably at half the pixels of 300.</summary>
    private const int PdfRenderDpi = 200;

    /// <summary>Recognised text beyond this is cut: a page of text is a few KB; this bounds a hostile picture's output.</summary>
    private const int MaxTextBytes = 4 * 1024 * 1024;

    /// <summary>A rendered page beyond this is refused (an A4 page at 200 DPI in RGB is about 11 MB uncompressed, far less as PNG).</summary>
    private const int MaxRenderedBytes = 64 * 1024 * 1024;

    private readonly string _tesseract;
    private readonly string? _pdftoppm;
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;

    /// <param name="maxConcurrency">Recognisers at once; 0 for one per core.</param>
    /// <param name="queueTimeout">How long a caller waits for a free slot before the picture counts as unread; 10 s by default.</param>
    public OcrEngine(OcrDetection detection, int maxConcurrency = 0, TimeSpan? queueTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(detection);
        if (!detection.Available)
        {
            throw new ArgumentException("OCR is not available: " + detection.Problem, nameof(detection));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxConcurrency);
        _tesseract = detection.TesseractPath!;
        _pdftoppm = detection.PdftoppmPath;
        int slots = maxConcurrency == 0 ? Environment.ProcessorCount : maxConcurrency;
        _slots = new SemaphoreSlim(slots, slots);
        _queueTimeout = queueTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>
    /// Finds tesseract (the configured path, else on PATH) and checks it runs and has English
    /// data; finds pdftoppm the same way. Runs each program once, with a short time limit.
    /// </summary>
    public static OcrDetection Detect(string? tesseractPath = null, string? pdftoppmPath = null)
    {
        string? tesseract = Locate(tesseractPath, "tesseract");
        string? pdftoppm = Locate(pdftoppmPath, "pdftoppm");
        if (tesseract is null)
        {
            return new OcrDetection(null, null, pdftoppm, tesseractPath is null
                ? "tesseract not found on PATH (apt-get install tesseract-ocr)"
                : $"tesseract not found at {tesseractPath}");
        }

        var version = RunProcess(tesseract, ["--version"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(10), 64 * 1024, CancellationToken.None);
        var langs = RunProcess(tesseract, ["--list-langs"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(10), 64 * 1024, CancellationToken.None);
        if (version.Status != ImageTextStatus.Read || langs.Status != ImageTextStatus.Read)
        {
            return new OcrDetection(tesseract, null, pdftoppm, $"tesseract at {tesseract} did not run: {version.Detail}{langs.Detail}");
        }

        // tesseract 4 prints its version on stderr, 5 on stdout; --list-langs likewise.
        string versionText = (version.Text + version.Detail).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "tesseract";
        bool english = (langs.Text + "\n" + langs.Detail).Split('\n', StringSplitOptions.TrimEntries).Contains("eng");
        return new OcrDetection(tesseract, versionText, pdftoppm, english ? null : $"tesseract at {tesseract} has no English data (apt-get install tesseract-ocr-eng)");
    }

    private static string? Locate(string? configured, string name)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public ImageTextResult ReadImage(ReadOnlyMemory<byte> image, TimeSpan timeout, CancellationToken cancellationToken) =>
        WithSlot(timeout, cancellationToken, remaining => Recognise(image, remaining, cancellationToken));

    public ImageTextResult ReadPdfPage(ReadOnlyMemory<byte> pdf, int pageNumber, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        if (_pdftoppm is null)
        {
            return new ImageTextResult(ImageTextStatus.Unavailable, "", "no PDF page renderer (apt-get install poppler-utils)");
        }

        return WithSlot(timeout, cancellationToken, remaining =>
        {
            var started = Stopwatch.GetTimestamp();
            string page = pageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var rendered = RunProcess(
                _pdftoppm,
                ["-f", page, "-l", page, "-r", PdfRenderDpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-gray", "-png", "-"],
                pdf,
                remaining,
                MaxRenderedBytes,
                cancellationToken,
                binaryOutput: true);
            if (rendered.Status != ImageTextStatus.Read)
            {
                return new ImageTextResult(rendered.Status, "", "rendering the page failed: " + rendered.Detail);
            }

            TimeSpan left = remaining - Stopwatch.GetElapsedTime(started);
            return left <= TimeSpan.Zero
                ? new ImageTextResult(ImageTextStatus.TimedOut, "", "time limit reached while rendering the page")
                : Recognise(rendered.Output, left, cancellationToken);
        });
    }

    private ImageTextResult Recognise(ReadOnlyMemory<byte> image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = RunProcess(_tesseract, s_tesseractArguments, image, timeout, MaxTextBytes, cancellationToken);
        return result.Status == ImageTextStatus.Read ? new ImageTextResult(ImageTextStatus.Read, result.Text, "") : result.ToResult();
    }

    /// <summary>Runs <paramref name="work"/> in a pool slot, waiting at most the queue timeout (and never past the caller's time limit).</summary>
    private ImageTextResult WithSlot(TimeSpan timeout, CancellationToken cancellationToken, Func<TimeSpan, ImageTextResult> work)
    {
        var started = Stopwatch.GetTimestamp();
        TimeSpan wait = timeout < _queueTimeout ? timeout : _queueTimeout;
        bool entered;
        try
        {
            entered = _slots.Wait(wait, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return new ImageTextResult(ImageTextStatus.TimedOut, "", "cancelled while waiting for an OCR slot");
        }

        if (!entered)
        {
            return new ImageTextResult(ImageTextStatus.Busy, "", $"no OCR slot free within {wait.TotalSeconds:0.#} s");
        }

        try
        {
            TimeSpan remaining = timeout - Stopwatch.GetElapsedTime(started);
            return remaining <= TimeSpan.Zero
                ? new ImageTextResult(ImageTextStatus.TimedOut, "", "time limit reached while waiting for an OCR slot")
                : work(remaining);
        }
        finally
        {
            _slots.Release();
        }
    }

    private sealed record ProcessOutcome(ImageTextStatus Status, string Text, byte[] Output, string Detail)
    {
        public ImageTextResult ToResult() => new(Status, "", Detail);
    }

    private static ProcessOutcome RunProcess(string program, IReadOnlyList<string> arguments, ReadOnlyMemory<byte> input, TimeSpan timeout, int maxOutput, CancellationToken cancellationToken, bool binaryOutput = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // One thread per recogniser: the pool, not OpenMP, decides how many cores OCR takes.
        info.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new ProcessOutcome(ImageTextStatus.Failed, "", [], $"{Path.GetFileName(program)} could not start: {ex.Message}");
        }

        var stdout = Task.Run(() => ReadBounded(process.StandardOutput.BaseStream, maxOutput));
        var stderr = Task.Run(() => ReadBounded(process.StandardError.BaseStream, 4096));
        var stdin = Task.Run(() =>
        {
            try
            {
                process.StandardInput.BaseStream.Write(input.Span);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program stopped reading (it rejected the input); its exit code says why.
            }
        });

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            process.WaitForExitAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            return new ProcessOutcome(ImageTextStatus.TimedOut, "", [], $"{Path.GetFileName(program)} killed after {timeout.TotalSeconds:0.#} s");
        }

        // The pipes close when the process exits; the readers finish promptly.
        Task.WaitAll([stdout, stderr, stdin], TimeSpan.FromSeconds(5));
        var (output, truncated) = stdout.IsCompletedSuccessfully ? stdout.Result : ([], false);
        string errors = stderr.IsCompletedSuccessfully ? Encoding.UTF8.GetString(stderr.Result.Bytes).Trim() : "";
        if (process.ExitCode != 0)
        {
            return new ProcessOutcome(ImageTextStatus.Failed, "", [], $"{Path.GetFileName(program)} exited with {process.ExitCode}: {FirstLine(errors)}");
        }

        if (truncated && binaryOutput)
        {
            return new ProcessOutcome(ImageTextStatus.Failed, "", [], $"{Path.GetFileName(program)} output over {maxOutput} bytes");
        }

        return new ProcessOutcome(ImageTextStatus.Read, binaryOutput ? "" : Encoding.UTF8.GetString(output), output, errors);
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        string line = end >= 0 ? text[..end] : text;
        return line.Length > 200 ? line[..200] : line;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>Reads to the end, keeping at most <paramref name="max"/> bytes (the rest is drained so the writer never blocks).</summary>
    private static (byte[] Bytes, bool Truncated) ReadBounded(Stream stream, int max)
    {
        var kept = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        bool truncated = false;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int keep = (int)Math.Min(n, max - kept.Length);
            if (keep > 0)
            {
                kept.Write(buffer, 0, keep);
            }

            truncated |= keep < n;
        }

        return (kept.ToArray(), truncated);
    }

    public void Dispose() => _slots.Dispose();
}
