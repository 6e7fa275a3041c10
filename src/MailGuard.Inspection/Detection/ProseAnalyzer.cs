using System.Globalization;
using System.Numerics;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Counts the people described in the prose of one location (a body, a document) across all
/// the text blocks it receives. A paragraph is one record, unless several of its lines each
/// carry two or more kinds of personal data, in which case each such line is a record (a list
/// like "Jane Doe, DOB 01/02/1990, NI AB123456C"). Within a record, distinct values of one
/// identifying kind are distinct people (five birth dates in a letter are five children);
/// values seen before in the location are the same person again.
/// </summary>
internal sealed partial class ProseAnalyzer
{
    private const int AnchorCap = 200_000;

    private static readonly ulong s_strongBits = Bits(DataKind.NiNumber, DataKind.NhsNumber, DataKind.DateOfBirth,
        DataKind.PassportNumber, DataKind.PrisonerNumber, DataKind.DrivingLicence);

    private static readonly ulong s_contactBits = Bits(DataKind.PostalAddress, DataKind.Postcode);

    private static readonly ulong s_lineContactBits = Bits(DataKind.PostalAddress, DataKind.Postcode, DataKind.EmailAddress, DataKind.Phone);

    private static readonly ulong s_ignoredBits = Bits(DataKind.Unknown, DataKind.NotPersonal, DataKind.WorkLocation,
        DataKind.TrainingRecords, DataKind.JobTitle, DataKind.PersonTitle, DataKind.Organisation, DataKind.Reference, DataKind.OtherDate);

    // The labels of a quoted reply's header lines (IsCorrespondenceLine).
    private static readonly string[] s_correspondenceLabels = ["From:", "To:", "Cc:", "Bcc:", "Reply-To:", "Sender:", "Sent:", "Date:"];

    private readonly ContentLocation _location;
    private readonly ContentAnalyzerOptions _options;
    private readonly DateOnly _reference;
    private readonly MailboxDomains _mailboxes;
    private readonly HashSet<long> _anchors = [];

    // The values counted in the findings so far (kind and the value's 32-bit hash, so about one in
    // 100,000 distinct values may merge with another): a value written twice in one document is
    // one value ("AB 12 34 56 C" in a form's text and again in its table's). Past the cap
    // (ContentAnalyzerOptions.DistinctValuesCap), values are counted as they come.
    internal const int CountedValuesCap = 100_000;
    private readonly HashSet<long> _counted = [];

    // People named in sentences with something personal beside the name (ProseMentions).
    private readonly HashSet<int> _named = [];
    private readonly List<TextMatch> _matches = [];
    private long _strongPeople;
    private long _contactPeople;
    private ulong _kinds;

    public ProseAnalyzer(ContentLocation location, ContentAnalyzerOptions options, DateOnly reference, MailboxDomains mailboxes)
    {
        _location = location;
        _options = options;
        _reference = reference;
        _mailboxes = mailboxes;
        Tallies = new TallySet(options.MaxEvidence);
    }

    public TallySet Tallies { get; }

    /// <summary>Masked sentences around the identifiers read so far (see <see cref="ContentPreviews"/>).</summary>
    public List<string> Sentences { get; } = [];

    /// <summary>Text received but not yet read (see <see cref="ContentAnalyzer.OnText"/>).</summary>
    public System.Text.StringBuilder Pending { get; } = new();

    /// <summary>Lines in <see cref="Pending"/>.</summary>
    public int PendingLines { get; set; }

    /// <summary>The pending line each page (of a PDF) starts on.</summary>
    public List<(int Line, int Page)> PageStarts { get; } = [];

    /// <summary>The page the first person counted here was on, for a PDF.</summary>
    public int? FirstPage { get; private set; }

    public ContentLocation Location => _location;

    /// <summary>
    /// One person's details are often split over paragraphs (a letter with their date of
    /// birth in one and their address in another); one strong record plus one contact record
    /// is therefore read as one person.
    /// </summary>
    public long People => Math.Max(AnchoredPeople, _named.Count);

    private long AnchoredPeople => _strongPeople <= 1 && _contactPeople <= 1 ? Math.Max(_strongPeople, _contactPeople) : _strongPeople + _contactPeople;

