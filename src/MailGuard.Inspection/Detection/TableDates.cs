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

    /// <summary><see cref="DateValue.IsPlausibleBirthDate"/> with the oldest date worked out once.</summary>
    public bool IsPlausibleBirthDate(DateOnly date) => date <= Reference && date > _oldestBirth;
}
