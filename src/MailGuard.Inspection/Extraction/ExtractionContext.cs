namespace MailGuard.Inspection.Extraction;

/// <summary>
/// State of one <see cref="ContentExtractor.Extract"/> call: the sink, the limits and the
/// counters that span every nesting level, so a bomb spread over many members still adds up.
/// </summary>
internal sealed class ExtractionContext
{
    private readonly long _deadline;
    private long _expandedBytes;
    private long _entries;
    private long _cells;

    public ExtractionContext(IContentSink sink, ExtractionLimits limits, EmbeddedMessageHandler? embeddedMessage, CancellationToken cancellationToken, CancellationToken budgetToken)
    {
        Sink = sink;
        Limits = limits;
        EmbeddedMessage = embeddedMessage;
        CancellationToken = cancellationToken;
        BudgetToken = budgetToken;
        // Checked directly as well as through the timer-driven token: a starved thread pool
        // can fire the timer late, and the budget must hold on a busy machine.
        _deadline = limits.Time.GetTimestamp() + (long)(limits.TimeBudget.TotalSeconds * limits.Time.TimestampFrequency);
    }

    public IContentSink Sink { get; }

    public ExtractionLimits Limits { get; }

    public EmbeddedMessageHandler? EmbeddedMessage { get; }

    /// <summary>Cancelled by the caller or when the time budget runs out.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Cancelled only by the time budget, to tell the two apart.</summary>
    public CancellationToken BudgetToken { get; }

    public long ExpandedBytes => _expandedBytes;

    /// <summary>Time left of the attachment's budget (zero when spent).</summary>
    public TimeSpan Remaining
    {
        get
        {
            long left = _deadline - Limits.Time.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / Limits.Time.TimestampFrequency);
        }
    }

    /// <summary>The OCR time for one picture: the per-picture limit or what is left of the budget, whichever is less.</summary>
    public TimeSpan OcrTimeout => Remaining < Limits.OcrTimeout ? Remaining : Limits.OcrTimeout;

    public void ThrowIfCancelled()
    {
        bool overBudget = Limits.Time.GetTimestamp() > _deadline;
        if (overBudget || CancellationToken.IsCancellationRequested)
        {
            throw new ExtractionLimitException(
                UnscannableReason.TimeBudgetExceeded,
                overBudget || BudgetToken.IsCancellationRequested ? $"time limit ({Limits.DescribeTimeBudget()} per attachment) exceeded" : "extraction cancelled by the caller",
                global: true);
        }
    }

    public void AddExpanded(long bytes)
    {
        _expandedBytes += bytes;
        if (_expandedBytes > Limits.MaxTotalExpandedBytes)
        {
            throw new ExtractionLimitException(UnscannableReason.ExpandedSizeExceeded, $"expanded size limit ({ExtractionLimits.Count(Limits.MaxTotalExpandedBytes)} bytes) exceeded", global: true);
        }
    }

    public void AddEntry()
    {
        if (++_entries > Limits.MaxEntries)
        {
            throw new ExtractionLimitException(UnscannableReason.TooManyParts, $"archive entry limit ({ExtractionLimits.Count(Limits.MaxEntries)}) reached", global: true);
        }
    }

    public void AddCells(int count)
    {
        _cells += count;
        if (_cells > Limits.MaxCells)
        {
            throw new ExtractionLimitException(UnscannableReason.ExpandedSizeExceeded, $"table cell limit ({ExtractionLimits.Count(Limits.MaxCells)}) reached", global: true);
        }
    }
}

/// <summary>
/// A limit was hit. Thrown from deep inside a reader (a decompressing stream, a row loop) so
/// the work unwinds at once; caught by the nearest archive or by the entry point and turned
/// into one <see cref="IContentSink.OnUnscannable"/> call. Never escapes the extractor.
/// </summary>
internal sealed class ExtractionLimitException : Exception
{
    public ExtractionLimitException(UnscannableReason reason, string detail, bool global)
        : base(detail)
    {
        Reason = reason;
        Global = global;
    }

    public UnscannableReason Reason { get; }

    /// <summary>The limit spans the whole attachment (size, time, entries): every level stops.</summary>
    public bool Global { get; }

    public bool Reported { get; set; }

    /// <summary>
    /// Reports the limit at <paramref name="location"/> unless a deeper level already did; true
    /// when it spans the whole attachment (<see cref="Global"/>) and every level must stop.
    /// </summary>
    public bool ReportOnce(IContentSink sink, ContentLocation location)
    {
        if (!Reported)
        {
            sink.OnUnscannable(location, Reason, Message);
            Reported = true;
        }

        return Global;
    }
}
