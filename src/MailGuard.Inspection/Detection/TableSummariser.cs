using System.Globalization;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A completed table's account: how many rows describe a person (someone identified plus
/// something about them), which kinds, and the personal-data finding when there are enough.
/// </summary>
internal static class TableSummariser
{
    private static readonly ulong s_identifierBits = DataKinds.Bits(DataKind.Name, DataKind.EmailAddress, DataKind.NiNumber,
        DataKind.NhsNumber, DataKind.PrisonerNumber, DataKind.StaffNumber, DataKind.PassportNumber, DataKind.DrivingLicence);

    private static readonly ulong s_weakBits = DataKinds.Bits(DataKind.Unknown, DataKind.NotPersonal, DataKind.WorkLocation,
        DataKind.JobTitle, DataKind.PersonTitle, DataKind.Organisation, DataKind.Reference, DataKind.OtherDate);

    private static readonly ulong s_contactBits = DataKinds.Bits(DataKind.Phone, DataKind.EmailAddress, DataKind.PostalAddress, DataKind.Postcode);

    // Columns that make a table a list of staff or partners (issue 14): their work contact details
    // are business contact data unless a header calls one someone's own.
    private static readonly ulong s_businessContextBits = DataKinds.Bits(DataKind.JobTitle, DataKind.WorkLocation, DataKind.Organisation);

    private static readonly ulong s_strongBits = DataKinds.Bits(DataKind.NiNumber, DataKind.NhsNumber, DataKind.DateOfBirth,
        DataKind.PassportNumber, DataKind.PrisonerNumber, DataKind.PaymentCard, DataKind.BankAccount, DataKind.HealthInformation,
        DataKind.ImmigrationStatus, DataKind.DrivingLicence);

