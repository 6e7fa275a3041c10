namespace MailGuard.Core.Store;

/// <summary>
/// Message content as files, one per queue id, under <c>Storage:Directory/spool</c>. The relay
/// streams DATA straight into <see cref="Create"/>'s file, so nothing is held in memory and the
/// bytes delivered are the bytes received. A file without a message row (crash before commit) is
/// an orphan and is removed by <see cref="RemoveOrphansAsync"/> at start-up.
/// </summary>
public sealed class MessageSpool
{
    public MessageSpool(string storageDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storageDirectory);
        Directory = Path.Combine(Path.GetFullPath(storageDirectory), "spool");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>The content file of a message in a spool directory; null without a directory or for a malformed id.</summary>
    public static string? PathIn(string? spoolDirectory, string messageId) =>
        spoolDirectory is not null && MessageIds.IsValid(messageId) ? Path.Combine(spoolDirectory, messageId + ".eml") : null;

    /// <summary>Removes a message's content file from a spool directory, if there is one.</summary>
    public static void DeleteIn(string? spoolDirectory, string messageId)
    {
        if (PathIn(spoolDirectory, messageId) is { } path && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public string PathOf(string messageId)
    {
        if (!MessageIds.IsValid(messageId))
        {
            throw new ArgumentException($"'{messageId}' is not a queue id.", nameof(messageId));
        }

        return Path.Combine(Directory, messageId + ".eml");
    }

    /// <summary>
    /// Creates the content file. The caller writes, then calls <see cref="FlushToDisk"/>; the
    /// directory entry is synced by the store's group commit (one directory fsync per batch).
    /// </summary>
    public FileStream Create(string messageId) =>
        new(PathOf(messageId), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 64 * 1024,
        });

    public static void FlushToDisk(FileStream stream) => stream.Flush(flushToDisk: true);

    /// <summary>
    /// Opens the content for reading, below <paramref name="prefix"/> (a tag's fields, kept by the
    /// store) when there is one. Reads are served synchronously even through ReadAsync: the content
    /// was just written and sits in the page cache, and a thread-pool hop per 16 KiB read (what
    /// .NET's file ReadAsync does on Linux) costs more than the copy.
    /// </summary>
    public Stream OpenRead(string messageId, ReadOnlyMemory<byte>? prefix = null) => OpenFile(PathOf(messageId), prefix);

    /// <summary>A content file as <see cref="OpenRead"/> opens it, given its path.</summary>
    public static Stream OpenFile(string path, ReadOnlyMemory<byte>? prefix = null) =>
        new SpooledContentStream(
            new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0,
                Options = FileOptions.SequentialScan,
            }),
            prefix ?? ReadOnlyMemory<byte>.Empty);

    /// <summary>A seekable read of the prefix and then the file, as one stream.</summary>
    private sealed class SpooledContentStream(FileStream file, ReadOnlyMemory<byte> prefix) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => prefix.Length + file.Length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n;
            if (_position < prefix.Length)
            {
                n = Math.Min(buffer.Length, prefix.Length - (int)_position);
                prefix.Span.Slice((int)_position, n).CopyTo(buffer);
            }
            else
            {
                n = file.Read(buffer);
            }

            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = MailGuard.Mime.ReadOnlyStream.SeekTarget(offset, origin, _position, Length);
            ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
            file.Position = Math.Max(0, target - prefix.Length);
            _position = target;
            return target;
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
                file.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    public bool Exists(string messageId) => File.Exists(PathOf(messageId));

    public void Delete(string messageId)
    {
        try
        {
            File.Delete(PathOf(messageId));
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Deletes content files (and leftover temp files) that no stored message refers to. Returns how many.</summary>
    public async Task<int> RemoveOrphansAsync(IMessageStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        int removed = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            string name = Path.GetFileName(path);
            string id = name.EndsWith(".eml", StringComparison.Ordinal) ? name[..^4] : string.Empty;
            if (!MessageIds.IsValid(id) || await store.GetMessageAsync(id, cancellationToken) is null)
            {
                File.Delete(path);
                removed++;
            }
        }

        return removed;
    }
}
