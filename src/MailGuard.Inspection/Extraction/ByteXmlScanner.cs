using System.Buffers.Text;
using System.Text;
using MailGuard.Mime.Internal;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A forward scanner over the bytes of a UTF-8 XML part, for the hot parts of a workbook (sheet
/// data, shared strings) where a general XmlReader costs four times the CPU. It gives start,
/// empty and end tags by local name (prefixes dropped, as the readers matched by LocalName before),
/// attributes as raw bytes and text as raw bytes; <see cref="Decode"/> turns raw bytes into text
/// with the five predefined entities and character references. Comments and processing
/// instructions are skipped, CDATA is text, a DOCTYPE is refused (no DTDs, as for XmlReader), and
/// UTF-16 parts are transcoded to UTF-8 first. It does not check that tags nest: the callers read
/// only the elements they know and tolerate the rest, as a lenient reader of hostile input must.
/// </summary>
internal sealed class ByteXmlScanner : IDisposable
{
    // A single tag or text run larger than this is not a spreadsheet a person made.
    private const int MaxTokenBytes = 16 * 1024 * 1024;

    private readonly Stream _source;
    private readonly Stream _stream;
    private readonly bool _rented;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    private bool _eof;

    // The current token: for tags, the bytes between '<' (or "</") and '>' without a trailing '/';
    // for text, the raw text.
    private int _tokenStart;
    private int _tokenLength;
    private int _nameLength;

    public ByteXmlScanner(Stream stream, int bufferSize = 64 * 1024)
    {
        _source = stream;
        _stream = stream;

        // A part decoded whole is scanned where it lies (its stream keeps the bytes until both
        // are disposed), unless it is UTF-16, which is read through a transcoder as below.
        if (stream is ExpansionGuardStream guarded && guarded.TryLendWhole(out var whole)
            && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(whole, out var lent))
        {
            if (!IsUtf16(lent.AsSpan()))
            {
                _buffer = lent.Array!;
                _pos = lent.Offset;
                _end = lent.Offset + lent.Count;
                _eof = true;
                InPlace = true;
                SkipByteOrderMark();
                return;
            }

            stream = new MemoryStream(lent.Array!, lent.Offset, lent.Count, writable: false);
            _stream = stream;
        }

        // Rented (returned on Dispose): a workbook's parts each need one, on every message. Tests'
        // small buffers are exactly their size, so a token is cut where the test says.
        _rented = bufferSize >= 4096;
        _buffer = _rented ? System.Buffers.ArrayPool<byte>.Shared.Rent(bufferSize) : new byte[bufferSize];
        Fill();
        if (_end >= 2 && ((_buffer[0] == 0xFF && _buffer[1] == 0xFE) || (_buffer[0] == '<' && _buffer[1] == 0)))
        {
            _stream = Encoding.CreateTranscodingStream(new PrefixedStream(_buffer.AsSpan(0, _end).ToArray(), _end, stream), Encoding.Unicode, Encoding.UTF8);
            _pos = _end = 0;
            _eof = false;
            Fill();
        }
        else if (_end >= 2 && ((_buffer[0] == 0xFE && _buffer[1] == 0xFF) || (_buffer[0] == 0 && _buffer[1] == '<')))
        {
            _stream = Encoding.CreateTranscodingStream(new PrefixedStream(_buffer.AsSpan(0, _end).ToArray(), _end, stream), Encoding.BigEndianUnicode, Encoding.UTF8);
            _pos = _end = 0;
            _eof = false;
            Fill();
        }

        SkipByteOrderMark();
    }

    // A UTF-16 part, by its byte order mark or by '<' as its first character.
    private static bool IsUtf16(ReadOnlySpan<byte> start) =>
        start.Length >= 2 && ((start[0] == 0xFF && start[1] == 0xFE) || (start[0] == '<' && start[1] == 0) || (start[0] == 0xFE && start[1] == 0xFF) || (start[0] == 0 && start[1] == '<'));

    private void SkipByteOrderMark()
    {
        if (_end - _pos >= 3 && _buffer[_pos] == 0xEF && _buffer[_pos + 1] == 0xBB && _buffer[_pos + 2] == 0xBF)
        {
            _pos += 3;
        }
    }

    /// <summary>The part is scanned where its stream decoded it, not copied into a buffer of the scanner's.</summary>
    internal bool InPlace { get; }

    public XmlToken Token { get; private set; }

    /// <summary>The current tag's local name (after any prefix).</summary>
    public ReadOnlySpan<byte> LocalName
    {
        get
        {
            var name = _buffer.AsSpan(_tokenStart, _nameLength);
            int colon = name.IndexOf((byte)':');
            return colon < 0 ? name : name[(colon + 1)..];
        }
    }

    /// <summary>The current text token's raw bytes (entities not yet decoded unless <see cref="IsCData"/>).</summary>
    public ReadOnlySpan<byte> RawText => _buffer.AsSpan(_tokenStart, _tokenLength);

    /// <summary>The current text came from a CDATA section: its bytes are the text as it is.</summary>
    public bool IsCData { get; private set; }

    /// <summary>The current text token as a string: a CDATA section as it is, other text with its references resolved.</summary>
    public string TextValue => IsCData ? System.Text.Encoding.UTF8.GetString(RawText) : Decode(RawText);

    /// <summary>Moves to the next tag or text run; <see cref="XmlToken.None"/> at the end.</summary>
    public XmlToken Next()
    {
        while (true)
        {
            if (_pos >= _end && !Fill())
            {
                return Token = XmlToken.None;
            }

            if (_buffer[_pos] != (byte)'<')
            {
                return Token = ReadText();
            }

            if (_pos + 1 >= _end && !Fill())
            {
                throw new InvalidDataException("XML ends inside a tag");
            }

            switch (_buffer[_pos + 1])
            {
                case (byte)'/':
                    ReadTag(2);
                    return Token = XmlToken.EndTag;
                case (byte)'?':
                    SkipPast("?>"u8);
                    continue;
                case (byte)'!':
                    if (StartsWith("<!--"u8))
                    {
                        SkipPast("-->"u8);
                        continue;
                    }

                    if (StartsWith("<![CDATA["u8))
                    {
                        return Token = ReadCData();
                    }

                    throw new InvalidDataException("DTD or unknown markup in a package part");
                default:
                    return Token = ReadTag(1) ? XmlToken.EmptyTag : XmlToken.StartTag;
            }
        }
    }

    /// <summary>The raw value of attribute <paramref name="name"/> of the current tag (matched by local name).</summary>
    public bool TryGetAttribute(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        int i = _nameLength;
        while (NextAttribute(ref i, out var local, out value))
        {
            if (local.SequenceEqual(name))
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// The current tag's attributes one by one from <paramref name="i"/> (start at 0): local name
    /// and raw value; namespace declarations are passed over.
    /// </summary>
    public bool NextAttribute(scoped ref int i, out ReadOnlySpan<byte> local, out ReadOnlySpan<byte> value)
    {
        var tag = _buffer.AsSpan(_tokenStart, _tokenLength);
        i = Math.Max(i, _nameLength);
        while (i < tag.Length)
        {
            while (i < tag.Length && tag[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
            }

            int nameStart = i;
            while (i < tag.Length && tag[i] is not ((byte)'=' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                i++;
            }

            var attribute = tag[nameStart..i];
            while (i < tag.Length && tag[i] != (byte)'=')
            {
                i++;
            }

            i++;
            while (i < tag.Length && tag[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                i++;
            }

            if (i >= tag.Length || tag[i] is not ((byte)'"' or (byte)'\''))
            {
                break;
            }

            byte quote = tag[i];
            int close = tag[(i + 1)..].IndexOf(quote);
            if (close < 0)
            {
                break;
            }

            value = tag.Slice(i + 1, close);
            i += close + 2;
            int colon = attribute.IndexOf((byte)':');
            if (colon >= 0 && attribute[..colon].SequenceEqual("xmlns"u8))
            {
                continue;
            }

            local = colon < 0 ? attribute : attribute[(colon + 1)..];
            return true;
        }

        i = tag.Length;
        local = value = default;
        return false;
    }

    /// <summary>
    /// The bytes read but not yet scanned, from the current position: a caller with a faster
    /// parser for a common shape looks here first and, on a match, moves past it with
    /// <see cref="Advance"/>; the window may end inside a token (see <see cref="Ensure"/>).
    /// </summary>
    public ReadOnlySpan<byte> Window => _buffer.AsSpan(_pos, _end - _pos);

    /// <summary>Moves past <paramref name="count"/> bytes of the window that the caller has read as whole elements.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)(_end - _pos));
        _pos += count;
        Token = XmlToken.EndTag;
    }

    /// <summary>
    /// After a reader took <paramref name="read"/> bytes of whole elements from <see cref="Window"/>:
    /// moves past them. When it took none, the window's end may cut the next element:
    /// <paramref name="readOn"/> reads on until it is whole (and says whether it found one). True:
    /// read the window again; false: the next bytes are for the token reader.
    /// </summary>
    public bool TakeWindow(int read, Func<ByteXmlScanner, bool> readOn)
    {
        if (read > 0)
        {
            Advance(read);
            return true;
        }

        return readOn(this);
    }

    /// <summary>Reads until the window holds at least <paramref name="count"/> bytes; false when the part ends first.</summary>
    public bool Ensure(int count)
    {
        while (_end - _pos < count)
        {
            if (!Fill())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Text from raw XML bytes: UTF-8, with entity and character references resolved and line ends as "\n".</summary>
    public static string Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'&', (byte)'\r') < 0)
        {
            return Encoding.UTF8.GetString(raw);
        }

        var chars = new char[raw.Length];
        return new string(chars, 0, DecodeTo(raw, chars));
    }

    /// <summary>
    /// <see cref="Decode"/> into <paramref name="destination"/>, which must hold at least
    /// <paramref name="raw"/>.Length chars (the text never has more chars than the bytes it came
    /// from: a UTF-8 sequence or a reference gives at most as many): the chars written.
    /// </summary>
    public static int DecodeTo(ReadOnlySpan<byte> raw, Span<char> destination)
    {
        if (destination.Length < raw.Length)
        {
            throw new ArgumentException("The destination is shorter than the raw text.", nameof(destination));
        }

        int written = 0;
        while (!raw.IsEmpty)
        {
            int special = raw.IndexOfAny((byte)'&', (byte)'\r');
            if (special < 0)
            {
                written += Encoding.UTF8.GetChars(raw, destination[written..]);
                break;
            }

            written += Encoding.UTF8.GetChars(raw[..special], destination[written..]);
            raw = raw[special..];
            if (raw[0] == (byte)'\r')
            {
                // XML line-end handling: "\r\n" and a lone "\r" are "\n".
                destination[written++] = '\n';
                raw = raw.Length > 1 && raw[1] == (byte)'\n' ? raw[2..] : raw[1..];
                continue;
            }

            int semi = raw.IndexOf((byte)';');
            if (semi < 2 || semi > 12)
            {
                throw new InvalidDataException("malformed entity reference");
            }

            string entity = Entity(raw[1..semi]);
            entity.CopyTo(destination[written..]);
            written += entity.Length;
            raw = raw[(semi + 1)..];
        }

        return written;
    }

    public void Dispose()
    {
        // A UTF-16 part is read through a transcoder over the source: both are closed.
        _stream.Dispose();
        _source.Dispose();
        _pos = _end = 0;
        _eof = true;
        if (_rented)
        {
            PooledArray.Return(ref _buffer);
        }
    }

    private static string Entity(ReadOnlySpan<byte> name)
    {
        if (name[0] == (byte)'#')
        {
            bool hex = name.Length > 1 && name[1] is (byte)'x';
            var digits = name[(hex ? 2 : 1)..];
            if (!Utf8Parser.TryParse(digits, out uint code, out int used, hex ? 'x' : default) || used != digits.Length || code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
            {
                throw new InvalidDataException("malformed character reference");
            }

            return char.ConvertFromUtf32((int)code);
        }

        return name switch
        {
            _ when name.SequenceEqual("amp"u8) => "&",
            _ when name.SequenceEqual("lt"u8) => "<",
            _ when name.SequenceEqual("gt"u8) => ">",
            _ when name.SequenceEqual("quot"u8) => "\"",
            _ when name.SequenceEqual("apos"u8) => "'",
            _ => throw new InvalidDataException("undefined entity in a package part"),
        };
    }

    private XmlToken ReadText()
    {
        IsCData = false;
        int scanned = 0;
        while (true)
        {
            int lt = _buffer.AsSpan(_pos + scanned, _end - _pos - scanned).IndexOf((byte)'<');
            if (lt >= 0)
            {
                _tokenStart = _pos;
                _tokenLength = scanned + lt;
                _pos += _tokenLength;
                return XmlToken.Text;
            }

            scanned = _end - _pos;
            if (!Fill())
            {
                _tokenStart = _pos;
                _tokenLength = _end - _pos;
                _pos = _end;
                return XmlToken.Text;
            }
        }
    }

    private XmlToken ReadCData()
    {
        const int Open = 9;
        int close = FindFrom(_pos + Open, "]]>"u8);
        IsCData = true;
        _tokenStart = _pos + Open;
        _tokenLength = close - _tokenStart;
        _pos = close + 3;
        return XmlToken.Text;
    }

    // Reads a tag whose name starts at _pos + skip; true when it is an empty-element tag.
    private bool ReadTag(int skip)
    {
        // Fast path: the first '>' ends the tag unless it sits inside a quoted value, which needs an
        // odd number of double quotes before it (or a single quote at all).
        var window = _buffer.AsSpan(_pos + skip, _end - _pos - skip);
        int first = window.IndexOf((byte)'>');
        if (first >= 0)
        {
            var inside = window[..first];
            if ((inside.Count((byte)'"') & 1) == 0 && !inside.Contains((byte)'\''))
            {
                return EndTag(_pos + skip + first);
            }
        }

        int scanned = skip;
        while (true)
        {
            var rest = _buffer.AsSpan(_pos + scanned, _end - _pos - scanned);
            int hit = rest.IndexOfAny((byte)'>', (byte)'"', (byte)'\'');
            if (hit >= 0 && rest[hit] == (byte)'>')
            {
                return EndTag(_pos + scanned + hit);
            }

            if (hit >= 0)
            {
                // A quoted attribute value may hold '>': skip to its closing quote.
                int close = rest[(hit + 1)..].IndexOf(rest[hit]);
                if (close >= 0)
                {
                    scanned += hit + close + 2;
                    continue;
                }
            }

            if (!Fill())
            {
                throw new InvalidDataException("XML ends inside a tag");
            }
        }
    }

    // The tag from _tokenStart ends at the '>' at gt: its length, its name's and whether it is empty.
    private bool EndTag(int gt)
    {
        _tokenStart = _pos + (_buffer[_pos + 1] == (byte)'/' ? 2 : 1);

        // "</>" is not an empty element: its '/' is the end tag's.
        bool empty = gt > _tokenStart && _buffer[gt - 1] == (byte)'/';
        _tokenLength = gt - _tokenStart - (empty ? 1 : 0);
        int n = 0;
        var tag = _buffer.AsSpan(_tokenStart, _tokenLength);
        while (n < tag.Length && tag[n] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            n++;
        }

        _nameLength = n;
        _pos = gt + 1;
        return empty;
    }

    private bool StartsWith(ReadOnlySpan<byte> prefix)
    {
        while (_end - _pos < prefix.Length)
        {
            if (!Fill())
            {
                return false;
            }
        }

        return _buffer.AsSpan(_pos, prefix.Length).SequenceEqual(prefix);
    }

    private void SkipPast(ReadOnlySpan<byte> terminator) => _pos = FindFrom(_pos + 2, terminator) + terminator.Length;

    // The buffer index of terminator at or after start (which moves when Fill compacts).
    private int FindFrom(int start, ReadOnlySpan<byte> terminator)
    {
        int offset = start - _pos;
        while (true)
        {
            int found = _buffer.AsSpan(_pos + offset, _end - _pos - offset).IndexOf(terminator);
            if (found >= 0)
            {
                return _pos + offset + found;
            }

            offset = Math.Max(offset, _end - _pos - terminator.Length + 1);
            if (!Fill())
            {
                throw new InvalidDataException("XML ends inside markup");
            }
        }
    }

    // Keeps the bytes from _pos, moves them to the front and reads more; grows the buffer when the
    // current token fills it. False at the end of the stream.
    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }

        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _end - _pos);
            _end -= _pos;
            _pos = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxTokenBytes)
            {
                throw new InvalidDataException("an XML tag or text run over 16 MB");
            }

            if (_rented)
            {
                PooledArray.Grow(ref _buffer, _buffer.Length * 2, 0, _end);
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read <= 0)
        {
            _eof = true;
            return false;
        }

        _end += read;
        return true;
    }
}

/// <summary>What <see cref="ByteXmlScanner.Next"/> found.</summary>
internal enum XmlToken
{
    None,
    StartTag,
    EmptyTag,
    EndTag,
    Text,
}
