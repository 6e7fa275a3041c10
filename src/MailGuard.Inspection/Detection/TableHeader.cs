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
        var fallback = -1;
        for (var r = 0; r < limit; r++)
        {
            var (header, filled, known) = Score(rows[r].Cells);
            if (!header)
            {
                continue;
            }

            // A title row ("Staff training record export", "Home Office - Immigration Enforcement")
            // may hold one header word; a row naming two columns or more is the header.
            if (known < 2 && filled < 2)
            {
                fallback = fallback < 0 ? r : fallback;
                continue;
            }

            // Merged group headings ("Prisoner" over three columns, "Location" over two) sit
            // above the real header: a next row that is a header with more cells is the one.
            if (r + 1 < limit && Score(rows[r + 1].Cells) is { Header: true } next && next.Filled > filled)
            {
                return r + 1;
            }

            return r;
        }

        return fallback;
    }

    /// <summary>A row that names two columns or more as a header row does (see <see cref="Find"/>).</summary>
    public static bool NamesColumns(Cell[] cells) => Score(cells) is { Header: true, Known: >= 2 };

    /// <summary>
    /// A header row has half its filled cells (at least one) known column names, and no cell that
    /// looks like data (a typed number or date, an address with '@', a run of four digits).
    /// </summary>
    private static (bool Header, int Filled, int Known) Score(Cell[] cells)
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
                return (false, filled, known);
            }

            // A part at work ("On-call manager") names a column too, though not its kind.
            if (HeaderClassifier.Classify(cell.Text) != DataKind.Unknown || HeaderClassifier.IsStaffRole(cell.Text))
            {
                known++;
            }
        }

        return (known >= 1 && known * 2 >= filled, filled, known);
    }

    /// <summary>Names the columns after the header's cells and takes the kind each name gives.</summary>
    public static void NameColumns(Cell[] header, TableColumn[] columns)
    {
        for (var i = 0; i < header.Length; i++)
        {
            var text = header[i].Text?.Trim();
            columns[i].Header = string.IsNullOrEmpty(text) ? null : (text.Length > 80 ? text[..80] : text);
            columns[i].StaffRole = HeaderClassifier.IsStaffRole(text);
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