    public static (TableSummary Summary, Finding? PersonalData) Summarise(
        ContentLocation location,
        ContentAnalyzerOptions options,
        TallySet tallies,
        TableColumn[] columns,
        IReadOnlyDictionary<ulong, (long Count, long FirstRow, long LastRow)> shapes,
        long? headerRow,
        long dataRows,
        bool readAsText,
        bool turned = false)
    {
        // A table read a record a column (TableTransposer) has its people in columns: the finding
        // is the table's, with no rows to name.
        ContentLocation Rows(long first, long last) => turned ? location : location.WithRows(first + 1, last + 1);
        var records = turned ? "columns" : "rows";
        var businessBits = BusinessContactBits(columns);
        var businessContext = BusinessContext(columns);

        // A table of one column is layout (a signature, a letter in a cell), not records: its text
        // is read as prose (TableAnalyzer reads it as lines).
        var layout = columns.Length < 2;
        long people = 0;
        long contacts = 0;
        long firstRow = long.MaxValue, lastRow = long.MinValue;
        long firstContactRow = long.MaxValue, lastContactRow = long.MinValue;
        ulong kinds = 0;
        ulong contactKinds = 0;
        foreach (var (mask, (count, first, last)) in shapes)
        {
            if (layout)
            {
                break;
            }

            var personal = Personal(mask, businessBits, businessContext);

            // Someone identified (name, e-mail, NI number...) plus something about them.
            if (IsPerson(personal))
            {
                people += count;
                kinds |= personal;
                firstRow = Math.Min(firstRow, first);
                lastRow = Math.Max(lastRow, last);
            }
            else if ((mask & s_contactBits) != 0 && (mask & (DataKinds.Bits(DataKind.Name, DataKind.EmailAddress, DataKind.Organisation))) != 0)
            {
                // A name or an organisation with its work contact details: a directory row.
                contacts += count;
                contactKinds |= mask & ~DataKinds.Bits(DataKind.Unknown, DataKind.NotPersonal, DataKind.Reference, DataKind.OtherDate);
                firstContactRow = Math.Min(firstContactRow, first);
                lastContactRow = Math.Max(lastContactRow, last);
            }
        }

        var kindList = new List<DataKind>();
        foreach (var column in columns)
        {
            if ((kinds & DataKinds.Bit(column.Kind)) != 0 && !kindList.Contains(column.Kind))
            {
                kindList.Add(column.Kind);
            }
        }

        // Kinds found by scanning unclassified columns have no column of their own.
        foreach (var kind in Enum.GetValues<DataKind>())
        {
            if ((kinds & DataKinds.Bit(kind)) != 0 && !kindList.Contains(kind))
            {
                kindList.Add(kind);
            }
        }

        var columnSummaries = new ColumnSummary[columns.Length];
        for (var i = 0; i < columnSummaries.Length; i++)
        {
            var c = columns[i];
            columnSummaries[i] = new ColumnSummary(c.Index, c.Header, c.Kind, c.Source, c.Values, c.Valid);
        }

        var summary = new TableSummary(location, headerRow, dataRows, people, columnSummaries, kindList, ReadAsText: readAsText)
        {
            BusinessContacts = contacts,
        };
        if (people < options.MinPeople)
        {
            if (people == 0 && contacts >= options.MinPeople)
            {
                var contactList = OrderedKinds(columns, contactKinds);
                var text = string.Create(CultureInfo.InvariantCulture, $"{contacts:N0} {records} of work contact details: {string.Join(", ", contactList.Select(DataKinds.Describe))}");
                return (summary, new Finding(FindingKinds.BusinessContacts, (int)Math.Min(contacts, int.MaxValue), Confidence.Medium,
                    Rows(firstContactRow, lastContactRow), [], text));
            }

            return (summary, null);
        }

        var confidence = (kinds & s_strongBits) != 0 || people >= 10 ? Confidence.High : Confidence.Medium;
        var description = string.Create(CultureInfo.InvariantCulture, $"{people:N0} {records}: {string.Join(", ", kindList.Select(DataKinds.Describe))}");
        var evidence = new List<string>(options.MaxEvidence);
        foreach (var tally in tallies.All)
        {
            foreach (var e in tally.Evidence)
            {
                if (evidence.Count < options.MaxEvidence)
                {
                    evidence.Add(e);
                }
            }
        }

        // Rows as the spreadsheet shows them: the first row is 1 (a header on it, data from row 2);
        // the finding covers the person rows, first to last ("rows 2-31").
        var personalData = new Finding(FindingKinds.PersonalData, (int)Math.Min(people, int.MaxValue), confidence,
            Rows(firstRow, lastRow), evidence, description);
        return (summary, personalData);
    }

    /// <summary>The keys of the rows counted as people (<see cref="Summarise"/>'s test, row by row).</summary>
    public static PeopleKeys PeopleKeys(TableColumn[] columns, TableRowShapes shapes)
    {
        var businessBits = BusinessContactBits(columns);
        var businessContext = BusinessContext(columns);
        long unkeyed = 0;
        if (columns.Length < 2)
        {
            return Detection.PeopleKeys.None;
        }

        var rows = shapes.Rows;
        var personKeys = System.Buffers.ArrayPool<long>.Shared.Rent(rows.Length);
        var persons = 0;
        foreach (var (mask, key) in rows)
        {
            if (!IsPerson(Personal(mask, businessBits, businessContext)))
            {
                continue;
            }

            if (key == 0)
            {
                unkeyed++;
            }
            else
            {
                personKeys[persons++] = key;
            }
        }

        var keys = DistinctKeys.Of(personKeys.AsSpan(0, persons));
        MailGuard.Mime.Internal.PooledArray.Return(ref personKeys);
        return keys.Count == 0 && unkeyed == 0 ? Detection.PeopleKeys.None : new PeopleKeys(keys, unkeyed, shapes.RowsComplete);
    }

    private static ulong Personal(ulong mask, ulong businessBits, bool businessContext)
    {
        var personal = mask & ~s_weakBits & ~businessBits;

        // Work e-mail, desk phone and office address in a staff or partner list say where someone
        // works, not who they are at home.
        return businessContext ? personal & ~s_contactBits : personal;
    }

