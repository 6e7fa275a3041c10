namespace MailGuard.Host.Relay;

/// <summary>
/// Receives one message's content: in memory up to a threshold, then in a spool file created on
/// the first write past it (the buffered bytes first), so small mail is committed inside the store
/// transaction (one group fsync for many messages) and large mail is streamed to disk, never held.
/// </summary>
internal sealed class SpillStream(long threshold, Func<FileStream> createFile) : Stream
{
    private MemoryStream? _memory = new();
    private FileStream? _file;
    private long _length;

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

    /// <summary>The buffered content when it never spilled.</summary>
    public ReadOnlyMemory<byte> Buffered => _memory is null ? default : _memory.GetBuffer().AsMemory(0, (int)_memory.Length);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_file is null && _length + buffer.Length > threshold)
        {
            Spill();
        }

        if (_file is not null)
        {
            _file.Write(buffer);
        }
        else
        {
            _memory!.Write(buffer);
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
        if (disposing)
        {
            _file?.Dispose();
            _memory = null;
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }

        _memory = null;
        await base.DisposeAsync();
    }

    private void Spill()
    {
        _file = createFile();
        _file.Write(_memory!.GetBuffer().AsSpan(0, (int)_memory.Length));
        _memory = null;
    }
}
