using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>
/// One pass over the source, line by line, with a stack of the enclosing multiparts'
/// delimiters: any enclosing delimiter ends the current entity (a child that never closes is
/// ended by its parent's boundary, RFC 2046 §5.1.2). Header bytes are copied (they are
/// bounded); content is only located, never copied.
/// </summary>
internal sealed class MimeParser
{
    private enum BoundaryMatch
    {
        None,
        Delimiter,
        Close,
    }

    private readonly MimeDocument _doc;
    private readonly MimeParserOptions _options;
    private readonly LineReader _reader;
    private readonly List<byte[]> _stack = new();
    private readonly MemoryStream _headerBytes = new();
    private int _entities;
    private long _fieldEnd;
    private bool _partsExceeded;
    private bool _bomPending;

    public MimeParser(MimeDocument doc, Stream source, MimeParserOptions options)
    {
        _doc = doc;
        _options = options;
        _reader = new LineReader(source, source.Position, options.MaxHeaderLineBytes);
    }

    public void Parse()
    {
        var root = NewEntity("/", 0, isDigestChild: false);
        var message = new MimeMessage(root);
        _doc.SetMessage(message);
        SkipByteOrderMark(root);
        ParseEntity(root, message);
        while (_reader.ReadLine())
        {
            // Only reachable after a degraded parse; the rest belongs to nothing.
        }

        _doc.EndOffset = _reader.Position;
        _doc.EntityCount = _entities;
    }

    private void SkipByteOrderMark(MimeEntity root)
    {
        if (_reader.ReadLine())
        {
            var head = _reader.Head;
            _reader.PushBack();
            if (head.StartsWith("\uFEFF"u8))
            {
                // A UTF-8 BOM before the first header (Windows tools write one). Python would
                // read the whole file as a headerless body; mail clients skip the BOM.
                AddDefect(MimeDefectKind.ByteOrderMark, _reader.LineOffset, root);
                _bomPending = true;
            }
        }
    }

    private MimeEntity NewEntity(string path, int depth, bool isDigestChild)
    {
        _entities++;
        return new MimeEntity(_doc, path, depth, isDigestChild);
    }

    private void ParseEntity(MimeEntity entity, MimeMessage? message)
    {
        ReadHeaders(entity, message);
        var type = entity.ContentType;
        if (!type.IsValid)
        {
            AddDefect(MimeDefectKind.InvalidContentType, entity.HeaderOffset, entity);
        }

        if (entity.Depth >= _options.MaxDepth && (type.IsMultipart || type.IsEncapsulatedMessage))
        {
            AddDefect(MimeDefectKind.MaxDepthExceeded, entity.BodyOffset, entity);
            ReadLeaf(entity);
            return;
        }

        if (type.IsMultipart)
        {
            string? boundary = type.Boundary;
            if (boundary is null)
            {
                AddDefect(MimeDefectKind.NoBoundaryInMultipart, entity.BodyOffset, entity);
                ReadLeaf(entity);
                return;
            }

            if (entity.TransferEncoding is { } cte && cte is not ("7bit" or "8bit" or "binary"))
            {
                AddDefect(MimeDefectKind.InvalidMultipartTransferEncoding, entity.BodyOffset, entity);
            }

            ParseMultipart(entity, System.Text.Encoding.UTF8.GetBytes("--" + boundary));
            return;
        }

        if (type.IsEncapsulatedMessage)
        {
            if (entity.TransferEncoding is { } cte && cte is not ("7bit" or "8bit" or "binary"))
            {
                // RFC 2046 §5.2.1 forbids encoding message/rfc822; the encoded text is not a
                // header block, so keep it as a leaf and let consumers decode and re-parse it.
                AddDefect(MimeDefectKind.EncodedMessageTransferEncoding, entity.BodyOffset, entity);
                ReadLeaf(entity);
                return;
            }

            entity.Kind = MimeEntityKind.Message;
            var inner = NewEntity(entity.Path == "/" ? "/message" : entity.Path + "/message", entity.Depth + 1, isDigestChild: false);
            var innerMessage = new MimeMessage(inner);
            entity.Message = innerMessage;
            ParseEntity(inner, innerMessage);
            entity.BodyEnd = _reader.Position;
            return;
        }

        ReadLeaf(entity);
    }

