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
            Options = FileOptions.Asynchronous,
        });

    public static void FlushToDisk(FileStream stream) => stream.Flush(flushToDisk: true);

    public FileStream OpenRead(string messageId) =>
        new(PathOf(messageId), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });

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
