using System.IO.Compression;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Zip archives and the zip containers of OOXML and OpenDocument. Members are read through
/// <see cref="ExpansionGuardStream"/>, so the ratio and size limits hold on the bytes really
/// inflated, whatever the headers claim.
/// </summary>
internal static class ZipExtractor
{
    private const string OdsMime = "application/vnd.oasis.opendocument.spreadsheet";
    private const string OdtMime = "application/vnd.oasis.opendocument.text";

    /// <summary>Tells xlsx, docx, ods and odt from a plain zip by their package markers, not by name.</summary>
    public static ContentFormat Classify(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.GetEntry("[Content_Types].xml") is not null)
        {
            if (zip.GetEntry("xl/workbook.xml") is not null)
            {
                return ContentFormat.Xlsx;
            }

            return zip.GetEntry("word/document.xml") is not null ? ContentFormat.Docx : ContentFormat.OtherOoxml;
        }

        ZipArchiveEntry? mimetype = zip.GetEntry("mimetype");
        if (mimetype is not null && !mimetype.IsEncrypted && mimetype.Length < 256 && zip.GetEntry("content.xml") is not null)
        {
            using var reader = new StreamReader(mimetype.Open());
            char[] buffer = new char[256];
            string type = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length)).Trim();
            return type switch
            {
                OdsMime or OdsMime + "-template" => ContentFormat.Ods,
                OdtMime or OdtMime + "-template" => ContentFormat.Odt,
                _ when type.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal) => ContentFormat.OtherOpenDocument,
                _ => ContentFormat.Zip,
            };
        }

        return ContentFormat.Zip;
    }

    /// <param name="packageFormat">What the zip is: an OOXML package other than a workbook or a document (a
    /// presentation), whose slides' and notes' DrawingML is read as paragraphs and tables; an
    /// OpenDocument one other than a spreadsheet or text (a presentation, a drawing), whose content
    /// and styles parts are read as OpenDocument text; or a zip, whose members are read as files.</param>
    public static void ExtractArchive(ExtractionContext context, Stream stream, string name, ContentLocation location, int depth, ContentFormat packageFormat = ContentFormat.Zip)
    {
        var counting = new CountingStream(stream);
        using var zip = new ZipArchive(counting, ZipArchiveMode.Read, leaveOpen: true);
        var budget = new ArchiveBudget(context, stream.Length, name);
        using var other = new OtherMethods(stream);

        // The comments a zip tool shows beside the files: the archive's and each member's (at most
        // 65,535 bytes each), read as text of their own.
        var comments = new TextBlockWriter(context.Sink, location.Child("comment"));
        comments.Append(zip.Comment);
        comments.LineBreak();
        try
        {
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                context.ThrowIfCancelled();
                context.AddEntry();
                comments.Append(entry.Comment);
                comments.LineBreak();
                if (entry.FullName.EndsWith('/') && entry.Length == 0)
                {
                    continue;
                }

                ContentLocation child = location.Child(entry.FullName);
                if (entry.IsEncrypted)
                {
                    // General-purpose flag bit 0 (APPNOTE 4.4.4), set by ZipCrypto and WinZip AES alike:
                    // without the password there is nothing to read.
                    context.Sink.OnUnscannable(child, UnscannableReason.Encrypted, "encrypted zip member (password-protected)");
                    continue;
                }

                ExpansionGuardStream member;
                try
                {
                    member = OpenGuarded(context, entry, counting, budget);
                }
                catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
                {
                    // System.IO.Compression reads stored, deflate and deflate64 only; bzip2, LZMA and
                    // PPMd members go to SharpCompress, behind the same guards.
                    if (other.Open(entry.FullName) is { } open)
                    {
                        long before = other.Counting.BytesRead;
                        if (!SharpArchiveExtractor.ExtractMember(context, open, () => other.Counting.BytesRead - before, budget, entry.FullName, child, depth))
                        {
                            return;
                        }

                        continue;
                    }

                    context.Sink.OnUnscannable(child, ex is NotSupportedException ? UnscannableReason.UnsupportedFormat : UnscannableReason.Corrupt, $"{ex.GetType().Name}: {ex.Message}");
                    continue;
                }

                try
                {
                    using (member)
                    {
                        if (packageFormat == ContentFormat.OtherOoxml && IsDrawingText(entry.FullName))
                        {
                            var writer = new TextBlockWriter(context.Sink, child);
                            var tables = 0;
                            DocxExtractor.ReadPart(context, member, child, writer, ref tables);
                            writer.Flush();
                        }
                        else if (packageFormat == ContentFormat.OtherOpenDocument && (entry.FullName == "content.xml" || OpenDocumentExtractor.IsTextPart(entry.FullName)))
                        {
                            // The document's (and each embedded object's) text:p and table:table.
                            OpenDocumentExtractor.ReadContent(context, member, child);
                        }
                        else if (packageFormat == ContentFormat.OtherOoxml && IsPrinterSettings(entry.FullName))
                        {
                            // A printer's DEVMODE, which no application shows: its strings are read all the same.
                            BinaryStrings.Extract(context, member, child, ContentFormat.Unknown);
                        }
                        else
                        {
                            ContentExtractor.ExtractPart(context, member, entry.Name, null, child, depth + 1);
                        }

                        ReportUnreadData(context, entry, member, child);
                    }
                }
                catch (ExtractionLimitException ex)
                {
                    if (ex.ReportOnce(context.Sink, child))
                    {
                        throw;
                    }

                    // A member over the ratio marks the whole archive as hostile: stop reading it.
                    return;
                }
            }
        }
        finally
        {
            comments.Flush();
        }
    }

    // PresentationML's parts whose text is DrawingML runs (a:p / a:r / a:t, tables a:tbl): slides,
    // notes, layouts, masters, comments. Read as XML they would run one run into the next.
    private static bool IsDrawingText(string path) =>
        path.StartsWith("ppt/", StringComparison.Ordinal) && path.EndsWith(".xml", StringComparison.Ordinal) && !path.Contains("/_rels/", StringComparison.Ordinal);

    // Office keeps the last printer's settings (a binary DEVMODE) in ppt/printerSettings/ and the like.
    private static bool IsPrinterSettings(string path) =>
        path.Contains("/printerSettings/", StringComparison.Ordinal) && path.EndsWith(".bin", StringComparison.Ordinal);

    /// <summary>
    /// System.IO.Compression stops a member at the uncompressed size its header declares. A
    /// header that understates the size therefore hides the rest of the data from the scan
    /// (and still unpacks in full with other tools): when the inflater stopped long before the
    /// compressed data ran out, the member is reported as Corrupt rather than passed as clean.
    /// </summary>
    private static void ReportUnreadData(ExtractionContext context, ZipArchiveEntry entry, ExpansionGuardStream member, ContentLocation location)
    {
        // The inflater reads ahead in blocks; anything beyond a block of slack is unread data.
        const long slack = 64 * 1024;
        if (member.ReachedEnd && entry.CompressedLength - member.CompressedConsumed > slack)
        {
            context.Sink.OnUnscannable(
                location,
                UnscannableReason.Corrupt,
                $"member declares {entry.Length} bytes but {entry.CompressedLength - member.CompressedConsumed} compressed bytes were left unread");
        }
    }

    /// <summary>Opens a member behind the expansion guard; the compressed side counts what the inflater really pulled.</summary>
    public static ExpansionGuardStream OpenGuarded(ExtractionContext context, ZipArchiveEntry entry, CountingStream counting, ArchiveBudget budget)
    {
        long before = counting.BytesRead;
        Stream raw = entry.Open();
        return new ExpansionGuardStream(raw, context, () => counting.BytesRead - before, budget, entry.FullName);
    }
}

