using System.Globalization;
using System.Numerics;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Reads one table as a table: finds the header row, classifies each column from its header
/// (or, lacking one, from its values), validates each cell against its column's kind and counts
/// the rows that describe a person. It streams: after a small buffer for header and column
/// detection it keeps per-column counters and a count per distinct row "shape" (the set of
/// kinds present), never the rows.
/// </summary>
internal sealed class TableAnalyzer : ISpanTableSink
{
    // Distinct values are tracked for contact columns only, to tell a list of people's phone
    // numbers from a column that repeats one switchboard number; the first few thousand values
    // are plenty for a ratio.
    private const int DistinctCap = 4096;

    // Identifier keys kept for de-duplicating people (a flat table of 8-byte slots at most half
    // full: 4 MB at the cap); past this many, rows are counted as they come, so memory stays
    // flat on any table size.
    private const int PersonKeyCap = 250_000;

    // Characters of buffered rows (header search and sample) after which columns are decided
    // early: 4M chars is 8 MB, hundreds of times what ordinary rows take.
    private const long BufferedCharsBudget = 4 * 1024 * 1024;

    private static readonly ulong s_identifierBits = BitsOf(DataKind.Name, DataKind.EmailAddress, DataKind.NiNumber,
        DataKind.NhsNumber, DataKind.PrisonerNumber, DataKind.StaffNumber, DataKind.PassportNumber);

    private static readonly ulong s_weakBits = BitsOf(DataKind.Unknown, DataKind.NotPersonal, DataKind.WorkLocation,
        DataKind.TrainingRecords, DataKind.JobTitle, DataKind.PersonTitle);

    private static readonly ulong s_strongBits = BitsOf(DataKind.NiNumber, DataKind.NhsNumber, DataKind.DateOfBirth,
        DataKind.PassportNumber, DataKind.PrisonerNumber, DataKind.PaymentCard, DataKind.BankAccount, DataKind.HealthInformation,
        DataKind.ImmigrationStatus);

    private static readonly ulong s_attributeBits = AttributeBits();

    private readonly ContentLocation _location;
    private readonly ContentAnalyzerOptions _options;
    private readonly DateOnly _reference;
    private readonly TallySet _tallies;
    private readonly Action<TableAnalyzer> _onComplete;
    private readonly Action<ContentLocation, string> _onFormText;
    private readonly List<(long Row, Cell[] Cells)> _buffer = [];
    private readonly Dictionary<ulong, (long Count, long FirstRow)> _rowShapes = [];
    private readonly List<TextMatch> _scratch = [];
    private readonly PersonKeySet _personKeys = new(PersonKeyCap);
    private readonly DateOnly _oldestBirth;

    // A CSV field is text; its typed parts are those of this cell.
    private static readonly Cell s_textCell = new(string.Empty);

    // Validators' scratch space (one array, not a zeroed stackalloc per row).
    private readonly char[] _cellScratch = new char[Iban.MaxLength + 24];

    // The row being read: the kinds found in it and its first unique identifier's key.
    private ulong _rowMask;
    private long _rowPersonKey;

    // The last few row shapes are counted here and added to _rowShapes when they give way to
    // another (a table's rows mostly share a handful of shapes: one lookup per change, not per row).
    private const int RecentShapes = 4;
    private readonly ulong[] _recentMask = new ulong[RecentShapes];
    private readonly long[] _recentCount = new long[RecentShapes];
    private readonly long[] _recentFirstRow = new long[RecentShapes];
    private int _recentNext;
    private System.Text.StringBuilder? _formText;
    private ulong _formRecordKinds;
    private bool _decided;
    private bool _completed;
    private bool _completedEarly;
    private long? _headerRow;
    private Column[] _columns = [];
    private long _dataRows;
    private long _bufferedChars;

    public TableAnalyzer(ContentLocation location, ContentAnalyzerOptions options, DateOnly reference, TallySet tallies, Action<TableAnalyzer> onComplete, Action<ContentLocation, string> onFormText)
    {
        _location = location;
        _options = options;
        _reference = reference;
        _oldestBirth = reference.AddYears(-120);
        _tallies = tallies;
        _onComplete = onComplete;
        _onFormText = onFormText;
    }

    public ContentLocation Location => _location;

    public TallySet Tallies => _tallies;

    public TableSummary? Summary { get; private set; }

    public Finding? PersonalData { get; private set; }

