using System.Text;

namespace MailGuard.Core.Inspection.Extraction;

/// <summary>Plain text, CSV/TSV, HTML, vCard and iCalendar, decoded as <see cref="TextSniffer"/> decided.</summary>
internal static class TextExtractor
{
    public static void Extract(ExtractionContext context, Stream stream, TextSniff sniff, ContentLocation location)
    {
        if (sniff.BomLength > 0)
        {
            stream.ReadExactly(new byte[sniff.BomLength]);
        }

        using var reader = new StreamReader(stream, sniff.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024, leaveOpen: true);
        switch (sniff.Format)
        {
            case ContentFormat.Csv:
                ExtractCsv(context, reader, sniff.Delimiter, location);
                break;
            case ContentFormat.Html:
                new HtmlTextExtractor(context, location).Extract(reader);
                break;
            case ContentFormat.VCard:
            case ContentFormat.Calendar:
                ExtractDirectory(context, reader, location);
                break;
            default:
                ExtractPlain(context, reader, location);
                break;
        }
    }

    private static void ExtractPlain(ExtractionContext context, TextReader reader, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        char[] buffer = new char[16 * 1024];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            context.ThrowIfCancelled();
            writer.Append(buffer.AsSpan(0, n));
        }

        writer.Flush();
    }

    public static void ExtractCsv(ExtractionContext context, TextReader reader, char delimiter, ContentLocation location)
    {
        var tokenizer = new CsvTokenizer(reader, delimiter);
        ITableSink table = context.Sink.BeginTable(location);
        try
        {
            var cells = new List<Cell>(32);
            long row = 0;
            while (tokenizer.ReadRow(cells))
            {
                if ((row & 0xFF) == 0)
                {
                    context.ThrowIfCancelled();
                }

                context.AddCells(cells.Count);
                table.OnRow(row++, cells.ToArray());
            }
        }
        finally
        {
            table.Complete();
        }
    }

    /// <summary>vCard (RFC 6350) and iCalendar (RFC 5545) content lines: unfolded, value escapes undone.</summary>
    private static void ExtractDirectory(ExtractionContext context, TextReader reader, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        var logical = new StringBuilder();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            context.ThrowIfCancelled();
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                // RFC 5545 §3.1: a CRLF followed by one space or tab continues the line.
                logical.Append(line.AsSpan(1));
                continue;
            }

            if (logical.Length > 0 && logical[^1] == '=' && IsQuotedPrintable(logical))
            {
                // vCard 2.1 quoted-printable values continue after a soft line break "=".
                logical.Length--;
                logical.Append(line);
                continue;
            }

            EmitContentLine(writer, logical);
            logical.Clear().Append(line);
        }

        EmitContentLine(writer, logical);
        writer.Flush();
    }

    private static bool IsQuotedPrintable(StringBuilder logical)
    {
        string text = logical.ToString();
        int colon = text.IndexOf(':');
        return colon > 0 && text.AsSpan(0, colon).Contains("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Decodes a vCard 2.1 ENCODING=QUOTED-PRINTABLE value in its CHARSET (UTF-8 if none).</summary>
    private static string DecodeQuotedPrintable(string line)
    {
        int colon = line.IndexOf(':');
        string parameters = line[..colon];
        Encoding encoding = Encoding.UTF8;
        foreach (string p in parameters.Split(';'))
        {
            if (p.StartsWith("CHARSET=", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    encoding = Encoding.GetEncoding(p[8..]);
                }
                catch (ArgumentException)
                {
                    // Unknown charset: keep UTF-8.
                }
            }
        }

        var bytes = new List<byte>();
        string value = line[(colon + 1)..];
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '=' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }

        return parameters + ":" + encoding.GetString([.. bytes]);
    }

    private static void EmitContentLine(TextBlockWriter writer, StringBuilder logical)
    {
        if (logical.Length == 0)
        {
            return;
        }

        string line = IsQuotedPrintable(logical) ? DecodeQuotedPrintable(logical.ToString()) : logical.ToString();
        var unescaped = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                char next = line[++i];
                unescaped.Append(next is 'n' or 'N' ? '\n' : next);
            }
            else
            {
                unescaped.Append(c);
            }
        }

        writer.Append(unescaped.ToString());
        writer.Append('\n');
    }
}

/// <summary>
/// RFC 4180 records over a buffered reader: quoted fields with doubled quotes and embedded
/// line breaks; CRLF, LF or CR ends a record. Unquoted fields are cut straight from the buffer
/// (vectorised search), which is what makes a 50 MB file take well under a second.
/// Lenient like Excel: text after a closing quote is kept, a quote left open runs to the end.
/// </summary>
internal sealed class CsvTokenizer
{
    // A field longer than this is not a table any more; it is refused as corrupt.
    private const int MaxBufferChars = 64 * 1024 * 1024;

    private const int CacheSize = 1024;
    private const int CacheMaxLength = 24;

    private readonly TextReader _reader;
    private readonly char _delimiter;

    // Short values repeat down a column (dates, postcode areas, status words); reusing their
    // strings roughly halves the allocations of a typical table.
    private readonly string?[] _cache = new string?[CacheSize];
    private char[] _buffer = new char[64 * 1024];
    private int _length;
    private int _pos;
    private bool _eof;

