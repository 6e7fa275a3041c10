namespace MailGuard.Mime;

/// <summary>How an entity's content is structured.</summary>
public enum MimeEntityKind
{
    /// <summary>Content is a body (possibly transfer-encoded), read through <see cref="MimeEntity.OpenDecodedContent"/>.</summary>
    Leaf,

    /// <summary>A multipart whose boundary was found; see <see cref="MimeEntity.Children"/>.</summary>
    Multipart,

    /// <summary>message/rfc822, message/global or message/news; see <see cref="MimeEntity.Message"/>.</summary>
    Message,
}

/// <summary>
/// A MIME entity: its header block and its content, which stays in the source (a slice from
/// <see cref="BodyOffset"/> to <see cref="BodyEnd"/>) and is decoded only when a consumer
/// streams it.
/// </summary>
public sealed class MimeEntity
{
    private readonly List<MimeEntity> _children = new();
    private ContentType? _contentType;
    private ContentDisposition? _disposition;
    private bool _dispositionParsed;

    internal MimeEntity(MimeDocument document, string path, int depth, bool isDigestChild)
    {
        Document = document;
        Path = path;
        Depth = depth;
        IsDigestChild = isDigestChild;
    }

    /// <summary>The document whose source holds this entity's bytes; the Open* streams read from it.</summary>
    public MimeDocument Document { get; }

    /// <summary>"/" for the top-level entity, "/1", "/1/2" for body parts, "/2/message" for the body of an encapsulated message.</summary>
    public string Path { get; }

    /// <summary>0 at the top; one more per multipart or encapsulated message above (what <see cref="MimeParserOptions.MaxDepth"/> limits).</summary>
    public int Depth { get; }

    /// <summary>A child of multipart/digest, whose default type is message/rfc822 (RFC 2046 §5.1.5).</summary>
    public bool IsDigestChild { get; }

    /// <summary>This entity's own fields; for the body entity of a message, the message's header block.</summary>
    public HeaderList Headers { get; } = new();

    /// <summary>Offset of the first header byte, after a skipped byte-order mark.</summary>
    public long HeaderOffset { get; internal set; }

    /// <summary>Offset of the first content byte (after the empty line that ends the header block).</summary>
    public long BodyOffset { get; internal set; }

    /// <summary>Offset just past the last content byte; the line break before a boundary belongs to the boundary (RFC 2046 §5.1.1).</summary>
    public long BodyEnd { get; internal set; }

    /// <summary>Content bytes in the source, still transfer-encoded.</summary>
    public long BodyLength => BodyEnd - BodyOffset;

    /// <summary>How the content was read: a multipart without a usable boundary, or one at the depth limit, is a <see cref="MimeEntityKind.Leaf"/>.</summary>
    public MimeEntityKind Kind { get; internal set; }

    /// <summary>The body parts of a multipart in order; empty for the other kinds.</summary>
    public IReadOnlyList<MimeEntity> Children => _children;

    /// <summary>The encapsulated message when <see cref="Kind"/> is <see cref="MimeEntityKind.Message"/>.</summary>
    public MimeMessage? Message { get; internal set; }

    // Length of the line ending of the content's last line, for the boundary rule above.
    internal int LastEolLength { get; set; }

    internal bool HasContentTypeField => Headers["Content-Type"] is not null;

    /// <summary>For a multipart: the text before the first delimiter (empty when there is none).</summary>
    public MimeRange Preamble { get; internal set; }

    /// <summary>For a multipart: the text after the close delimiter (empty when there is none).</summary>
    public MimeRange Epilogue { get; internal set; }

    // Which of a repeated structural field counts (see MimeParserOptions.LastDuplicateWins).
    private Header? Structural(string name) => Document.Options.LastDuplicateWins ? Headers.GetLast(name) : Headers[name];

    /// <summary>The Content-Type, or its default: text/plain, or message/rfc822 inside multipart/digest.</summary>
    public ContentType ContentType
    {
        get
        {
            if (_contentType is null)
            {
                var header = Structural("Content-Type");
                _contentType = header is not null
                    ? ContentType.Parse(header.Value, Document.Options.LastDuplicateWins)
                    : IsDigestChild ? ContentType.MessageRfc822 : ContentType.TextPlain;
            }

            return _contentType;
        }
    }

    /// <summary>The Content-Disposition (the last of several with <see cref="MimeParserOptions.LastDuplicateWins"/>); null when absent.</summary>
    public ContentDisposition? ContentDisposition
    {
        get
        {
            if (!_dispositionParsed)
            {
                var header = Structural("Content-Disposition");
                _disposition = header is null ? null : ContentDisposition.Parse(header.Value, Document.Options.LastDuplicateWins);
                _dispositionParsed = true;
            }

            return _disposition;
        }
    }

    /// <summary>The Content-Transfer-Encoding token in lower case, or null when the field is absent.</summary>
    public string? TransferEncoding
    {
        get
        {
            var header = Structural("Content-Transfer-Encoding");
            return header is null ? null : Mime.TransferEncoding.Normalize(header.Value);
        }
    }

    /// <summary>The filename parameter of Content-Disposition, else the name parameter of Content-Type, trimmed.</summary>
    public string? FileName => (ContentDisposition?.FileName ?? ContentType.Name)?.Trim();

    /// <summary>Content-Disposition says attachment, or a leaf has a <see cref="FileName"/> (clients offer named inline parts for saving too).</summary>
    public bool IsAttachment => ContentDisposition?.IsAttachment == true || (FileName is not null && Kind == MimeEntityKind.Leaf);

    internal void AddChild(MimeEntity child) => _children.Add(child);

    /// <summary>The content exactly as it is in the source (still transfer-encoded).</summary>
    public Stream OpenContent() => Document.OpenSlice(BodyOffset, BodyLength);

    /// <summary>A range of the source exactly as it is (a preamble or an epilogue, say).</summary>
    public Stream OpenRange(MimeRange range) => Document.OpenSlice(range.Offset, range.Length);

    /// <summary>The content with its transfer encoding undone, streamed (never buffered whole).</summary>
    public Stream OpenDecodedContent() =>
        new DecodingStream(OpenContent(), Mime.TransferEncoding.CreateDecoder(TransferEncoding), bufferSize: (int)Math.Min(BodyLength + 16, 64 * 1024));

    /// <summary>This entity and every entity below it, depth first, encapsulated messages included.</summary>
    public IEnumerable<MimeEntity> DescendantsAndSelf()
    {
        var stack = new Stack<MimeEntity>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            yield return e;
            if (e.Message is not null)
            {
                stack.Push(e.Message.Body);
            }

            for (int i = e._children.Count - 1; i >= 0; i--)
            {
                stack.Push(e._children[i]);
            }
        }
    }

    /// <summary>Path, media type and kind, for diagnostics; no header values.</summary>
    public override string ToString() => $"{Path} {ContentType.MimeType} {Kind}";
}
