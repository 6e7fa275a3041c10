namespace MailGuard.Inspection.Detection;

/// <summary>
/// The identifier keys of the people seen in one table, for de-duplication: an open-addressing
/// set of non-zero 64-bit keys in one flat array (8 bytes a slot, kept at most half full), so
/// the cap of <see cref="Capacity"/> keys costs at most 4 MB, with no per-entry overhead and
/// one cache line touched per lookup. It starts small and doubles as it fills.
/// </summary>
internal sealed class PersonKeySet
{
    private long[] _slots = new long[1024];
    private int _mask = 1023;
    private int _shift = 64 - 10;

    public PersonKeySet(int capacity)
    {
        Capacity = capacity;
    }

    /// <summary>How many keys are kept at most; past it the caller stops de-duplicating.</summary>
    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="key"/> (never 0); false if it was already there.</summary>
    public bool Add(long key)
    {
        if (Count * 2 >= _slots.Length)
        {
            Grow();
        }

        return Insert(_slots, _mask, _shift, key);
    }

    private bool Insert(long[] slots, int mask, int shift, long key)
    {
        // Fibonacci hashing: the keys are 32-bit FNV hashes with the kind above them.
        var i = (int)(((ulong)key * 0x9E3779B97F4A7C15ul) >> shift);
        while (true)
        {
            var slot = slots[i];
            if (slot == 0)
            {
                slots[i] = key;
                if (ReferenceEquals(slots, _slots))
                {
                    Count++;
                }

                return true;
            }

            if (slot == key)
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    private void Grow()
    {
        var slots = new long[_slots.Length * 2];
        var mask = slots.Length - 1;
        var shift = _shift - 1;
        foreach (var key in _slots)
        {
            if (key != 0)
            {
                Insert(slots, mask, shift, key);
            }
        }

        _slots = slots;
        _mask = mask;
        _shift = shift;
    }
}
