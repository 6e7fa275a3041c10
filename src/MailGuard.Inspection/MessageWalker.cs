using System.Text;
using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>
/// Reads one message the way its recipient's mail client might, and every other way a client
/// might: every leaf body and attachment is decoded (streamed) into the extractors; forwarded
/// messages, archive members and signed content are parsed and walked in turn; the preamble and
/// epilogue, the header fields, and encoded blocks pasted into text are read too. A message whose
/// parse recorded a defect is read again by MimeKit (and, where structural fields repeat, by our
/// parser taking the last of them), and every part those readings decode that this one did not
/// is inspected as well: the union of what any reader shows.
/// </summary>
internal sealed class MessageWalker
{
    /// <summary>Bytes of one text part searched for embedded encoded blocks.</summary>
    public const int MaxEmbeddedScanBytes = 32 * 1024 * 1024;

    private const string OtherReadingSuffix = " (as other mail clients read it)";

    private readonly InspectionOptions _options;
    private readonly ContentAnalyzer _analyzer;
    private readonly List<AttachmentInfo> _attachments;
    private readonly CancellationToken _ct;

    public MessageWalker(InspectionOptions options, ContentAnalyzer analyzer, List<AttachmentInfo> attachments, InspectedContent inspected, CancellationToken cancellationToken)
    {
        _options = options;
        _analyzer = analyzer;
        _attachments = attachments;
        Inspected = inspected;
        _ct = cancellationToken;
    }

    public InspectedContent Inspected { get; }

    /// <summary>Messages (the top-level one and embedded ones) that were read a second time because their parse recorded a defect.</summary>
    public int SecondReadings { get; private set; }

    public CancellationToken CancellationToken => _ct;

    public ContentAnalyzer Analyzer => _analyzer;

    public InspectionOptions Options => _options;

    public void WalkMessage(MimeDocument document, ContentLocation location, int depth)
    {
        StructureFindings.Report(document, location, _analyzer);
        bool defective = document.Defects.Count > 0;
        var partials = new List<MimeEntity>();
        WalkEntity(document.Message.Body, location, depth, digest: Inspected.Recording || defective, view: "", partials);
        PartialMessages.Inspect(partials, location, depth, this);
        InspectHeaderFields(document, location, depth);
        if (StructureFindings.HasDuplicates(document))
        {
            WalkLastFieldReading(document, location, depth);
        }

        if (defective)
        {
            SecondReadings++;
            SecondOpinion.Walk(document, location, depth, this);
        }
    }

    private void WalkEntity(MimeEntity entity, ContentLocation parent, int depth, bool digest, string view, List<MimeEntity> partials)
    {
        _ct.ThrowIfCancellationRequested();
        string? fileName = entity.FileName;
        var here = parent with { PartPath = entity.Path + view };
        var location = fileName is null ? here : parent.Child(fileName) with { PartPath = entity.Path + view };
        switch (entity.Kind)
        {
            case MimeEntityKind.Multipart:
                InspectRange(entity, entity.Preamble, parent.Child("preamble") with { PartPath = entity.Path + view }, depth, digest);
                foreach (var child in entity.Children)
                {
                    WalkEntity(child, parent, depth, digest, view, partials);
                }

                InspectRange(entity, entity.Epilogue, parent.Child("epilogue") with { PartPath = entity.Path + view }, depth, digest);
                return;
            case MimeEntityKind.Message:
                var inner = fileName is null ? parent.Child("attached message") with { PartPath = entity.Path + view } : location;
                WalkEntity(entity.Message!.Body, inner, depth + 1, digest, view, partials);
                return;
        }

        var type = entity.ContentType;
        if (type.IsEncapsulatedMessage)
        {
            // A transfer-encoded message/rfc822 (forbidden, but sent): decode and parse it.
            using var decoded = entity.OpenDecodedContent();
            OpenEmbedded(decoded, fileName is null ? parent.Child("attached message") : location, depth + 1);
            return;
        }

        if (type.Is("message", "partial"))
        {
            partials.Add(entity);
            return;
        }

        var declared = entity.Headers["Content-Type"]?.Value ?? type.MimeType;
        var format = InspectLeaf(entity.OpenDecodedContent, fileName, declared, location, depth, digest);
        if (fileName is not null || entity.ContentDisposition?.IsAttachment == true)
        {
            _attachments.Add(new AttachmentInfo(location.ToString(), fileName, type.MimeType, format.ToString().ToLowerInvariant(), entity.BodyLength));
        }
    }

    /// <summary>
    /// One decoded part through the extractors, unless the same content was already inspected in
    /// this message (when digests are kept); text is then searched for embedded encoded blocks.
    /// </summary>
    public ContentFormat InspectLeaf(Func<Stream> open, string? fileName, string? declaredContentType, ContentLocation location, int depth, bool digest)
    {
        if (digest)
        {
            using var forDigest = open();
            if (!Inspected.Add(InspectedContent.Digest(forDigest)))
            {
                return ContentFormat.Unknown;
            }
        }

        // One decoding feeds both the extractors and, for text, the search for embedded blocks
        // (its bytes kept as they pass); only a part the extractor did not read to the end is
        // decoded again for the search.
        using var content = open();
        using var capture = new CapturingStream(content, MaxEmbeddedScanBytes);
        var format = ContentExtractor.Extract(capture, fileName, declaredContentType, location, _analyzer, _options.Extraction, _ct, (stream, loc, d, token) => OpenEmbedded(stream, loc, d), nestingDepth: depth);
        if (format is ContentFormat.PlainText or ContentFormat.Html or ContentFormat.Csv or ContentFormat.Rtf or ContentFormat.VCard or ContentFormat.Calendar
            or ContentFormat.MailMessage or ContentFormat.Json or ContentFormat.Xml)
        {
            if (capture.TryGetContent(out var text))
            {
                ScanEmbeddedBlocks(text, location, depth);
            }
            else
            {
                using var reopened = open();
                using var again = new CapturingStream(reopened, MaxEmbeddedScanBytes);
                if (again.ReadContent(out var reread))
                {
                    ScanEmbeddedBlocks(reread, location, depth);
                }
            }
        }

        return format;
    }

