using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MailGuard.Mime.Internal;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// RFC 4180 records over a buffered reader: quoted fields with doubled quotes and embedded
/// line breaks; CRLF, LF or CR ends a record. A record is cut into field ranges of the
/// tokenizer's own buffer (vectorised search for the next delimiter or line end), without a
/// string per field: a sink that can read ranges (<see cref="ISpanTableSink"/>) makes strings
/// only for the few cells it must keep. Quoted fields are unescaped in place once the whole
/// record is in the buffer. Lenient like Excel: text after a closing quote is kept, a quote
/// left open runs to the end.
/// </summary>
internal sealed class CsvTokenizer : IDisposable
{
    // A record longer than this is not a table any more; it is refused as corrupt. 16M chars
    // is a 32 MB buffer (48 MB while it grows), which keeps a hostile file within the memory budget.
    internal const int MaxBufferChars = 16 * 1024 * 1024;

    // More fields than Excel or LibreOffice have columns (16,384) is not a table either; the
    // cap bounds the field list and the cells of the rows a sink buffers.
    internal const int MaxFields = 16_384;

    private const int CacheSize = 1024;
    private const int CacheMaxLength = 24;

    private readonly TextReader _reader;
    private readonly char _delimiter;

    // Short values repeat down a column (dates, postcode areas, status words); reusing their
    // strings roughly halves the allocations when cells are materialised.
    private readonly string?[] _cache = new string?[CacheSize];
    // Rented: a message's CSV reader is short-lived and its buffer large (a fresh 128 KB array
    // per part cost page faults and zeroing on every message).
    private char[] _buffer = System.Buffers.ArrayPool<char>.Shared.Rent(64 * 1024);
    private int _length;
    private int _pos;
    private bool _eof;

    private FieldSpan[] _fields = new FieldSpan[32];
    private int _count;

    // Quoted fields of the record being read: content [Start, Start+Length) and the text after
    // the closing quote [TailStart, TailStart+TailLength), joined and unescaped after the record is complete.
    private QuotedField[] _quoted = new QuotedField[8];
    private int _quotedCount;

    public CsvTokenizer(TextReader reader, char delimiter)
    {
        _reader = reader;
        _delimiter = delimiter;
    }

    /// <summary>Gives the buffer back to the pool; the tokenizer is not used after this.</summary>
    public void Dispose()
    {
        PooledArray.Return(ref _buffer);
        _length = _pos = 0;
    }

    private struct QuotedField
    {
        public int Field;
        public int TailStart;
        public int TailLength;
        public bool Doubled;
    }

    /// <summary>The buffer the current record's <see cref="Fields"/> point into.</summary>
    public ReadOnlySpan<char> Chars => _buffer;

    /// <summary>The fields of the current record (an empty range is an empty field).</summary>
    public ReadOnlySpan<FieldSpan> Fields => _fields.AsSpan(0, _count);

    /// <summary>Reads the next non-blank record; false at the end.</summary>
    public bool ReadRow()
    {
        while (true)
        {
            if (_pos >= _length && !Extend())
            {
                return false;
            }

            bool atEnd;
            while (!TryParseRecord(out atEnd))
            {
                // The record ran past the buffer: keep it from its start, read more, parse again.
                if (!Extend())
                {
                    _eof = true;
                }
            }

            if (_count == 1 && _fields[0].Length == 0)
            {
                if (atEnd)
                {
                    return false;
                }

                continue;
            }

            return true;
        }
    }

    /// <summary>The current record as cells (strings made here, short ones shared).</summary>
    public Cell[] ToCells()
    {
        var cells = new Cell[_count];
        for (int i = 0; i < cells.Length; i++)
        {
            FieldSpan f = _fields[i];
            cells[i] = f.Length == 0 ? Cell.Empty : new Cell(MakeString(_buffer.AsSpan(f.Start, f.Length)));
        }

        return cells;
    }