    /// <summary>Who the people are: their names when they were counted by name, else only how many.</summary>
    public PeopleKeys PeopleKeys
    {
        get
        {
            if (People == 0)
            {
                return PeopleKeys.None;
            }

            if (_named.Count > AnchoredPeople)
            {
                var keys = new HashSet<long>(_named.Count);
                foreach (var name in _named)
                {
                    keys.Add(((long)DataKind.Name << 32) | (uint)name);
                }

                return new PeopleKeys(keys, 0, _named.Count < AnchorCap);
            }

            // Counted by their identifiers: the identifier kind with one value per person keys them
            // (a letter's one date of birth, read again in its PDF copy, is the same person).
            var byKind = new Dictionary<long, int>();
            foreach (var anchor in _anchors)
            {
                var kind = anchor >> 32;
                if ((s_strongBits & DataKinds.Bit((DataKind)kind)) != 0)
                {
                    byKind[kind] = byKind.GetValueOrDefault(kind) + 1;
                }
            }

            foreach (var (kind, count) in byKind)
            {
                if (count == AnchoredPeople && _anchors.Count < AnchorCap)
                {
                    return new PeopleKeys(_anchors.Where(a => a >> 32 == kind).ToHashSet(), 0, true);
                }
            }

            return _named.Count == AnchoredPeople
                ? new PeopleKeys(_named.Select(n => ((long)DataKind.Name << 32) | (uint)n).ToHashSet(), 0, true)
                : new PeopleKeys(new HashSet<long>(), People, true);
        }
    }

    private static ulong Bits(params ReadOnlySpan<DataKind> kinds)
    {
        ulong bits = 0;
        foreach (var k in kinds)
        {
            bits |= DataKinds.Bit(k);
        }

        return bits;
    }

    /// <summary>
    /// Lines read as a comma or space table that held nobody, which may be prose all the same
    /// ("Susan Bell (mother) - 07700 900123, 4 Kay Street, ...", "OKAFOR, Amelia - DOB 12/03/1965
    /// - 14 Fern Road, Leeds LS6 2AB"): read for people as sentences and records are. What the
    /// table's cells held is already counted in the findings, so it is not counted again.
    /// </summary>
    public void ProcessUncounted(string text) => ProcessText(text, count: false);

    public void Process(string text, Func<int, int?>? pageOfLine = null)
    {
        var before = People;
        ProcessText(text, count: true);
        if (FirstPage is null && pageOfLine is not null && People > before)
        {
            FirstPage = pageOfLine(_firstPersonLine);
        }
    }

    // The line (of the text being read) of the first record that counted someone new.
    private int _firstPersonLine;

    private void NotePerson(string text, int offset)
    {
        if (FirstPage is null && _firstPersonLine < 0)
        {
            _firstPersonLine = text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');
        }
    }

    private void ProcessText(string text, bool count)
    {
        _firstPersonLine = -1;
        _matches.Clear();
        TextScanner.Scan(text, _reference, _matches);
        ContentPreviews.AddSentences(text, _matches, Sentences);
        if (count)
        {
            foreach (var m in _matches)
            {
                var findingKind = DataKinds.FindingKind(m.Kind);
                if (findingKind is null)
                {
                    continue;
                }

                if (_counted.Count < _options.DistinctValuesCap && !_counted.Add(((long)m.Kind << 32) | (uint)m.ValueHash))
                {
                    continue;
                }

                var tally = Tallies.Get(findingKind);
                tally.Add(m.Confidence, m.TestRange);
                if (tally.WantsEvidence)
                {
                    tally.AddEvidence(TextScanner.Mask(text, m), _location);
                }
            }
        }

        var labelled = text.Contains(':');
        if (_matches.Count > 0 || labelled)
        {
            CountPeople(text, labelled);
        }

        // Names with an age or a relationship beside them are read whatever the scanner matched:
        // "Amy Holt (7)" and "her son Tom Lowe" hold nothing it looks for.
        var namedBefore = _named.Count;
        var named = ProseMentions.Collect(text, _matches, _named, AnchorCap, out var firstNamed);
        if (_named.Count > namedBefore)
        {
            NotePerson(text, firstNamed);
        }

        if (_named.Count > 0)
        {
            _kinds |= named & ~s_ignoredBits;
        }
    }

    private readonly record struct Line(int Start, int End, ulong Kinds, bool Named);