    /// <summary>
    /// Records a container whose content was read by opening it (fragments joined into their
    /// message) as inspected, so a later reading does not read it as
    /// an opaque part again.
    /// </summary>
    public void MarkInspected(Func<Stream> open, bool digest)
    {
        if (digest)
        {
            using var content = open();
            Inspected.Add(InspectedContent.Digest(content));
        }
    }

    /// <summary>Text that is not a part (a preamble as MimeKit reads it): inspected as a text part.</summary>
    public void InspectText(string text, ContentLocation location, int depth)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        InspectLeaf(() => new MemoryStream(bytes, writable: false), null, "text/plain; charset=utf-8", location, depth, digest: true);
    }

    public void OpenEmbedded(Stream stream, ContentLocation location, int depth)
    {
        if (depth > _options.MaxMessageDepth)
        {
            _analyzer.OnUnscannable(location, UnscannableReason.NestingTooDeep, $"message nesting limit ({_options.MaxMessageDepth}) reached");
            return;
        }

        using var doc = MimeDocument.Load(stream, _options.Mime, leaveOpen: true);
        WalkMessage(doc, location, depth);
    }

    // A preamble or an epilogue: clients show neither, but what looks like parts in them is
    // read by some, and text in them is still text.
    private void InspectRange(MimeEntity entity, MimeRange range, ContentLocation location, int depth, bool digest)
    {
        if (range.IsEmpty)
        {
            return;
        }

        InspectLeaf(() => entity.OpenRange(range), null, "text/plain", location, depth, digest);
    }

    private void InspectHeaderFields(MimeDocument document, ContentLocation location, int depth)
    {
        string text = HeaderFieldText.Collect(document.Message.Body);
        if (text.Length == 0)
        {
            return;
        }

        var at = location.Child("header fields");
        _analyzer.OnText(at, text);
        ScanEmbeddedBlocks(Encoding.UTF8.GetBytes(text), at, depth);
    }

    // The reading of clients that take the last of repeated structural fields and parameters.
    private void WalkLastFieldReading(MimeDocument document, ContentLocation location, int depth)
    {
        using var source = document.OpenSource();
        var options = new MimeParserOptions
        {
            MaxDepth = document.Options.MaxDepth,
            MaxParts = document.Options.MaxParts,
            MaxHeaderBlockBytes = document.Options.MaxHeaderBlockBytes,
            MaxHeaderCount = document.Options.MaxHeaderCount,
            MaxHeaderLineBytes = document.Options.MaxHeaderLineBytes,
            LastDuplicateWins = true,
        };
        using var other = MimeDocument.Load(source, options, leaveOpen: true);
        WalkEntity(other.Message.Body, location, depth, digest: true, OtherReadingSuffix, []);
    }

    private void ScanEmbeddedBlocks(ReadOnlySpan<byte> text, ContentLocation location, int depth)
    {
        // A run that only looks like base64 or hex (X-filled lines, a long word) decodes to
        // neither a known format nor text anyone wrote: it is not read.
        foreach (var block in EmbeddedBlocks.Find(text, _options.Extraction.MaxTotalExpandedBytes, ContentExtractor.MayBeReadable))
        {
            _ct.ThrowIfCancellationRequested();
            var at = location.Child(block.Name ?? $"{block.Kind} block at line {block.Line}");
            var sink = new EmbeddedBlockSink(_analyzer, at);
            using var data = new MemoryStream(block.Data, writable: false);
            ContentExtractor.Extract(data, block.Name, null, at, sink, _options.Extraction, _ct, (stream, loc, d, token) => OpenEmbedded(stream, loc, d), nestingDepth: depth + 1);
        }
    }

    /// <summary>
    /// Runs of base64 or hex in text are often not files at all (signatures, keys, hashes): what
    /// decodes to no known format is dropped here rather than reported unreadable, while what
    /// is a known format (a zip, a spreadsheet, text) is read like any attachment.
    /// </summary>
    private sealed class EmbeddedBlockSink(ContentAnalyzer inner, ContentLocation block) : IContentSink
    {
        public void OnText(ContentLocation location, string text) => inner.OnText(location, text);

        public ITableSink BeginTable(ContentLocation location) => inner.BeginTable(location);

        public void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail)
        {
            if (location == block && reason is UnscannableReason.UnsupportedFormat or UnscannableReason.Corrupt)
            {
                return;
            }

            inner.OnUnscannable(location, reason, detail);
        }

        public void OnTypeMismatch(ContentLocation location, string declared, string detected)
        {
            if (location != block)
            {
                inner.OnTypeMismatch(location, declared, detected);
            }
        }
    }
}
