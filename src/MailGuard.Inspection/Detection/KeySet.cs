using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using MailGuard.Mime.Internal;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// A set of non-zero 64-bit keys in one flat array from the array pool (8 bytes a slot, kept at
/// most half full; one cache line touched per lookup): the people of a table by identifier
/// (<see cref="TableRowShapes"/>, at most 4 MB at its cap) and the distinct values of a contact
/// column (<see cref="TableColumn"/>). It starts at 1,024 slots (fewer if its cap needs fewer, all it needs if asked) and grows as it fills; Release
/// hands the array back once the table is counted.
/// </summary>
internal sealed class KeySet
{
    private const int InitialSlots = 1024;

    // Rented (and cleared: a pooled array holds its last user's keys) and handed back by Release.
    private long[] _slots = [];
    private int _size;
    private int _mask;
    private int _shift;
    private readonly bool _sizedForCapacity;

    /// <param name="capacity">The most keys kept.</param>
    /// <param name="sizedForCapacity">
    /// Take the slots for all of them at the first key, not 1,024 then more: for a caller that
    /// will add about that many (<see cref="DistinctKeys"/>), whose keys would otherwise be moved
    /// at each growth.
    /// </param>
    public KeySet(int capacity, bool sizedForCapacity = false)
    {
        Capacity = capacity;
        _sizedForCapacity = sizedForCapacity;
    }

    // Slots for Capacity keys at most half full (a power of two): where doubling stops.
    private int MaxSlots => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, Capacity * 2));

    /// <summary>How many keys are kept at most; past it the caller stops de-duplicating.</summary>
    public int Capacity { get; }

    /// <summary><see cref="Capacity"/> keys are kept: nothing more is added (<see cref="Add"/> is not to be called).</summary>
    public bool IsFull => Count >= Capacity;

    public int Count { get; private set; }

    /// <summary>Slots held now (8 bytes each); 0 when nothing has been added since construction or release.</summary>
    public int Slots => _size;

    /// <summary>Adds <paramref name="key"/> (never 0); false if it was already there.</summary>
    public bool Add(long key)
    {
        if (Count * 2 >= _size)
        {
            Grow();
        }

        if (!Insert(_slots, _mask, _shift, key))
        {
            return false;
        }

        Count++;
        return true;
    }

    /// <summary>
    /// Starts loading the slot <paramref name="key"/> would be looked up in, so that an
    /// <see cref="Add"/> of it a little later finds it in cache (a hint: nothing changes). The
    /// address is not pinned: should the collector move the array meanwhile, the hint is merely
    /// wasted (a prefetch never faults), and nothing is read or written through it. Only on x86.
    /// </summary>
    public unsafe void Prefetch(long key)
    {
        if (Sse.IsSupported && _size != 0)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref _slots[SlotOf(key, _shift)]));
        }
    }

    /// <summary>Returns the slots to the pool; the set is empty afterwards (and grows again if added to).</summary>
    public void Release()
    {
        PooledArray.Return(ref _slots);
        _size = 0;
        Count = 0;
    }

    // Places key in slots; false if it is there already. Counting is Add's (Grow re-places keys already counted).
    private static bool Insert(long[] slots, int mask, int shift, long key)
    {
        var i = SlotOf(key, shift);
        while (true)
        {
            var slot = slots[i];
            if (slot == 0)
            {
                slots[i] = key;
                return true;
            }

            if (slot == key)
            {
                return false;
            }

            i = (i + 1) & mask;
        }
    }

    // Fibonacci hashing: the keys are 32-bit FNV hashes with the kind above them.
    private static int SlotOf(long key, int shift) => (int)(((ulong)key * 0x9E3779B97F4A7C15ul) >> shift);

    private void Grow()
    {
        // Fourfold (a 5,000-row sheet's keys are moved twice rather than four times) unless that
        // passes the slots Capacity keys need at most half full: then only double, so a full set
        // is no larger than doubling all the way would make it (4 MB for people's keys, 64 KB
        // for a column's distinct values, however many such columns a hostile table has).
        int size = _size == 0 ? (_sizedForCapacity ? MaxSlots : Math.Min(InitialSlots, MaxSlots)) : _size * 4 <= MaxSlots ? _size * 4 : _size * 2;
        var slots = System.Buffers.ArrayPool<long>.Shared.Rent(size);
        Array.Clear(slots, 0, size);
        var mask = size - 1;
        var shift = 64 - System.Numerics.BitOperations.Log2((uint)size);
        foreach (var key in _slots.AsSpan(0, _size))
        {
            if (key != 0)
            {
                Insert(slots, mask, shift, key);
            }
        }

        PooledArray.Return(ref _slots);
        _slots = slots;
        _size = size;
        _mask = mask;
        _shift = shift;
    }
}