    // RFC 5322 §2.2 header fields up to the empty line. A line that is neither a field nor a
    // continuation ends the block and starts the body (as Python's email package does).
    private void ReadHeaders(MimeEntity entity, MimeMessage? message)
    {
        entity.HeaderOffset = _reader.Position;
        string? name = null;
        long fieldOffset = 0;
        int valueStart = 0;
        int blockBytes = 0;
        bool blockFull = false;
        bool first = true;
        _headerBytes.SetLength(0);
        while (_reader.ReadLine())
        {
            if (MatchesEnclosing())
            {
                // A part whose header block runs into the next delimiter has an empty body.
                _reader.PushBack();
                break;
            }

            var head = _reader.Head;
            long lineOffset = _reader.LineOffset;
            if (_bomPending)
            {
                head = head[3..];
                lineOffset += 3;
                _bomPending = false;
                entity.HeaderOffset += 3;
            }

            var content = _reader.Truncated ? head : head[..(head.Length - _reader.EolLength)];
            if (content.IsEmpty && !_reader.Truncated)
            {
                // The empty line that ends the header block (or the end of input right after it).
                break;
            }

            if (content[0] is (byte)' ' or (byte)'\t')
            {
                if (name is null)
                {
                    AddDefect(MimeDefectKind.FirstHeaderLineIsContinuation, _reader.LineOffset, entity);
                    first = false;
                    continue;
                }

                AppendHeaderLine(entity, head, ref blockBytes, ref blockFull);
                continue;
            }

            if (first && content.StartsWith("From "u8))
            {
                // mbox envelope line (RFC 4155), not a header.
                if (message is not null)
                {
                    message.HasUnixFrom = true;
                }

                first = false;
                continue;
            }

            first = false;
            int colon = FieldNameLength(content);
            if (colon < 0)
            {
                if (content.StartsWith("From "u8))
                {
                    AddDefect(MimeDefectKind.MisplacedEnvelopeHeader, _reader.LineOffset, entity);
                    continue;
                }

                AddDefect(MimeDefectKind.MissingHeaderBodySeparator, _reader.LineOffset, entity);
                _reader.PushBack();
                FinishHeader(entity, name, fieldOffset, valueStart);
                name = null;
                entity.BodyOffset = _reader.LineOffset;
                return;
            }

            FinishHeader(entity, name, fieldOffset, valueStart);
            name = null;
            if (colon == 0)
            {
                AddDefect(MimeDefectKind.MissingHeaderName, _reader.LineOffset, entity);
                continue;
            }

            if (entity.Headers.Count >= _options.MaxHeaderCount)
            {
                if (entity.Headers.Count == _options.MaxHeaderCount)
                {
                    AddDefect(MimeDefectKind.TooManyHeaders, _reader.LineOffset, entity);
                }

                continue;
            }

            if (_reader.Truncated)
            {
                AddDefect(MimeDefectKind.HeaderLineTooLong, _reader.LineOffset, entity);
            }

            name = System.Text.Encoding.ASCII.GetString(content[..colon]);
            fieldOffset = lineOffset;
            valueStart = colon + 1;
            _headerBytes.SetLength(0);
            AppendHeaderLine(entity, head, ref blockBytes, ref blockFull);
        }

        FinishHeader(entity, name, fieldOffset, valueStart);
        entity.BodyOffset = _reader.Position;
    }

    private void AppendHeaderLine(MimeEntity entity, ReadOnlySpan<byte> head, ref int blockBytes, ref bool blockFull)
    {
        _fieldEnd = _reader.LineEnd;
        blockBytes += head.Length;
        if (blockBytes > _options.MaxHeaderBlockBytes)
        {
            if (!blockFull)
            {
                AddDefect(MimeDefectKind.HeaderBlockTooLarge, _reader.LineOffset, entity);
                blockFull = true;
            }

            return;
        }

        _headerBytes.Write(head);
    }

    private void FinishHeader(MimeEntity entity, string? name, long offset, int valueStart)
    {
        if (name is null || _headerBytes.Length == 0)
        {
            return;
        }

        entity.Headers.Add(new Header(name, _headerBytes.ToArray(), valueStart, offset, _fieldEnd - offset));
        _headerBytes.SetLength(0);
    }

    // ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8); the name runs up to the colon.
    private static int FieldNameLength(ReadOnlySpan<byte> line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            byte b = line[i];
            if (b == (byte)':')
            {
                return i;
            }

            if (b < 33 || b > 126)
            {
                return -1;
            }
        }

