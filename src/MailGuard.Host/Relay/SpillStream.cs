using System.Buffers;

namespace MailGuard.Host.Relay;

/// <summary>
/// Receives one message's content: in memory up to a threshold, then in a spool file created on
/// the first write past it (the buffered bytes first), so small mail is committed inside the store
/// transaction (one group fsync for many messages) and large mail is streamed to disk, never held.
/// </summary>
/// <remarks>
/// The memory is one array from <see cref="ArrayPool{T}.Shared"/>, grown by doubling and returned
/// on spill or dispose: a 1 MB message used to grow a MemoryStream to 256 KiB (large-object-heap
/// arrays, zeroed, then garbage) before spilling. <see cref="Buffered"/> is therefore valid only
/// until the stream is disposed.
/// </remarks>
internal sealed class SpillStream(long threshold, Func<FileStream> createFile) : Stream
{
    private const int InitialBuffer = 8 * 1024;

    private byte[]? _memory;
    private FileStream? _file;
    private long _length;
    private bool _disposed;

    /// <summary>The spool file once spilled, else null.</summary>
    public FileStream? File => _file;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// The spool file could not be created or written (disk full, permissions): the content is
    /// counted but dropped from then on, the session reads the rest of DATA as usual, and the
    /// commit answers 452/451 from this instead of the session failing mid-message.
    /// </summary>
    public Exception? WriteFailure { get; private set; }

    /// <summary>The buffered content when it never spilled; valid until the stream is disposed.</summary>
    public ReadOnlyMemory<byte> Buffered => _file is not null || _disposed ? default : _memory.AsMemory(0, (int)_length);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (WriteFailure is not null)
        {
            _length += buffer.Length;
            return;
        }

        try
        {
            if (_file is null && _length + buffer.Length > threshold)
            {
                Spill();
            }

            _file?.Write(buffer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteFailure = ex;
            ReturnMemory();
            _length += buffer.Length;
            return;
        }

        if (_file is null)
        {
            Reserve((int)_length + buffer.Length);
            buffer.CopyTo(_memory.AsSpan((int)_length));
        }

        _length += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Synchronous on purpose: a write lands in the page cache in microseconds, and .NET's
        // "asynchronous" file writes on Linux are thread-pool hops that cost more than the copy.
        // The fsync that can actually take time happens once, at commit.
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _file?.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _file?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _file?.Dispose();
            ReturnMemory();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_file is not null)
            {
                await _file.DisposeAsync();
            }

            ReturnMemory();
        }

        await base.DisposeAsync();
    }

    private void Reserve(int needed)
    {
        if (_memory is not null && needed <= _memory.Length)
        {
            return;
        }

        // needed <= threshold here (larger content spills), and the threshold is at most 64 MiB.
        var size = Math.Max(InitialBuffer, _memory?.Length * 2 ?? 0);
        while (size < needed)
        {
            size *= 2;
        }

        var grown = ArrayPool<byte>.Shared.Rent(size);
        if (_memory is not null)
        {
            _memory.AsSpan(0, (int)_length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_memory);
        }

        _memory = grown;
    }

    private void Spill()
    {
        _file = createFile();
        if (_memory is not null)
        {
            _file.Write(_memory.AsSpan(0, (int)_length));
        }

        ReturnMemory();
    }

    private void ReturnMemory()
    {
        if (_memory is not null)
        {
            ArrayPool<byte>.Shared.Return(_memory);
            _memory = null;
        }
    }
}
