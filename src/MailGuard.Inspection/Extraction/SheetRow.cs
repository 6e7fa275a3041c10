namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The sheet row being read: a range, kind, date and number per cell, the text in one char
/// buffer, the tail of the workbook's <see cref="SharedStringTable"/> (a shared-string cell is the
/// range of its item; a number's text is widened from its bytes, a date's written out, inline
/// text decoded, into the tail). A sink that reads ranges (<see cref="ISpanTableSink"/>, the table
/// analyzer) gets the row as it is, with no string per cell; any other sink gets cells with their
/// own strings.
/// </summary>
internal sealed class SheetRow(SharedStringTable strings)
{
    /// <summary>
    /// The most text one row may write (as a CSV record may hold): a cell written again at the same
    /// column leaves its earlier text behind until the row ends, so without a cap a hostile row
    /// repeating one cell reference could fill memory up to the expansion limit. Past it the sheet
    /// is refused as corrupt.
    /// </summary>
    internal const int MaxRowChars = CsvTokenizer.MaxBufferChars;

    private int _tailUsed;

    // Whether the row's tail holds text (inline strings) and not only numbers and dates written
    // as ASCII: only then may it need folding.
    private bool _tailText;
    private FieldSpan[] _fields = new FieldSpan[16];
    private Cell[] _typed = new Cell[16];
    private int _count;

    public void Clear()
    {
        _tailUsed = 0;
        _tailText = false;
        _count = 0;
    }

    /// <summary>An empty cell at <paramref name="column"/>.</summary>
    public void PlaceEmpty(int column) => Place(column, default, CellKind.Empty, null, null);

    /// <summary>A text cell whose text is shared string <paramref name="index"/>, which must exist.</summary>
    public void PlaceShared(int column, int index) => Place(column, strings.Range(index), CellKind.Text, null, null);

    /// <summary>A cell whose text is <paramref name="text"/> (none: an empty cell).</summary>
    public void PlaceText(int column, ReadOnlySpan<char> text, CellKind kind = CellKind.Text, double? number = null)
    {
        text.CopyTo(Room(text.Length));
        _tailText = true;
        Place(column, Written(text.Length), kind, null, number);
    }

    /// <summary>A text cell from raw XML bytes (<see cref="ByteXmlScanner.Decode"/>'s rules).</summary>
    public void PlaceDecoded(int column, ReadOnlySpan<byte> raw)
    {
        _tailText = true;
        Place(column, Written(ByteXmlScanner.DecodeTo(raw, Room(raw.Length))), CellKind.Text, null, null);
    }

    /// <summary>
    /// A number cell whose text is its value's bytes as written, which must be ASCII (digits, sign,
    /// point, exponent, spaces: what the plain-number parser accepts).
    /// </summary>
    public void PlaceNumber(int column, ReadOnlySpan<byte> written, double number)
    {
        Span<char> text = Room(written.Length);
        for (int i = 0; i < written.Length; i++)
        {
            text[i] = (char)written[i];
        }

        Place(column, Written(written.Length), CellKind.Number, null, number);
    }

    /// <summary>A date cell, its text as <see cref="XlsxExtractor.DateText"/> writes it.</summary>
    public void PlaceDate(int column, DateTime date, double? serial) =>
        Place(column, Written(XlsxExtractor.DateText(date, Room(XlsxExtractor.MaxDateTextLength))), CellKind.Date, date, serial);

    /// <summary>
    /// Hands the row to <paramref name="table"/> with trailing empty cells cut (nothing for a row
    /// of empty cells), counting its cells against the limits.
    /// </summary>
    public void Emit(ExtractionContext context, ITableSink table, long rowIndex)
    {
        int last = _count - 1;
        while (last >= 0 && _typed[last].Kind == CellKind.Empty)
        {
            last--;
        }

        if (last < 0)
        {
            return;
        }

        if ((rowIndex & 0xFF) == 0)
        {
            context.ThrowIfCancelled();
        }

        context.AddCells(last + 1);
        if (_tailText && Detection.VisibleText.NeedsFolding(strings.Chars(_tailUsed)[strings.TailStart..]))
        {
            FoldTail(last + 1);
        }

        ReadOnlySpan<char> chars = strings.Chars(_tailUsed);
        ReadOnlySpan<FieldSpan> fields = _fields.AsSpan(0, last + 1);
        ReadOnlySpan<Cell> typed = _typed.AsSpan(0, last + 1);
        if (table is ISpanTableSink spans)
        {
            spans.OnRow(rowIndex, chars, fields, typed);
        }
        else
        {
            table.OnRow(rowIndex, SpanRows.ToCells(chars, fields, typed));
        }
    }

    // The row's own text (inline strings) as a reader sees it (Detection.VisibleText); shared
    // strings were folded with their table. Each cell closes up in place: its range only shortens.
    private void FoldTail(int cells)
    {
        for (int i = 0; i < cells; i++)
        {
            var field = _fields[i];
            if (field.Start >= strings.TailStart && field.Length > 0)
            {
                _fields[i] = field with { Length = Detection.VisibleText.Fold(strings.Tail(field.Start - strings.TailStart, field.Length)) };
            }
        }
    }

    private Span<char> Room(int chars) => (long)_tailUsed + chars <= MaxRowChars
        ? strings.Tail(_tailUsed, chars)
        : throw new InvalidDataException($"a sheet row of more than {MaxRowChars} characters");

    // The range of the chars just written to Room, which the row now keeps.
    private FieldSpan Written(int chars)
    {
        var field = new FieldSpan(strings.TailStart + _tailUsed, chars);
        _tailUsed += chars;
        return field;
    }

    // The cell at column: after the last cell (empty cells fill any gap), or in place of an
    // earlier cell at the same column (whose text stays in the tail, unused, until the row is cleared).
    private void Place(int column, FieldSpan field, CellKind kind, DateTime? date, double? number)
    {
        var cell = field.Length == 0 ? Cell.Empty : new Cell(string.Empty, kind, date, number);
        if (column >= _fields.Length)
        {
            int size = Math.Max(column + 1, _fields.Length * 2);
            Array.Resize(ref _fields, size);
            Array.Resize(ref _typed, size);
        }

        while (_count < column)
        {
            _fields[_count] = default;
            _typed[_count] = Cell.Empty;
            _count++;
        }

        _fields[column] = field;
        _typed[column] = cell;
        _count = Math.Max(_count, column + 1);
    }
}
