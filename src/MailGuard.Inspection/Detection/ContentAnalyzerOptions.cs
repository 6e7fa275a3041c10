namespace MailGuard.Inspection.Detection;

public sealed class ContentAnalyzerOptions
{
    private int _maxEvidence = 5;
    private int _minPeople = 2;
    private int _headerSearchRows = 10;
    private int _sampleRows = 64;

    /// <summary>
    /// "Today" for the date-of-birth age check. Null means the injected TimeProvider's UTC date;
    /// tests and re-scans of old mail pin it.
    /// </summary>
    public DateOnly? ReferenceDate { get; set; }

    /// <summary>Masked examples kept per finding: enough for a reviewer to recognise the data, few enough that the finding is not itself a leak.</summary>
    public int MaxEvidence
    {
        get => _maxEvidence;
        set => _maxEvidence = value is >= 0 and <= 50 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "0 to 50");
    }

    /// <summary>
    /// Fewest people for a personal-data finding. One person's own details (a letter to them, a
    /// form they filled in) is not a disclosure about "several individuals", so the default is 2.
    /// </summary>
    public int MinPeople
    {
        get => _minPeople;
        set => _minPeople = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "at least 1");
    }

    /// <summary>Rows searched for a header row: report exports put titles, notes and blank rows above it.</summary>
    public int HeaderSearchRows
    {
        get => _headerSearchRows;
        set => _headerSearchRows = value is >= 1 and <= 100 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "1 to 100");
    }

    /// <summary>Data rows buffered to classify columns without a usable header; the rest stream.</summary>
    public int SampleRows
    {
        get => _sampleRows;
        set => _sampleRows = value is >= 1 and <= 1000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "1 to 1000");
    }

    /// <summary>
    /// Distinct values remembered per document so that a value written twice counts once
    /// (<see cref="ProseAnalyzer"/>); past it, values are counted as they come, so memory stays
    /// bounded. Internal: tests set it small to reach its edge.
    /// </summary>
    internal int DistinctValuesCap { get; init; } = ProseAnalyzer.CountedValuesCap;
}
