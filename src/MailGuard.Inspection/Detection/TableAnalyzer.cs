namespace MailGuard.Inspection.Detection;

/// <summary>
/// Reads one table as a table, streaming: after a small buffer of leading rows it decides the
/// columns (<see cref="TableHeader"/> finds the header, <see cref="TableColumnInference"/> types
/// the columns the header did not, <see cref="TableFormReader"/> takes "label | value" forms as
/// text instead), then checks each cell against its column's kind (<see cref="TableCellClassifier"/>),
/// keeps a count per distinct row shape (<see cref="TableRowShapes"/>), never the rows, and on
/// completion counts the people (<see cref="TableSummariser"/>). This class only sequences them.
/// </summary>
internal sealed class TableAnalyzer : ISpanTableSink
{
    // Characters of buffered rows (header search and sample) after which columns are decided
    // early: 4M chars is 8 MB, hundreds of times what ordinary rows take.
    private const long BufferedCharsBudget = 4 * 1024 * 1024;

    private readonly ContentLocation _location;
    private readonly ContentAnalyzerOptions _options;
    private readonly TallySet _tallies;
    private readonly Action<TableAnalyzer> _onComplete;
    private readonly Action<ContentLocation, string> _onFormText;
    private readonly List<(long Row, Cell[] Cells)> _buffer = [];
    private readonly TableDates _dates;
    private readonly TableCellClassifier _cells;
    private readonly TableRowShapes _shapes = new();
    private TableFormReader? _form;
    private bool _decided;
    private bool _completed;
    private bool _completedEarly;
    private long? _headerRow;

    // A table read a record a column (TableTransposer): each turned column's source row.
    private long[]? _sourceRows;

    // A name split over two cells by an unquoted comma (TableNameSplit): the column, the header's
    // width, and room for a record's fields joined.
    private int _splitAt = -1;
    private int _splitWidth;
    private FieldSpan[] _joinedFields = [];
    private TableColumn[] _columns = [];
    private long _dataRows;
    private long _bufferedChars;
    private readonly DateOnly _reference;
    private Cell[]? _previewHeader;
    private Cell[][] _previewRows = [];

    public TableAnalyzer(ContentLocation location, ContentAnalyzerOptions options, DateOnly reference, TallySet tallies, Action<TableAnalyzer> onComplete, Action<ContentLocation, string> onFormText, MailboxDomains mailboxes)
    {
        _location = location;
        _options = options;
        _tallies = tallies;
        _onComplete = onComplete;
        _onFormText = onFormText;
        _reference = reference;
        _dates = new TableDates(reference);
        _cells = new TableCellClassifier(location, tallies, _dates, mailboxes);
    }

    public ContentLocation Location => _location;

    public TallySet Tallies => _tallies;

    public TableSummary? Summary { get; private set; }

    /// <summary>The table's personal-data finding, or its business-contacts finding when it holds only those.</summary>
    public Finding? PersonalData { get; private set; }

    /// <summary>Who the counted people are (identifier or name keys), for people across parts.</summary>
    public PeopleKeys People { get; private set; } = PeopleKeys.None;
    /// <summary>The masked first rows, when the table holds people (see <see cref="ContentPreviews"/>); else null.</summary>
    public ContentPreview? Preview { get; private set; }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        cells = Folded(cells);
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

