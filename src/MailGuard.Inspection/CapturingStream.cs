using System.Buffers;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection;

/// <summary>
/// Passes a decoded part through to the extractors and keeps a copy of its first bytes, up to a
/// bound, so that text can be searched for embedded blocks without decoding the part again.
/// Bytes are kept in order only (a reader that seeks back and reads again adds nothing); the copy
/// stops once the content's first bytes show a binary format, which is not searched.
/// </summary>
internal sealed class CapturingStream : Stream
{
    private const int SniffBytes = 512;

    private readonly Stream _inner;
    private readonly int _limit;
    private byte[]? _buffer;
    private int _captured;
    private long _position;
    private bool _sniffed;

    public CapturingStream(Stream inner, int limit)
    {
        _inner = inner;
        _limit = limit;
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    /// <summary>The content's bytes from the start, when the whole of it (or the first <c>limit</c> bytes) was read; otherwise empty.</summary>
    public bool TryGetContent(out ReadOnlySpan<byte> content)
    {
        bool whole = _buffer is not null && (Ended || _captured == _limit || (_inner.CanSeek && _captured == _inner.Length));
        content = whole ? _buffer.AsSpan(0, _captured) : default;
        return whole;
    }

    /// <summary>A read at the end of the captured bytes returned nothing: the content is all here.</summary>
    private bool Ended { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => false;

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

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        long at = Position;
        int n = _inner.Read(buffer);
        Keep(at, buffer[..n]);
        _position = at + n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long at = Position;
        int n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Keep(at, buffer.Span[..n]);
        _position = at + n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin)
    {
        long to = _inner.Seek(offset, origin);
        _position = to;
        return to;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
                Ended = true;
            }

            return;
        }

        var fresh = read[(int)(_captured - at)..];
        fresh = fresh[..Math.Min(fresh.Length, _limit - _captured)];
        if (_captured + fresh.Length > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max((long)_buffer.Length * 2, _captured + fresh.Length), _limit));
            _buffer.AsSpan(0, _captured).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
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
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
