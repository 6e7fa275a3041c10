using System.Buffers;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A seekable in-memory copy of a part made of 64 KB blocks rented from the array pool: the
/// copy a zip, workbook or PDF is read from costs no new array per message, and growing it never
/// copies what is already there (a MemoryStream doubles, and a 250 KB attachment made 570 KB of
/// arrays). Written once, start to end, then read; the blocks go back to the pool on dispose.
/// </summary>
internal sealed class PooledSpoolStream : Stream
{
    private const int BlockSize = 64 * 1024;

    private readonly List<byte[]> _blocks = [];
    private long _length;
    private long _position;
    private bool _disposed;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => !_disposed;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int total = 0;
        while (buffer.Length > 0 && _position < _length)
        {
            int block = (int)(_position / BlockSize);
            int at = (int)(_position % BlockSize);
            int n = (int)Math.Min(Math.Min(buffer.Length, BlockSize - at), _length - _position);
            _blocks[block].AsSpan(at, n).CopyTo(buffer);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_position != _length)
        {
            throw new NotSupportedException("A spool is written once, from start to end.");
        }

        while (buffer.Length > 0)
        {
            int at = (int)(_length % BlockSize);
            if (at == 0 && _length / BlockSize == _blocks.Count)
            {
                _blocks.Add(ArrayPool<byte>.Shared.Rent(BlockSize));
            }

            int n = Math.Min(buffer.Length, BlockSize - at);
            buffer[..n].CopyTo(_blocks[(int)(_length / BlockSize)].AsSpan(at, n));
            buffer = buffer[n..];
            _length += n;
        }

        _position = _length;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = MailGuard.Mime.ReadOnlyStream.SeekTarget(offset, origin, _position, _length);
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            foreach (byte[] block in _blocks)
            {
                ArrayPool<byte>.Shared.Return(block);
            }

            _blocks.Clear();
        }

        base.Dispose(disposing);
    }
}
