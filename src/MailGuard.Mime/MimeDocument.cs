namespace MailGuard.Mime;

/// <summary>
/// A parsed message over its source stream. The tree holds offsets, not content: bodies are
/// read from the source on demand, so a 50 MB attachment costs no memory until (and unless)
/// someone streams it. Dispose releases the source (and the temporary spool made for a
/// non-seekable input).
/// </summary>
public sealed class MimeDocument : IDisposable
{
    private readonly Stream _source;
    private readonly bool _leaveOpen;
    private readonly object _sync = new();
    private readonly List<MimeDefect> _defects = new();

    private MimeDocument(Stream source, bool leaveOpen, long start, MimeParserOptions options)
    {
        _source = source;
        _leaveOpen = leaveOpen;
        StartOffset = start;
        Options = options;
    }

    /// <summary>The limits of the parse; read again later, as <see cref="MimeParserOptions.LastDuplicateWins"/> decides which duplicate field the entities report.</summary>
    public MimeParserOptions Options { get; }

    /// <summary>The source's position when loaded; every offset in the tree is an absolute position in the source, not relative to this.</summary>
    public long StartOffset { get; }

    /// <summary>The source's position after parsing: its end.</summary>
    public long EndOffset { get; internal set; }

    /// <summary>The top-level message; never null once <see cref="Load(Stream, MimeParserOptions?, bool)"/> has returned.</summary>
    public MimeMessage Message { get; private set; } = null!;

    /// <summary>Everything the parser had to work around, in the order seen.</summary>
    public IReadOnlyList<MimeDefect> Defects => _defects;

    /// <summary>Entities parsed, the bodies of encapsulated messages included; what <see cref="MimeParserOptions.MaxParts"/> limits.</summary>
    public int EntityCount { get; internal set; }

    /// <summary>
    /// Parses a message from <paramref name="stream"/>, starting at its current position. A
    /// non-seekable stream is first spooled to a temporary file (deleted on dispose).
    /// Never throws on malformed input; I/O errors propagate.
    /// </summary>
    public static MimeDocument Load(Stream stream, MimeParserOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= MimeParserOptions.Default;
        if (!stream.CanSeek)
        {
            var spool = new FileStream(System.IO.Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
            stream.CopyTo(spool);
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            spool.Position = 0;
            stream = spool;
            leaveOpen = false;
        }

        var doc = new MimeDocument(stream, leaveOpen, stream.Position, options);
        new MimeParser(doc, stream, options).Parse();
        return doc;
    }

    /// <summary>Parses a file, opened for shared reading; the document holds it open until disposed.</summary>
    public static MimeDocument Load(string path, MimeParserOptions? options = null)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return Load(fs, options, leaveOpen: false);
    }

    /// <summary>Parses a message held in memory (tests, small notices).</summary>
    public static MimeDocument Load(byte[] bytes, MimeParserOptions? options = null) =>
        Load(new MemoryStream(bytes, writable: false), options);

    /// <summary>Defects kept per document (the last one kept says that more were dropped).</summary>
    public const int MaxDefects = 1000;

    internal void SetMessage(MimeMessage message) => Message = message;

    internal void AddDefect(MimeDefect defect)
    {
        // Bounded: a hostile message can produce a defect per line. The last slot says so.
        if (_defects.Count < MaxDefects - 1)
        {
            _defects.Add(defect);
        }
        else if (_defects.Count == MaxDefects - 1)
        {
            _defects.Add(new MimeDefect(MimeDefectKind.TooManyDefects, defect.Offset, defect.PartPath, $"more than {MaxDefects - 1} defects"));
        }
    }

    /// <summary>A read-only stream over [offset, offset+length) of the source.</summary>
    public Stream OpenSlice(long offset, long length) => new SliceStream(_source, offset, Math.Max(0, length), _sync);

    /// <summary>The whole source from the start of the message.</summary>
    public Stream OpenSource() => OpenSlice(StartOffset, EndOffset - StartOffset);

    /// <summary>Closes the source unless loaded with leaveOpen (a spool made for a non-seekable input is deleted); streams opened from the document fail afterwards.</summary>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _source.Dispose();
        }
    }
}
