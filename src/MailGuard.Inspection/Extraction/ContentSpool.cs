namespace MailGuard.Inspection.Extraction;

/// <summary>Temporary copies of content that outgrew memory: delete-on-close files in the temp directory.</summary>
internal static class ContentSpool
{
    /// <summary>Moves what <paramref name="memory"/> holds into a new temporary file (positioned at its end) and disposes it.</summary>
    public static FileStream ToFile(Stream memory)
    {
        var file = new FileStream(
            Path.Combine(Path.GetTempPath(), "mailguard-" + Guid.NewGuid().ToString("N") + ".spool"),
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            81920,
            FileOptions.DeleteOnClose);
        try
        {
            memory.Position = 0;
            memory.CopyTo(file);
        }
        catch
        {
            // A disk that fills mid-copy: the part's bytes must not wait for a finalizer to go.
            file.Dispose();
            throw;
        }

        memory.Dispose();
        return file;
    }
}
