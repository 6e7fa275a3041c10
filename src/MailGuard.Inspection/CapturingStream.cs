using System.Buffers;
using MailGuard.Inspection.Extraction;
using MailGuard.Mime.Internal;

namespace MailGuard.Inspection;

/// <summary>
/// Passes a decoded part through to the extractors and keeps a copy of its first bytes, up to a
/// bound, so that text can be searched for embedded blocks without decoding the part again.
/// Bytes are kept in order only (a reader that seeks back and reads again adds nothing); the copy
/// stops once the content's first bytes show a binary format, which is not searched.
/// </summary>
internal sealed class CapturingStream : MailGuard.Mime.ReadOnlyStream
{
    private const int SniffBytes = 512;

    private readonly Stream _inner;
    private readonly int _limit;
    private byte[]? _buffer;
    private int _captured;
    private long _position;
    private bool _sniffed;
    private bool _ended;

    public CapturingStream(Stream inner, int limit)
    {
        _inner = inner;
        _limit = limit;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>The content's bytes from the start, when the whole of it (or the first <c>limit</c> bytes) was read; otherwise empty.</summary>
    public bool TryGetContent(out ReadOnlySpan<byte> content)
    {
        bool whole = _buffer is not null && (_ended || _captured == _limit || (_inner.CanSeek && _captured == _inner.Length));
        content = whole ? _buffer.AsSpan(0, _captured) : default;
        return whole;
    }

    /// <summary>Reads on (from where the stream is) until the content is kept to its end or to the limit; false for content not kept (binary).</summary>
    public bool ReadContent(out ReadOnlySpan<byte> content)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (!TryGetContent(out _) && _buffer is not null && Read(chunk) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return TryGetContent(out content);
    }

    public override bool CanSeek => _inner.CanSeek;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.CanSeek ? _inner.Position : _position;
        set
        {
            _inner.Position = value;
            _position = value;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        long at = Position;
        int n = _inner.Read(buffer);
        Keep(at, buffer[..n]);
        _position = at + n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long to = _inner.Seek(offset, origin);
        _position = to;
        return to;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    private void Keep(long at, ReadOnlySpan<byte> read)
    {
        if (_buffer is null || at > _captured || at + read.Length <= _captured)
        {
            if (read.IsEmpty && at == _captured)
            {
                _ended = true;
            }

            return;
        }

        var fresh = read[(int)(_captured - at)..];
        fresh = fresh[..Math.Min(fresh.Length, _limit - _captured)];
        if (_captured + fresh.Length > _buffer.Length)
        {
            PooledArray.Grow(ref _buffer, (int)Math.Min(Math.Max((long)_buffer.Length * 2, _captured + fresh.Length), _limit), 0, _captured);
        }

        fresh.CopyTo(_buffer.AsSpan(_captured));
        _captured += fresh.Length;
        if (!_sniffed && _captured >= SniffBytes)
        {
            _sniffed = true;
            if (FormatSniffer.SniffBinary(_buffer.AsSpan(0, _captured)) is not (ContentFormat.Unknown or ContentFormat.Rtf))
            {
                Release();
            }
        }
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            // Through PooledArray, which grew it: a plain array past its pooled size is not the pool's.
            var buffer = _buffer;
            _buffer = null;
            PooledArray.Return(ref buffer);
        }
    }
}
