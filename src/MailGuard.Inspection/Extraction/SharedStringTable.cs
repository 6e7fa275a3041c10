using MailGuard.Mime.Internal;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A workbook's shared strings, decoded once into one char buffer (pooled while small) with an
/// end offset per item, instead of a string per item: a sheet of 200,000 people has hundreds of
/// thousands of unique strings (every NI number, every postcode), and as objects they lived through
/// the whole sheet and were copied from one GC generation to the next. Once the items are read, the
/// buffer's tail holds the text of the sheet row being read (<see cref="SheetRow"/>), so a row is
/// one buffer whose shared-string cells are ranges of the items, not copies.
/// </summary>
internal sealed class SharedStringTable : IDisposable
{
    /// <summary>
    /// Chars of the buffer that stay pooled (16M: <see cref="PooledArray.MaxPooledBytes"/>); past
    /// that it is a plain array the GC takes back. (With 1M here, a sheet of 200,000 people read
    /// 12% slower: each read allocated its buffers afresh on the large object heap.)
    /// </summary>
    internal const int MaxPooledLength = PooledArray.MaxPooledBytes / sizeof(char);

    private char[] _chars = [];
    private int _length;
    private int[] _ends = [];
    private int _count;

    public int Count => _count;

    /// <summary>Item <paramref name="index"/> (0 to <see cref="Count"/> - 1), valid until the buffer grows (Add, Tail).</summary>
    public ReadOnlySpan<char> this[int index]
    {
        get
        {
            var range = Range(index);
            return _chars.AsSpan(range.Start, range.Length);
        }
    }

    /// <summary>Where item <paramref name="index"/> (0 to <see cref="Count"/> - 1) lies in <see cref="Chars"/>.</summary>
    public FieldSpan Range(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        int start = index == 0 ? 0 : _ends[index - 1];
        return new FieldSpan(start, _ends[index] - start);
    }

    /// <summary>The items' chars, then the tail's first <paramref name="tailUsed"/> chars.</summary>
    public ReadOnlySpan<char> Chars(int tailUsed) => _chars.AsSpan(0, _length + tailUsed);

    /// <summary>
    /// Room for <paramref name="chars"/> chars in the tail past its first <paramref name="tailUsed"/>
    /// (what <see cref="SheetRow"/> has written of the row), at <see cref="Chars"/> index
    /// <see cref="TailStart"/> + <paramref name="tailUsed"/>.
    /// </summary>
    public Span<char> Tail(int tailUsed, int chars) => Room(tailUsed, chars);

    /// <summary>Where the tail starts in <see cref="Chars"/>: after the last item.</summary>
    public int TailStart => _length;

    /// <summary>Room for <paramref name="count"/> items without growing (a claim from the part, so the caller caps it).</summary>
    public void EnsureCapacity(int count)
    {
        if (count > _ends.Length)
        {
            PooledArray.Grow(ref _ends, count, 0, _count);
        }
    }

    /// <summary>An item from its raw XML bytes (<see cref="ByteXmlScanner.Decode"/>'s rules).</summary>
    public void Add(ReadOnlySpan<byte> raw) => End(ByteXmlScanner.DecodeTo(raw, Room(0, raw.Length)));

    /// <summary>An item already decoded (several runs joined).</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        text.CopyTo(Room(0, text.Length));
        End(text.Length);
    }

    /// <summary>
    /// Every item as a reader sees it (<see cref="Detection.VisibleText"/>), once all are added:
    /// one look over the whole table, and items folded and closed up only when something changes.
    /// </summary>
    public void Fold()
    {
        if (!Detection.VisibleText.NeedsFolding(_chars.AsSpan(0, _length)))
        {
            return;
        }

        int start = 0, written = 0;
        for (int i = 0; i < _count; i++)
        {
            int end = _ends[i];
            var item = _chars.AsSpan(start, end - start);
            int length = Detection.VisibleText.Fold(item);
            item[..length].CopyTo(_chars.AsSpan(written));
            written += length;
            _ends[i] = written;
            start = end;
        }

        _length = written;
    }

    public void Dispose()
    {
        PooledArray.Return(ref _chars);
        PooledArray.Return(ref _ends);
        _length = _count = 0;
    }

    // Room for chars more past the items and the tail's first tailUsed (0 while items are added).
    private Span<char> Room(int tailUsed, int chars)
    {
        long used = (long)_length + tailUsed;
        long needed = used + chars;
        if (needed > _chars.Length)
        {
            if (needed > Array.MaxLength)
            {
                throw new InvalidDataException("shared strings and a sheet row larger than one buffer can hold");
            }

            PooledArray.Grow(ref _chars, (int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(4096L, _chars.Length * 2L))), 0, (int)used);
        }

        return _chars.AsSpan((int)used, chars);
    }

    private void End(int written)
    {
        if (_count == _ends.Length)
        {
            PooledArray.Grow(ref _ends, Math.Max(256, _ends.Length * 2), 0, _count);
        }

        _length += written;
        _ends[_count++] = _length;
    }
}
