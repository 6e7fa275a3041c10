using System.Collections;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A table's people's keys, each once, as one array (8 bytes a key): what <see cref="PeopleKeys"/>
/// holds for a table. A hash set per table (a 5,000-row sheet's keys took 100 KB and 3% of its
/// scan) was built only to be counted and, when a message has several parts with people,
/// compared or joined; the set for those questions is made when one is first asked.
/// </summary>
internal sealed class DistinctKeys : IReadOnlySet<long>
{
    private readonly long[] _keys;
    private HashSet<long>? _set;

    private DistinctKeys(long[] keys)
    {
        _keys = keys;
    }

    public int Count => _keys.Length;

    /// <summary>
    /// The distinct non-zero keys among <paramref name="keys"/>, in first-seen order. The keys are
    /// de-duplicated in place (the span is scratch: its start holds the distinct keys afterwards),
    /// so the one array made is the result.
    /// </summary>
    public static DistinctKeys Of(Span<long> keys)
    {
        var seen = new KeySet(Math.Max(1, keys.Length), sizedForCapacity: true);
        var count = 0;
        foreach (var key in keys)
        {
            if (key != 0 && seen.Add(key))
            {
                keys[count++] = key;
            }
        }

        seen.Release();
        return new DistinctKeys(keys[..count].ToArray());
    }

    public bool Contains(long item) => Set.Contains(item);

    public bool IsProperSubsetOf(IEnumerable<long> other) => Set.IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<long> other) => Set.IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<long> other) => Set.IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<long> other) => Set.IsSupersetOf(other);

    public bool Overlaps(IEnumerable<long> other) => Set.Overlaps(other);

    public bool SetEquals(IEnumerable<long> other) => Set.SetEquals(other);

    public IEnumerator<long> GetEnumerator() => ((IEnumerable<long>)_keys).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private HashSet<long> Set => _set ??= new HashSet<long>(_keys);
}
