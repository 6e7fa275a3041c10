using System.Buffers;
using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>A read-only stream that decodes another stream through an <see cref="IMimeDecoder"/> as it is read.</summary>
public sealed class DecodingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly IMimeDecoder _decoder;
    private readonly bool _leaveOpen;
    // Both rented from the array pool and handed back on dispose: a base64 attachment otherwise
    // cost two fresh 64 KiB arrays per message.
    private readonly int _chunk;
    private byte[] _in;
    private byte[] _out;
    private int _outStart;
    private int _outEnd;
    private bool _innerDone;
    private bool _flushed;

    /// <summary>Rents two buffers of about <paramref name="bufferSize"/> each (returned on dispose); nothing is read until the first <see cref="Read(Span{byte})"/>.</summary>
    /// <param name="inner">The encoded bytes, read forward once.</param>
    /// <param name="decoder">A fresh decoder: decoders keep state between chunks and are not reusable.</param>
    /// <param name="leaveOpen">Leave <paramref name="inner"/> open on dispose.</param>
    /// <param name="bufferSize">Input chunk size; small parts get small buffers (default 64 KiB, clamped to 1 KiB..1 MiB).</param>
    public DecodingStream(Stream inner, IMimeDecoder decoder, bool leaveOpen = false, int bufferSize = 64 * 1024)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(decoder);
        bufferSize = Math.Clamp(bufferSize, 1024, 1024 * 1024);
        _in = ArrayPool<byte>.Shared.Rent(bufferSize);
        _out = ArrayPool<byte>.Shared.Rent(bufferSize);
        // A chunk of input never decodes to more than itself plus a few carried bytes.
        _chunk = bufferSize - 8;
        _inner = inner;
        _decoder = decoder;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Decoded bytes; 0 only at the end, after the decoder's <see cref="IMimeDecoder.Flush"/> output.</summary>
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_in.Length == 0, this);
        // Large reads decode straight into the caller's buffer (no intermediate copy).
        if (_outStart == _outEnd && !_innerDone && !_flushed && buffer.Length >= _chunk + 8)
        {
            while (true)
            {
                int n = _inner.Read(_in, 0, _chunk);
                if (n <= 0)
                {
                    _innerDone = true;
                    break;
                }

                int produced = _decoder.Decode(_in.AsSpan(0, n), buffer);
                if (produced > 0)
                {
                    return produced;
                }
            }
        }

        while (_outStart == _outEnd)
        {
            if (_flushed)
            {
                return 0;
            }

            _outStart = 0;
            if (_innerDone)
            {
                _outEnd = _decoder.Flush(_out);
                _flushed = true;
                continue;
            }

            int n = _inner.Read(_in, 0, _chunk);
            if (n <= 0)
            {
                _innerDone = true;
                _outEnd = 0;
                continue;
            }

            _outEnd = _decoder.Decode(_in.AsSpan(0, n), _out);
        }

        int take = Math.Min(buffer.Length, _outEnd - _outStart);
        _out.AsSpan(_outStart, take).CopyTo(buffer);
        _outStart += take;
        return take;
    }

    /// <summary>Disposes the inner stream unless the stream was made with leaveOpen.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _in.Length > 0)
        {
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }

            PooledArray.Return(ref _in);
            PooledArray.Return(ref _out);
        }

        base.Dispose(disposing);
    }
}

/// <summary>A read-only window [start, start+length) of a seekable stream; reads do not disturb other windows.</summary>
internal sealed class SliceStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;
    private readonly object? _lock;
    private long _position;

    // sync: a lock shared by all slices of the same source, so concurrent slices can seek safely.
    public SliceStream(Stream inner, long start, long length, object? sync = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!inner.CanSeek)
        {
            throw new ArgumentException("A slice needs a seekable stream.", nameof(inner));
        }

        _inner = inner;
        _start = start;
        _length = length;
        _lock = sync;
    }

    public override bool CanSeek => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, _length);
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

        int n;
        if (_lock is null)
        {
            _inner.Position = _start + _position;
            n = _inner.Read(buffer);
        }
        else
        {
            lock (_lock)
            {
                _inner.Position = _start + _position;
                n = _inner.Read(buffer);
            }
        }

        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = SeekTarget(offset, origin, _position, _length);
        return _position;
    }

}
