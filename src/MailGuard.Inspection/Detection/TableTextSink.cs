using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A table read as lines of text: past <see cref="ContentAnalyzer.MaxTables"/> tables in one
/// message (a page of thousands of one-row tables costs a table analyzer each, kept to the end),
/// each further table's rows are sent as text, one line a row, its cells joined by " / " (no
/// delimiter that text reading would take for a table again), at its part's location.
/// </summary>
internal sealed class TableTextSink(ContentLocation location, Action<ContentLocation, string> onText) : ITableSink
{
    private const int FlushChars = 64 * 1024;

    private readonly ContentLocation _location = location with { Sheet = null, Row = null, Column = null };
    private readonly StringBuilder _text = new();

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var first = true;
        foreach (var cell in cells)
        {
            if (cell.Kind == CellKind.Empty || string.IsNullOrWhiteSpace(cell.Text))
            {
                continue;
            }

            if (!first)
            {
                _text.Append(" / ");
            }

            _text.Append(cell.Kind == CellKind.Date && cell.Date is { } d ? d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : cell.Text.Trim());
            first = false;
        }

        _text.Append('\n');
        if (_text.Length >= FlushChars)
        {
            Flush();
        }
    }

    public void Complete()
    {
        _text.Append('\n');
        Flush();
    }

    private void Flush()
    {
        if (_text.Length > 0)
        {
            onText(_location, _text.ToString());
            _text.Clear();
        }
    }
}
