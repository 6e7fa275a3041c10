namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Guards against hostile attachments (zip bombs, deep nesting, endless tables). Every limit
/// is finite by default; exceeding one is reported through
/// <see cref="IContentSink.OnUnscannable"/>, never as an exception, with the limit and its value
/// named ("archive entry limit (10,000) reached"), and what was read before it still reported.
/// The one place for extraction limits until they become configurable. One instance can be shared
/// by concurrent extractions: the counters live in each extraction, not here.
/// </summary>
public sealed class ExtractionLimits
{
    /// <summary>
    /// Tables open at once (a table in a cell of a table...) that the document readers (Word,
    /// OpenDocument, HTML) read as tables; a table nested deeper is text of the cell it is in.
    /// </summary>
    internal const int MaxNestedTables = 8;

    private int _maxNestingDepth = 8;
    private long _maxTotalExpandedBytes = 256L * 1024 * 1024;
    private double _maxExpansionRatio = 100;
    private long _ratioGraceBytes = 1024 * 1024;
    private int _maxEntries = 10_000;
    private long _maxCells = 10_000_000;
    private int _maxRepeatedCells = 1_000;
    private int _maxPdfPages = 2_000;
    private long _maxInMemorySpoolBytes = 4 * 1024 * 1024;
    private TimeSpan _timeBudget = TimeSpan.FromSeconds(30);
    private int _ocrMinWidth = 300;
    private int _ocrMinHeight = 100;
    private int _ocrMinBytes = 1024;
    private long _ocrMaxPixels = 50_000_000;
    private TimeSpan _ocrTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Archives inside archives, counted from the attachment (depth 0). 8 is far deeper than
    /// real mail needs; the well-known 42.zip bomb relies on 5 levels of 16-fold fan-out, which
    /// <see cref="MaxEntries"/> and <see cref="MaxTotalExpandedBytes"/> stop first.
    /// </summary>
    public int MaxNestingDepth
    {
        get => _maxNestingDepth;
        set => _maxNestingDepth = RequireRange(value, 1, 64);
    }

    /// <summary>
    /// Decompressed bytes produced by all archive members (zip, gzip, bzip2, xz, 7z, RAR, and the
    /// parts of xlsx/docx/ods/odt) of one attachment. 256 MB: four times the largest message Relay accepts
    /// by default, so any real attachment fits, and one extraction's disk use stays bounded.
    /// </summary>
    public long MaxTotalExpandedBytes
    {
        get => _maxTotalExpandedBytes;
        set => _maxTotalExpandedBytes = RequireRange(value, 1, long.MaxValue);
    }

    /// <summary>
    /// Decompressed to compressed bytes, checked while reading, per member and over a whole
    /// archive. 100:1 is the inflate ratio that Apache POI's ZipSecureFile (0.01) and common
    /// zip-bomb guards use; deflate's own best case is about 1032:1, so bombs sit far above it.
    /// </summary>
    public double MaxExpansionRatio
    {
        get => _maxExpansionRatio;
        set => _maxExpansionRatio = double.IsFinite(value) && value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The ratio must be a finite number of at least 1.");
    }

    /// <summary>
    /// Bytes a member may expand to before the ratio is enforced, because small, very regular
    /// parts (an empty sheet's XML, a CSV of blank lines) legitimately compress beyond 100:1.
    /// 1 MB, as POI's grace size is of the same order (100 KB) and real mail rarely exceeds it.
    /// </summary>
    public long RatioGraceBytes
    {
        get => _ratioGraceBytes;
        set => _ratioGraceBytes = RequireRange(value, 0, long.MaxValue);
    }

    /// <summary>
    /// <paramref name="produced"/> decompressed bytes from <paramref name="compressed"/> are past the
    /// expansion ratio: past the grace size, and more than <see cref="MaxExpansionRatio"/> times
    /// the compressed bytes (at least 1). One rule for archive members, whole archives, PDF
    /// streams and the parts a package decodes whole.
    /// </summary>
    public bool PastExpansionRatio(long produced, long compressed) =>
        produced > RatioGraceBytes && produced > MaxExpansionRatio * Math.Max(1, compressed);

    /// <summary>
    /// The finding for <paramref name="what"/> ('name', archive 'name' overall, 'PDF stream (filter)')
    /// once <see cref="PastExpansionRatio"/> holds: the one wording of the limit and its figures.
    /// </summary>
    internal ExtractionLimitException ExpansionRatioExceeded(string what, long produced, long compressed) =>
        new(UnscannableReason.ExpansionRatioExceeded,
            $"expansion ratio limit ({Ratio(MaxExpansionRatio)}) exceeded by {what} ({Count(produced)} bytes from {Count(compressed)})",
            global: false);

    /// <summary>
    /// Archive members across all levels of one attachment. 10,000: a large source archive
    /// has a few thousand files; beyond that an archive is built to exhaust the scanner.
    /// </summary>
    public int MaxEntries
    {
        get => _maxEntries;
        set => _maxEntries = RequireRange(value, 1, int.MaxValue);
    }

    /// <summary>
    /// Table cells emitted for one attachment. 10 million: ten full-height Excel columns
    /// (1,048,576 rows each); a 50 MB CSV of short fields stays below it.
    /// </summary>
    public long MaxCells
    {
        get => _maxCells;
        set => _maxCells = RequireRange(value, 1, long.MaxValue);
    }

