using System.Globalization;

namespace MailGuard.Inspection.Detection;

/// <summary>Counts one finding kind within one location while content streams past.</summary>
internal sealed class FindingTally(string kind, int maxEvidence)
{
    private readonly List<string> _evidence = new(Math.Min(maxEvidence, 8));
    private readonly HashSet<string> _evidenceSeen = new(StringComparer.Ordinal);

    public string Kind { get; } = kind;

    public long Count { get; private set; }

    public long TestRange { get; private set; }

    public Confidence Confidence { get; private set; } = Confidence.Low;

    public ContentLocation? First { get; private set; }

    private int _offered;

    // Masked values often coincide ("LS6 ***" for a whole district), so offers are capped too:
    // otherwise every cell would be masked just to be discarded as a duplicate. A field, kept by
    // AddEvidence (the only change to either count): it is asked for every cell of a table.
    public bool WantsEvidence { get; private set; } = maxEvidence > 0;

    public IReadOnlyList<string> Evidence => _evidence;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(Confidence confidence, bool testRange = false)
    {
        Count++;
        if (testRange)
        {
            TestRange++;
        }

        if (confidence > Confidence)
        {
            Confidence = confidence;
        }
    }

    /// <summary>Caps the confidence: the values were found, but what they belong to says they are not personal.</summary>
    public void Demote(Confidence highest)
    {
        if (Confidence > highest)
        {
            Confidence = highest;
        }
    }

    /// <summary>Call only while <see cref="WantsEvidence"/>, with an already-masked value.</summary>
    public void AddEvidence(string masked, ContentLocation location)
    {
        First ??= location;
        _offered++;
        if (_evidence.Count < maxEvidence && _evidenceSeen.Add(masked))
        {
            _evidence.Add(masked);
        }

        WantsEvidence = _evidence.Count < maxEvidence && _offered < maxEvidence * 8;
    }

    public Finding ToFinding(ContentLocation fallback)
    {
        string? summary = null;
        if (TestRange > 0)
        {
            summary = string.Create(CultureInfo.InvariantCulture, $"{TestRange:N0} of {Count:N0} in the NHS 999 test range");
        }

        return new Finding(Kind, (int)Math.Min(Count, int.MaxValue), Confidence, First ?? fallback, _evidence.ToArray(), summary);
    }
}

/// <summary>The tallies of one location, in the order kinds were first seen.</summary>
internal sealed class TallySet(int maxEvidence)
{
    private readonly List<FindingTally> _tallies = [];

    public IReadOnlyList<FindingTally> All => _tallies;

    public FindingTally Get(string kind)
    {
        foreach (var t in _tallies)
        {
            if (ReferenceEquals(t.Kind, kind) || t.Kind == kind)
            {
                return t;
            }
        }

        var tally = new FindingTally(kind, maxEvidence);
        _tallies.Add(tally);
        return tally;
    }
}
