using System.Runtime.InteropServices;

namespace MailGuard.Core.Store;

/// <summary>
/// fsync for directories. A new or renamed file survives a power cut only once its directory
/// entry is on disk too (fsync(2): "an explicit fsync() on a file descriptor for the directory is
/// also needed"); .NET has no API for it, so on Unix this calls open/fsync/close directly.
/// </summary>
public static partial class FileSync
{
    private const int ORdOnly = 0;

    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            // NTFS journals directory entries with the file's metadata; there is nothing to open.
            return;
        }

        int fd = Open(directory, ORdOnly);
        if (fd < 0)
        {
            throw new IOException($"open({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically: temp file, fsync, rename.</summary>
    /// <param name="tempDirectory">
    /// Where the temp file is written, on the same file system as <paramref name="path"/>; by default
    /// beside it as <c>path.tmp</c>. A directory that other programs read (the pickup directory)
    /// passes a subfolder of its own, as Maildir's tmp/, so no reader ever lists a file that is not final.
    /// </param>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, string? tempDirectory = null)
    {
        string temp = TempPathFor(path, tempDirectory);
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>A temp file name for <paramref name="path"/>: <c>path.tmp</c>, or in <paramref name="tempDirectory"/> a name no other writer picks at the same time.</summary>
    public static string TempPathFor(string path, string? tempDirectory) =>
        tempDirectory is null
            ? path + ".tmp"
            : Path.Combine(tempDirectory, $"{Path.GetFileName(path)}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
