namespace MailGuard.Inspection.Detection;

/// <summary>Dates in a table's cells, typed or written, and whether one can be a birth date, against one reference day.</summary>
internal sealed class TableDates
{
    private readonly DateOnly _oldestBirth;

    public TableDates(DateOnly reference)
    {
        Reference = reference;
        _oldestBirth = reference.AddYears(-120);
    }

    public DateOnly Reference { get; }

    public bool TryGetDate(in Cell cell, out DateOnly date) => TryGetDate(cell.Kind, cell.Date, cell.Text, out date);

    public bool TryGetDate(CellKind kind, DateTime? typedDate, ReadOnlySpan<char> text, out DateOnly date)
    {
        if (kind == CellKind.Date && typedDate is { } typed)
        {
            date = DateOnly.FromDateTime(typed);
            return true;
        }

        if (text.Length is < 6 or > 40 || !CellText.HasDigit(text))
        {
            date = default;
            return false;
        }

        return DateValue.TryParse(text, out date, allowTwoDigitYear: true, reference: Reference);
    }

    /// <summary>
    /// A date kept as an Excel serial number without a date format ("31850" under "Date of Birth"):
    /// a whole number of four or five digits, read in the 1900 date system. Only asked of cells
    /// whose header already says they hold dates of birth.
    /// </summary>
    public bool TryGetSerialDate(CellKind kind, double? number, ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        double serial;
        if (kind == CellKind.Number && number is { } n)
        {
            serial = n;
        }
        else if (text.Length is 4 or 5 && CellText.IsAllDigitsOrPunctuation(text) && CellText.CountDigits(text) == text.Length)
        {
            serial = int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            return false;
        }

        if (serial < 1000 || serial >= 100_000 || Math.Floor(serial) != serial
            || Extraction.XlsxExtractor.SerialToDate(serial, date1904: false) is not { } value)
        {
            return false;
        }

        date = DateOnly.FromDateTime(value);
        return true;
    }

    /// <summary><see cref="DateValue.IsPlausibleBirthDate"/> with the oldest date worked out once.</summary>
    public bool IsPlausibleBirthDate(DateOnly date) => date <= Reference && date > _oldestBirth;
}
