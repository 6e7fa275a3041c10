using MailGuard.Mime;

namespace MailGuard.Inspection.Extraction;

/// <summary>Counts the bytes read through it: the compressed side of a ratio check.</summary>
internal sealed class CountingStream : ReadOnlyStream
{
    private readonly Stream _inner;

    public CountingStream(Stream inner) => _inner = inner;

    public long BytesRead { get; private set; }

    public override bool CanSeek => _inner.CanSeek;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        BytesRead += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

}

/// <summary>
/// Wraps a decompressing stream and enforces the expansion limits on the bytes it really
/// produces, never on sizes an archive header claims: a bomb lies in its headers. The
/// compressed side is what the decompressor actually pulled from the source.
/// </summary>
internal sealed class ExpansionGuardStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly ExtractionContext _context;
    private readonly Func<long> _compressedConsumed;
    private readonly ArchiveBudget? _archive;
    private readonly string _name;
    private long _produced;

    public ExpansionGuardStream(Stream inner, ExtractionContext context, Func<long> compressedConsumed, ArchiveBudget? archive, string name)
    {
        _inner = inner;
        _context = context;
        _compressedConsumed = compressedConsumed;
        _archive = archive;
        _name = name;
    }

    public long Produced => _produced;

    /// <summary>The decompressor said end of data (the member was read to its end).</summary>
    public bool ReachedEnd { get; private set; }

    public long CompressedConsumed => _compressedConsumed();

    public override long Position
    {
        get => _produced;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        _context.ThrowIfCancelled();
        int n = _inner.Read(buffer);
        if (n == 0)
        {
            ReachedEnd = buffer.Length > 0;
            return 0;
        }

        _produced += n;
        _context.AddExpanded(n);
        if (_context.Limits.PastExpansionRatio(_produced, _compressedConsumed()))
        {
            throw _context.Limits.ExpansionRatioExceeded($"'{_name}'", _produced, _compressedConsumed());
        }

        _archive?.Add(n);
        return n;
    }

    /// <summary>
    /// For a part decoded whole (<see cref="PooledBufferStream"/>) and not yet read: its bytes in
    /// place, counted at once as reading them all would count them, so a reader that only scans
    /// them (<see cref="ByteXmlScanner"/>) skips the copy into a buffer of its own. The bytes stay
    /// this stream's, valid until it is disposed. False for any other stream.
    /// </summary>
    public bool TryLendWhole(out ReadOnlyMemory<byte> whole)
    {
        whole = default;
        if (_produced != 0 || _inner is not PooledBufferStream pooled || !pooled.TryLendRest(out var rest))
        {
            return false;
        }

        if (!rest.IsEmpty)
        {
            _produced = rest.Length;
            _context.AddExpanded(rest.Length);
            if (_context.Limits.PastExpansionRatio(_produced, _compressedConsumed()))
            {
                throw _context.Limits.ExpansionRatioExceeded($"'{_name}'", _produced, _compressedConsumed());
            }

            _archive?.Add(rest.Length);
        }

        ReachedEnd = true;
        whole = rest;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The whole-archive side of the ratio: all members' output against the archive's size.</summary>
internal sealed class ArchiveBudget
{
    private readonly ExtractionContext _context;
    private readonly long _archiveBytes;
    private readonly string _name;
    private long _produced;

    public ArchiveBudget(ExtractionContext context, long archiveBytes, string name)
    {
        _context = context;
        _archiveBytes = archiveBytes;
        _name = name;
    }

    public void Add(long bytes)
    {
        _produced += bytes;
        if (_context.Limits.PastExpansionRatio(_produced, _archiveBytes))
        {
            throw _context.Limits.ExpansionRatioExceeded($"archive '{_name}' overall", _produced, _archiveBytes);
        }
    }
}

/// <summary>
/// Replays the bytes already read for sniffing and then continues with the source, so a
/// non-seekable stream is read once.
/// </summary>
internal sealed class PrefixedStream : ReadOnlyStream
{
    private readonly byte[] _prefix;
    private readonly int _prefixLength;
    private readonly Stream _rest;
    private int _prefixPos;
    private long _position;

    public PrefixedStream(byte[] prefix, int prefixLength, Stream rest)
    {
        _prefix = prefix;
        _prefixLength = prefixLength;
        _rest = rest;
    }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        int n;
        if (_prefixPos < _prefixLength)
        {
            n = Math.Min(buffer.Length, _prefixLength - _prefixPos);
            _prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
        }
        else
        {
            n = _rest.Read(buffer);
        }

        _position += n;
        return n;
    }

}

/// <summary>
/// A seekable, read-only view of part of another stream that never disposes it: members of a
/// tar file, and a caller's seekable stream handed to a reader that disposes what it gets.
/// </summary>
internal sealed class WindowStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public WindowStream(Stream inner, long start, long length)
    {
        _inner = inner;
        _start = start;
        _length = length;
    }

    public override bool CanSeek => _inner.CanSeek;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        long remaining = _length - _position;
        if (remaining <= 0)
        {
            return 0;
        }

        if (buffer.Length > remaining)
        {
            buffer = buffer[..(int)remaining];
        }

        if (_inner.CanSeek)
        {
            _inner.Position = _start + _position;
        }

        int n = _inner.Read(buffer);
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = SeekTarget(offset, origin, _position, _length);
        return _position;
    }

}

/// <summary>Bytes in a buffer rented from the array pool, read once from the start; Dispose hands the buffer back.</summary>
internal sealed class PooledBufferStream(byte[] buffer, int length) : ReadOnlyStream
{
    private byte[]? _buffer = buffer;
    private int _position;

    public override int Read(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        int n = Math.Min(destination.Length, length - _position);
        _buffer.AsSpan(_position, n).CopyTo(destination);
        _position += n;
        return n;
    }

    /// <summary>The bytes not yet read, now counted as read (the stream is at its end); valid until it is disposed.</summary>
    public bool TryLendRest(out ReadOnlyMemory<byte> rest)
    {
        rest = default;
        if (_buffer is null)
        {
            return false;
        }

        rest = _buffer.AsMemory(_position, length - _position);
        _position = length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        base.Dispose(disposing);
    }
}
