namespace MailGuard.Inspection.Detection;

/// <summary>
/// "Okafor, Amelia" written into a CSV without quotes: every data row has one cell more than the
/// header, the name split over two cells and everything after it under the next column's header
/// (dates of birth under "Notes", nothing under "Date of birth"). Found from the buffered rows
/// of text (typed sheet cells never split), the two cells are read as the one name they are.
/// </summary>
internal static class TableNameSplit
{
    /// <summary>
    /// The index of the name column split in two, or -1: a header naming a name column, three or
    /// more data rows (six in ten) one cell wider than it, and in eight in ten of those a surname
    /// in that column and a forename after a space in the next ("Okafor," " Amelia").
    /// </summary>
    public static int Find(IReadOnlyList<(long Row, Cell[] Cells)> rows, int headerAt)
    {
        if (headerAt < 0)
        {
            return -1;
        }

        var header = rows[headerAt].Cells;
        int dataRows = 0, wider = 0;
        for (var r = headerAt + 1; r < rows.Count; r++)
        {
            var cells = rows[r].Cells;
            if (!cells.Any(c => c.Kind != CellKind.Empty))
            {
                continue;
            }

            if (cells.Any(c => c.Kind is not (CellKind.Text or CellKind.Empty)))
            {
                return -1;
            }

            dataRows++;
            wider += cells.Length == header.Length + 1 ? 1 : 0;
        }

        if (wider < 3 || wider * 10 < dataRows * 6)
        {
            return -1;
        }

        for (var k = 0; k < header.Length; k++)
        {
            if (HeaderClassifier.Classify(header[k].Text) != DataKind.Name)
            {
                continue;
            }

            var split = 0;
            for (var r = headerAt + 1; r < rows.Count; r++)
            {
                var cells = rows[r].Cells;
                if (cells.Length == header.Length + 1 && IsNamePart(cells[k].Text, leadingSpace: false) && IsNamePart(cells[k + 1].Text, leadingSpace: true))
                {
                    split++;
                }
            }

            if (split * 10 >= wider * 8)
            {
                return k;
            }
        }

        return -1;
    }

    /// <summary>The row with cells <paramref name="at"/> and the next joined ("Okafor, Amelia") when it is one cell wider than <paramref name="width"/>.</summary>
    public static Cell[] Join(Cell[] cells, int at, int width) => cells.Length == width + 1 ? Join((ReadOnlySpan<Cell>)cells, at, width) : cells;

    /// <summary>The cells of a row one wider than <paramref name="width"/>, <paramref name="at"/> and the next joined, in a new array.</summary>
    public static Cell[] Join(ReadOnlySpan<Cell> cells, int at, int width)
    {
        var joined = new Cell[width];
        cells[..at].CopyTo(joined);
        joined[at] = new Cell(cells[at].Text.TrimEnd() + "," + cells[at + 1].Text);
        cells[(at + 2)..].CopyTo(joined.AsSpan(at + 1));
        return joined;
    }

    /// <summary>
    /// A CSV record's fields with <paramref name="at"/> and the next joined, when the record is
    /// one field wider than <paramref name="width"/> and the two lie side by side in the record's
    /// characters with the one delimiter between them; else false.
    /// </summary>
    public static bool TryJoin(ReadOnlySpan<FieldSpan> fields, int at, int width, Span<FieldSpan> joined)
    {
        if (fields.Length != width + 1 || joined.Length < width)
        {
            return false;
        }

        var first = fields[at];
        var second = fields[at + 1];
        if (first.Start + first.Length + 1 != second.Start)
        {
            return false;
        }

        fields[..at].CopyTo(joined);
        joined[at] = new FieldSpan(first.Start, second.Start + second.Length - first.Start);
        fields[(at + 2)..].CopyTo(joined[(at + 1)..]);
        return true;
    }

    // One or two words of letters (apostrophes and hyphens too), capitalised; the forename half
    // after the space the comma left ("Okafor," then " Amelia").
    private static bool IsNamePart(string text, bool leadingSpace)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 40 || (leadingSpace && text[0] != ' '))
        {
            return false;
        }

        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || !char.IsUpper(trimmed[0]) || trimmed.Count(' ') > 1)
        {
            return false;
        }

        foreach (var c in trimmed)
        {
            if (!char.IsLetter(c) && c is not ('\'' or '-' or ' '))
            {
                return false;
            }
        }

        return true;
    }
}
