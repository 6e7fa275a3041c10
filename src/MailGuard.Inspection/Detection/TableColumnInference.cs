namespace MailGuard.Inspection.Detection;

/// <summary>
/// The kind of a column its header did not give, from the values in the buffered rows: six in
/// ten filled cells must validate as one identifier kind.
/// </summary>
internal static class TableColumnInference
{
    public static void Infer(TableColumn[] columns, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, bool headerless, TableDates dates)
    {
        Span<char> buffer = stackalloc char[Iban.MaxLength];
        foreach (var column in columns)
        {
            if (column.Source == ColumnKindSource.Header)
            {
                // "Name" over "Leeds Women's Aid", "Bradford Law Courts": a list of organisations;
                // over "Widget 12", "Room 101": things (nobody's name has digits in it).
                if (column.Kind == DataKind.Name && MostlyOrganisationNames(column, rows, dataStart, out var things))
                {
                    column.Kind = things ? DataKind.NotPersonal : DataKind.Organisation;
                    column.Source = ColumnKindSource.Values;
                }

                continue;
            }

            int filled = 0, organisations = 0, nino = 0, nhs = 0, email = 0, phone = 0, postcode = 0, card = 0, iban = 0, birthDates = 0, names = 0;
            int minYear = int.MaxValue, maxYear = int.MinValue;
            for (var r = dataStart; r < rows.Count; r++)
            {
                var cells = rows[r].Cells;
                if (column.Index >= cells.Length)
                {
                    continue;
                }

                var cell = cells[column.Index];
                var text = cell.Text.AsSpan().Trim();
                if (cell.Kind == CellKind.Empty || text.IsEmpty)
                {
                    continue;
                }

                filled++;
                if (dates.TryGetDate(cell, out var date))
                {
                    if (dates.IsPlausibleBirthDate(date))
                    {
                        birthDates++;
                        minYear = Math.Min(minYear, date.Year);
                        maxYear = Math.Max(maxYear, date.Year);
                    }

                    continue;
                }

                if (text.Length <= 80 && CellText.HasLetter(text) && PersonWords.IsOrganisationName(text))
                {
                    organisations++;
                    continue;
                }

                if (text.Length > 40)
                {
                    continue;
                }

                if (UkNino.TryParse(text, buffer, out var suffix, ignoreCase: true) && suffix)
                {
                    nino++;
                }
                else if (NhsNumber.TryParse(text, buffer))
                {
                    nhs++;
                }
                else if (UkPhone.TryParse(text, buffer, out _))
                {
                    phone++;
                }
                else if (text.Contains('@') && EmailAddress.IsValid(text))
                {
                    email++;
                }
                else if (CellText.IsPostcode(text))
                {
                    postcode++;
                }
                else if (PaymentCard.TryParse(text, buffer, out _))
                {
                    card++;
                }
                else if (Iban.TryParse(text, buffer, out _))
                {
                    iban++;
                }
                else if (headerless && LooksLikeFullName(text))
                {
                    names++;
                }
            }

            if (filled < 2)
            {
                continue;
            }

            // Six in ten: a column of identifiers has blanks and typos, a column of other
            // numbers passes mod 11 one time in eleven and Luhn one time in ten.
            var need = Math.Max(2, (int)Math.Ceiling(filled * 0.6));
            var kind =
                nino >= need ? DataKind.NiNumber :
                nhs >= need ? DataKind.NhsNumber :
                email >= need ? DataKind.EmailAddress :
                phone >= need ? DataKind.Phone :
                postcode >= need ? DataKind.Postcode :
                card >= need ? DataKind.PaymentCard :
                iban >= need ? DataKind.BankAccount :
                names >= need ? DataKind.Name :
                organisations >= need ? DataKind.Organisation :
                // Undated birth dates spread over decades; report, meeting and payment dates
                // cluster in a year or two. Only without a header: under one that no rule read
                // ("Start date", "Purchase date") dates are whatever it says, not births.
                headerless && birthDates >= need && maxYear - minYear >= 10 ? DataKind.DateOfBirth :
                DataKind.Unknown;
            if (kind != DataKind.Unknown)
            {
                column.Kind = kind;
                column.Source = ColumnKindSource.Values;
            }
        }
    }

    private static bool MostlyOrganisationNames(TableColumn column, IReadOnlyList<(long Row, Cell[] Cells)> rows, int dataStart, out bool things)
    {
        int filled = 0, organisations = 0, withDigits = 0;
        for (var r = dataStart; r < rows.Count; r++)
        {
            var cells = rows[r].Cells;
            if (column.Index >= cells.Length || cells[column.Index].Kind == CellKind.Empty)
            {
                continue;
            }

            var text = cells[column.Index].Text.AsSpan().Trim();
            if (text.IsEmpty)
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