    private void CountPeople(string text, bool labelled)
    {
        var span = text.AsSpan();
        var lines = new List<Line>();
        var matchIndex = 0;
        var position = 0;
        while (position <= text.Length)
        {
            var newline = position < text.Length ? span[position..].IndexOf('\n') : -1;
            var end = newline < 0 ? text.Length : position + newline;
            var lineSpan = span[position..end];
            var blank = lineSpan.IsWhiteSpace();
            if (!blank)
            {
                ulong kinds = 0;
                var named = false;
                while (matchIndex < _matches.Count && _matches[matchIndex].Start < end)
                {
                    var m = _matches[matchIndex++];
                    if (m.Confidence >= Confidence.Medium && m.Start >= position)
                    {
                        kinds |= DataKinds.Bit(m.Kind);
                        if (m.Kind == DataKind.EmailAddress && IsPersonalMailbox(text.AsSpan(m.Start, m.Length)) && !IsCorrespondenceLine(lineSpan))
                        {
                            // Someone's own mailbox at a provider that serves the public names its
                            // holder and is private contact detail, as a "Home email" column is.
                            kinds |= DataKinds.Bit(DataKind.PrivateContact);
                            named = true;
                        }
                    }
                }

                if (labelled && lineSpan.Contains(':'))
                {
                    kinds |= LabelKinds(text, position, end, ref named);
                }

                if (kinds != 0 && !named)
                {
                    named = HasName(text, position, end);
                }

                lines.Add(new Line(position, end, kinds & ~s_ignoredBits, named));
            }

            if (blank || end >= text.Length)
            {
                if (lines.Count > 0)
                {
                    CountParagraph(text, lines);
                    lines.Clear();
                }
            }

            position = end + 1;
        }
    }

    private bool IsPersonalMailbox(ReadOnlySpan<char> address) =>
        !EmailAddress.IsRoleAddress(address) && _mailboxes.KindOf(address[(address.LastIndexOf('@') + 1)..]) == MailboxKind.Personal;

