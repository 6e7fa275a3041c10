namespace MailGuard.Inspection.Detection;

/// <summary>
/// The detectors' side of <see cref="IContentSink"/>: extractors write text and tables into
/// it, and it answers with findings (masked evidence only) and per-table and per-text
/// summaries for policy. One instance per message; not thread-safe (extractors write from
/// one thread, as the sink contract streams).
/// </summary>
public sealed class ContentAnalyzer : IContentSink
{
    private readonly ContentAnalyzerOptions _options;
    private readonly DateOnly _reference;
    private readonly List<TableAnalyzer> _tables = [];
    private readonly List<TableAnalyzer> _openTables = [];
    private readonly Dictionary<ContentLocation, ProseAnalyzer> _prose = [];
    private readonly List<ProseAnalyzer> _proseOrder = [];
    private readonly List<Finding> _other = [];

    public ContentAnalyzer(ContentAnalyzerOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new ContentAnalyzerOptions();
        _reference = _options.ReferenceDate
            ?? DateOnly.FromDateTime((timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime);
    }

    /// <summary>The date ages are measured from.</summary>
    public DateOnly ReferenceDate => _reference;

    /// <summary>
    /// Everything found so far: per location, the personal-data finding (if any) first, then
    /// one finding per identifier kind. Tables still open (no Complete yet) are not included.
    /// </summary>
    public IReadOnlyList<Finding> Findings
    {
        get
        {
            FlushAll();
            var findings = new List<Finding>();
            foreach (var prose in _proseOrder)
            {
                if (prose.ToPersonalDataFinding() is { } personal)
                {
                    findings.Add(personal);
                }

                foreach (var tally in prose.Tallies.All)
                {
                    if (tally.Count > 0)
                    {
                        findings.Add(tally.ToFinding(prose.Location));
                    }
                }
            }

            foreach (var table in _tables)
            {
                if (table.PersonalData is { } personal)
                {
                    findings.Add(personal);
                }

                foreach (var tally in table.Tallies.All)
                {
                    if (tally.Count > 0)
                    {
                        findings.Add(tally.ToFinding(table.Location));
                    }
                }
            }

            findings.AddRange(_other);
            return findings;
        }
    }

    /// <summary>Completed tables, in the order they completed.</summary>
    public IReadOnlyList<TableSummary> Tables
    {
        get
        {
            FlushAll();
            return _tables.Select(t => t.Summary!).ToArray();
        }
    }

    /// <summary>Prose per location, in the order locations were first seen.</summary>
    public IReadOnlyList<TextSummary> Texts
    {
        get
        {
            FlushAll();
            return _proseOrder.Select(p => p.ToSummary()).ToArray();
        }
    }

    /// <summary>
    /// Masked previews of the content behind the findings: each table that holds people, and the
    /// prose of each location with findings, in the order of <see cref="Findings"/>.
    /// </summary>
    public IReadOnlyList<ContentPreview> Previews
    {
        get
        {
            FlushAll();
            var previews = new List<ContentPreview>();
            foreach (var prose in _proseOrder)
            {
                if (prose.Sentences.Count > 0 && (prose.ToPersonalDataFinding() is not null || prose.Tallies.All.Any(t => t.Count > 0)))
                {
                    previews.Add(new ContentPreview(prose.Location, null, [], prose.Sentences.ToArray()));
                }
            }

            previews.AddRange(_tables.Select(t => t.Preview).OfType<ContentPreview>());
            return previews;
        }
    }

    /// <summary>The largest people count of any table or text: what a "several individuals" rule compares.</summary>
    public long MaxPeopleCount
    {
        get
        {
            FlushAll();
            long max = 0;
            foreach (var t in _tables)
            {
                max = Math.Max(max, t.Summary!.PeopleCount);
            }

            foreach (var p in _proseOrder)
            {
                max = Math.Max(max, p.People);
            }

            return max;
        }
    }

    public void OnText(ContentLocation location, string text)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // Blocks of one document (paragraphs, pages) share a location: one person mentioned on
        // page 1 and again on page 3 is one person. Blocks are joined line by line before they
        // are read, because extractors may send a Word paragraph per line ("Name: ...",
        // "Address: ...") and a record must not be cut at every block boundary.
        var key = location with { Row = null, Column = null };
        if (!_prose.TryGetValue(key, out var prose))
        {
            prose = new ProseAnalyzer(key, _options, _reference);
            _prose.Add(key, prose);
            _proseOrder.Add(prose);
        }

        if (prose.Pending.Length > 0 && prose.Pending.Length + text.Length > PendingTextLimit)
        {
            Flush(prose);
        }

        prose.Pending.Append(text);
        if (text[^1] != '\n')
        {
            prose.Pending.Append('\n');
        }

        if (prose.Pending.Length >= PendingTextLimit)
        {
            Flush(prose);
        }
    }

