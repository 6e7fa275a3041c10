namespace MailGuard.Inspection.Detection;

/// <summary>
/// Who the people counted in one table or text are, so that people can be counted across the
/// parts of a message (issue 14): keys of identifiers or names, plus people who had neither.
/// </summary>
/// <param name="Keys">Identifier keys (kind in the high half) or name keys (<see cref="DataKind.Name"/> there).</param>
/// <param name="Unkeyed">People counted without a key.</param>
/// <param name="Complete">Every counted person is in <paramref name="Keys"/> or <paramref name="Unkeyed"/>.</param>
internal sealed record PeopleKeys(IReadOnlySet<long> Keys, long Unkeyed, bool Complete)
{
    public static readonly PeopleKeys None = new(new HashSet<long>(), 0, true);

    public long Count => Keys.Count + Unkeyed;

    /// <summary>The same people as <paramref name="other"/> (a table read twice, an HTML body and its text twin).</summary>
    public bool SamePeopleAs(PeopleKeys other) =>
        Complete && other.Complete && Unkeyed == 0 && other.Unkeyed == 0 && Keys.Count > 0 && Keys.Count == other.Keys.Count && Keys.SetEquals(other.Keys);
}