            Buffer(rowIndex, copy);
            return;
        }

        if (_form is not null)
        {
            _dataRows++;
            _form.Add(cells);
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

    // Cells as a reader sees them (VisibleText): the same list when no cell changes. The span
    // readers (CSV, sheets) fold their text as they decode it.
    private static IReadOnlyList<Cell> Folded(IReadOnlyList<Cell> cells)
    {
        Cell[]? folded = null;
        for (var i = 0; i < cells.Count; i++)
        {
            var text = cells[i].Text;
            if (text is not null && VisibleText.NeedsFolding(text))
            {
                folded ??= [.. cells];
                folded[i] = cells[i] with { Text = VisibleText.Fold(text) };
            }
        }

        return folded ?? cells;
    }

    /// <summary>
    /// A CSV record as ranges of the reader's buffer. Once the columns are decided, cells are
    /// checked in place and a string is made only for a cell an unclassified column must scan.
    /// </summary>
    public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        if (!_decided || _form is not null || _completed)
        {
            OnOwnedRow(rowIndex, SpanRows.ToTextCells(chars, fields));
            return;
        }

        if (_splitAt >= 0 && TableNameSplit.TryJoin(fields, _splitAt, _splitWidth, _joinedFields))
        {
            fields = _joinedFields;
        }

        BeginRow();
        _cells.ClassifyFields(rowIndex, chars, fields);
        EndRow(rowIndex);
    }

    /// <summary>
    /// A sheet's row as ranges of the reader's buffer with each cell's kind, date and number. Once
    /// the columns are decided, cells are checked in place, as a CSV record's are.
    /// </summary>
    public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed)
    {
        if (!_decided || _form is not null || _completed)
        {
            OnOwnedRow(rowIndex, SpanRows.ToCells(chars, fields, typed));
            return;
        }

        BeginRow();
        _cells.ClassifyTypedFields(rowIndex, chars, fields, typed);
        EndRow(rowIndex);
    }

    // A row made from ranges for this analyzer alone: buffered as it is, not copied again.
    private void OnOwnedRow(long rowIndex, Cell[] cells)
    {
        if (!_decided)
        {
            Buffer(rowIndex, cells);
            return;
        }

        OnRow(rowIndex, cells);
    }

    private void Buffer(long rowIndex, Cell[] cells)
    {
        _buffer.Add((rowIndex, cells));
        foreach (var cell in cells)
        {
            _bufferedChars += cell.Text?.Length ?? 0;
        }

        // Rows are few but may be huge (a CSV record can be millions of characters): past a
        // budget, decide on what is buffered, so memory stays bounded.
        if (_buffer.Count >= _options.HeaderSearchRows + _options.SampleRows || _bufferedChars >= BufferedCharsBudget)
        {
            Decide();
        }
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
            Decide(whole: true);
        }

        _completed = true;
        _form?.Flush();
        (Summary, PersonalData) = TableSummariser.Summarise(
            _location, _options, _tallies, _columns, _shapes.Complete(), _headerRow, _dataRows, readAsText: _form is not null, turned: _sourceRows is not null);
        People = TableSummariser.PeopleKeys(_columns, _shapes);
        _shapes.Release();
        foreach (var column in _columns)
        {
            // Counted (Summarise and PeopleKeys have read them): the arrays go back to the pool.
            column.Distinct?.Release();
        }
        if (Summary.PeopleCount == 0 && IsOrganisationList())
        {
            // Suppliers' IBANs and a company card are an organisation's accounts, not people's.
            foreach (var tally in _tallies.All)
            {
                if (tally.Kind is FindingKinds.Iban or FindingKinds.PaymentCard)
                {
                    tally.Demote(Confidence.Low);
                }
            }
        }

        if (_form is null && Summary is { PeopleCount: > 0 })
        {
            Preview = ContentPreviews.Table(_location, _previewHeader, _previewRows, _columns.Select(c => c.Kind).ToArray(), _dataRows, _reference);
        }

        _previewRows = [];
        _onComplete(this);
    }

    private bool IsOrganisationList()
    {
        var organisations = false;
        foreach (var column in _columns)
        {
            if (column.Kind == DataKind.Name && column.Valid > 0)
            {
                return false;
            }

            organisations |= column.Kind == DataKind.Organisation && column.Valid > 0;
        }

        return organisations;
    }

    /// <param name="whole">Every row of the table is buffered (it completed first): only then may it be read a record a column.</param>
    private void Decide(bool whole = false)
    {
        _decided = true;
        if (whole && TableTransposer.IsRecordPerColumn(_buffer))
        {
            _sourceRows = TableTransposer.Transpose(_buffer);
            _cells.SourceRows = _sourceRows;
        }

        // The header row, found once: joining a split name below changes only rows one cell wider.
        var headerAt = TableHeader.Find(_buffer, _options.HeaderSearchRows);

        // A name split by an unquoted comma is joined before anything else reads the rows.
        var split = _sourceRows is null ? TableNameSplit.Find(_buffer, headerAt) : -1;
        if (split >= 0)
        {
            _splitAt = split;
            _splitWidth = _buffer[headerAt].Cells.Length;
            _joinedFields = new FieldSpan[_splitWidth];
            for (var r = 0; r < _buffer.Count; r++)
            {
                _buffer[r] = (_buffer[r].Row, TableNameSplit.Join(_buffer[r].Cells, _splitAt, _splitWidth));
            }
        }

        var width = 0;
        foreach (var (_, cells) in _buffer)
        {
            width = Math.Max(width, cells.Length);
        }

        _columns = new TableColumn[width];
        for (var i = 0; i < width; i++)
        {
            _columns[i] = new TableColumn(i);
        }

        if (width == 1 || TableFormReader.IsFormLayout(_buffer))
        {
            _form = new TableFormReader(_location, _onFormText, lines: width == 1);
            foreach (var (_, cells) in _buffer)
            {
                _dataRows++;
                _form.Add(cells);
            }

            _buffer.Clear();
            return;
        }

        if (headerAt >= 0)
        {
            // A turned table's header is a column: no header row to name.
            _headerRow = _sourceRows is null ? _buffer[headerAt].Row : null;
            TableHeader.NameColumns(_buffer[headerAt].Cells, _columns);
        }

        var dataStart = headerAt + 1;
        TableColumnInference.Infer(_columns, _buffer, dataStart, headerless: headerAt < 0, _dates);
        foreach (var column in _columns)
        {
            column.Prepare(_tallies);
        }

        // Once every column's kind is settled (the classifier plans its name keys by them).
        _cells.Columns = _columns;

        _previewHeader = headerAt >= 0 ? _buffer[headerAt].Cells : null;
        _previewRows = _buffer.Skip(dataStart).Take(ContentPreviews.MaxRows).Select(b => b.Cells).ToArray();
        for (var r = dataStart; r < _buffer.Count; r++)
        {
            ProcessRow(_buffer[r].Row, _buffer[r].Cells);
        }

        _buffer.Clear();
    }

    private void ProcessRow(long rowIndex, ReadOnlySpan<Cell> cells)
    {
        if (_splitAt >= 0 && cells.Length == _splitWidth + 1)
        {
            cells = TableNameSplit.Join(cells, _splitAt, _splitWidth);
        }

        BeginRow();
        _cells.ClassifyCells(rowIndex, cells);
        EndRow(rowIndex);
    }

    // A data row starts: its keys are asked for only while the table still keeps them.
    private void BeginRow()
    {
        _dataRows++;
        _cells.BeginRow(_shapes.WantsKeys, _shapes.WantsRowKeys);
    }

    private void EndRow(long rowIndex) => _shapes.Add(rowIndex, _cells.RowMask, _cells.RowPersonKey, _cells.RowKey);
}