    /// <summary>
    /// How many times one OpenDocument row or cell is repeated
    /// (table:number-rows-repeated / number-columns-repeated) when it carries content. The
    /// attributes cost a few bytes and can claim a million copies; empty repeats are skipped.
    /// </summary>
    public int MaxRepeatedCells
    {
        get => _maxRepeatedCells;
        set => _maxRepeatedCells = RequireRange(value, 1, 1_048_576);
    }

    /// <summary>
    /// Pages read from one PDF; the pages after it are not read, and the file is reported
    /// unscannable (TooManyParts) with what was read before still scanned. 2,000: a long report
    /// or a scanned bundle runs to a few hundred pages; PdfPig reads a text page in about a
    /// millisecond here, so the limit is reached well inside <see cref="TimeBudget"/>, which
    /// still bounds pages that are slow to read.
    /// </summary>
    public int MaxPdfPages
    {
        get => _maxPdfPages;
        set => _maxPdfPages = RequireRange(value, 1, 1_000_000);
    }

    /// <summary>
    /// A non-seekable member that must be spooled (zip, OLE2, PDF) stays in memory up to this
    /// size and goes to a delete-on-close temporary file beyond it. 4 MB keeps ordinary
    /// attachments off the disk.
    /// </summary>
    public long MaxInMemorySpoolBytes
    {
        get => _maxInMemorySpoolBytes;
        set => _maxInMemorySpoolBytes = RequireRange(value, 0, 1L << 30);
    }

    /// <summary>
    /// Wall-clock time for one attachment, nested members included. 30 s is well inside
    /// SMTP's 10-minute end-of-DATA timeout (RFC 5321 §4.5.3.2.6) even for many attachments.
    /// </summary>
    public TimeSpan TimeBudget
    {
        get => _timeBudget;
        set => _timeBudget = value > TimeSpan.Zero && value <= TimeSpan.FromHours(1) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The time budget must be positive and at most an hour.");
    }

    /// <summary>
    /// Reads text out of pictures and image-only PDF pages (<see cref="OcrEngine"/>), or null when
    /// OCR is not installed: pictures are then not read and not findings, as before OCR existed
    /// (tesseract is an optional peer; the Host logs its absence once). Not a limit, but kept here
    /// because this object is what reaches every extraction (InspectionOptions.Extraction).
    /// </summary>
    public IImageTextReader? ImageText { get; set; }

    /// <summary>
    /// The clock the time budgets run on: the host's TimeProvider, so a test's clock drives them and
    /// the budget is measured the same way as everything else the host times. The system's by default.
    /// </summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>
    /// Pictures narrower than this are not OCRed and are not findings. 300 px: a table row with a
    /// name, a date and an NI number needs about 35 characters, at least 8 px each to be legible;
    /// signature logos and icons are narrower.
    /// </summary>
    public int OcrMinWidth
    {
        get => _ocrMinWidth;
        set => _ocrMinWidth = RequireRange(value, 1, 100_000);
    }

    /// <summary>
    /// Pictures shorter than this are not OCRed. 100 px: a header and four rows of 20 px (a
    /// spreadsheet at 100% zoom); a banner logo is shorter.
    /// </summary>
    public int OcrMinHeight
    {
        get => _ocrMinHeight;
        set => _ocrMinHeight = RequireRange(value, 1, 100_000);
    }

    /// <summary>
    /// Pictures smaller than this many bytes are not OCRed. 1 KB: flat graphics (a coloured logo,
    /// a spacer, a simple chart) compress below it whatever their size; lines of anti-aliased
    /// text do not.
    /// </summary>
    public int OcrMinBytes
    {
        get => _ocrMinBytes;
        set => _ocrMinBytes = RequireRange(value, 0, 1 << 30);
    }

    /// <summary>
    /// Pictures above this many pixels are not OCRed and are unscannable. 50 megapixels: a phone
    /// camera's largest mode; beyond it the recogniser's memory (several bytes a pixel) and time
    /// are out of proportion, and a header claiming 100,000 x 100,000 px is a decompression bomb.
    /// </summary>
    public long OcrMaxPixels
    {
        get => _ocrMaxPixels;
        set => _ocrMaxPixels = RequireRange(value, 1, long.MaxValue);
    }

    /// <summary>
    /// Time for one picture or PDF page, waiting for a pool slot included (and never more than
    /// what is left of <see cref="TimeBudget"/>). 20 s: a screenshot takes about half a second
    /// on one core, a full scanned page a few seconds; the recogniser is killed past it.
    /// </summary>
    public TimeSpan OcrTimeout
    {
        get => _ocrTimeout;
        set => _ocrTimeout = value > TimeSpan.Zero && value <= TimeSpan.FromMinutes(10) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The OCR timeout must be positive and at most 10 minutes.");
    }

    /// <summary>Whether a picture of this size may hold a table worth reading (see <see cref="OcrMinWidth"/>, <see cref="OcrMinHeight"/>).</summary>
    internal bool LargeEnoughForOcr(int width, int height) => width >= _ocrMinWidth && height >= _ocrMinHeight;

    /// <summary>Numbers in findings read the same whatever the server's culture: 10,000.</summary>
    internal static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    internal static string Ratio(double ratio) => ratio.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + ":1";

    internal string DescribeTimeBudget() => _timeBudget.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

    internal string DescribeNesting() => $"archive nesting limit ({_maxNestingDepth} levels) reached";

    private static int RequireRange(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string? name = null) =>
        value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"Must be between {min} and {max}.");

    private static long RequireRange(long value, long min, long max, [System.Runtime.CompilerServices.CallerMemberName] string? name = null) =>
        value >= min && value <= max ? value : throw new ArgumentOutOfRangeException(name, value, $"Must be between {min} and {max}.");
}