    public CsvTokenizer(TextReader reader, char delimiter)
    {
        _reader = reader;
        _delimiter = delimiter;
    }

    private enum Terminator
    {
        Delimiter,
        EndOfRecord,
        EndOfFile,
    }

    /// <summary>Reads the next non-blank record into <paramref name="cells"/>; false at the end.</summary>
    public bool ReadRow(List<Cell> cells)
    {
        while (true)
        {
            cells.Clear();
            if (_pos >= _length && !Extend())
            {
                return false;
            }

            Terminator terminator;
            do
            {
                terminator = ReadField(out string value);
                cells.Add(value.Length == 0 ? Cell.Empty : new Cell(value));
            }
            while (terminator == Terminator.Delimiter);

            if (cells.Count == 1 && cells[0].Kind == CellKind.Empty)
            {
                if (terminator == Terminator.EndOfFile)
                {
                    return false;
                }

                continue;
            }

            return true;
        }
    }

    private Terminator ReadField(out string value)
    {
        while (true)
        {
            Terminator? result = _pos < _length && _buffer[_pos] == '"' ? TryReadQuoted(out value) : TryReadPlain(out value);
            if (result is not null)
            {
                return result.Value;
            }

            // The field ran past the buffer: keep it from its start, read more, parse again.
            if (!Extend())
            {
                _eof = true;
            }
        }
    }

    private Terminator? TryReadPlain(out string value)
    {
        ReadOnlySpan<char> rest = _buffer.AsSpan(_pos, _length - _pos);
        int idx = rest.IndexOfAny(_delimiter, '\r', '\n');
        if (idx < 0)
        {
            if (!_eof)
            {
                value = string.Empty;
                return null;
            }

            value = new string(rest);
            _pos = _length;
            return Terminator.EndOfFile;
        }

        value = idx == 0 ? string.Empty : MakeString(rest[..idx]);
        return Terminate(_pos + idx);
    }

    private Terminator? TryReadQuoted(out string value)
    {
        int start = _pos + 1;
        int q = start;
        bool doubled = false;
        while (true)
        {
            int idx = _buffer.AsSpan(q, _length - q).IndexOf('"');
            if (idx < 0)
            {
                if (!_eof)
                {
                    value = string.Empty;
                    return null;
                }

                // An unterminated quote runs to the end of the file.
                value = Unquote(_buffer.AsSpan(start, _length - start), doubled);
                _pos = _length;
                return Terminator.EndOfFile;
            }

            q += idx;
            if (q + 1 >= _length && !_eof)
            {
                value = string.Empty;
                return null;
            }

            if (q + 1 < _length && _buffer[q + 1] == '"')
            {
                doubled = true;
                q += 2;
                continue;
            }

            break;
        }

        string quoted = Unquote(_buffer.AsSpan(start, q - start), doubled);
        int after = q + 1;
        ReadOnlySpan<char> tail = _buffer.AsSpan(after, _length - after);
        int end = tail.IndexOfAny(_delimiter, '\r', '\n');
        if (end < 0 && !_eof)
        {
            value = string.Empty;
            return null;
        }

        if (end < 0)
        {
            value = quoted + new string(tail);
            _pos = _length;
            return Terminator.EndOfFile;
        }

        value = end == 0 ? quoted : quoted + new string(tail[..end]);
        return Terminate(after + end);
    }

    private Terminator? Terminate(int at)
    {
        char c = _buffer[at];
        if (c == _delimiter)
        {
            _pos = at + 1;
            return Terminator.Delimiter;
        }

        if (c == '\r')
        {
            if (at + 1 >= _length && !_eof)
            {
                return null;
            }

            _pos = at + 1 < _length && _buffer[at + 1] == '\n' ? at + 2 : at + 1;
            return Terminator.EndOfRecord;
        }

        _pos = at + 1;
        return Terminator.EndOfRecord;
    }

    private string Unquote(ReadOnlySpan<char> span, bool doubled) =>
        doubled ? new string(span).Replace("\"\"", "\"", StringComparison.Ordinal) : MakeString(span);

    private string MakeString(ReadOnlySpan<char> span)
    {
        if (span.Length > CacheMaxLength)
        {
            return new string(span);
        }

        int slot = string.GetHashCode(span) & (CacheSize - 1);
        string? cached = _cache[slot];
        if (cached is not null && span.SequenceEqual(cached))
        {
            return cached;
        }

        string made = new(span);
        _cache[slot] = made;
        return made;
    }

    /// <summary>Moves the unread tail to the front and reads more; false when nothing more came.</summary>
    private bool Extend()
    {
        if (_eof)
        {
            return false;
        }

        int keep = _length - _pos;
        if (keep == _buffer.Length)
        {
            if (_buffer.Length >= MaxBufferChars)
            {
                throw new InvalidDataException($"CSV field longer than {MaxBufferChars} characters");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        if (_pos > 0)
        {
            Array.Copy(_buffer, _pos, _buffer, 0, keep);
        }

        _pos = 0;
        _length = keep;
        int n = _reader.Read(_buffer, _length, _buffer.Length - _length);
        if (n == 0)
        {
            _eof = true;
            return false;
        }

        _length += n;
        return true;
    }
}
