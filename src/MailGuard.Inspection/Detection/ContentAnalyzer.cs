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
    private readonly MailboxDomains _mailboxes;
    private readonly DateOnly _reference;
    private readonly List<TableAnalyzer> _tables = [];
    private readonly List<TableAnalyzer> _openTables = [];
    private readonly Dictionary<ContentLocation, ProseAnalyzer> _prose = [];
    private readonly List<ProseAnalyzer> _proseOrder = [];
    private readonly List<Finding> _other = [];

    /// <param name="mailboxes">Whose the addresses in content are (Policy:PersonalMailboxDomains, Policy:InternalDomains); null: <see cref="MailboxDomains.Default"/>.</param>
    public ContentAnalyzer(ContentAnalyzerOptions? options = null, TimeProvider? timeProvider = null, MailboxDomains? mailboxes = null)
    {
        _mailboxes = mailboxes ?? MailboxDomains.Default;
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
            var reported = new List<PeopleKeys>();
            foreach (var prose in _proseOrder)
            {
                // The same people told twice (a text body and its HTML twin) is one finding.
                if (IsRepeat(prose.PeopleKeys, reported))
                {
                    continue;
                }

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

            var reportedTables = new HashSet<string>(StringComparer.Ordinal);
            var tableFindings = new List<Finding>();
            foreach (var table in _tables)
            {
                // One finding per table of people: an HTML table is also read from the text it
                // flattens to, and a body's text and HTML parts carry the same table.
                if (IsRepeat(table.People, reported))
                {
                    continue;
                }

                tableFindings.Clear();
                if (table.PersonalData is { } personal)
                {
                    tableFindings.Add(personal);
                }

                foreach (var tally in table.Tallies.All)
                {
                    if (tally.Count > 0)
                    {
                        tableFindings.Add(tally.ToFinding(table.Location));
                    }
                }

                // A table without people's keys (a staff list, a column of e-mail addresses) read
                // twice in those ways is known by what it found: the same kinds, counts and
                // evidence are the same table, reported once.
                if (table.People.Keys.Count == 0 && tableFindings.Count > 0 && !reportedTables.Add(Fingerprint(tableFindings)))
                {
                    continue;
                }

                findings.AddRange(tableFindings);
            }

            if (PeopleAcrossParts() is { Finding: { } across })
            {
                findings.Add(across);
            }

            findings.AddRange(_other);
            return findings;
        }
    }

    // What a table's findings say, without where: kind, count, confidence and evidence of each.
    private static string Fingerprint(List<Finding> findings)
    {
        var text = new System.Text.StringBuilder();
        foreach (var f in findings)
        {
            text.Append(f.Kind).Append('|').Append(f.Count).Append('|').Append(f.Confidence).Append('|').AppendJoin('\u001f', f.Evidence).Append('\u001e');
        }

        return text.ToString();
    }

    private static bool IsRepeat(PeopleKeys people, List<PeopleKeys> reported)
    {
        if (people.Keys.Count == 0)
        {
            return false;
        }

        foreach (var earlier in reported)
        {
            if (people.SamePeopleAs(earlier))
            {
                return true;
            }
        }

        reported.Add(people);
        return false;
    }

    /// <summary>
    /// People across the parts of the message (issue 14): an archive of twenty one-person letters,
    /// or three small CSVs, is one disclosure. Distinct people by identifier or name across every
    /// attachment and archive member, the body counted once (its text and HTML parts are one
    /// letter); a finding only when that is more than the largest single part.
    /// </summary>
    private (long Count, Finding? Finding) PeopleAcrossParts()
    {
        static long Unkeyed(long people, PeopleKeys keys) => keys.Complete ? keys.Unkeyed : people - keys.Keys.Count;

        var documents = new Dictionary<string, List<(long People, PeopleKeys Keys)>>(StringComparer.Ordinal);
        var order = new List<string>();
        long largest = 0;
        void Add(ContentLocation location, long people, PeopleKeys keys)
        {
            largest = Math.Max(largest, people);
            if (people <= 0)
            {
                return;
            }

            var document = location.FileName ?? string.Empty;
            if (!documents.TryGetValue(document, out var list))
            {
                documents.Add(document, list = []);
                order.Add(document);
            }

            list.Add((people, keys));
        }

        foreach (var table in _tables)
        {
            Add(table.Location, table.Summary!.PeopleCount, table.People);
        }

        foreach (var prose in _proseOrder)
        {
            Add(prose.Location, prose.People, prose.PeopleKeys);
        }

        foreach (var document in order)
        {
            if (document.Length == 0 && documents[document] is { Count: > 1 } alternatives)
            {
                // The body: its parts are alternatives or quotes of one another.
                documents[document] = [alternatives.MaxBy(c => c.People)];
            }
        }

        if (order.Count == 1 && documents[order[0]] is [var (onlyPeople, only)])
        {
            // One part with people (the usual case): its own keys, not a copy of them.
            return (Math.Max(only.Keys.Count + Unkeyed(onlyPeople, only), largest), null);
        }

        var keys = new HashSet<long>(documents.Values.Sum(l => l.Sum(c => c.Keys.Keys.Count)));
        long unkeyed = 0;
        var parts = new List<(string Name, long People)>();
        foreach (var document in order)
        {
            var list = documents[document];

            var before = keys.Count;
            long documentUnkeyed = 0;
            foreach (var (people, peopleKeys) in list)
            {
                keys.UnionWith(peopleKeys.Keys);
                documentUnkeyed = Math.Max(documentUnkeyed, Unkeyed(people, peopleKeys));
            }

            unkeyed += documentUnkeyed;
            var added = keys.Count - before + documentUnkeyed;
            if (added > 0)
            {
                parts.Add((document.Length == 0 ? "message body" : document, added));
            }
        }

        var total = keys.Count + unkeyed;
        if (total <= largest || total < _options.MinPeople || parts.Count < 2)
        {
            return (Math.Max(total, largest), null);
        }

        // Files are often named after the person they are about: the summary is shown and mailed, so
        // its names are masked like evidence (the location keeps them for the reviewer's masking).
        var listed = string.Join(", ", parts.Take(5).Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{TextRedactor.Redact(p.Name, _reference)} ({p.People:N0})")));
        if (parts.Count > 5)
        {
            listed += string.Create(System.Globalization.CultureInfo.InvariantCulture, $" and {parts.Count - 5:N0} more");
        }

        var names = parts.Select(p => p.Name).ToList();
        var archive = names[0].Split(" > ")[0];
        var where = names.All(n => n.StartsWith(archive + " > ", StringComparison.Ordinal)) ? archive
            : names.Count <= 3 ? string.Join(" + ", names)
            : string.Join(" + ", names.Take(3)) + " + ...";
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{total:N0} people across {parts.Count:N0} parts: {listed}");
        var finding = new Finding(FindingKinds.PersonalData, (int)Math.Min(total, int.MaxValue), total >= 10 ? Confidence.High : Confidence.Medium,
            new ContentLocation("/", where), [], text);
        return (total, finding);
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

    /// <summary>
    /// The largest people count of any table or text, or of the people across all parts when that
    /// is larger: what a "several individuals" rule compares.
    /// </summary>
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

            return Math.Max(max, PeopleAcrossParts().Count);
        }
    }

    public void OnText(ContentLocation location, string text)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // Zero-width characters and fullwidth digits are read as a reader sees them.
        text = VisibleText.Fold(text);

        // Blocks of one document (paragraphs, pages) share a location: one person mentioned on
        // page 1 and again on page 3 is one person. Blocks are joined line by line before they
        // are read, because extractors may send a Word paragraph per line ("Name: ...",
        // "Address: ...") and a record must not be cut at every block boundary.
        var key = location with { Row = null, Column = null, Page = null };
        if (!_prose.TryGetValue(key, out var prose))
        {
            prose = new ProseAnalyzer(key, _options, _reference, _mailboxes);
            _prose.Add(key, prose);
            _proseOrder.Add(prose);
        }

        if (prose.Pending.Length > 0 && prose.Pending.Length + text.Length > PendingTextLimit)
        {
            Flush(prose);
        }

        if (location.Page is { } page && (prose.PageStarts.Count == 0 || prose.PageStarts[^1].Page != page))
        {
            // Where each page starts among the pending lines, so findings can say "page 2".
            prose.PageStarts.Add((prose.PendingLines, page));
        }

        prose.Pending.Append(text);
        prose.PendingLines += text.AsSpan().Count('\n');
        if (text[^1] != '\n')
        {
            prose.Pending.Append('\n');
            prose.PendingLines++;
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
        prose.PendingLines = 0;
        var pages = prose.PageStarts.ToArray();
        prose.PageStarts.Clear();
        int? PageOf(int line)
        {
            int? page = null;
            foreach (var (start, number) in pages)
            {
                if (start > line)
                {
                    break;
                }

                page = number;
            }

            return page;
        }

        // Tables written as text are read as tables; the prose around them as prose. Lists are
        // local: a form-layout table read here writes text back through OnText.
        var lines = new List<string>();
        var blocks = new List<TextTables.Block>();
        var rest = TextTables.Extract(text, lines, blocks);
        foreach (var block in blocks)
        {
            var table = StartTable(prose.Location with { Page = PageOf(block.FirstLine) });
            for (var i = 0; i < block.LineCount; i++)
            {
                var line = block.FirstLine + i;
                if (!string.IsNullOrWhiteSpace(lines[line]))
                {
                    table.OnRow(line, TextTables.Split(lines[line], block.Delimiter).Select(Cell.FromText).ToArray());
                }
            }

            table.Complete();

            // A comma or space "table" that held nobody may be sentences after all.
            if (block.Delimiter is TextTables.Delimiter.Comma or TextTables.Delimiter.Spaces && table.Summary is { PeopleCount: 0 })
            {
                var blockText = new System.Text.StringBuilder();
                for (var i = 0; i < block.LineCount; i++)
                {
                    blockText.Append(lines[block.FirstLine + i]).Append('\n');
                }

                prose.ProcessUncounted(blockText.ToString());
            }
        }

        // The prose left around the tables, with each table replaced by one blank line: which
        // original line each of its lines was, for page numbers.
        Func<int, int?>? pageOfRestLine = null;
        if (pages.Length > 0 && blocks.Count == 0)
        {
            pageOfRestLine = PageOf;
        }
        else if (pages.Length > 0)
        {
            var original = new List<int>(lines.Count);
            var next = 0;
            foreach (var block in blocks)
            {
                for (; next < block.FirstLine; next++)
                {
                    original.Add(next);
                }

                original.Add(block.FirstLine);
                next = block.FirstLine + block.LineCount;
            }

            for (; next < lines.Count; next++)
            {
                original.Add(next);
            }

            pageOfRestLine = line => PageOf(line < original.Count ? original[line] : line);
        }

        prose.Process(rest, pageOfRestLine);
    }

    /// <summary>
    /// Tables an extractor may begin in one message and have read as tables; past it, a table's
    /// rows are read as lines of text (<see cref="TableFormReader"/>, cells joined by " / "), so
    /// that a page of a hundred thousand one-row tables costs what its text does, not a table
    /// analyzer each.
    /// </summary>
    public const int MaxTables = 1000;

    private int _tablesBegun;

    public ITableSink BeginTable(ContentLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return ++_tablesBegun > MaxTables
            ? new TableFormReader(location with { Sheet = null, Row = null, Column = null }, OnText, lines: true, separator: " / ")
            : StartTable(location);
    }

    private TableAnalyzer StartTable(ContentLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var table = new TableAnalyzer(location, _options, _reference, new TallySet(_options.MaxEvidence), t =>
        {
            _openTables.Remove(t);
            _tables.Add(t);
        }, OnText, _mailboxes);
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
