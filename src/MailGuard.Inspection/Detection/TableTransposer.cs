namespace MailGuard.Inspection.Detection;

/// <summary>
/// A table written a record a column: the labels down one column ("Name", "Date of birth",
/// "Address"), each person in a column of their own beside them (a shortlist of candidates, a
/// household's members, tenants side by side). Read as written, its rows are attributes and no
/// row is a person; turned (each column a row, the labels the header) it is the table of people it is.
/// </summary>
internal static class TableTransposer
{
    /// <summary>
    /// Whether the whole table (every row buffered) is a record a column: no row names two columns
    /// as a header does, three or more filled rows (at least half of them) start in one column
    /// with a label of a personal kind and go on with two values or more, and four in five filled
    /// rows have three cells or more.
    /// </summary>
    public static bool IsRecordPerColumn(IReadOnlyList<(long Row, Cell[] Cells)> rows)
    {
        int filledRows = 0, wideRows = 0, labelled = 0, labelColumn = -1;
        foreach (var (_, cells) in rows)
        {
            if (TableHeader.NamesColumns(cells))
            {
                return false;
            }

            var filled = 0;
            var first = -1;
            for (var i = 0; i < cells.Length; i++)
            {
                if (cells[i].Kind != CellKind.Empty && !string.IsNullOrWhiteSpace(cells[i].Text))
                {
                    filled++;
                    first = first < 0 ? i : first;
                }
            }

            if (filled == 0)
            {
                continue;
            }

            filledRows++;
            if (filled < 3)
            {
                continue;
            }

            wideRows++;
            var label = cells[first];
            if (label.Kind == CellKind.Text && CellText.CountDigits(label.Text) < 4
                && HeaderClassifier.Classify(label.Text) is not (DataKind.Unknown or DataKind.NotPersonal)
                && (labelColumn < 0 || labelColumn == first))
            {
                labelColumn = first;
                labelled++;
            }
        }

        return labelled >= 3 && labelled * 2 >= filledRows && wideRows * 5 >= filledRows * 4;
    }

    /// <summary>
    /// Turns <paramref name="rows"/> in place: each column that holds anything becomes a row whose
    /// index is the column's, its cells in the order of the rows. Returns each new column's source
    /// row (the rows' own indexes), for locations a reader can follow.
    /// </summary>
    public static long[] Transpose(List<(long Row, Cell[] Cells)> rows)
    {
        var width = 0;
        foreach (var (_, cells) in rows)
        {
            width = Math.Max(width, cells.Length);
        }

        var sourceRows = new long[rows.Count];
        for (var r = 0; r < rows.Count; r++)
        {
            sourceRows[r] = rows[r].Row;
        }

        var turned = new List<(long Row, Cell[] Cells)>(width);
        for (var c = 0; c < width; c++)
        {
            var column = new Cell[rows.Count];
            var any = false;
            for (var r = 0; r < rows.Count; r++)
            {
                var cells = rows[r].Cells;
                column[r] = c < cells.Length ? cells[c] : Cell.Empty;
                any |= column[r].Kind != CellKind.Empty;
            }

            if (any)
            {
                turned.Add((c, column));
            }
        }

        rows.Clear();
        rows.AddRange(turned);
        return sourceRows;
    }
}
