using SharpCompress.Archives;
using SharpCompress.Archives.Rar;
using SharpCompress.Archives.SevenZip;
using SharpCompress.Common;
using SharpCompress.Readers;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// 7z and RAR archives, and zip members in methods System.IO.Compression lacks (bzip2, LZMA,
/// PPMd), read with SharpCompress. SharpCompress only decodes: every member stream it gives is
/// wrapped in <see cref="ExpansionGuardStream"/>, the entry count, nesting depth and time budget
/// are ours, and sizes its headers claim are never trusted.
/// </summary>
internal static class SharpArchiveExtractor
{
    public static void ExtractArchive(ExtractionContext context, Stream stream, ContentFormat format, string name, ContentLocation location, int depth)
    {
        var counting = new CountingStream(stream);
        var options = new ReaderOptions { LeaveStreamOpen = true };
        try
        {
            using IArchive archive = format == ContentFormat.Rar ? RarArchive.OpenArchive(counting, options) : SevenZipArchive.OpenArchive(counting, options);
            ExtractEntries(context, archive, counting, stream.Length, format, name, location, depth);
        }
        catch (CryptographicException)
        {
            // 7z -mhe / RAR -hp: even the member names are encrypted (SharpCompress finds out
            // when it first reads the headers, which may be on open or on the first listing).
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, $"password-protected {Label(format)} archive (names and content encrypted)");
        }
    }

    private static void ExtractEntries(ExtractionContext context, IArchive archive, CountingStream counting, long archiveBytes, ContentFormat format, string name, ContentLocation location, int depth)
    {
        // RAR marks encryption per member (reported there, with the member's name); a 7z
        // archive with encrypted content cannot even list its members without the key.
        if (format == ContentFormat.SevenZip && archive.IsEncrypted)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, $"password-protected {Label(format)} archive");
            return;
        }

        var budget = new ArchiveBudget(context, archiveBytes, name);
        if (format == ContentFormat.SevenZip || archive.IsSolid)
        {
            // Solid blocks decode front to back; opening members one by one would decode each
            // block again for every member in it. The reader walks them once.
            using IReader reader = archive.ExtractAllEntries();
            while (reader.MoveToNextEntry())
            {
                if (!Extract(context, reader.Entry, reader.OpenEntryStream, counting, budget, format, location, depth))
                {
                    return;
                }
            }
        }
        else
        {
            foreach (IArchiveEntry entry in archive.Entries)
            {
                if (!Extract(context, entry, entry.OpenEntryStream, counting, budget, format, location, depth))
                {
                    return;
                }
            }
        }
    }

    /// <returns>False when the archive must not be read further (a member broke the ratio).</returns>
    private static bool Extract(ExtractionContext context, IEntry entry, Func<Stream> open, CountingStream counting, ArchiveBudget budget, ContentFormat format, ContentLocation location, int depth)
    {
        context.ThrowIfCancelled();
        if (entry.IsDirectory)
        {
            return true;
        }

        context.AddEntry();
        string memberName = entry.Key ?? "member";
        ContentLocation child = location.Child(memberName);
        if (entry.IsEncrypted)
        {
            context.Sink.OnUnscannable(child, UnscannableReason.PasswordProtected, $"password-protected {Label(format)} member");
            return true;
        }

        // Members of one archive share its compressed bytes (a solid block feeds many members),
        // so a member's ratio is taken against all the archive has read so far; the archive-wide
        // ratio and the expanded-size limit bound the total.
        return ExtractMember(context, open, () => counting.BytesRead, budget, memberName, child, depth);
    }

    /// <summary>Opens one member behind the expansion guard and extracts it; limit and decoder failures are reported at the member.</summary>
    /// <returns>False when the archive must not be read further.</returns>
    internal static bool ExtractMember(ExtractionContext context, Func<Stream> open, Func<long> compressedConsumed, ArchiveBudget budget, string memberName, ContentLocation child, int depth)
    {
        try
        {
            using var guard = new ExpansionGuardStream(open(), context, compressedConsumed, budget, memberName);
            ContentExtractor.ExtractPart(context, guard, FileNameOf(memberName), null, child, depth + 1);
            return true;
        }
        catch (ExtractionLimitException ex)
        {
            if (ex.ReportOnce(context.Sink, child))
            {
                throw;
            }

            // A member over the ratio marks the whole archive as hostile: stop reading it.
            return false;
        }
        catch (CryptographicException ex)
        {
            context.Sink.OnUnscannable(child, UnscannableReason.PasswordProtected, ex.Message);
            return true;
        }
        catch (Exception ex) when (ex is SharpCompressException or InvalidDataException or NotSupportedException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            // Opening can fail before ExtractPart runs (an unknown method, a damaged header).
            context.Sink.OnUnscannable(child, UnscannableReason.Corrupt, $"{ex.GetType().Name}: {ex.Message}");
            return true;
        }
    }

    private static string FileNameOf(string key)
    {
        int slash = Math.Max(key.LastIndexOf('/'), key.LastIndexOf('\\'));
        return slash >= 0 ? key[(slash + 1)..] : key;
    }

    private static string Label(ContentFormat format) => format == ContentFormat.Rar ? "RAR" : "7z";
}