    private static bool IsPerson(ulong personal) =>
        (personal & s_identifierBits) != 0 && DataKinds.HasAttributeBeyondIdentifier(personal);

    private static List<DataKind> OrderedKinds(TableColumn[] columns, ulong kinds)
    {
        var list = new List<DataKind>();
        foreach (var column in columns)
        {
            if ((kinds & DataKinds.Bit(column.Kind)) != 0 && !list.Contains(column.Kind))
            {
                list.Add(column.Kind);
            }
        }

        return list;
    }

    private static bool BusinessContext(TableColumn[] columns)
    {
        // A job title, team or organisation column; or names headed only by their part at work
        // ("On-call manager"), which a list of clients beside their caseworker is not.
        var staffNames = false;
        var otherNames = false;
        foreach (var column in columns)
        {
            if (column.Valid == 0)
            {
                continue;
            }

            if ((s_businessContextBits & DataKinds.Bit(column.Kind)) != 0)
            {
                return true;
            }

            if (column.Kind == DataKind.Name)
            {
                staffNames |= column.StaffRole;
                otherNames |= !column.StaffRole;
            }
        }

        return staffNames && !otherNames;
    }

    /// <summary>
    /// The most distinct values a contact column may have and still be "a handful repeated":
    /// past it the column is people's own details, so no more than one past it is ever tracked
    /// (<see cref="TableColumn.DistinctCap"/>).
    /// </summary>
    internal const int RepeatedMaxDistinct = 25;

    /// <summary>
    /// A contact column that repeats a handful of values (one switchboard number, one office
    /// address for everyone) is business contact data, not a personal attribute.
    /// </summary>
    private static ulong BusinessContactBits(TableColumn[] columns)
    {
        ulong businessBits = 0;
        foreach (var kind in (ReadOnlySpan<DataKind>)[DataKind.Phone, DataKind.PostalAddress, DataKind.Postcode, DataKind.EmailAddress])
        {
            var any = false;
            var allRepeated = true;
            foreach (var column in columns)
            {
                if (column.Kind != kind || column.Distinct is null || column.DistinctConsidered == 0)
                {
                    continue;
                }

                // A handful of values repeated down the column (one switchboard, three office
                // addresses); people in one town still have dozens of distinct postcodes.
                any = true;
                var distinct = column.Distinct.Count;
                allRepeated &= column.DistinctConsidered >= 5 && distinct * 5 <= column.DistinctConsidered && distinct <= RepeatedMaxDistinct;
            }

            if (any && allRepeated)
            {
                businessBits |= DataKinds.Bit(kind);
            }
        }

        // Names beside work addresses (the organisation's own domains, or gov.uk) and, if any
        // numbers, landlines: a staff or partner directory with no job-title column. A mobile may
        // be someone's own, so a mobile column keeps its rows people.
        if (MostlyOf(columns, DataKind.EmailAddress, static c => c.WorkAddresses) == true)
        {
            businessBits |= DataKinds.Bit(DataKind.EmailAddress);
            if (MostlyOf(columns, DataKind.Phone, static c => c.Landlines) != false)
            {
                businessBits |= DataKinds.Bit(DataKind.Phone);
            }
        }

        return businessBits;
    }

    /// <summary>
    /// Whether nine in ten of the valid values in every column of <paramref name="kind"/> are
    /// counted by <paramref name="counted"/>; null when no such column has a valid value.
    /// </summary>
    private static bool? MostlyOf(TableColumn[] columns, DataKind kind, Func<TableColumn, long> counted)
    {
        bool? mostly = null;
        foreach (var column in columns)
        {
            if (column.Kind != kind || column.Valid == 0)
            {
                continue;
            }

            mostly = mostly != false && counted(column) * 10 >= column.Valid * 9;
        }

        return mostly;
    }
}