    // Plain fields, not properties: they are read for every cell, and the cell method is
    // large enough that the JIT stops inlining accessors in it.
#pragma warning disable SA1401, CA1051
    private sealed class Column(int index)
    {
        public readonly int Index = index;

        public string? Header;

        public DataKind Kind;

        public ColumnKindSource Source;

        public long Values;

        public long Valid;

        public HashSet<int>? Distinct;

        public long DistinctConsidered;

        public FindingTally? Tally;

        public bool NeedsDistinct => Distinct is { Count: < DistinctCap };
    }
#pragma warning restore SA1401, CA1051

    private static ulong BitsOf(params ReadOnlySpan<DataKind> kinds)
    {
        ulong bits = 0;
        foreach (var k in kinds)
        {
            bits |= DataKinds.Bit(k);
        }

        return bits;
    }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (_completed)
        {
            if (_completedEarly)
            {
                return;
            }

            throw new InvalidOperationException("Rows after Complete.");
        }

        if (!_decided)
        {
            // Extractors may reuse their row list; keep a copy of the few buffered rows.
            var copy = new Cell[cells.Count];
            for (var i = 0; i < copy.Length; i++)
            {
                copy[i] = cells[i];
            }

            _buffer.Add((rowIndex, copy));
            foreach (var cell in copy)
            {
                _bufferedChars += cell.Text?.Length ?? 0;
            }

            // Rows are few but may be huge (a CSV record can be millions of characters): past a
            // budget, decide on what is buffered, so memory stays bounded.
            if (_buffer.Count >= _options.HeaderSearchRows + _options.SampleRows || _bufferedChars >= BufferedCharsBudget)
            {
                Decide();
            }

            return;
        }

        if (_formText is not null)
        {
            ProcessFormRow(cells);
            return;
        }