    // Text is read in pieces of at most this many characters (a long document is still read
    // whole, a piece at a time); bounded so one huge body never doubles in memory.
    private const int PendingTextLimit = 4 * 1024 * 1024;

    private void FlushAll()
    {
        foreach (var table in _openTables.ToArray())
        {
            table.CompleteEarly();
        }

        // Reading text may produce more text (a form-layout table found in it is read as
        // "label: value" lines), so repeat until nothing is pending.
        for (var pass = 0; pass < 4; pass++)
        {
            var any = false;
            for (var i = 0; i < _proseOrder.Count; i++)
            {
                if (_proseOrder[i].Pending.Length > 0)
                {
                    Flush(_proseOrder[i]);
                    any = true;
                }
            }

            if (!any)
            {
                break;
            }
        }
    }

    private static string StripQuoteMarkers(System.Text.StringBuilder pending)
    {
        var text = pending.ToString();
        if (!text.Contains('>'))
        {
            return text;
        }

        var result = new System.Text.StringBuilder(text.Length);
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range);
            var i = 0;
            while (i < line.Length && (line[i] == '>' || (line[i] == ' ' && i + 1 < line.Length && line[i + 1] == '>')))
            {
                i++;
            }

            if (i > 0 && i < line.Length && line[i] == ' ')
            {
                i++;
            }

            result.Append(line[i..]).Append('\n');
        }

        return result.ToString();
    }

    private void Flush(ProseAnalyzer prose)
    {
        // Quoted replies ("> ...") are read as the text they quote.
        var text = StripQuoteMarkers(prose.Pending);
        prose.Pending.Clear();

        // Tables written as text are read as tables; the prose around them as prose. Lists are
        // local: a form-layout table read here writes text back through OnText.
        var lines = new List<string>();
        var blocks = new List<TextTables.Block>();
        var rest = TextTables.Extract(text, lines, blocks);
        foreach (var block in blocks)
        {
            var table = BeginTable(prose.Location);
            for (var i = 0; i < block.LineCount; i++)
            {
                var line = block.FirstLine + i;
                if (!string.IsNullOrWhiteSpace(lines[line]))
                {
                    table.OnRow(line, TextTables.Split(lines[line], block.Delimiter).Select(Cell.FromText).ToArray());
                }
            }

            table.Complete();
        }

        prose.Process(rest);
    }

    public ITableSink BeginTable(ContentLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var table = new TableAnalyzer(location, _options, _reference, new TallySet(_options.MaxEvidence), t =>
        {
            _openTables.Remove(t);
            _tables.Add(t);
        }, OnText);
        _openTables.Add(table);
        return table;
    }

    public void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail)
    {
        ArgumentNullException.ThrowIfNull(location);
        _other.Add(new Finding(FindingKinds.Unscannable, 1, Confidence.High, location, [], $"{reason}: {detail}", reason.ToString()));
    }

    /// <summary>Structure that readers resolve differently: a finding even when no data is found in it.</summary>
    public void OnMalformedStructure(ContentLocation location, string detail)
    {
        ArgumentNullException.ThrowIfNull(location);
        _other.Add(new Finding(FindingKinds.MalformedStructure, 1, Confidence.High, location, [], detail));
    }

    public void OnTypeMismatch(ContentLocation location, string declared, string detected)
    {
        ArgumentNullException.ThrowIfNull(location);
        _other.Add(new Finding(FindingKinds.TypeMismatch, 1, Confidence.High, location, [], $"declared {declared}, detected {detected}"));
    }
}
