namespace MailGuard.Inspection;

/// <summary>
/// Where a piece of content was found: the MIME part path (e.g. "/2" or "/2/message/1"),
/// the attachment chain (archive members and attached messages joined by " > "), and for
/// tables the sheet, row and column. Rendered into findings so a reviewer can find the data.
/// In findings, <see cref="Row"/> is the row as a spreadsheet shows it (the first row is 1, so a
/// header on row 1 has its first data row at 2; for text, the line) and <see cref="Column"/> is
/// zero-based (rendered from 1); <see cref="Page"/> is a PDF's page number, from 1. A finding
/// about a table's people covers rows: <see cref="Row"/> is the first of them and
/// <see cref="LastRow"/> the last ("rows 2-31"); a finding at one cell has no <see cref="LastRow"/>.
/// </summary>
public sealed record ContentLocation(string PartPath, string? FileName = null, string? Sheet = null, long? Row = null, int? Column = null, int? Page = null, long? LastRow = null)
{
    public ContentLocation WithCell(long row, int? column) => this with { Row = row, Column = column, LastRow = null };

    /// <summary>The rows <paramref name="first"/> to <paramref name="last"/> of a table (spreadsheet numbers), no column.</summary>
    public ContentLocation WithRows(long first, long last) => this with { Row = first, LastRow = Math.Max(first, last), Column = null };

    /// <summary>
    /// The rows as every reader is shown them (console, notices, CLI), numbered as a spreadsheet
    /// numbers them: "rows 2-31" for a range, "row 2" for one row or a cell; null when the
    /// location has no row.
    /// </summary>
    public string? RowText()
    {
        if (Row is not { } row)
        {
            return null;
        }

        string first = row.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return LastRow is { } last && last > row
            ? "rows " + first + "-" + last.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "row " + first;
    }

    public ContentLocation Child(string fileName) =>
        this with { FileName = FileName is null ? fileName : FileName + " > " + fileName, Sheet = null, Row = null, Column = null, Page = null, LastRow = null };

    public override string ToString()
    {
        var parts = new List<string>(4) { FileName ?? PartPath };
        if (Sheet is not null)
        {
            parts.Add("sheet " + Sheet);
        }

        if (Page is not null)
        {
            parts.Add("page " + Page.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (RowText() is { } rows)
        {
            parts.Add(rows);
        }

        if (Column is not null)
        {
            parts.Add("column " + (Column.Value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join(", ", parts);
    }
}

/// <summary>How a spreadsheet stored a cell. Dates stored as serial numbers with a date style arrive as <see cref="Date"/>.</summary>
public enum CellKind
{
    Empty,
    Text,
    Number,
    Date,
    Boolean,
}

/// <summary>One table cell: its display text and, where the source typed it, the typed value.</summary>
public readonly record struct Cell(string Text, CellKind Kind = CellKind.Text, DateTime? Date = null, double? Number = null)
{
    public static Cell Empty => new(string.Empty, CellKind.Empty);

    public static Cell FromText(string? text) => string.IsNullOrEmpty(text) ? Empty : new Cell(text);
}

/// <summary>Why content could not be read. Policy decides what an unscannable part means.</summary>
public enum UnscannableReason
{
    Encrypted,
    PasswordProtected,
    Corrupt,
    ExpansionRatioExceeded,
    ExpandedSizeExceeded,
    NestingTooDeep,
    TooManyParts,
    TimeBudgetExceeded,
    UnsupportedFormat,

    /// <summary>A header block hit a limit (field count, block size, line length): fields past it were not all read.</summary>
    HeaderLimitExceeded,

    /// <summary>A fragment (message/partial) whose other fragments are not in the message.</summary>
    Incomplete,
}

/// <summary>Receives tables row by row, so a 5,000-row sheet is never held whole.</summary>
public interface ITableSink
{
    /// <param name="rowIndex">Zero-based row number in the source sheet or file.</param>
    /// <param name="cells">The row's cells, valid only during the call: readers reuse their row list.</param>
    void OnRow(long rowIndex, IReadOnlyList<Cell> cells);

    void Complete();
}

/// <summary>
/// What extractors write to and detectors read from. Extractors stream: text arrives in
/// blocks (a paragraph, a page, a body), tables row by row.
/// </summary>
public interface IContentSink
{
    void OnText(ContentLocation location, string text);

    /// <summary>Starts a table (a CSV file, a sheet). The caller sends rows and then calls Complete.</summary>
    ITableSink BeginTable(ContentLocation location);

    void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail);

    /// <summary>The real type (from magic bytes) differs from the declared name or Content-Type.</summary>
    void OnTypeMismatch(ContentLocation location, string declared, string detected);
}

/// <summary>One field of a record: a range of the reader's buffer (valid only during the call).</summary>
internal readonly record struct FieldSpan(int Start, int Length);

/// <summary>
/// A table sink that can read a record as ranges of the reader's buffer, so a reader need not
/// make a string per cell. Used by the CSV and xlsx readers when the sink offers it; the ranges
/// and the buffer are valid only during the call.
/// </summary>
internal interface ISpanTableSink : ITableSink
{
    /// <summary>A CSV record: every field is text (an empty range is an empty cell).</summary>
    void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields);

    /// <summary>
    /// A typed row (a sheet's): field i's text is its range of <paramref name="chars"/>, its kind,
    /// date and number those of <paramref name="typed"/>[i], whose own text is empty.
    /// </summary>
    void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed);
}

/// <summary>Rows as ranges made into cells, for a sink or a step that keeps them.</summary>
internal static class SpanRows
{
    /// <summary>The cells of a CSV record (see <see cref="ISpanTableSink"/>), each with its own string.</summary>
    public static Cell[] ToTextCells(ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        var cells = new Cell[fields.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var f = fields[i];
            cells[i] = f.Length == 0 ? Cell.Empty : new Cell(new string(chars.Slice(f.Start, f.Length)));
        }

        return cells;
    }

    /// <summary>The cells of a typed row (see <see cref="ISpanTableSink"/>), each with its own string.</summary>
    public static Cell[] ToCells(ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed)
    {
        var cells = new Cell[fields.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            var f = fields[i];
            cells[i] = typed[i].Kind == CellKind.Empty ? Cell.Empty : typed[i] with { Text = new string(chars.Slice(f.Start, f.Length)) };
        }

        return cells;
    }
}
