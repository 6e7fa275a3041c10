using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// "Label | value" rows (a complaint form, a case summary in a Word table) are a record written
/// downwards, not a table of people: they are read as "label: value" lines of text, with the
/// document's other text, so that twenty one-record tables in one document are twenty people.
/// A table of one column (a letter laid out in a cell, a CSV pasted into column A without
/// splitting it) is layout too: its cells are read as lines of text at the table's location.
/// As a sink of its own, in lines mode, it reads the tables past
/// <see cref="ContentAnalyzer.MaxTables"/> as text.
/// </summary>
internal sealed class TableFormReader : ITableSink
{
    private readonly ContentLocation _location;
    private readonly Action<ContentLocation, string> _onText;
    private readonly StringBuilder _text = new();
    private readonly bool _lines;
    private readonly string _separator;
    private ulong _recordKinds;

    /// <param name="separator">Between a line's cells in lines mode: a tab (a one-column table's
    /// rarely has two cells), or " / " for whole tables, which a tab would make a table again.</param>
    public TableFormReader(ContentLocation location, Action<ContentLocation, string> onText, bool lines = false, string separator = "\t")
    {
        _separator = separator;
        _location = location;
        _onText = onText;
        _lines = lines;
    }

    /// <summary>Most filled rows are two cells, and at least half of those (three or more) start with a known label.</summary>
    public static bool IsFormLayout(IReadOnlyList<(long Row, Cell[] Cells)> rows)
    {
        int filledRows = 0, pairRows = 0, labelled = 0;
        foreach (var (_, cells) in rows)
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
                if (CellText.CountDigits(first!) < 4 && HeaderClassifier.Classify(first) is not (DataKind.Unknown or DataKind.NotPersonal))
                {
                    labelled++;
                }
            }
        }

        return filledRows >= 3 && pairRows * 5 >= filledRows * 4 && labelled * 2 >= pairRows && labelled >= 3;
    }

    public void Add(IReadOnlyList<Cell> cells)
    {
        if (_lines)
        {
            AddLine(cells);
            return;
        }

        string? label = null;
        var value = new StringBuilder();
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

                value.Append(ShownText(cell).Trim().ReplaceLineEndings(" "));
            }
        }

        if (label is null)
        {
            _text.Append('\n');
            _recordKinds = 0;
            return;
        }

        // A label seen again starts the next record: a paragraph break keeps people apart.
        var kind = HeaderClassifier.Classify(label);
        if (kind is not (DataKind.Unknown or DataKind.NotPersonal))
        {
            if ((_recordKinds & DataKinds.Bit(kind)) != 0)
            {
                _text.Append('\n');
                _recordKinds = 0;
            }

            _recordKinds |= DataKinds.Bit(kind);
        }

        _text.Append(label).Append(": ").Append(value).Append('\n');
        if (_text.Length >= 1024 * 1024 && _recordKinds == DataKinds.Bit(kind))
        {
            Flush();
        }
    }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells) => Add(cells);

    public void Complete() => Flush();

    public void Flush()
    {
        _text.Append('\n');
        // Forms: the document's location, not the table's, so the forms of one document are read
        // together. Lines: the table's (its sheet).
        _onText(_lines ? _location with { Row = null, Column = null } : _location with { Sheet = null, Row = null, Column = null }, _text.ToString());
        _text.Clear();
    }

    private void AddLine(IReadOnlyList<Cell> cells)
    {
        // One cell a row, as the rows that decided it; a later row with more keeps them apart.
        var first = true;
        foreach (var cell in cells)
        {
            if (cell.Kind != CellKind.Empty && !string.IsNullOrWhiteSpace(cell.Text))
            {
                if (!first)
                {
                    _text.Append(_separator);
                }

                _text.Append(ShownText(cell).Trim());
                first = false;
            }
        }

        _text.Append('\n');
        if (_text.Length >= 1024 * 1024)
        {
            Flush();
        }
    }

    private static string ShownText(Cell cell) =>
        cell.Kind == CellKind.Date && cell.Date is { } d ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : cell.Text!;
}