    private void AddField(int start, int length)
    {
        if (_count == _fields.Length)
        {
            if (_count >= MaxFields)
            {
                ThrowTooManyFields();
            }

            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[_count++] = new FieldSpan(start, length);
    }

    // Out of line: the message's interpolation handler, inlined into the field loop, was a
    // struct the JIT zeroed for every field of every record.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowTooManyFields() => throw new InvalidDataException($"CSV record with more than {MaxFields} fields");

    /// <summary>Parses the record at <see cref="_pos"/>; false if it is not all in the buffer yet.</summary>
    private bool TryParseRecord(out bool atEnd)
    {
        atEnd = false;
        return (Vector256.IsHardwareAccelerated && TryParsePlainRecord()) || TryParseAnyRecord(out atEnd);
    }

    /// <summary>
    /// The fast path for a record of unquoted fields well inside the buffer: sixteen characters
    /// at a time are compared with the delimiter, CR, LF and the quote, and the fields are cut
    /// at the set bits, so a short field costs a few instructions rather than a search call.
    /// False (nothing consumed) for anything else: a field that starts with a quote, a CR that
    /// might be followed by an LF not read yet, or the end of the buffer.
    /// </summary>
    private bool TryParsePlainRecord()
    {
        _count = 0;
        char[] buffer = _buffer;
        int length = _length;
        int p = _pos;
        int fieldStart = p;
        if (p < length && buffer[p] == '"')
        {
            return false;
        }

        ref ushort start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(buffer));
        var delimiter = Vector256.Create((ushort)_delimiter);
        var cr = Vector256.Create((ushort)'\r');
        var lf = Vector256.Create((ushort)'\n');
        var quote = Vector256.Create((ushort)'"');
        while (p + Vector256<ushort>.Count <= length)
        {
            var v = Vector256.LoadUnsafe(ref start, (nuint)p);
            uint bits = (Vector256.Equals(v, delimiter) | Vector256.Equals(v, cr) | Vector256.Equals(v, lf) | Vector256.Equals(v, quote)).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int at = p + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                char c = buffer[at];
                if (c == '"')
                {
                    if (at == fieldStart)
                    {
                        // A quoted field: the general parser reads this record.
                        return false;
                    }

                    // A quote inside an unquoted field is text.
                    continue;
                }

                AddField(fieldStart, at - fieldStart);
                if (c == _delimiter)
                {
                    fieldStart = at + 1;
                    if (fieldStart < length && buffer[fieldStart] == '"')
                    {
                        return false;
                    }

                    continue;
                }

                if (c == '\r')
                {
                    if (at + 1 >= length)
                    {
                        return false;
                    }

                    _pos = buffer[at + 1] == '\n' ? at + 2 : at + 1;
                    return true;
                }

                _pos = at + 1;
                return true;
            }

            p += Vector256<ushort>.Count;
        }