/// <summary>
/// The same zip opened with SharpCompress, only when a member needs a method that
/// System.IO.Compression lacks. Opened once per archive, on first need.
/// </summary>
internal sealed class OtherMethods : IDisposable
{
    private SharpCompress.Archives.IArchive? _archive;
    private Dictionary<string, SharpCompress.Archives.IArchiveEntry>? _entries;

    public OtherMethods(Stream stream) => Counting = new CountingStream(stream);

    public CountingStream Counting { get; }

    /// <summary>An opener for the member, or null when SharpCompress cannot read it either.</summary>
    public Func<Stream>? Open(string fullName)
    {
        if (_entries is null)
        {
            try
            {
                _archive = SharpCompress.Archives.Zip.ZipArchive.OpenArchive(Counting, new SharpCompress.Readers.ReaderOptions { LeaveStreamOpen = true });
                _entries = new Dictionary<string, SharpCompress.Archives.IArchiveEntry>(StringComparer.Ordinal);
                foreach (var e in _archive.Entries)
                {
                    if (e.Key is { } key)
                    {
                        _entries.TryAdd(key, e);
                    }
                }
            }
            catch (Exception ex) when (ex is SharpCompress.Common.SharpCompressException or InvalidDataException or IOException or NotSupportedException)
            {
                _entries = [];
            }
        }

        if (!_entries.TryGetValue(fullName, out var entry) || entry.IsEncrypted
            || entry.CompressionType is not (SharpCompress.Common.CompressionType.BZip2 or SharpCompress.Common.CompressionType.LZMA or SharpCompress.Common.CompressionType.PPMd
                or SharpCompress.Common.CompressionType.Deflate64 or SharpCompress.Common.CompressionType.Xz or SharpCompress.Common.CompressionType.ZStandard))
        {
            return null;
        }

        return entry.OpenEntryStream;
    }

