namespace MailGuard.Inspection.Detection;

/// <summary>Where a table's header row is among its first rows, and what its cells name.</summary>
internal static class TableHeader
{
    /// <summary>
    /// The header is the first of the leading rows in which at least two cells (or the only
    /// cells) read as known column names and they are a third or more of the filled cells: a
    /// title row ("Table 4b: case level data") above it has one filled cell and no known names.
    /// -1 when no leading row is a header.
    /// </summary>
    public static int Find(IReadOnlyList<(long Row, Cell[] Cells)> rows, int searchRows)
    {
        var limit = Math.Min(rows.Count, searchRows);
        for (var r = 0; r < limit; r++)
        {
            var cells = rows[r].Cells;
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
                if (cell.Kind is CellKind.Number or CellKind.Date || cell.Text.Contains('@') || CellText.CountDigits(cell.Text) >= 4)
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
                // Merged group headings ("Prisoner" over three columns, "Location" over two) sit
                // above the real header: a next row that is a header with more cells is the one.
                if (r + 1 < limit && Score(rows[r + 1].Cells) is { Header: true } next && next.Filled > filled)
                {
                    return r + 1;
                }

                return r;
            }
        }

        return -1;
    }

    private static (bool Header, int Filled) Score(Cell[] cells)
    {
        var filled = 0;
        var known = 0;
        foreach (var cell in cells)
        {
            if (cell.Kind == CellKind.Empty || string.IsNullOrWhiteSpace(cell.Text))
            {
                continue;
            }

            filled++;
            if (cell.Kind is CellKind.Number or CellKind.Date || cell.Text.Contains('@') || CellText.CountDigits(cell.Text) >= 4)
            {
                return (false, filled);
            }

            if (HeaderClassifier.Classify(cell.Text) != DataKind.Unknown)
            {
                known++;
            }
        }

        return (known >= 1 && known * 2 >= filled, filled);
    }

    /// <summary>Names the columns after the header's cells and takes the kind each name gives.</summary>
    public static void NameColumns(Cell[] header, TableColumn[] columns)
    {
        for (var i = 0; i < header.Length; i++)
        {
            var text = header[i].Text?.Trim();
            columns[i].Header = string.IsNullOrEmpty(text) ? null : (text.Length > 80 ? text[..80] : text);
            var kind = HeaderClassifier.Classify(text);
            if (kind != DataKind.Unknown)
            {
                columns[i].Kind = kind;
                columns[i].Source = ColumnKindSource.Header;
                columns[i].Private = kind is DataKind.Phone or DataKind.EmailAddress or DataKind.PostalAddress or DataKind.Postcode
                    && HeaderClassifier.IsPrivateContact(text);
            }
        }
    }
}
