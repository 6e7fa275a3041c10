namespace MailGuard.Inspection.Detection;

/// <summary>
/// The kind of a column its header did not give, from the values in the buffered rows: six in
/// ten filled cells must validate as one identifier kind. A header's kind gives way to strict
/// identifiers in its values (NI numbers under "Team"), unless the header vetoes them.
/// </summary>
internal static class TableColumnInference
{
    public static void Infer(TableColumn[] columns, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, bool headerless, TableDates dates)
    {
        foreach (var column in columns)
        {
            var reread = false;
            if (column.Source == ColumnKindSource.Header)
            {
                if (column.Kind != DataKind.NiNumber && MislabelledIdentifiers(column, rows, dataStart, HeaderVetoesNumbers(column.Kind)) is { } identifiers)
                {
                    // NI numbers under "Team", "Phone", "Name" or "Order number": the values say
                    // what the column holds (no code is shaped like an NI number with HMRC's
                    // prefixes six times in ten by chance). A header that says what a number is
                    // or is not (barcode, order, case reference) still vetoes numeric look-alikes:
                    // NHS numbers and IBANs.
                    column.Kind = identifiers;
                    column.Source = ColumnKindSource.Values;
                }
                else if (column.Kind == DataKind.Name && MostlyOrganisationNames(column, rows, dataStart, out var things))
                {
                    // "Name" over "Leeds Women's Aid", "Bradford Law Courts": a list of organisations;
                    // over "Widget 12", "Room 101": things (nobody's name has digits in it).
                    column.Kind = things ? DataKind.NotPersonal : DataKind.Organisation;
                    column.Source = ColumnKindSource.Values;
                }
                else if (FitsNone(column, rows, dataStart))
                {
                    // Names under "NI number", phone numbers under "Email": a header that not one
                    // of its values fits belongs to another column (headers swapped, a row's cells
                    // shifted by one). The values say what this one holds, as for no header.
                    column.Kind = DataKind.Unknown;
                    column.Source = ColumnKindSource.None;
                    reread = true;
                }

                if (column.Source == ColumnKindSource.Header || column.Kind != DataKind.Unknown)
                {
                    continue;
                }
            }

            var counts = Tally(column, rows, dataStart, headerless || reread, dates);
            if (counts.Filled < 2)
            {
                continue;
            }

            var need = counts.Need;
            var kind =
                counts.Nino >= need ? DataKind.NiNumber :
                counts.Nhs >= need ? DataKind.NhsNumber :
                counts.Email >= need ? DataKind.EmailAddress :
                counts.Phone >= need ? DataKind.Phone :
                counts.Postcode >= need ? DataKind.Postcode :
                counts.Card >= need ? DataKind.PaymentCard :
                counts.Iban >= need ? DataKind.BankAccount :
                counts.Names >= need ? DataKind.Name :
                counts.Organisations >= need ? DataKind.Organisation :
                // Undated birth dates spread over decades; report, meeting and payment dates
                // cluster in a year or two. Only without a header: under one that no rule read
                // ("Start date", "Purchase date") dates are whatever it says, not births; so under
                // a word atop the column that the header rules did not take as a row of names
                // ("Author, Title, Published").
                headerless && counts.BirthDates >= need && counts.MaxYear - counts.MinYear >= 10 && !UnderAnotherLabel(column, rows, dataStart) ? DataKind.DateOfBirth :
                DataKind.Unknown;
            if (kind != DataKind.Unknown)
            {
                column.Kind = kind;
                column.Source = ColumnKindSource.Values;
            }
        }
    }

    // Headers that say what a number is (an identifier of their own) or is not (a reference, a
    // code, a date of something else): their numbers are never re-read as another identifier.
    private static bool HeaderVetoesNumbers(DataKind kind) => kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.PaymentCard
        or DataKind.BankAccount or DataKind.PassportNumber or DataKind.DrivingLicence or DataKind.PrisonerNumber or DataKind.StaffNumber
        or DataKind.CaseReference or DataKind.Reference or DataKind.NotPersonal or DataKind.OtherDate or DataKind.DateOfBirth or DataKind.ReleaseDate;