    public void Dispose() => _archive?.Dispose();
}

/// <summary>Opens the parts of an OOXML or OpenDocument package with the same guards as a zip.</summary>
internal sealed class PackageReader : IDisposable
{
    /// <summary>The largest part decoded whole (compressed and decoded each); larger ones stream.</summary>
    internal const int MaxWholePartBytes = 16 * 1024 * 1024;

    private readonly ExtractionContext _context;
    private readonly Stream _stream;
    private readonly CountingStream _counting;
    private readonly ZipArchive _zip;
    private readonly ArchiveBudget _budget;
    private readonly bool _decodeWhole;
    private ZipDirectory? _directory;

    /// <summary>How many parts were decoded whole (for tests: the whole path must be the one tested).</summary>
    internal int PartsDecodedWhole { get; private set; }

    /// <param name="decodeWhole">Decode DEFLATE parts whole with libdeflate when it is installed; false only to test that it changes nothing.</param>
    public PackageReader(ExtractionContext context, Stream stream, string name, bool decodeWhole = true)
    {
        _context = context;
        _stream = stream;
        _counting = new CountingStream(stream);
        _zip = new ZipArchive(_counting, ZipArchiveMode.Read, leaveOpen: true);
        _budget = new ArchiveBudget(context, stream.Length, name);
        _decodeWhole = decodeWhole && Libdeflate.IsAvailable;
    }

    public IEnumerable<string> PartNames => _zip.Entries.Select(e => e.FullName);

    public bool Exists(string part) => _zip.GetEntry(part) is not null;

    /// <summary>The part, or null when the package lacks it.</summary>
    public Stream? Open(string part)
    {
        ZipArchiveEntry? entry = _zip.GetEntry(part);
        if (entry is null)
        {
            return null;
        }

        if (entry.IsEncrypted)
        {
            throw new InvalidDataException($"package part '{part}' is zip-encrypted");
        }

        return (_decodeWhole ? OpenWhole(entry) : null) ?? ZipExtractor.OpenGuarded(_context, entry, _counting, _budget);
    }