        return false;
    }

    /// <summary>Parses the record at <see cref="_pos"/>, quotes and all; false if it is not all in the buffer yet.</summary>
    private bool TryParseAnyRecord(out bool atEnd)
    {
        _count = 0;
        _quotedCount = 0;
        atEnd = false;
        char[] buffer = _buffer;
        int length = _length;
        int p = _pos;
        while (true)
        {
            int at;
            if (p < length && buffer[p] == '"')
            {
                int start = p + 1;
                int q = start;
                bool doubled = false;
                bool closed = true;
                while (true)
                {
                    int idx = buffer.AsSpan(q, length - q).IndexOf('"');
                    if (idx < 0)
                    {
                        if (!_eof)
                        {
                            return false;
                        }

                        // An unterminated quote runs to the end of the file.
                        q = length;
                        closed = false;
                        break;
                    }

                    q += idx;
                    if (q + 1 >= length && !_eof)
                    {
                        return false;
                    }

                    if (q + 1 < length && buffer[q + 1] == '"')
                    {
                        doubled = true;
                        q += 2;
                        continue;
                    }

                    break;
                }

                int after = closed ? q + 1 : length;
                int end = buffer.AsSpan(after, length - after).IndexOfAny(_delimiter, '\r', '\n');
                if (end < 0 && !_eof)
                {
                    return false;
                }

                int tail = end < 0 ? length - after : end;
                AddField(start, q - start);
                if (doubled || tail > 0)
                {
                    if (_quotedCount == _quoted.Length)
                    {
                        Array.Resize(ref _quoted, _quoted.Length * 2);
                    }

                    _quoted[_quotedCount++] = new QuotedField { Field = _count - 1, TailStart = after, TailLength = tail, Doubled = doubled };
                }

                if (end < 0)
                {
                    p = length;
                    atEnd = true;
                    break;
                }

                at = after + end;
            }
            else
            {
                int idx = buffer.AsSpan(p, length - p).IndexOfAny(_delimiter, '\r', '\n');
                if (idx < 0)
                {
                    if (!_eof)
                    {
                        return false;
                    }

                    AddField(p, length - p);
                    p = length;
                    atEnd = true;
                    break;
                }

                AddField(p, idx);
                at = p + idx;
            }

            char c = buffer[at];
            if (c == _delimiter)
            {
                p = at + 1;
                continue;
            }

            if (c == '\r')
            {
                if (at + 1 >= length && !_eof)
                {
                    return false;
                }

                p = at + 1 < length && buffer[at + 1] == '\n' ? at + 2 : at + 1;
                break;
            }

            p = at + 1;
            break;
        }

        _pos = p;
        for (int i = 0; i < _quotedCount; i++)
        {
            Unquote(in _quoted[i]);
        }

        return true;
    }

    /// <summary>Undoes doubled quotes and appends the text after the closing quote, in place (the result is never longer).</summary>
    private void Unquote(in QuotedField quoted)
    {
        ref FieldSpan field = ref _fields[quoted.Field];
        int w = field.Start;
        int end = field.Start + field.Length;
        if (quoted.Doubled)
        {
            for (int r = field.Start; r < end; r++)
            {
                char c = _buffer[r];
                _buffer[w++] = c;
                if (c == '"')
                {
                    r++;
                }
            }
        }
        else
        {
            w = end;
        }

        _buffer.AsSpan(quoted.TailStart, quoted.TailLength).CopyTo(_buffer.AsSpan(w));
        field = new FieldSpan(field.Start, w + quoted.TailLength - field.Start);
    }

    private string MakeString(ReadOnlySpan<char> span)
    {
        if (span.Length > CacheMaxLength)
        {
            return new string(span);
        }

        int slot = string.GetHashCode(span) & (CacheSize - 1);
        string? cached = _cache[slot];
        if (cached is not null && span.SequenceEqual(cached))
        {
            return cached;
        }

        string made = new(span);
        _cache[slot] = made;
        return made;
    }

    /// <summary>Moves the unread tail to the front and reads more; false when nothing more came.</summary>
    private bool Extend()
    {
        if (_eof)
        {
            return false;
        }

        int keep = _length - _pos;
        if (keep == _buffer.Length)
        {
            if (_buffer.Length >= MaxBufferChars)
            {
                throw new InvalidDataException($"CSV record longer than {MaxBufferChars} characters");
            }

            PooledArray.Grow(ref _buffer, Math.Min(_buffer.Length * 2, MaxBufferChars), _pos, keep);
        }
        else if (_pos > 0)
        {
            Array.Copy(_buffer, _pos, _buffer, 0, keep);
        }

        _pos = 0;
        _length = keep;
        int n = _reader.Read(_buffer, _length, _buffer.Length - _length);
        if (n == 0)
        {
            _eof = true;
            return false;
        }

        // As a reader sees the text (Detection.VisibleText). A read of nothing but zero-width
        // characters adds nothing, and the caller, finding no more, extends again.
        _length += Detection.VisibleText.Fold(_buffer.AsSpan(_length, n));
        return true;
    }
}
