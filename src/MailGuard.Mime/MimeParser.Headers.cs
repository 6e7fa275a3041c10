namespace MailGuard.Mime;

/// <summary>Header blocks: fields, continuations, the lines clients read past, and the limits.</summary>
internal sealed partial class MimeParser
{
    // Per header block: what the limits have let through so far.
    private struct BlockState
    {
        public int Bytes;
        public bool Full;
        public bool CountExceeded;
        public int StructuralBytes;
        public int StructuralFields;
        public bool Structural;
    }

    // Structural fields kept beyond the count and size limits, so that padding a header block
    // with junk cannot hide the MIME structure (the fields are few and each is bounded).
    private const int MaxStructuralFieldsPastLimit = 16;

    // RFC 5322 §2.2 header fields up to the empty line. A run of lines that are neither fields
    // nor continuations is skipped when a field follows it before the empty line (mail clients
    // keep reading headers past a bad line); when none follows, the body starts at the run, as
    // Python's email package reads it (a message whose body follows its last field without an
    // empty line).
    private void ReadHeaders(MimeEntity entity, MimeMessage? message)
    {
        entity.HeaderOffset = _reader.Position;
        string? name = null;
        long fieldOffset = 0;
        int valueStart = 0;
        var block = default(BlockState);
        bool first = true;
        long invalidRun = -1;
        int invalidRunBytes = 0;
        _headerBytes.SetLength(0);
        while (_reader.ReadLine(header: true))
        {
            if (MatchesEnclosing())
            {
                // A part whose header block runs into the next delimiter has an empty body.
                _reader.PushBack();
                if (invalidRun >= 0)
                {
                    StartBodyAt(entity, invalidRun);
                    return;
                }

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
                if (invalidRun >= 0)
                {
                    StartBodyAt(entity, invalidRun);
                    return;
                }

                break;
            }

            if (content[0] is (byte)' ' or (byte)'\t')
            {
                if (invalidRun >= 0)
                {
                    if (!ExtendInvalidRun(entity, invalidRun, ref invalidRunBytes, head.Length))
                    {
                        return;
                    }

                    continue;
                }

                if (name is null)
                {
                    AddDefect(MimeDefectKind.FirstHeaderLineIsContinuation, lineOffset, entity);
                    first = false;
                    continue;
                }

                AppendHeaderLine(entity, head, ref block);
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
            int colon = FieldNameLength(content, out int nameLength);
            if (colon < 0)
            {
                if (content.StartsWith("From "u8))
                {
                    AddDefect(MimeDefectKind.MisplacedEnvelopeHeader, lineOffset, entity);
                    continue;
                }

                FinishHeader(entity, name, fieldOffset, valueStart);
                name = null;
                if (!_reader.CanSeek)
                {
                    // No look-ahead possible: the body starts here.
                    _reader.PushBack();
                    AddDefect(MimeDefectKind.MissingHeaderBodySeparator, lineOffset, entity);
                    entity.BodyOffset = lineOffset;
                    return;
                }

                if (invalidRun < 0)
                {
                    invalidRun = lineOffset;
                    invalidRunBytes = 0;
                }

                if (!ExtendInvalidRun(entity, invalidRun, ref invalidRunBytes, head.Length))
                {
                    return;
                }

                continue;
            }

            if (invalidRun >= 0)
            {
                AddDefect(MimeDefectKind.InvalidHeaderLineSkipped, invalidRun, entity);
                invalidRun = -1;
            }

            FinishHeader(entity, name, fieldOffset, valueStart);
            name = null;
            if (nameLength == 0)
            {
                AddDefect(MimeDefectKind.MissingHeaderName, lineOffset, entity);
                continue;
            }

            string fieldName = System.Text.Encoding.ASCII.GetString(content[..nameLength]);
            block.Structural = IsStructural(fieldName);
            if (nameLength != colon)
            {
                // "Content-Type :" (obs-optional, RFC 5322 §4.5): clients read it as the field.
                AddDefect(MimeDefectKind.WhiteSpaceBeforeColon, lineOffset, entity, fieldName);
            }

            if (entity.Headers.Count >= _options.MaxHeaderCount)
            {
                if (!block.CountExceeded)
                {
                    AddDefect(MimeDefectKind.TooManyHeaders, lineOffset, entity);
                    block.CountExceeded = true;
                }

                if (!block.Structural || block.StructuralFields >= MaxStructuralFieldsPastLimit)
                {
                    continue;
                }

                block.StructuralFields++;
            }

            if (_reader.Truncated)
            {
                AddDefect(MimeDefectKind.HeaderLineTooLong, lineOffset, entity);
            }

            name = fieldName;
            fieldOffset = lineOffset;
            valueStart = colon + 1;
            _headerBytes.SetLength(0);
            AppendHeaderLine(entity, head, ref block);
        }

        if (invalidRun >= 0)
        {
            StartBodyAt(entity, invalidRun);
            return;
        }

        FinishHeader(entity, name, fieldOffset, valueStart);
        entity.BodyOffset = _reader.Position;
    }

    // A run of non-field lines may only be looked through as far as a header block may reach.
    private bool ExtendInvalidRun(MimeEntity entity, long runOffset, ref int runBytes, int lineBytes)
    {
        runBytes += lineBytes;
        if (runBytes <= _options.MaxHeaderBlockBytes)
        {
            return true;
        }

        StartBodyAt(entity, runOffset);
        return false;
    }

    // No field followed the non-field lines: the body starts at the first of them.
    private void StartBodyAt(MimeEntity entity, long offset)
    {
        AddDefect(MimeDefectKind.MissingHeaderBodySeparator, offset, entity);
        _reader.Seek(offset);
        entity.BodyOffset = offset;
    }

    private static bool IsStructural(string fieldName) =>
        fieldName.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        || fieldName.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || fieldName.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase);

    private void AppendHeaderLine(MimeEntity entity, ReadOnlySpan<byte> head, ref BlockState block)
    {
        _fieldEnd = _reader.LineEnd;
        block.Bytes += head.Length;
        if (block.Bytes > _options.MaxHeaderBlockBytes)
        {
            if (!block.Full)
            {
                AddDefect(MimeDefectKind.HeaderBlockTooLarge, _reader.LineOffset, entity);
                block.Full = true;
            }

            // Past the block limit only structural fields are kept, within a budget of their own.
            block.StructuralBytes += head.Length;
            if (!block.Structural || block.StructuralBytes > _options.MaxHeaderBlockBytes)
            {
                return;
            }
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

    // ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8); the name runs up to the colon. White space
    // between the name and the colon is the obsolete form of RFC 5322 §4.5 (obs-optional):
    // returns the colon's index and, in nameLength, the name's length; -1 when not a field.
    private static int FieldNameLength(ReadOnlySpan<byte> line, out int nameLength)
    {
        nameLength = -1;
        for (int i = 0; i < line.Length; i++)
        {
            byte b = line[i];
            if (b == (byte)':')
            {
                nameLength = i;
                return i;
            }

            if (b is (byte)' ' or (byte)'\t' && i > 0)
            {
                int j = i;
                while (j < line.Length && line[j] is (byte)' ' or (byte)'\t')
                {
                    j++;
                }

                if (j < line.Length && line[j] == (byte)':')
                {
                    nameLength = i;
                    return j;
                }

                return -1;
            }

            if (b < 33 || b > 126)
            {
                return -1;
            }
        }

        return -1;
    }
}