    /// <summary>
    /// Identifiers that validate too strictly to be in six cells of ten by chance, in a headed
    /// column: NI numbers with their suffix, mod-11 NHS numbers, mod-97 IBANs. Every headed column
    /// of every table is checked, so each cell is ruled out by its length and first characters
    /// before any validator runs.
    /// </summary>
    private static DataKind? MislabelledIdentifiers(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, bool numbersVetoed)
    {
        Span<char> buffer = stackalloc char[Iban.MaxLength];
        int filled = 0, nino = 0, nhs = 0, iban = 0;
        for (var r = dataStart; r < rows.Count; r++)
        {
            if (!TryFilled(column, rows[r].Cells, out _, out var text))
            {
                continue;
            }

            filled++;
            if (text.Length is >= 9 and <= 14 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]))
            {
                if (UkNino.TryParse(text, buffer, out var suffix, ignoreCase: true) && suffix)
                {
                    nino++;
                }
            }
            else if (numbersVetoed)
            {
                continue;
            }
            else if (text.Length is >= 10 and <= 12 && char.IsAsciiDigit(text[0]))
            {
                if (NhsNumber.TryParse(text, buffer))
                {
                    nhs++;
                }
            }
            else if (text.Length is >= 15 and <= 42 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]) && char.IsAsciiDigit(text[2]) && Iban.TryParse(text, buffer, out _))
            {
                iban++;
            }
        }

        var need = Math.Max(2, (int)Math.Ceiling(filled * 0.6));
        return filled < 2 ? null : nino >= need ? DataKind.NiNumber : nhs >= need ? DataKind.NhsNumber : iban >= need ? DataKind.BankAccount : null;
    }

    private record struct ValueCounts(int Filled, int Organisations, int Nino, int Nhs, int Email, int Phone, int Postcode, int Card, int Iban, int BirthDates, int Names, int MinYear, int MaxYear)
    {
        // Six in ten: a column of identifiers has blanks and typos, a column of other
        // numbers passes mod 11 one time in eleven and Luhn one time in ten.
        public readonly int Need => Math.Max(2, (int)Math.Ceiling(Filled * 0.6));
    }

    private static ValueCounts Tally(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, bool headerless, TableDates dates)
    {
        Span<char> buffer = stackalloc char[Iban.MaxLength];
        var c = new ValueCounts { MinYear = int.MaxValue, MaxYear = int.MinValue };
        for (var r = dataStart; r < rows.Count; r++)
        {
            if (!TryFilled(column, rows[r].Cells, out var cell, out var text))
            {
                continue;
            }

            c.Filled++;
            if (dates.TryGetDate(cell, out var date))
            {
                if (dates.IsPlausibleBirthDate(date))
                {
                    c.BirthDates++;
                    c.MinYear = Math.Min(c.MinYear, date.Year);
                    c.MaxYear = Math.Max(c.MaxYear, date.Year);
                }

                continue;
            }

            if (text.Length <= 80 && CellText.HasLetter(text) && PersonWords.IsOrganisationName(text))
            {
                c.Organisations++;
                continue;
            }

            if (text.Length > 40)
            {
                continue;
            }

            if (UkNino.TryParse(text, buffer, out var suffix, ignoreCase: true) && suffix)
            {
                c.Nino++;
            }
            else if (NhsNumber.TryParse(text, buffer))
            {
                c.Nhs++;
            }
            else if (UkPhone.TryParse(text, buffer, out _))
            {
                c.Phone++;
            }
            else if (text.Contains('@') && EmailAddress.IsValid(text))
            {
                c.Email++;
            }
            else if (CellText.IsPostcode(text))
            {
                c.Postcode++;
            }
            else if (PaymentCard.TryParse(text, buffer, out _))
            {
                c.Card++;
            }
            else if (Iban.TryParse(text, buffer, out _))
            {
                c.Iban++;
            }
            else if (headerless && LooksLikeFullName(text))
            {
                c.Names++;
            }
        }

        return c;
    }

    /// <summary>
    /// The column's first cell is a label, not a value: words without a digit ("Published",
    /// "Date joined") that do not name a birth, atop a column of dates. (Cells are folded, so
    /// other scripts' digits are ASCII here.)
    /// </summary>
    private static bool UnderAnotherLabel(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart) =>
        dataStart < rows.Count && TryFilled(column, rows[dataStart].Cells, out var cell, out var text) && cell.Kind == CellKind.Text
        && !CellText.HasDigit(text) && CellText.HasLetter(text) && HeaderClassifier.Classify(cell.Text) != DataKind.DateOfBirth;

    // The column's cell in a row, and its text trimmed, when it holds something.
    private static bool TryFilled(TableColumn column, Cell[] cells, out Cell cell, out ReadOnlySpan<char> text)
    {
        if (column.Index >= cells.Length || cells[column.Index].Kind == CellKind.Empty)
        {
            cell = default;
            text = default;
            return false;
        }

        cell = cells[column.Index];
        text = cell.Text.AsSpan().Trim();
        return !text.IsEmpty;
    }

    /// <summary>
    /// A strictly validated identifier's header (NI number, e-mail, postcode) over at least five
    /// filled cells not one of which is that identifier, even as loosely as the cell classifier
    /// takes it (an NI number without its suffix under its own header).
    /// </summary>
    private static bool FitsNone(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart)
    {
        if (column.Kind is not (DataKind.NiNumber or DataKind.EmailAddress or DataKind.Postcode))
        {
            return false;
        }

        Span<char> buffer = stackalloc char[Iban.MaxLength];
        var filled = 0;
        for (var r = dataStart; r < rows.Count; r++)
        {
            if (!TryFilled(column, rows[r].Cells, out _, out var text))
            {
                continue;
            }

            filled++;
            var fits = column.Kind switch
            {
                DataKind.NiNumber => text.Length <= 13 && UkNino.TryParse(text, buffer, out _, ignoreCase: true),
                DataKind.EmailAddress => EmailAddress.IsValid(text),
                _ => CellText.IsPostcode(text),
            };
            if (fits)
            {
                return false;
            }
        }

        return filled >= 5;
    }

    private static bool MostlyOrganisationNames(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, out bool things)
    {
        int filled = 0, organisations = 0, withDigits = 0;
        for (var r = dataStart; r < rows.Count; r++)
        {
            if (!TryFilled(column, rows[r].Cells, out _, out var text))
            {
                continue;
            }

            filled++;
            if (text.ContainsAnyInRange('0', '9'))
            {
                withDigits++;
            }
            else if (text.Length <= 80 && PersonWords.IsOrganisationName(text))
            {
                organisations++;
            }
        }

        things = withDigits > organisations;
        return filled >= 2 && (organisations + withDigits) * 10 >= filled * 6;
    }

    private static bool LooksLikeFullName(ReadOnlySpan<char> text)
    {
        // Two to four capitalised words of letters ("Jane Doe", "DOE, Jane", "Mary-Ann O'Neil").
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                if (!inWord)
                {
                    if (!char.IsUpper(c))
                    {
                        return false;
                    }

                    words++;
                    inWord = true;
                }
            }
            else if (c is ' ' or ',')
            {
                inWord = false;
            }
            else if (c is not ('-' or '\'' or '.'))
            {
                return false;
            }
        }

        return words is >= 2 and <= 4;
    }
}