        return -1;
    }

    private void ReadLeaf(MimeEntity entity)
    {
        entity.Kind = MimeEntityKind.Leaf;
        int lastEol = 0;
        while (true)
        {
            int skipped = _reader.SkipNonDelimiterLines();
            if (skipped >= 0)
            {
                lastEol = skipped;
            }

            if (!_reader.ReadLine())
            {
                break;
            }

            if (MatchesEnclosing())
            {
                _reader.PushBack();
                break;
            }

            lastEol = _reader.EolLength;
        }

        entity.BodyEnd = _reader.Position;
        entity.LastEolLength = lastEol;
    }

    private void ParseMultipart(MimeEntity entity, byte[] delimiter)
    {
        bool inPreamble = true;
        bool closed = false;
        int lastPreambleEol = 0;
        int index = 0;
        while (_reader.ReadLine())
        {
            if (MatchesEnclosing())
            {
                _reader.PushBack();
                break;
            }

            var match = Match(_reader.Content, delimiter);
            if (match == BoundaryMatch.Close)
            {
                closed = true;
                break;
            }

            if (match == BoundaryMatch.None)
            {
                // Only the preamble (or a degraded, over-limit multipart) gets here.
                lastPreambleEol = _reader.EolLength;
                continue;
            }

            if (inPreamble)
            {
                inPreamble = false;
                entity.Kind = MimeEntityKind.Multipart;
            }

            // Consecutive delimiter lines delimit no empty parts.
            while (_reader.ReadLine())
            {
                if (MatchesEnclosing() || Match(_reader.Content, delimiter) == BoundaryMatch.None)
                {
                    _reader.PushBack();
                    break;
                }
            }

            if (_entities >= _options.MaxParts)
            {
                if (!_partsExceeded)
                {
                    AddDefect(MimeDefectKind.MaxPartsExceeded, _reader.Position, entity);
                    _partsExceeded = true;
                }

                continue;
            }

            var child = NewEntity((entity.Path == "/" ? "" : entity.Path) + "/" + (++index).ToString(System.Globalization.CultureInfo.InvariantCulture), entity.Depth + 1, entity.ContentType.Is("multipart", "digest"));
            entity.AddChild(child);
            _stack.Add(delimiter);
            ParseEntity(child, null);
            _stack.RemoveAt(_stack.Count - 1);
            StripFinalLineBreak(child);
        }

        if (inPreamble)
        {
            // No delimiter: the whole content (up to a close delimiter, if any) is one body.
            AddDefect(MimeDefectKind.StartBoundaryNotFound, entity.BodyOffset, entity);
            entity.Kind = MimeEntityKind.Leaf;
            entity.BodyEnd = closed ? _reader.LineOffset : _reader.Position;
            entity.LastEolLength = lastPreambleEol;
            if (closed)
            {
                SkipEpilogue();
            }

            return;
        }

        entity.BodyEnd = _reader.Position;
        if (!closed)
        {
            AddDefect(MimeDefectKind.CloseBoundaryNotFound, _reader.Position, entity);
            return;
        }

        SkipEpilogue();
        entity.BodyEnd = _reader.Position;
    }

    private void SkipEpilogue()
    {
        while (_reader.ReadLine())
        {
            if (MatchesEnclosing())
            {
                _reader.PushBack();
                break;
            }
        }
    }

    // RFC 2046 §5.1.1: the line break before a delimiter belongs to the delimiter. It is
    // removed from whichever body ends last inside the finished part.
    private static void StripFinalLineBreak(MimeEntity part)
    {
        var e = part;
        while (e.Kind == MimeEntityKind.Message && e.Message is not null)
        {
            e = e.Message.Body;
        }

        // A multipart that degraded to a leaf (no usable boundary) keeps its final line break:
        // what precedes the delimiter there is epilogue-like text, and Python and MimeKit agree.
        if (e.Kind != MimeEntityKind.Leaf || e.ContentType.IsMultipart)
        {
            return;
        }

        if (e.LastEolLength > 0 && e.BodyEnd - e.LastEolLength >= e.BodyOffset)
        {
            e.BodyEnd -= e.LastEolLength;
            e.LastEolLength = 0;
        }

        // The enclosing messages end where their bodies end.
        var m = part;
        while (m.Kind == MimeEntityKind.Message && m.Message is not null)
        {
            m.BodyEnd = Math.Min(m.BodyEnd, e.BodyEnd);
            m = m.Message.Body;
        }
    }

    private bool MatchesEnclosing()
    {
        if (_stack.Count == 0)
        {
            return false;
        }

        var content = _reader.Content;
        if (content.Length < 2 || content[0] != (byte)'-' || content[1] != (byte)'-')
        {
            return false;
        }

        for (int i = _stack.Count - 1; i >= 0; i--)
        {
            if (Match(content, _stack[i]) != BoundaryMatch.None)
            {
                return true;
            }
        }

        return false;
    }

    // delimiter [ "--" ] *(SP / HTAB) at the end of the line (RFC 2046 §5.1.1 transport padding).
    private static BoundaryMatch Match(ReadOnlySpan<byte> line, byte[] delimiter)
    {
        if (!line.StartsWith(delimiter))
        {
            return BoundaryMatch.None;
        }

        var rest = line[delimiter.Length..];
        var result = BoundaryMatch.Delimiter;
        if (rest.StartsWith("--"u8))
        {
            result = BoundaryMatch.Close;
            rest = rest[2..];
        }

        foreach (byte b in rest)
        {
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                return BoundaryMatch.None;
            }
        }

        return result;
    }

    private void AddDefect(MimeDefectKind kind, long offset, MimeEntity entity, string? detail = null) =>
        _doc.AddDefect(new MimeDefect(kind, offset, entity.Path, detail));
}
