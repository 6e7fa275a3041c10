namespace MailGuard.Inspection.Detection;

/// <summary>
/// One column of a table being read: what it holds (from its header or its values) and the
/// counters its cells add to. Plain fields, not properties: they are read for every cell, and
/// the cell method is large enough that the JIT stops inlining accessors in it.
/// </summary>
#pragma warning disable SA1401, CA1051
internal sealed class TableColumn(int index)
{
    // Distinct values are tracked for contact columns only, to tell a list of people's phone
    // numbers from a column that repeats one switchboard number. A column is "repeated" only with
    // at most TableSummariser.RepeatedMaxDistinct distinct values, so one more settles it: past
    // that the answer cannot change, and the column's cells are no longer hashed.
    public const int DistinctCap = TableSummariser.RepeatedMaxDistinct + 1;

    public readonly int Index = index;

    public string? Header;

    public DataKind Kind;

    public ColumnKindSource Source;

    /// <summary>The header calls this contact detail someone's own ("Home address", "Personal mobile").</summary>
    public bool Private;

    /// <summary>Headed with a part played at work ("On-call manager"): if it holds names, they are staff's.</summary>
    public bool StaffRole;

    public long Values;

    public long Valid;

    /// <summary>E-mail columns: valid addresses at a work domain (<see cref="MailboxKind.Work"/>).</summary>
    public long WorkAddresses;

    /// <summary>Phone columns: valid UK numbers that ring at a place or a switchboard (01, 02, 03, 08), not a mobile.</summary>
    public long Landlines;

    /// <summary>The distinct values seen (their hashes), up to <see cref="DistinctCap"/>; released with the table.</summary>
    public KeySet? Distinct;

    public long DistinctConsidered;

    public FindingTally? Tally;

    public bool NeedsDistinct => Distinct is { IsFull: false };

    /// <summary>Once the kind is settled: a distinct-value set for contact kinds, and the tally its findings go to.</summary>
    public void Prepare(TallySet tallies)
    {
        if (Kind is DataKind.Phone or DataKind.PostalAddress or DataKind.Postcode or DataKind.EmailAddress)
        {
            Distinct = new KeySet(DistinctCap);
        }

        var findingKind = DataKinds.FindingKind(Kind);
        if (findingKind is not null)
        {
            Tally = tallies.Get(findingKind);
        }
    }

    public void TrackDistinct(int hash)
    {
        if (Distinct is { IsFull: false } set)
        {
            // Never 0 (the set's empty slot), whatever the hash.
            set.Add((1L << 32) | (uint)hash);
            DistinctConsidered++;
        }
    }
}
#pragma warning restore SA1401, CA1051