        // Arrays and lists are read in place; any other list is copied once per row.
        var span = cells switch
        {
            Cell[] array => array,
            List<Cell> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
            _ => cells.ToArray(),
        };
        ProcessRow(rowIndex, span);
    }

    /// <summary>
    /// A CSV record as ranges of the reader's buffer. Once the columns are decided, cells are
    /// checked in place and a string is made only for a cell an unclassified column must scan.
    /// </summary>
    public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        if (!_decided || _formText is not null || _completed)
        {
            var cells = new Cell[fields.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                var f = fields[i];
                cells[i] = f.Length == 0 ? Cell.Empty : new Cell(new string(chars.Slice(f.Start, f.Length)));
            }

            OnRow(rowIndex, cells);
            return;
        }

        _dataRows++;
        _rowMask = 0;
        _rowPersonKey = 0;
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            if (f.Length == 0)
            {
                continue;
            }

            ProcessCell(rowIndex, i, chars.Slice(f.Start, f.Length), null, in s_textCell);
        }

        FinishRow(rowIndex, _rowMask, _rowPersonKey);
    }

    /// <summary>Completed by the analyzer because findings were read first; later rows are ignored.</summary>
    public void CompleteEarly()
    {
        _completedEarly = true;
        Complete();
    }

    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        if (!_decided)
        {
            Decide();
        }

        _completed = true;
        if (_formText is not null)
        {
            FlushFormText();
        }

        Summarise();
        _onComplete(this);
    }

    private void Decide()
    {
        _decided = true;
        var width = 0;
        foreach (var (_, cells) in _buffer)
        {
            width = Math.Max(width, cells.Length);
        }

        _columns = new Column[width];
        for (var i = 0; i < width; i++)
        {
            _columns[i] = new Column(i);
        }

        if (IsFormLayout())
        {
            // "Label | value" rows (a complaint form, a case summary in a Word table) are a
            // record written downwards, not a table of people: read them as "label: value"
            // lines of text, with the document's other text, so that twenty one-record tables
            // in one document are twenty people.
            _formText = new System.Text.StringBuilder();
            foreach (var (_, cells) in _buffer)
            {
                ProcessFormRow(cells);
            }

            _buffer.Clear();
            return;
        }

        var headerAt = FindHeader();
        if (headerAt >= 0)
        {
            var header = _buffer[headerAt].Cells;
            _headerRow = _buffer[headerAt].Row;
            for (var i = 0; i < header.Length; i++)
            {
                var text = header[i].Text?.Trim();
                _columns[i].Header = string.IsNullOrEmpty(text) ? null : (text.Length > 80 ? text[..80] : text);
                var kind = HeaderClassifier.Classify(text);
                if (kind != DataKind.Unknown)
                {
                    _columns[i].Kind = kind;
                    _columns[i].Source = ColumnKindSource.Header;
                }
            }
        }

        var dataStart = headerAt + 1;
        InferFromValues(dataStart, headerless: headerAt < 0);

        foreach (var column in _columns)
        {
            if (column.Kind is DataKind.Phone or DataKind.PostalAddress or DataKind.Postcode or DataKind.EmailAddress)
            {
                column.Distinct = [];
            }

            var findingKind = DataKinds.FindingKind(column.Kind);
            if (findingKind is not null)
            {
                column.Tally = _tallies.Get(findingKind);
            }
        }

        for (var r = dataStart; r < _buffer.Count; r++)
        {
            ProcessRow(_buffer[r].Row, _buffer[r].Cells);
        }

        _buffer.Clear();
    }

    private bool IsFormLayout()
    {
        int filledRows = 0, pairRows = 0, labelled = 0;
        foreach (var (_, cells) in _buffer)
        {
            var filled = 0;
            string? first = null;
            foreach (var cell in cells)
            {
                if (cell.Kind != CellKind.Empty && !string.IsNullOrWhiteSpace(cell.Text))
                {
                    filled++;
                    first ??= cell.Text;
                }
            }

            if (filled == 0)
            {
                continue;
            }

            filledRows++;
            if (filled == 2)
            {
                pairRows++;
                if (CountDigits(first!) < 4 && HeaderClassifier.Classify(first) is not (DataKind.Unknown or DataKind.NotPersonal))
                {
                    labelled++;
                }
            }
        }

        return filledRows >= 3 && pairRows * 5 >= filledRows * 4 && labelled * 2 >= pairRows && labelled >= 3;
    }

    private void ProcessFormRow(IReadOnlyList<Cell> cells)
    {
        _dataRows++;
        string? label = null;
        var value = new System.Text.StringBuilder();
        foreach (var cell in cells)
        {
            if (cell.Kind == CellKind.Empty || string.IsNullOrWhiteSpace(cell.Text))
            {
                continue;
            }

            if (label is null)
            {
                label = cell.Text.Trim().TrimEnd(':');
            }
            else
            {
                if (value.Length > 0)
                {
                    value.Append(' ');
                }

                value.Append(cell.Kind == CellKind.Date && cell.Date is { } d
                    ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)
                    : cell.Text.Trim().ReplaceLineEndings(" "));
            }
        }

        if (label is null)
        {
            _formText!.Append('\n');
            _formRecordKinds = 0;
            return;
        }

        // A label seen again starts the next record: a paragraph break keeps people apart.
        var kind = HeaderClassifier.Classify(label);
        if (kind is not (DataKind.Unknown or DataKind.NotPersonal))
        {
            if ((_formRecordKinds & DataKinds.Bit(kind)) != 0)
            {
                _formText!.Append('\n');
                _formRecordKinds = 0;
            }

            _formRecordKinds |= DataKinds.Bit(kind);
        }

        _formText!.Append(label).Append(": ").Append(value).Append('\n');
        if (_formText.Length >= 1024 * 1024 && _formRecordKinds == DataKinds.Bit(kind))
        {
            FlushFormText();
        }
    }

    private void FlushFormText()
    {
        _formText!.Append('\n');
        // The document's location, not the table's: the forms of one document are read together.
        _onFormText(_location with { Sheet = null, Row = null, Column = null }, _formText.ToString());
        _formText.Clear();
    }

    /// <summary>
    /// The header is the first of the leading rows in which at least two cells (or the only
    /// cells) read as known column names and they are a third or more of the filled cells: a
    /// title row ("Table 4b: case level data") above it has one filled cell and no known names.
    /// </summary>
    private int FindHeader()
    {
        var limit = Math.Min(_buffer.Count, _options.HeaderSearchRows);
        for (var r = 0; r < limit; r++)
        {
            var cells = _buffer[r].Cells;
            var filled = 0;
            var known = 0;
            var dataLike = false;
            foreach (var cell in cells)
            {
                if (cell.Kind == CellKind.Empty || string.IsNullOrWhiteSpace(cell.Text))
                {
                    continue;
                }

                filled++;

                // Header cells are words: a typed number or date, an address with '@' or a
                // value with a run of digits (an NI number, a date) marks a data row.
                if (cell.Kind is CellKind.Number or CellKind.Date || cell.Text.Contains('@') || CountDigits(cell.Text) >= 4)
                {
                    dataLike = true;
                    break;
                }

                if (HeaderClassifier.Classify(cell.Text) != DataKind.Unknown)
                {
                    known++;
                }
            }

            // Half the filled cells (at least one) must be known column names; a title row
            // above the header ("Table 4b: case level data") has none.
            if (!dataLike && known >= 1 && known * 2 >= filled)
            {
                return r;
            }
        }

        return -1;
    }

    private void InferFromValues(int dataStart, bool headerless)
    {
        Span<char> buffer = stackalloc char[Iban.MaxLength];
        foreach (var column in _columns)
        {
            if (column.Source == ColumnKindSource.Header)
            {
                continue;
            }

            int filled = 0, nino = 0, nhs = 0, email = 0, phone = 0, postcode = 0, card = 0, iban = 0, dates = 0, names = 0;
            int minYear = int.MaxValue, maxYear = int.MinValue;
            for (var r = dataStart; r < _buffer.Count; r++)
            {
                var cells = _buffer[r].Cells;
                if (column.Index >= cells.Length)
                {
                    continue;
                }

                var cell = cells[column.Index];
                var text = cell.Text.AsSpan().Trim();
                if (cell.Kind == CellKind.Empty || text.IsEmpty)
                {
                    continue;
                }

                filled++;
                if (TryGetDate(cell, out var date))
                {
                    if (IsPlausibleBirthDate(date))
                    {
                        dates++;
                        minYear = Math.Min(minYear, date.Year);
                        maxYear = Math.Max(maxYear, date.Year);
                    }

                    continue;
                }

                if (text.Length > 40)
                {
                    continue;
                }

                if (UkNino.TryParse(text, buffer, out var suffix, ignoreCase: true) && suffix)
                {
                    nino++;
                }
                else if (NhsNumber.TryParse(text, buffer))
                {
                    nhs++;
                }
                else if (UkPhone.TryParse(text, buffer, out _))
                {
                    phone++;
                }
                else if (text.Contains('@') && EmailAddress.IsValid(text))
                {
                    email++;
                }
                else if (IsPostcode(text))
                {
                    postcode++;
                }
                else if (PaymentCard.TryParse(text, buffer, out _))
                {
                    card++;
                }
                else if (Iban.TryParse(text, buffer, out _))
                {
                    iban++;
                }
                else if (headerless && LooksLikeFullName(text))
                {
                    names++;
                }
            }

            if (filled < 2)
            {
                continue;
            }

            // Six in ten: a column of identifiers has blanks and typos, a column of other
            // numbers passes mod 11 one time in eleven and Luhn one time in ten.
            var need = Math.Max(2, (int)Math.Ceiling(filled * 0.6));
            var kind =
                nino >= need ? DataKind.NiNumber :
                nhs >= need ? DataKind.NhsNumber :
                email >= need ? DataKind.EmailAddress :
                phone >= need ? DataKind.Phone :
                postcode >= need ? DataKind.Postcode :
                card >= need ? DataKind.PaymentCard :
                iban >= need ? DataKind.BankAccount :
                names >= need ? DataKind.Name :
                // Undated birth dates spread over decades; report, meeting and payment dates
                // cluster in a year or two.
                dates >= need && maxYear - minYear >= 10 ? DataKind.DateOfBirth :
                DataKind.Unknown;
            if (kind != DataKind.Unknown)
            {
                column.Kind = kind;
                column.Source = ColumnKindSource.Values;
            }
        }
    }

    private static bool LooksLikeFullName(ReadOnlySpan<char> text)
    {
        // Two to four capitalised words of letters ("Jane Doe", "DOE, Jane", "Mary-Ann O'Neil").
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                if (!inWord)
                {
                    if (!char.IsUpper(c))
                    {
                        return false;
                    }

                    words++;
                    inWord = true;
                }
            }
            else if (c is ' ' or ',')
            {
                inWord = false;
            }
            else if (c is not ('-' or '\'' or '.'))
            {
                return false;
            }
        }

        return words is >= 2 and <= 4;
    }

    private bool TryGetDate(in Cell cell, out DateOnly date) => TryGetDate(cell.Kind, cell.Date, cell.Text, out date);

    private bool TryGetDate(CellKind kind, DateTime? typedDate, ReadOnlySpan<char> text, out DateOnly date)
    {
        if (kind == CellKind.Date && typedDate is { } typed)
        {
            date = DateOnly.FromDateTime(typed);
            return true;
        }

        if (text.Length is < 6 or > 40 || !HasDigit(text))
        {
            date = default;
            return false;
        }

        return DateValue.TryParse(text, out date, allowTwoDigitYear: true, reference: _reference);
    }

    private static bool IsPostcode(ReadOnlySpan<char> text)
    {
        if (text.Length is < 5 or > 8)
        {
            return false;
        }

        // Already upper-case ASCII (the usual case): no copy.
        if (IsUpperAsciiOrPunctuation(text))
        {
            return UkPostcode.IsValid(text);
        }

        Span<char> upper = stackalloc char[text.Length];
        text.ToUpperInvariant(upper);
        return UkPostcode.IsValid(upper);
    }

    private static ReadOnlySpan<char> NumberText(double number, Span<char> destination, ReadOnlySpan<char> fallback)
    {
        if (number >= 0 && number < 1e15 && Math.Floor(number) == number
            && ((long)number).TryFormat(destination, out var written, provider: CultureInfo.InvariantCulture))
        {
            return destination[..written];
        }

        return fallback;
    }

    // Every placeholder starts with one of - ? # 0 n u t (either case): one table lookup rules
    // out an NI number, a postcode or most names before any comparison.
    private static ReadOnlySpan<byte> PlaceholderStart =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool IsPlaceholder(ReadOnlySpan<char> text) =>
        text.Length <= 9 && text[0] < 128 && PlaceholderStart[text[0]] != 0 && IsPlaceholderWord(text);

    private static bool IsPlaceholderWord(ReadOnlySpan<char> text)
    {
        return text.Length switch
        {
            1 => text[0] is '-' or '?' or '0',
            2 => text.Equals("--", StringComparison.Ordinal) || text.Equals("na", StringComparison.OrdinalIgnoreCase),
            3 => text.Equals("n/a", StringComparison.OrdinalIgnoreCase) || text.Equals("nil", StringComparison.OrdinalIgnoreCase) || text.Equals("tbc", StringComparison.OrdinalIgnoreCase),
            4 => text.Equals("none", StringComparison.OrdinalIgnoreCase) || text.Equals("null", StringComparison.OrdinalIgnoreCase) || text.Equals("#n/a", StringComparison.OrdinalIgnoreCase),
            7 => text.Equals("unknown", StringComparison.OrdinalIgnoreCase),
            9 => text.Equals("not known", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    private void ProcessRow(long rowIndex, ReadOnlySpan<Cell> cells)
    {
        _dataRows++;
        _rowMask = 0;
        _rowPersonKey = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            ref readonly var cell = ref cells[i];
            if (cell.Kind == CellKind.Empty)
            {
                continue;
            }

            ProcessCell(rowIndex, i, cell.Text, cell.Text, in cell);
        }

        FinishRow(rowIndex, _rowMask, _rowPersonKey);
    }

    /// <summary>
    /// Validates one non-empty cell against its column's kind. <paramref name="raw"/> is the
    /// cell's text as read; <paramref name="rawString"/> the same text if it already is a string.
    /// </summary>
    private void ProcessCell(long rowIndex, int i, ReadOnlySpan<char> raw, string? rawString, in Cell typed)
    {
        {
            var cellKind = typed.Kind;
            Span<char> buffer = _cellScratch.AsSpan(0, Iban.MaxLength);
            Span<char> numberText = _cellScratch.AsSpan(Iban.MaxLength, 24);
            scoped ReadOnlySpan<char> text = TrimCell(raw);
            if (cellKind == CellKind.Number && typed.Number is { } number)
            {
                // Spreadsheets store NHS and phone numbers as numbers: the display text may be
                // "9.43E+09" and a phone number's leading 0 is gone.
                text = NumberText(number, numberText, text);
            }

            if (text.IsEmpty || (cellKind != CellKind.Date && IsPlaceholder(text)))
            {
                return;
            }

            if (i >= _columns.Length)
            {
                // Wider than any buffered row: no header, no stats; still scan the value.
                _rowMask |= ScanUnknown(rowIndex, i, raw, rawString, ref _rowPersonKey);
                return;
            }

            var column = _columns[i];
            column.Values++;
            var kind = column.Kind;
            var valid = false;
            string? evidence = null;
            var confidence = column.Source == ColumnKindSource.Header ? Confidence.High : Confidence.Medium;
            var testRange = false;
            var wantEvidence = column.Tally?.WantsEvidence == true;
            var hash = 0;
            switch (kind)
            {
                case DataKind.Unknown:
                case DataKind.NotPersonal:
                    _rowMask |= ScanUnknown(rowIndex, i, raw, rawString, ref _rowPersonKey);
                    return;

                case DataKind.NiNumber:
                    if (text.Length <= 13 && UkNino.TryParse(text, buffer, out var hasSuffix, ignoreCase: true)
                        && (hasSuffix || column.Source == ColumnKindSource.Header))
                    {
                        valid = true;
                        evidence = wantEvidence ? Masker.Nino(text) : null;
                    }

                    break;

                case DataKind.NhsNumber:
                    if (NhsNumber.TryParse(text, buffer))
                    {
                        valid = true;
                        testRange = NhsNumber.IsTestRange(buffer[..10]);
                        evidence = wantEvidence ? Masker.Nhs(buffer[..10]) : null;
                    }

                    break;

                case DataKind.EmailAddress:
                    if (EmailAddress.IsValid(text))
                    {
                        valid = true;
                        hash = column.NeedsDistinct ? FoldedHash(text) : 0;
                        evidence = wantEvidence ? Masker.Email(text) : null;
                    }

                    break;

                case DataKind.Phone:
                    if (cellKind == CellKind.Number && text.Length == 10 && text[0] is '1' or '2' or '3' or '7' or '8')
                    {
                        // 7700900123 was 07700 900123 before a spreadsheet made it a number.
                        numberText[..10].CopyTo(numberText[1..]);
                        numberText[0] = '0';
                        text = numberText[..11];
                    }

                    if (UkPhone.TryParse(text, buffer, out var phoneLength))
                    {
                        valid = true;
                        hash = column.NeedsDistinct ? FoldedHash(buffer[..phoneLength]) : 0;
                        evidence = wantEvidence ? Masker.Phone(text) : null;
                    }
                    else if (CountDigits(text) is >= 7 and <= 15)
                    {
                        // International numbers are still somebody's phone; no UK finding.
                        _rowMask |= DataKinds.Bit(kind);
                        column.Valid++;
                        TrackDistinct(column, column.NeedsDistinct ? FoldedHash(text) : 0);
                    }

                    break;

                case DataKind.Postcode:
                    if (IsPostcode(text))
                    {
                        valid = true;
                        hash = column.NeedsDistinct ? FoldedHash(text) : 0;
                        evidence = wantEvidence ? Masker.Postcode(text) : null;
                    }

                    break;

                case DataKind.DateOfBirth:
                    if (TryGetDate(cellKind, typed.Date, raw, out var date) && IsPlausibleBirthDate(date))
                    {
                        valid = true;
                        evidence = wantEvidence ? Masker.Date(date) : null;
                    }

                    break;

                case DataKind.PaymentCard:
                    if (PaymentCard.TryParse(text, buffer, out var cardLength))
                    {
                        valid = true;
                        evidence = wantEvidence ? Masker.Card(buffer[..cardLength]) : null;
                    }

                    break;

                case DataKind.BankAccount:
                    if (Iban.TryParse(text, buffer, out var ibanLength))
                    {
                        valid = true;
                        evidence = wantEvidence ? Masker.Iban(buffer[..ibanLength]) : null;
                    }
                    else
                    {
                        // Sort codes and account numbers: personal, but not an IBAN finding.
                        _rowMask |= DataKinds.Bit(kind);
                        column.Valid++;
                    }

                    break;

                case DataKind.PassportNumber:
                    if (text.Length is >= 6 and <= 10 && CountDigits(text) >= 6 && IsAlphanumeric(text))
                    {
                        valid = true;
                        evidence = wantEvidence ? Masker.Generic(text) : null;
                    }

                    break;

                case DataKind.PostalAddress:
                    if (HasLetter(text))
                    {
                        valid = true;
                        hash = column.NeedsDistinct ? FoldedHash(text) : 0;
                        evidence = wantEvidence ? Masker.Address(text) : null;
                    }

                    break;

                case DataKind.Name:
                    valid = HasLetter(text);
                    break;

                default:
                    valid = true;
                    break;
            }

            if (!valid)
            {
                return;
            }

            column.Valid++;
            _rowMask |= DataKinds.Bit(kind);
            if (_rowPersonKey == 0 && kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.PassportNumber or DataKind.PrisonerNumber)
            {
                _rowPersonKey = ((long)kind << 32) | (uint)FoldedHash(text);
            }

            if (column.Distinct is not null)
            {
                TrackDistinct(column, hash);
            }

            if (column.Tally is { } tally)
            {
                tally.Add(confidence, testRange);
                if (evidence is not null)
                {
                    tally.AddEvidence(evidence, _location.WithCell(rowIndex, i));
                }
            }
        }
    }

    private void FinishRow(long rowIndex, ulong mask, long personKey)
    {
        // The same person twice (a table pasted twice, one row per case for a person with
        // several cases) is one person: rows are keyed by their first unique identifier.
        if (personKey != 0 && _personKeys.Count < PersonKeyCap && !_personKeys.Add(personKey))
        {
            return;
        }

        if (mask != 0)
        {
            var masks = _recentMask;
            for (var j = 0; j < masks.Length; j++)
            {
                if (masks[j] == mask)
                {
                    _recentCount[j]++;
                    return;
                }
            }

            var slot = _recentNext;
            _recentNext = (slot + 1) % RecentShapes;
            FlushShape(slot);
            masks[slot] = mask;
            _recentCount[slot] = 1;
            _recentFirstRow[slot] = rowIndex;
        }
    }

    private void FlushShape(int slot)
    {
        if (_recentCount[slot] > 0)
        {
            ref var shape = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_rowShapes, _recentMask[slot], out var exists);
            shape = exists
                ? (shape.Count + _recentCount[slot], Math.Min(shape.FirstRow, _recentFirstRow[slot]))
                : (_recentCount[slot], _recentFirstRow[slot]);
        }

        _recentMask[slot] = 0;
        _recentCount[slot] = 0;
    }

    /// <summary><see cref="DateValue.IsPlausibleBirthDate"/> with the oldest date worked out once.</summary>
    private bool IsPlausibleBirthDate(DateOnly date) => date <= _reference && date > _oldestBirth;

    /// <summary>FNV-1a over the letters and digits, case-folded: "LS6 3QT" and "ls63qt" are one value.</summary>
    private static int FoldedHash(ReadOnlySpan<char> text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            if (c is ' ' or '-' or '.' or ',')
            {
                continue;
            }

            hash = (hash ^ (c is >= 'A' and <= 'Z' ? (uint)(c | 0x20) : c)) * 16777619u;
        }

        return (int)hash;
    }

    private static void TrackDistinct(Column column, int hash)
    {
        if (column.Distinct is { } set && set.Count < DistinctCap)
        {
            set.Add(hash);
            column.DistinctConsidered++;
        }
    }

    /// <summary><see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/>, without the calls when both ends are visible ASCII (nearly always).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<char> TrimCell(ReadOnlySpan<char> raw) =>
        raw.Length > 0 && raw[0] is > ' ' and < '\u007f' && raw[^1] is > ' ' and < '\u007f' ? raw : raw.Trim();

    // Cells are short: a plain loop beats a vectorised search's setup on a dozen characters.
    private static bool HasDigit(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Only characters from space to 'Z' (digits, upper-case letters, punctuation): upper-casing would change nothing.</summary>
    private static bool IsUpperAsciiOrPunctuation(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > 'Z')
            {
                return false;
            }
        }

        return true;
    }

    private static int CountDigits(ReadOnlySpan<char> text)
    {
        var n = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                n++;
            }
        }

        return n;
    }

    private static bool HasLetter(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsAlphanumeric(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A cell in a column we could not classify is scanned as text, after a precheck: most
    /// such cells (quantities, prices, free text without digits) are ruled out by length and
    /// character class before any scanner runs.
    /// </summary>
    private ulong ScanUnknown(long rowIndex, int column, ReadOnlySpan<char> raw, string? rawString, ref long personKey)
    {
        if (raw.Length < 6 || (!HasDigit(raw) && raw.IndexOf('@') < 0))
        {
            return 0;
        }

        // A lone number of up to nine digits (a quantity, a price, an id) is never one of ours.
        if (raw.Length <= 9 && IsAllDigitsOrPunctuation(raw))
        {
            return 0;
        }

        var text = rawString ?? new string(raw);

        _scratch.Clear();
        TextScanner.Scan(text, _reference, _scratch);
        ulong mask = 0;
        foreach (var m in _scratch)
        {
            var findingKind = DataKinds.FindingKind(m.Kind);
            if (findingKind is not null)
            {
                var tally = _tallies.Get(findingKind);
                tally.Add(m.Confidence, m.TestRange);
                if (tally.WantsEvidence)
                {
                    tally.AddEvidence(TextScanner.Mask(text, m), _location.WithCell(rowIndex, column));
                }
            }

            if (m.Confidence >= Confidence.Medium)
            {
                mask |= DataKinds.Bit(m.Kind);
                if (personKey == 0 && m.Kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.PassportNumber or DataKind.PrisonerNumber)
                {
                    personKey = ((long)m.Kind << 32) | (uint)m.ValueHash;
                }
            }
        }

        return mask;
    }

    private static bool IsAllDigitsOrPunctuation(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not ('.' or ',' or '-' or ' ' or '£' or '$' or '%'))
            {
                return false;
            }
        }

        return true;
    }

    private static ulong AttributeBits()
    {
        ulong bits = 0;
        foreach (var kind in Enum.GetValues<DataKind>())
        {
            if (DataKinds.IsAttribute(kind))
            {
                bits |= DataKinds.Bit(kind);
            }
        }

        return bits;
    }

    /// <summary>An attribute other than the one identifier present: a lone NI number is who, not what.</summary>
    internal static bool HasAttributeBeyondIdentifier(ulong kinds)
    {
        var attributes = kinds & s_attributeBits;
        if (attributes == 0)
        {
            return false;
        }

        // The identifier may itself be an attribute (NI number); then something else must be there.
        return BitOperations.PopCount(kinds) >= 2;
    }

    private void Summarise()
    {
        // A contact column that repeats a handful of values (one switchboard number, one
        // office address for everyone) is business contact data, not a personal attribute.
        ulong businessBits = 0;
        foreach (var kind in (ReadOnlySpan<DataKind>)[DataKind.Phone, DataKind.PostalAddress, DataKind.Postcode, DataKind.EmailAddress])
        {
            var any = false;
            var allRepeated = true;
            foreach (var column in _columns)
            {
                if (column.Kind != kind || column.Distinct is null || column.DistinctConsidered == 0)
                {
                    continue;
                }

                // A handful of values repeated down the column (one switchboard, three office
                // addresses); people in one town still have dozens of distinct postcodes.
                any = true;
                var distinct = column.Distinct.Count;
                allRepeated &= column.DistinctConsidered >= 5 && distinct * 5 <= column.DistinctConsidered && distinct <= 25;
            }

            if (any && allRepeated)
            {
                businessBits |= DataKinds.Bit(kind);
            }
        }

        for (var slot = 0; slot < RecentShapes; slot++)
        {
            FlushShape(slot);
        }

        long people = 0;
        long firstRow = long.MaxValue;
        ulong kinds = 0;
        foreach (var (mask, (count, first)) in _rowShapes)
        {
            var personal = mask & ~s_weakBits & ~businessBits;
            // Someone identified (name, e-mail, NI number...) plus something about them.
            if ((personal & s_identifierBits) != 0 && HasAttributeBeyondIdentifier(personal))
            {
                people += count;
                kinds |= personal;
                firstRow = Math.Min(firstRow, first);
            }
        }

        var kindList = new List<DataKind>();
        foreach (var column in _columns)
        {
            if ((kinds & DataKinds.Bit(column.Kind)) != 0 && !kindList.Contains(column.Kind))
            {
                kindList.Add(column.Kind);
            }
        }

        // Kinds found by scanning unclassified columns have no column of their own.
        foreach (var kind in Enum.GetValues<DataKind>())
        {
            if ((kinds & DataKinds.Bit(kind)) != 0 && !kindList.Contains(kind))
            {
                kindList.Add(kind);
            }
        }

        var columns = new ColumnSummary[_columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var c = _columns[i];
            columns[i] = new ColumnSummary(c.Index, c.Header, c.Kind, c.Source, c.Values, c.Valid);
        }

        Summary = new TableSummary(_location, _headerRow, _dataRows, people, columns, kindList, ReadAsText: _formText is not null);
        if (people >= _options.MinPeople)
        {
            var confidence = (kinds & s_strongBits) != 0 || people >= 10 ? Confidence.High : Confidence.Medium;
            var summary = string.Create(CultureInfo.InvariantCulture, $"{people:N0} rows: {string.Join(", ", kindList.Select(DataKinds.Describe))}");
            var evidence = new List<string>(_options.MaxEvidence);
            foreach (var tally in _tallies.All)
            {
                foreach (var e in tally.Evidence)
                {
                    if (evidence.Count < _options.MaxEvidence)
                    {
                        evidence.Add(e);
                    }
                }
            }

            PersonalData = new Finding(FindingKinds.PersonalData, (int)Math.Min(people, int.MaxValue), confidence,
                _location.WithCell(firstRow, null), evidence, summary);
        }
    }
}
