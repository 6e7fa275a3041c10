using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>
/// One pass over the source, line by line, with a stack of the enclosing multiparts'
/// delimiters: any enclosing delimiter ends the current entity (a child that never closes is
/// ended by its parent's boundary, RFC 2046 §5.1.2). Header bytes are copied (they are
/// bounded); content is only located, never copied.
/// </summary>
internal sealed partial class MimeParser
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
        try
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
        finally
        {
            _reader.Dispose();
        }
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
        RecordAmbiguousFields(entity);
        var type = entity.ContentType;
        if (!type.IsValid)
        {
            AddDefect(MimeDefectKind.InvalidContentType, entity.HeaderOffset, entity);
        }

        if (type.ParametersRecovered)
        {
            AddDefect(MimeDefectKind.MissingParameterSeparator, entity.HeaderOffset, entity);
        }

        if (entity.Depth >= _options.MaxDepth && (type.IsMultipart || type.IsEncapsulatedMessage))
        {
            AddDefect(MimeDefectKind.MaxDepthExceeded, entity.BodyOffset, entity);
            ReadLeaf(entity);
            return;
        }

        if (type.IsMultipart)
        {
            var candidates = BoundaryCandidates(entity);
            if (candidates.Count == 0)
            {
                AddDefect(MimeDefectKind.NoBoundaryInMultipart, entity.BodyOffset, entity);
                ReadLeaf(entity);
                return;
            }

            if (entity.TransferEncoding is { } cte && cte is not ("7bit" or "8bit" or "binary"))
            {
                AddDefect(MimeDefectKind.InvalidMultipartTransferEncoding, entity.BodyOffset, entity);
            }

            RecordReusedBoundary(entity, candidates);

            // The boundary as written first; when it never occurs, the readings other clients
            // give it (a duplicate parameter's other value, quotes removed, the other charset).
            for (int i = 0; i < candidates.Count; i++)
            {
                bool last = i == candidates.Count - 1 || !_reader.CanSeek;
                if (ParseMultipart(entity, candidates[i], last))
                {
                    if (i > 0)
                    {
                        AddDefect(MimeDefectKind.BoundaryRecovered, entity.BodyOffset, entity);
                    }

                    return;
                }

                _reader.Seek(entity.BodyOffset);
            }

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

    // Reads a multipart's body with one boundary. Returns false, having changed nothing, when
    // the boundary never occurs and the caller has another reading of it to try.
    private bool ParseMultipart(MimeEntity entity, byte[] delimiter, bool lastCandidate)
    {
        bool inPreamble = true;
        bool closed = false;
        int lastPreambleEol = 0;
        int index = 0;
        bool mimeOutside = false;
        long preambleEnd = entity.BodyOffset;
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
                if (inPreamble)
                {
                    mimeOutside |= LooksLikeMime(_reader.Content);
                    preambleEnd = _reader.LineEnd;
                }

                continue;
            }

            if (inPreamble)
            {
                inPreamble = false;
                entity.Kind = MimeEntityKind.Multipart;
                entity.Preamble = new MimeRange(entity.BodyOffset, Math.Max(0, preambleEnd - lastPreambleEol - entity.BodyOffset));
                if (mimeOutside)
                {
                    AddDefect(MimeDefectKind.ContentOutsideParts, entity.BodyOffset, entity, "preamble");
                }
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
            if (!lastCandidate)
            {
                return false;
            }

            // No delimiter: the whole content (up to a close delimiter, if any) is one body.
            AddDefect(MimeDefectKind.StartBoundaryNotFound, entity.BodyOffset, entity);
            entity.Kind = MimeEntityKind.Leaf;
            entity.BodyEnd = closed ? _reader.LineOffset : _reader.Position;
            entity.LastEolLength = lastPreambleEol;
            if (closed)
            {
                SkipEpilogue(entity);
            }

            return true;
        }

        entity.BodyEnd = _reader.Position;
        if (!closed)
        {
            AddDefect(MimeDefectKind.CloseBoundaryNotFound, _reader.Position, entity);
            return true;
        }

        SkipEpilogue(entity);
        entity.BodyEnd = _reader.Position;
        return true;
    }

    // Text after the close delimiter. Clients show none of it, but some read MIME parts in it;
    // its range is kept so that inspection reads it too.
    private void SkipEpilogue(MimeEntity entity)
    {
        long start = _reader.Position;
        bool mimeOutside = false;
        while (_reader.ReadLine())
        {
            if (MatchesEnclosing())
            {
                _reader.PushBack();
                break;
            }

            mimeOutside |= LooksLikeMime(_reader.Content);
        }

        entity.Epilogue = new MimeRange(start, _reader.Position - start);
        if (mimeOutside)
        {
            AddDefect(MimeDefectKind.ContentOutsideParts, start, entity, "epilogue");
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
