namespace MailGuard.Core.Inspection.Detection;

/// <summary>
/// Forms laid out as label/value tables ("Name | Jane Doe", "Postcode | LS6 3QT", ...): one
/// table is one record, and a document of 25 such forms is a table of 25 people. Small tables
/// are held back until they complete; a table whose first column reads as field labels is
/// turned into a record and added to its document's form collection, anything else is replayed
/// into the ordinary table analysis. Collections are analysed as one table (labels as the
/// header row) when findings are read.
/// </summary>
internal sealed class FormTableSink : ITableSink
{
    // A form is short and narrow; anything larger is an ordinary table and is streamed.
    internal const int MaxFormRows = 60;
    private const int MaxFormColumns = 3;
    private const int MinLabelledRows = 3;

    private readonly Func<ITableSink> _openOrdinary;
    private readonly Action<IReadOnlyList<(string Label, Cell Value)>> _onForm;
    private readonly List<(long Row, Cell[] Cells)> _held = new();
    private ITableSink? _ordinary;

    public FormTableSink(Func<ITableSink> openOrdinary, Action<IReadOnlyList<(string Label, Cell Value)>> onForm)
    {
        _openOrdinary = openOrdinary;
        _onForm = onForm;
    }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells)
    {
        if (_ordinary is not null)
        {
            _ordinary.OnRow(rowIndex, cells);
            return;
        }

        if (_held.Count >= MaxFormRows || NonEmptyColumns(cells) > MaxFormColumns)
        {
            Replay();
            _ordinary!.OnRow(rowIndex, cells);
            return;
        }

        _held.Add((rowIndex, cells.ToArray()));
    }

    public void Complete()
    {
        if (_ordinary is null && TryReadForm(out var record))
        {
            _onForm(record);
            return;
        }

        if (_ordinary is null)
        {
            Replay();
        }

        _ordinary!.Complete();
    }

    private void Replay()
    {
        _ordinary = _openOrdinary();
        foreach (var (row, cells) in _held)
        {
            _ordinary.OnRow(row, cells);
        }

        _held.Clear();
    }

    // Label in the first non-empty cell, value in the next: a form when at least three rows have
    // a label that names personal data and most non-empty rows are label/value pairs.
    private bool TryReadForm(out List<(string Label, Cell Value)> record)
    {
        record = new List<(string, Cell)>();
        int nonEmpty = 0, labelled = 0, personal = 0;
        foreach (var (_, cells) in _held)
        {
            var filled = cells.Where(c => c.Kind != CellKind.Empty && !string.IsNullOrWhiteSpace(c.Text)).ToList();
            if (filled.Count == 0)
            {
                continue;
            }

            nonEmpty++;
            if (filled.Count < 2)
            {
                continue;
            }

            string label = filled[0].Text.Trim().TrimEnd(':').Trim();
            var kind = HeaderClassifier.Classify(label);
            if (kind == DataKind.Unknown || label.Length > 40)
            {
                continue;
            }

            labelled++;
            if (kind != DataKind.NotPersonal)
            {
                personal++;
            }

            record.Add((label, filled[1]));
        }

        return personal >= MinLabelledRows && labelled * 2 >= nonEmpty;
    }

    private static int NonEmptyColumns(IReadOnlyList<Cell> cells)
    {
        int n = 0;
        foreach (var c in cells)
        {
            if (c.Kind != CellKind.Empty && !string.IsNullOrWhiteSpace(c.Text))
            {
                n++;
            }
        }

        return n;
    }
}

/// <summary>The forms of one document, gathered into rows under the union of their labels.</summary>
internal sealed class FormCollection
{
    private readonly List<string> _labels = new();
    private readonly Dictionary<string, int> _labelIndex = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Dictionary<int, Cell>> _records = new();

    public FormCollection(ContentLocation location) => Location = location;

    public ContentLocation Location { get; }

    public int Pending => _records.Count;

    public void Add(IReadOnlyList<(string Label, Cell Value)> record)
    {
        var row = new Dictionary<int, Cell>();
        foreach (var (label, value) in record)
        {
            if (!_labelIndex.TryGetValue(label, out int index))
            {
                index = _labels.Count;
                _labels.Add(label);
                _labelIndex[label] = index;
            }

            row.TryAdd(index, value);
        }

        _records.Add(row);
    }

    /// <summary>Sends the pending forms as one table (header row of labels, one row per form) and clears them.</summary>
    public void FlushInto(ITableSink sink)
    {
        sink.OnRow(0, _labels.Select(l => new Cell(l)).ToArray());
        long r = 1;
        foreach (var record in _records)
        {
            var cells = new Cell[_labels.Count];
            for (int i = 0; i < cells.Length; i++)
            {
                cells[i] = record.TryGetValue(i, out var c) ? c : Cell.Empty;
            }

            sink.OnRow(r++, cells);
        }

        sink.Complete();
        _records.Clear();
    }
}
