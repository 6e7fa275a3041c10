namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Records found in a structured export (JSON objects in an array, repeated XML elements) made
/// into tables, one per kind of record: the first records' field names become the header ("dateOfBirth"
/// reads as "Date of birth" does), and a field that no earlier record had goes to a last "Other"
/// column, where it is still scanned. Bounded: at most <see cref="MaxTables"/> tables of
/// <see cref="MaxColumns"/> named columns; records past that are read as text.
/// </summary>
internal sealed class RecordTables
{
    internal const int MaxTables = 64;
    internal const int MaxColumns = 128;

    // Records held until the header is decided: enough to see every column of most exports.
    internal const int HeaderRecords = 64;

    private readonly ExtractionContext _context;
    private readonly ContentLocation _location;
    private readonly TextBlockWriter _text;
    private readonly Dictionary<string, Table> _tables = new(StringComparer.Ordinal);

    public RecordTables(ExtractionContext context, ContentLocation location, TextBlockWriter text)
    {
        _context = context;
        _location = location;
        _text = text;
    }

    /// <summary>Adds one record (field name, value pairs) to the table for records found at <paramref name="path"/>.</summary>
    public void Add(string path, string? name, List<KeyValuePair<string, string>> fields) => Add(path, name, fields, positional: false);

    /// <summary>Adds one row of cells as written (an array of arrays): the rows are the table, a header among them.</summary>
    public void AddRow(string path, string? name, List<string> cells) =>
        Add(path, name, cells.Select((cell, i) => new KeyValuePair<string, string>(PositionKey(i), cell)).ToList(), positional: true);

    private void Add(string path, string? name, List<KeyValuePair<string, string>> fields, bool positional)
    {
        if (fields.Count == 0)
        {
            return;
        }

        if (!_tables.TryGetValue(path, out var table))
        {
            if (_tables.Count >= MaxTables)
            {
                foreach (var (key, value) in fields)
                {
                    Text(positional ? string.Empty : key, value);
                }

                return;
            }

            table = new Table(this, name, positional);
            _tables.Add(path, table);
        }

        table.Add(fields);
    }

    // Cells of a row written as an array are keyed by position: "#0", "#1"... never a header of their own.
    private static string PositionKey(int i) => "#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A value that belongs to no record: a line of text.</summary>
    public void Text(string key, string value)
    {
        if (key.Length > 0)
        {
            _text.Append(key);
            _text.Append(": ");
        }

        _text.Append(value);
        _text.Append('\n');
    }

    public void Complete()
    {
        foreach (var table in _tables.Values)
        {
            table.Complete();
        }

        _text.Flush();
    }

    private sealed class Table(RecordTables owner, string? name, bool positional)
    {
        private List<List<KeyValuePair<string, string>>>? _held = [];
        private Dictionary<string, int>? _columns;
        private ITableSink? _sink;
        private long _row = 1;

        public void Add(List<KeyValuePair<string, string>> fields)
        {
            if (_held is not null)
            {
                _held.Add(fields);
                if (_held.Count >= HeaderRecords)
                {
                    Start();
                }

                return;
            }

            Emit(fields);
        }

        public void Complete()
        {
            if (_held is not null)
            {
                Start();
            }

            _sink!.Complete();
        }

        private void Start()
        {
            var held = _held!;
            _held = null;
            _columns = new Dictionary<string, int>(StringComparer.Ordinal);
            var header = new List<Cell>();
            foreach (var record in held)
            {
                foreach (var (key, _) in record)
                {
                    if (_columns.Count < MaxColumns && _columns.TryAdd(key, header.Count))
                    {
                        header.Add(new Cell(key));
                    }
                }
            }

            header.Add(new Cell("Other"));
            var location = name is null ? owner._location : owner._location with { Sheet = name };
            _sink = owner._context.Sink.BeginTable(location);
            if (positional)
            {
                // The rows were written with their header among them: none is made up.
                _row = 0;
            }
            else
            {
                owner._context.AddCells(header.Count);
                _sink.OnRow(0, header);
            }

            foreach (var record in held)
            {
                Emit(record);
            }
        }

        private void Emit(List<KeyValuePair<string, string>> fields)
        {
            owner._context.ThrowIfCancelled();
            var cells = new Cell[_columns!.Count + 1];
            System.Text.StringBuilder? other = null;
            foreach (var (key, value) in fields)
            {
                if (_columns.TryGetValue(key, out var i) && cells[i].Text is null)
                {
                    cells[i] = Cell.FromText(value);
                }
                else
                {
                    other = other is null ? new System.Text.StringBuilder() : other.Append("; ");
                    other.Append(key).Append(": ").Append(value);
                }
            }

            cells[^1] = Cell.FromText(other?.ToString());
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = cells[i].Text is null ? Cell.Empty : cells[i];
            }

            owner._context.AddCells(cells.Length);
            _sink!.OnRow(_row++, cells);
        }
    }
}
