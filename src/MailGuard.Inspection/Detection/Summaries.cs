namespace MailGuard.Inspection.Detection;

/// <summary>Where a column's kind came from.</summary>
public enum ColumnKindSource
{
    None,
    Header,
    Values,
}

/// <param name="Values">Non-empty cells below the header.</param>
/// <param name="Valid">Cells that validated as <paramref name="Kind"/> (a well-formed NI number under an NI header, a plausible date under DOB).</param>
public sealed record ColumnSummary(int Index, string? Header, DataKind Kind, ColumnKindSource Source, long Values, long Valid);

/// <summary>
/// What a table holds, for policy rules that need more than a finding: how many people, which
/// kinds of data about them, how the columns were read.
/// </summary>
/// <param name="HeaderRowIndex">Zero-based source row of the header, or null when the columns were classified from values.</param>
/// <param name="DataRows">Rows after the header (or all rows without one).</param>
/// <param name="PeopleCount">Rows that identify a person and carry at least one further personal attribute.</param>
/// <param name="PersonalKinds">Kinds present in the counted rows, in column order.</param>
/// <param name="ReadAsText">
/// The table was a form ("Name | Jane Doe" rows) and was read as text: its people are counted
/// in the <see cref="TextSummary"/> of its location, not here.
/// </param>
public sealed record TableSummary(
    ContentLocation Location,
    long? HeaderRowIndex,
    long DataRows,
    long PeopleCount,
    IReadOnlyList<ColumnSummary> Columns,
    IReadOnlyList<DataKind> PersonalKinds,
    bool ReadAsText = false)
{
    /// <summary>Rows that name a person or an organisation with work contact details only (a directory): not people.</summary>
    public long BusinessContacts { get; init; }
}

/// <summary>People found in the prose of one location (a body, a document), for policy rules.</summary>
public sealed record TextSummary(ContentLocation Location, long PeopleCount, IReadOnlyList<DataKind> PersonalKinds);