    // A personal mailbox outside a quoted reply's header lines.
    private bool IsOwnMailboxListed(string text, in TextMatch m)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(m.Start - 1, 0)) + 1;
        var lineEnd = text.IndexOf('\n', m.End);
        return IsPersonalMailbox(text.AsSpan(m.Start, m.Length)) && !IsCorrespondenceLine(text.AsSpan(lineStart, (lineEnd < 0 ? text.Length : lineEnd) - lineStart));
    }

    /// <summary>
    /// A line of a quoted reply's header ("From: Jo Bloggs &lt;jo@gmail.com&gt;", "To: ...", "On
    /// Mon, Jo &lt;jo@gmail.com&gt; wrote:"): the correspondents of the thread, not a list of people.
    /// </summary>
    private static bool IsCorrespondenceLine(ReadOnlySpan<char> line)
    {
        line = line.TrimStart(" \t>*").TrimEnd();
        if (line.EndsWith("wrote:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var label in s_correspondenceLabels)
        {
            if (line.StartsWith(label, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void CountParagraph(string text, List<Line> lines)
    {
        var recordLines = 0;
        foreach (var line in lines)
        {
            if (IsRecordLine(line))
            {
                recordLines++;
            }
        }

        if (recordLines >= 2)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                if (IsRecordLine(line))
                {
                    CountRecord(text, i, i, line.Kinds, line.Named, lineMode: true, lines);
                }
            }

            return;
        }

        ulong kinds = 0;
        var named = false;
        foreach (var line in lines)
        {
            kinds |= line.Kinds;
            named |= line.Named;
        }

        CountRecord(text, 0, lines.Count - 1, kinds, named, lineMode: false, lines);
    }

    private static bool IsRecordLine(in Line line)
    {
        var kinds = BitOperations.PopCount(line.Kinds) + (line.Named && (line.Kinds & DataKinds.Bit(DataKind.Name)) == 0 ? 1 : 0);
        return kinds >= 2 && (line.Kinds & (s_strongBits | s_lineContactBits)) != 0;
    }

    private void CountRecord(string text, int firstLine, int lastLine, ulong kinds, bool named, bool lineMode, List<Line> lines)
    {
        var start = lines[firstLine].Start;
        var end = lines[lastLine].End;
        if ((kinds & s_strongBits) != 0)
        {
            // A birth date or NI number plus anything else about someone: a name, a capitalised
            // first name ("Amy (born ...)"), another identifier or attribute.
            var signals = BitOperations.PopCount(kinds) + (named || HasCapitalisedWord(text, start, end) ? 1 : 0);
            if (signals < 2)
            {
                return;
            }

            var people = NewAnchors(text, start, end, s_strongBits, lineMode, out var firstNew);
            if (people > 0)
            {
                NotePerson(text, firstNew);
                _strongPeople += people;
                _kinds |= kinds;
            }

            return;
        }

        // A paragraph's e-mail addresses count only when they are people's own ("a@gmail.com;
        // b@hotmail.co.uk; ..."): a company's addresses in a letter are its own.
        var contactBits = lineMode ? s_lineContactBits
            : (kinds & DataKinds.Bit(DataKind.PrivateContact)) != 0 ? s_contactBits | DataKinds.Bit(DataKind.EmailAddress) : s_contactBits;
        if ((kinds & contactBits) == 0 || !named || !DataKinds.HasAttributeBeyondIdentifier(kinds | DataKinds.Bit(DataKind.Name)))
        {
            return;
        }

        if (IsBusinessContact(text, firstLine, lastLine, contactBits, lines))
        {
            return;
        }

        var contacts = NewAnchors(text, start, end, contactBits, lineMode, out var firstContact);
        if (contacts > 0)
        {
            NotePerson(text, firstContact);
            _contactPeople += contacts;
            _kinds |= kinds | DataKinds.Bit(DataKind.Name);
        }
    }

    /// <summary>Index of the first match starting at or after <paramref name="position"/> (matches are sorted by start).</summary>
    private int FirstMatchFrom(int position)
    {
        int lo = 0, hi = _matches.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_matches[mid].Start < position)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// New people in a record: for each identifying kind, the values not seen before in this
    /// location; the largest count over kinds (a record's NI numbers and birth dates belong to
    /// the same people). A line record is one person at most.
    /// </summary>
    private int NewAnchors(string text, int start, int end, ulong kindBits, bool lineMode, out int firstNew)
    {
        firstNew = start;
        var anyNew = false;
        Span<int> perKind = stackalloc int[64];
        perKind.Clear();
        for (var i = FirstMatchFrom(start); i < _matches.Count && _matches[i].Start < end; i++)
        {
            var m = _matches[i];
            if (m.End > end || m.Confidence < Confidence.Medium || (DataKinds.Bit(m.Kind) & kindBits) == 0)
            {
                continue;
            }

            if (m.Kind == DataKind.EmailAddress && (lineMode ? EmailAddress.IsRoleAddress(text.AsSpan(m.Start, m.Length)) : !IsOwnMailboxListed(text, m)))
            {
                continue;
            }

            var key = ((long)m.Kind << 32) | (uint)m.ValueHash;
            if (_anchors.Contains(key))
            {
                continue;
            }

            if (_anchors.Count < AnchorCap)
            {
                _anchors.Add(key);
            }

            if (!anyNew)
            {
                anyNew = true;
                firstNew = m.Start;
            }

            perKind[(int)m.Kind]++;
        }

        var max = 0;
        foreach (var n in perKind)
        {
            max = Math.Max(max, n);
        }

        return lineMode ? Math.Min(max, 1) : max;
    }

    private static bool IsBusinessContact(string text, int firstLine, int lastLine, ulong contactBits, List<Line> lines)
    {
        // An organisation named in the record ("Probation Service", "Leeds Women's Aid"): its address.
        for (var i = firstLine; i <= lastLine; i++)
        {
            if (PersonWords.HasOrganisationWord(text.AsSpan(lines[i].Start, lines[i].End - lines[i].Start)))
            {
                return true;
            }
        }

        // Check the lines that hold the contact details and the line just above the first of
        // them (where a signature puts the job title or an office its name).
        var firstContactLine = -1;
        for (var i = firstLine; i <= lastLine; i++)
        {
            var line = lines[i];
            if ((line.Kinds & contactBits) == 0)
            {
                continue;
            }

            if (firstContactLine < 0)
            {
                firstContactLine = i;
            }

            if (BusinessCuePattern().IsMatch(text.AsSpan(line.Start, line.End - line.Start)))
            {
                return true;
            }
        }

        if (firstContactLine > firstLine)
        {
            var above = lines[firstContactLine - 1];
            if (BusinessCuePattern().IsMatch(text.AsSpan(above.Start, above.End - above.Start)))
            {
                return true;
            }
        }

        return false;
    }

    public TextSummary ToSummary()
    {
        var kinds = new List<DataKind>();
        foreach (var kind in Enum.GetValues<DataKind>())
        {
            if ((_kinds & DataKinds.Bit(kind)) != 0 && (s_ignoredBits & DataKinds.Bit(kind)) == 0)
            {
                kinds.Add(kind);
            }
        }

        return new TextSummary(_location, People, kinds);
    }

    public Finding? ToPersonalDataFinding()
    {
        var people = People;
        if (people < _options.MinPeople)
        {
            return null;
        }

        var summary = ToSummary();
        var confidence = (_kinds & s_strongBits) != 0 ? Confidence.High : Confidence.Medium;
        var evidence = new List<string>(_options.MaxEvidence);
        foreach (var tally in Tallies.All)
        {
            foreach (var e in tally.Evidence)
            {
                if (evidence.Count < _options.MaxEvidence)
                {
                    evidence.Add(e);
                }
            }
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{people:N0} people: {string.Join(", ", summary.PersonalKinds.Select(DataKinds.Describe))}");
        return new Finding(FindingKinds.PersonalData, (int)Math.Min(people, int.MaxValue), confidence, _location with { Page = FirstPage }, evidence, text);
    }
}
