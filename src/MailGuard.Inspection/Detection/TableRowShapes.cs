using System.Numerics;
using System.Runtime.Intrinsics;
using MailGuard.Mime.Internal;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// How many rows have each "shape" (the set of kinds found in the row), and the first and last
/// row of each: all that is kept of a table's rows. The same person twice (a table pasted twice, one
/// row per case for a person with several cases) is one person: rows are keyed by their first
/// unique identifier.
/// </summary>
internal sealed class TableRowShapes
{
    // Identifier keys kept for de-duplicating people (a flat table of 8-byte slots at most half
    // full: 4 MB at the cap); past this many, rows are counted as they come, so memory stays
    // flat on any table size.
    internal const int PersonKeyCap = 250_000;

    // The last few row shapes are counted here and added to _shapes when they give way to
    // another (a table's rows mostly share a handful of shapes: one lookup per change, not per row).
    private const int RecentShapes = 4;

    // Rows' kinds and keys, for telling people apart across the parts of a message; a message that
    // needs more than this to reach a policy's threshold has reached it in one table already.
    internal const int RowKeyCap = 20_000;

    private readonly Dictionary<ulong, (long Count, long FirstRow, long LastRow)> _shapes = [];
    // Rented from the array pool and handed back by Release once the table's people are counted:
    // a list doubling to a 7,000-row sheet made a quarter of a megabyte of arrays per message.
    private (ulong Mask, long Key)[] _rows = [];
    private int _rowCount;
    private readonly KeySet _personKeys = new(PersonKeyCap);
    private readonly ulong[] _recentMask = new ulong[RecentShapes];
    private readonly long[] _recentCount = new long[RecentShapes];
    private readonly long[] _recentFirstRow = new long[RecentShapes];
    private readonly long[] _recentLastRow = new long[RecentShapes];
    private int _recentNext;

    // Rows are counted a few rows after they are added: the people's key set is megabytes, and
    // the slot a row's key goes to is fetched from memory meanwhile instead of stalling the row.
    private const int Lookahead = 8;
    private readonly (long Row, ulong Mask, long PersonKey, long RowKey)[] _pending = new (long, ulong, long, long)[Lookahead];
    private int _pendingFirst;
    private int _pendingCount;
    private bool _rowsComplete = true;

    /// <summary>Each row's kinds and key (identifier, else name; 0 for neither), while there are at most <see cref="RowKeyCap"/>; empty once released.</summary>
    public ReadOnlySpan<(ulong Mask, long Key)> Rows
    {
        get
        {
            Settle();
            return _rows.AsSpan(0, _rowCount);
        }
    }

    /// <summary>
    /// A row's keys are still used: people's keys are not at their cap, or rows' keys are not.
    /// Past both, a key passed to <see cref="Add"/> changes nothing, so it need not be made. As
    /// rows are counted a few rows late, this may stay true a few rows longer, never the reverse.
    /// </summary>
    public bool WantsKeys => !_personKeys.IsFull || WantsRowKeys;

    /// <summary>Rows' keys are still kept (<see cref="Rows"/> is under <see cref="RowKeyCap"/>).</summary>
    public bool WantsRowKeys => _rowCount < RowKeyCap;

    /// <summary>Every row is in <see cref="Rows"/>.</summary>
    public bool RowsComplete
    {
        get
        {
            Settle();
            return _rowsComplete;
        }
    }

    public void Add(long rowIndex, ulong mask, long personKey, long rowKey = 0)
    {
        if (_pendingCount == Lookahead)
        {
            CountFirstPending();
        }

        if (personKey != 0 && !_personKeys.IsFull)
        {
            _personKeys.Prefetch(personKey);
        }

        _pending[(_pendingFirst + _pendingCount) % Lookahead] = (rowIndex, mask, personKey, rowKey);
        _pendingCount++;
    }

    private void Settle()
    {
        while (_pendingCount > 0)
        {
            CountFirstPending();
        }
    }

    private void CountFirstPending()
    {
        var (row, mask, personKey, rowKey) = _pending[_pendingFirst];
        _pendingFirst = (_pendingFirst + 1) % Lookahead;
        _pendingCount--;
        Count(row, mask, personKey, rowKey);
    }

    private void Count(long rowIndex, ulong mask, long personKey, long rowKey)
    {
        if (personKey != 0 && !_personKeys.IsFull && !_personKeys.Add(personKey))
        {
            return;
        }

        if (mask != 0)
        {
            if (_rowCount < RowKeyCap)
            {
                if (_rowCount == _rows.Length)
                {
                    PooledArray.Grow(ref _rows, Math.Min(Math.Max(256, _rowCount * 2), RowKeyCap), 0, _rowCount);
                }

                _rows[_rowCount++] = (mask, rowKey);
            }
            else
            {
                _rowsComplete = false;
            }
        }

        if (mask != 0)
        {
            var j = RecentSlotOf(mask);
            if (j >= 0)
            {
                _recentCount[j]++;
                _recentLastRow[j] = rowIndex;
                return;
            }

            var masks = _recentMask;
            var slot = _recentNext;
            _recentNext = (slot + 1) % RecentShapes;
            Flush(slot);
            masks[slot] = mask;
            _recentCount[slot] = 1;
            _recentFirstRow[slot] = rowIndex;
            _recentLastRow[slot] = rowIndex;
        }
    }

    // The recent slot holding mask (never 0), or -1. The four compared at once: rows of two or
    // three shapes in no order made a loop's branch on each slot a guess that often failed.
    private int RecentSlotOf(ulong mask)
    {
        if (Vector256.IsHardwareAccelerated && RecentShapes == Vector256<ulong>.Count)
        {
            var found = Vector256.Equals(Vector256.Create(_recentMask), Vector256.Create(mask)).ExtractMostSignificantBits();
            return found != 0 ? BitOperations.TrailingZeroCount(found) : -1;
        }

        return Array.IndexOf(_recentMask, mask);
    }

    /// <summary>Every shape with its row count and first and last row, once the table is complete.</summary>
    public IReadOnlyDictionary<ulong, (long Count, long FirstRow, long LastRow)> Complete()
    {
        Settle();
        for (var slot = 0; slot < RecentShapes; slot++)
        {
            Flush(slot);
        }

        return _shapes;
    }

    /// <summary>Gives the row keys and the people's keys back to the pool: the table is counted, and <see cref="Rows"/> is empty from now on.</summary>
    public void Release()
    {
        _pendingCount = 0;
        _rowCount = 0;
        PooledArray.Return(ref _rows);
        _personKeys.Release();
    }

    private void Flush(int slot)
    {
        if (_recentCount[slot] > 0)
        {
            ref var shape = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_shapes, _recentMask[slot], out var exists);
            shape = exists
                ? (shape.Count + _recentCount[slot], Math.Min(shape.FirstRow, _recentFirstRow[slot]), Math.Max(shape.LastRow, _recentLastRow[slot]))
                : (_recentCount[slot], _recentFirstRow[slot], _recentLastRow[slot]);
        }

        _recentMask[slot] = 0;
        _recentCount[slot] = 0;
    }
}
