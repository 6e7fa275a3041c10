using System.Buffers;

namespace MailGuard.Mime.Internal;

/// <summary>
/// Reads physical lines from a stream with their absolute offsets, treating CRLF, LF and a
/// bare CR as line ends (as Python's email package and most mail clients do). Only the head
/// of a line (up to <see cref="HeadCapacity"/> bytes for a header line, 64 KiB for a body line) is exposed; longer lines are skipped
/// over without being buffered, so memory stays bounded whatever the input.
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly Stream _stream;
    private readonly int _maxBuffer;
    private byte[] _buffer;
    private byte[]? _longHead;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;

    private bool _pushedBack;
    private bool _hasLine;
    private bool _headIsLong;
    private int _headStart;
    private int _headLength;

    public LineReader(Stream stream, long startOffset, int headCapacity)
    {
        _stream = stream;
        HeadCapacity = headCapacity;
        _maxBuffer = Math.Max(64 * 1024, headCapacity * 2);
        // A small message gets a small buffer (most mail is a few kilobytes); the buffer grows
        // to the full size only if a line needs it.
        long remaining = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : _maxBuffer;
        // Rented: a parser lives for one message, and a fresh 128 KB array per message cost
        // page faults and zeroing. Returned by Dispose once the parse is over.
        _buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(remaining + 1, 4096, Math.Min(_maxBuffer, InitialBufferLimit)));
        _bufferOffset = startOffset;
    }

    /// <summary>Gives the buffer back to the pool: no line or head read from it is used after this.</summary>
    public void Dispose()
    {
        PooledArray.Return(ref _buffer);
        _start = _end = 0;
        _eof = true;
    }

    // The buffer starts at most this large and grows (up to twice the head capacity) only for
    // a line that needs it, so a large head capacity costs nothing on ordinary mail.
    private const int InitialBufferLimit = 128 * 1024;

    public int HeadCapacity { get; }

    // Body lines are looked at only for delimiters, so their heads stay small whatever the
    // header capacity: a 20 MB line of base64 costs no more than a 64 KiB one.
    private const int BodyHeadCapacity = 64 * 1024;

    // The capacity of the line being read: HeadCapacity for header lines, BodyHeadCapacity otherwise.
    private int _capacity;

    /// <summary>The source can be read again from an earlier offset (<see cref="Seek"/>).</summary>
    public bool CanSeek => _stream.CanSeek;

    /// <summary>
    /// Continues reading at an absolute offset at or before <see cref="Position"/> (a look-ahead
    /// that turned out wrong is undone this way). The source must be seekable.
    /// </summary>
    public void Seek(long offset)
    {
        _stream.Position = offset;
        _bufferOffset = offset;
        _start = 0;
        _end = 0;
        _eof = false;
        _pushedBack = false;
        _hasLine = false;
    }

    /// <summary>Absolute offset of the current line's first byte.</summary>
    public long LineOffset { get; private set; }

    /// <summary>Length of the current line including its line ending.</summary>
    public long LineLength { get; private set; }

    /// <summary>Length of the line ending: 2 for CRLF, 1 for LF or CR, 0 at end of input.</summary>
    public int EolLength { get; private set; }

    /// <summary>The line was longer than <see cref="HeadCapacity"/>; <see cref="Head"/> holds only its start.</summary>
    public bool Truncated { get; private set; }

    public long LineEnd => LineOffset + LineLength;

    /// <summary>Offset just past the last line handed out and not pushed back.</summary>
    public long Position => _pushedBack ? LineOffset : (_hasLine ? LineEnd : _bufferOffset + _start);

    /// <summary>The start of the current line, line ending included when it fits.</summary>
    public ReadOnlySpan<byte> Head => _headIsLong
        ? _longHead!.AsSpan(0, _headLength)
        : _buffer.AsSpan(_headStart, _headLength);

    /// <summary>The head without its line ending (for a truncated line, the head as is).</summary>
    public ReadOnlySpan<byte> Content
    {
        get
        {
            var head = Head;
            return Truncated ? head : head[..^EolLength];
        }
    }

    /// <summary>Makes the next <see cref="ReadLine"/> return the current line again.</summary>
    public void PushBack()
    {
        if (_hasLine)
        {
            _pushedBack = true;
        }
    }

    /// <summary>Reads the next line; a header line's head may be up to <see cref="HeadCapacity"/> bytes, a body line's 64 KiB.</summary>
    public bool ReadLine(bool header = false)
    {
        _capacity = header ? HeadCapacity : Math.Min(HeadCapacity, BodyHeadCapacity);
        if (_pushedBack)
        {
            _pushedBack = false;
            return true;
        }

        _hasLine = false;
        int searchFrom = _start;
        while (true)
        {
            int i = IndexOfEol(searchFrom);
            if (i >= 0)
            {
                int eol = 1;
                if (_buffer[i] == (byte)'\r')
                {
                    if (i + 1 < _end)
                    {
                        eol = _buffer[i + 1] == (byte)'\n' ? 2 : 1;
                    }
                    else if (!_eof)
                    {
                        searchFrom = i - _start;
                        Fill();
                        searchFrom += _start;
                        continue;
                    }
                }

                SetLine(_start, i + eol - _start, eol, truncated: false);
                _start = i + eol;
                return true;
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    return false;
                }

                SetLine(_start, _end - _start, 0, truncated: false);
                _start = _end;
                return true;
            }

            if (_end - _start >= _capacity)
            {
                ReadLongLine();
                return true;
            }

            searchFrom = _end - _start;
            Fill();
            searchFrom += _start;
        }
    }

    /// <summary>
    /// Skips whole lines that cannot be MIME delimiters (they do not start with "--") using a
    /// vectorised search, so long base64 bodies are not walked line by line. Stops before the
    /// first line that starts with "--", or where the buffered data runs out. Returns the line
    /// ending length of the last line skipped, or -1 when nothing was skipped.
    /// </summary>
    public int SkipNonDelimiterLines()
    {
        if (_pushedBack)
        {
            return -1;
        }

        int lastEol = -1;
        while (true)
        {
            if (_end - _start < 3)
            {
                if (_eof)
                {
                    return lastEol;
                }

                Fill();
                if (_end - _start < 3)
                {
                    return lastEol;
                }
            }

            var span = _buffer.AsSpan(_start, _end - _start);
            if (span[0] == (byte)'-' && span[1] == (byte)'-')
            {
                return lastEol;
            }

            int from = 1;
            while (true)
            {
                int hit = span[from..].IndexOf("--"u8);
                if (hit < 0)
                {
                    break;
                }

                hit += from;
                byte prev = span[hit - 1];
                if (prev == (byte)'\n' || (prev == (byte)'\r' && span[hit] != (byte)'\n'))
                {
                    lastEol = prev == (byte)'\n' && hit >= 2 && span[hit - 2] == (byte)'\r' ? 2 : 1;
                    _start += hit;
                    _hasLine = false;
                    return lastEol;
                }

                from = hit + 1;
            }

            // No candidate in the buffer: keep the last (possibly incomplete) line and read on.
            int lastBreak = span[..^1].LastIndexOfAny((byte)'\r', (byte)'\n');
            if (lastBreak < 0)
            {
                return lastEol;
            }

            if (span[lastBreak] == (byte)'\r')
            {
                // A CR whose LF may be the last byte: stop before the line it ends instead.
                return SkipTo(lastBreak, span, ref lastEol);
            }

            lastEol = lastBreak >= 1 && span[lastBreak - 1] == (byte)'\r' ? 2 : 1;

            _start += lastBreak + 1;
            _hasLine = false;
            if (_eof)
            {
                return lastEol;
            }

            Fill();
        }
    }

    // Stops before the line that the CR at crIndex ends (its LF may still be unread): skips up to
    // the line break before it, keeping the earlier result when there is none.
    private int SkipTo(int crIndex, ReadOnlySpan<byte> span, ref int lastEol)
    {
        int prevBreak = span[..crIndex].LastIndexOfAny((byte)'\r', (byte)'\n');
        if (prevBreak < 0)
        {
            return lastEol;
        }

        lastEol = span[prevBreak] == (byte)'\n' && prevBreak >= 1 && span[prevBreak - 1] == (byte)'\r' ? 2 : 1;
        _start += prevBreak + 1;
        _hasLine = false;
        return lastEol;
    }

    private void SetLine(int start, int length, int eol, bool truncated)
    {
        _headIsLong = false;
        _headStart = start;
        _headLength = Math.Min(length, _capacity);
        LineOffset = _bufferOffset + start;
        LineLength = length;
        EolLength = eol;
        Truncated = truncated || length > _capacity;
        _hasLine = true;
    }

    // A line longer than the head capacity: keep its head, then skip to the line end without buffering.
    private void ReadLongLine()
    {
        long lineOffset = _bufferOffset + _start;
        if (_longHead is null || _longHead.Length < _capacity)
        {
            _longHead = new byte[_capacity];
        }

        Buffer.BlockCopy(_buffer, _start, _longHead, 0, _capacity);
        _start += _capacity;
        int eol = 0;
        while (true)
        {
            int i = IndexOfEol(_start);
            if (i >= 0)
            {
                eol = 1;
                if (_buffer[i] == (byte)'\r')
                {
                    if (i + 1 >= _end && !_eof)
                    {
                        _start = i;
                        Fill();
                        continue;
                    }

                    if (i + 1 < _end && _buffer[i + 1] == (byte)'\n')
                    {
                        eol = 2;
                    }
                }

                _start = i + eol;
                break;
            }

            _start = _end;
            if (_eof)
            {
                break;
            }

            Fill();
        }

        _headIsLong = true;
        _headLength = _capacity;
        LineOffset = lineOffset;
        LineLength = _bufferOffset + _start - lineOffset;
        EolLength = eol;
        Truncated = true;
        _hasLine = true;
    }

    private int IndexOfEol(int from)
    {
        int rel = _buffer.AsSpan(from, _end - from).IndexOfAny((byte)'\r', (byte)'\n');
        return rel < 0 ? -1 : from + rel;
    }

    private void Fill()
    {
        if (_start == 0 && _end == _buffer.Length && _buffer.Length < _maxBuffer)
        {
            // Full of one unfinished line shorter than the head capacity: grow, bounded.
            PooledArray.Grow(ref _buffer, Math.Min(_buffer.Length * 2, _maxBuffer), 0, _end);
        }

        if (_start > 0)
        {
            int remaining = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _bufferOffset += _start;
            _end = remaining;
            _start = 0;
        }

        while (_end < _buffer.Length)
        {
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n <= 0)
            {
                _eof = true;
                return;
            }

            _end += n;
            if (n > 0)
            {
                return;
            }
        }
    }
}