    /// <summary>
    /// Reads the files embedded under <paramref name="folder"/> ("word/embeddings/": a spreadsheet
    /// inserted as an object, which the reader opens with a double-click) as attachments of their own.
    /// </summary>
    public void ExtractEmbedded(string folder, ContentLocation location, int depth) =>
        ExtractParts(PartNames.Where(n => n.StartsWith(folder, StringComparison.Ordinal) && !n.EndsWith('/')).ToList(), location, depth);

    /// <summary>Reads the named parts (those the package has) as attachments of their own, named by their file name.</summary>
    public void ExtractParts(IEnumerable<string> names, ContentLocation location, int depth)
    {
        foreach (var name in names)
        {
            _context.ThrowIfCancelled();
            using Stream? part = Open(name);
            if (part is not null)
            {
                ContentExtractor.ExtractPart(_context, part, name[(name.LastIndexOf('/') + 1)..], null, location.Child(name), depth + 1);
            }
        }
    }

    /// <summary>
    /// The document's properties as text (title, subject, tags, comments, author, company and
    /// custom properties: what File > Info or File > Properties shows; OOXML's docProps parts and
    /// OpenDocument's meta.xml), each value a line. A part that is not well formed is reported
    /// unscannable, the rest of the document still read.
    /// </summary>
    public void ReadProperties(ContentLocation location)
    {
        var writer = new TextBlockWriter(_context.Sink, location);
        foreach (string name in (ReadOnlySpan<string>)["docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "meta.xml"])
        {
            _context.ThrowIfCancelled();
            using Stream? part = Open(name);
            if (part is null)
            {
                continue;
            }

            try
            {
                using var reader = XmlParts.Create(part);
                while (reader.Read())
                {
                    if (reader.NodeType is System.Xml.XmlNodeType.Text or System.Xml.XmlNodeType.CDATA)
                    {
                        writer.Append(reader.Value);
                        writer.Append('\n');
                    }
                }
            }
            catch (System.Xml.XmlException ex)
            {
                _context.Sink.OnUnscannable(location.Child(name), UnscannableReason.Corrupt, $"document properties not well formed: {ex.Message}");
            }
        }

        writer.Flush();
    }

    public void Dispose() => _zip.Dispose();

    /// <summary>
    /// The part decoded whole by libdeflate from the bytes the streaming reader would read, behind
    /// the same guard (its output counted as it is read, against the part's whole compressed size);
    /// null, to stream instead, for a part not listed plainly in the directory, larger than
    /// <see cref="MaxWholePartBytes"/> or past the expansion ratio by its own sizes, or whose data
    /// is not one DEFLATE stream of exactly its stated size filling exactly its compressed bytes
    /// (the streaming reader then decides: it reads on past a final block, and may refuse what follows).
    /// </summary>
    private ExpansionGuardStream? OpenWhole(ZipArchiveEntry entry)
    {
        _directory ??= ZipDirectory.Read(_stream);
        if (!_directory.TryGet(entry, out var member)
            || member.Length > MaxWholePartBytes || member.CompressedLength > MaxWholePartBytes
            || _context.Limits.PastExpansionRatio(member.Length, member.CompressedLength))
        {
            return null;
        }

        int compressedLength = (int)member.CompressedLength;
        int length = (int)member.Length;
        byte[] input = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, compressedLength));
        byte[] output = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        bool decoded = false;
        try
        {
            _stream.Position = member.DataOffset;
            _stream.ReadExactly(input, 0, compressedLength);
            decoded = Libdeflate.TryInflate(input.AsSpan(0, compressedLength), output.AsSpan(0, length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(input);
            if (!decoded)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(output);
            }
        }

        if (!decoded)
        {
            return null;
        }

        PartsDecodedWhole++;
        return new ExpansionGuardStream(new PooledBufferStream(output, length), _context, () => compressedLength, _budget, entry.FullName);
    }
}
