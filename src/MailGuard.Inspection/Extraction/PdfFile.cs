using System.IO.Compression;

namespace MailGuard.Inspection.Extraction;

internal sealed record PdfRef(int Number);

internal sealed record PdfName(string Value);

internal sealed record PdfKeyword(string Value);

internal sealed class PdfStreamObject
{
    public PdfStreamObject(Dictionary<string, object?> dictionary, int dataStart)
    {
        Dictionary = dictionary;
        DataStart = dataStart;
    }

    public Dictionary<string, object?> Dictionary { get; }

    public int DataStart { get; }
}

/// <summary>
/// A small, forgiving PDF object reader (ISO 32000-1 §7.3-7.5). It finds objects by scanning
/// for "N G obj" rather than trusting the cross-reference table, which mail-borne PDFs often
/// get wrong, so later definitions (incremental updates) win as they should. Object streams
/// (§7.5.7) are unpacked; streams are inflated through the expansion guard, so a PDF cannot
/// be a deflate bomb either. Encrypted files are only detected: nothing is decrypted.
/// </summary>
internal sealed class PdfFile
{
    private const int MaxNesting = 64;

    private readonly byte[] _data;
    private readonly ExtractionContext _context;
    private readonly Dictionary<int, object?> _objects = new();
    private readonly List<Dictionary<string, object?>> _trailers = new();

    public PdfFile(byte[] data, ExtractionContext context)
    {
        _data = data;
        _context = context;
        ScanObjects();
        UnpackObjectStreams();
    }

    public bool IsEncrypted => _trailers.Any(t => t.ContainsKey("Encrypt"));

    /// <summary>The first stream filter met that is not implemented (LZW, RunLength, image codecs), if any.</summary>
    public string? UnsupportedFilter { get; private set; }

    public object? Resolve(object? value)
    {
        for (int i = 0; value is PdfRef r && i < 32; i++)
        {
            value = _objects.GetValueOrDefault(r.Number);
        }

        return value;
    }

    public Dictionary<string, object?>? Dict(object? value) => Resolve(value) switch
    {
        Dictionary<string, object?> d => d,
        PdfStreamObject s => s.Dictionary,
        _ => null,
    };

    public Dictionary<string, object?>? Get(Dictionary<string, object?>? dict, string key) => dict is null ? null : Dict(dict.GetValueOrDefault(key));

    public static string? NameOf(object? value) => (value as PdfName)?.Value;

    /// <summary>Pages in document order, each with its (inherited) resources.</summary>
    public List<(Dictionary<string, object?> Page, Dictionary<string, object?>? Resources)> Pages()
    {
        var pages = new List<(Dictionary<string, object?>, Dictionary<string, object?>?)>();
        Dictionary<string, object?>? root = null;
        for (int i = _trailers.Count - 1; i >= 0 && root is null; i--)
        {
            root = Get(_trailers[i], "Root");
        }

        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        if (Get(root, "Pages") is { } tree)
        {
            Walk(tree, null, 0);
        }

        if (pages.Count == 0)
        {
            // No usable page tree: take page objects in object-number order.
            foreach (var (_, value) in _objects.OrderBy(kv => kv.Key))
            {
                if (Dict(value) is { } d && NameOf(d.GetValueOrDefault("Type")) == "Page")
                {
                    pages.Add((d, Get(d, "Resources")));
                }
            }
        }

        return pages;

        void Walk(Dictionary<string, object?> node, Dictionary<string, object?>? inherited, int depth)
        {
            if (depth > MaxNesting || !visited.Add(node))
            {
                return;
            }

            Dictionary<string, object?>? resources = Get(node, "Resources") ?? inherited;
            if (Resolve(node.GetValueOrDefault("Kids")) is List<object?> kids)
            {
                foreach (object? kid in kids)
                {
                    if (Dict(kid) is { } child)
                    {
                        Walk(child, resources, depth + 1);
                    }
                }
            }
            else if (NameOf(node.GetValueOrDefault("Type")) is "Page" or null)
            {
                pages.Add((node, resources));
            }
        }
    }

    /// <summary>The decoded bytes of a stream, or null when its filter is not supported.</summary>
    public byte[]? StreamData(object? value)
    {
        if (Resolve(value) is not PdfStreamObject stream)
        {
            return null;
        }

        int start = stream.DataStart;
        int length = Resolve(stream.Dictionary.GetValueOrDefault("Length")) is double l ? (int)l : -1;
        if (length < 0 || start + length > _data.Length || !EndstreamFollows(start + length))
        {
            int end = _data.AsSpan(start).IndexOf("endstream"u8);
            length = end < 0 ? _data.Length - start : end;
            // Drop the EOL that precedes "endstream".
            while (length > 0 && _data[start + length - 1] is (byte)'\n' or (byte)'\r')
            {
                length--;
            }
        }

        byte[] data = _data.AsSpan(start, length).ToArray();
        object? filter = Resolve(stream.Dictionary.GetValueOrDefault("Filter"));
        IEnumerable<object?> filters = filter switch
        {
            List<object?> list => list,
            null => [],
            _ => [filter],
        };
        foreach (object? f in filters)
        {
            switch (NameOf(Resolve(f)))
            {
                case "FlateDecode" or "Fl":
                    data = Inflate(data);
                    break;
                case "ASCIIHexDecode" or "AHx":
                    data = new PdfContentLexer([(byte)'<', .. data, (byte)'>']).Next().Bytes ?? [];
                    break;
                case "ASCII85Decode" or "A85":
                    data = Ascii85(data);
                    break;
                default:
                    UnsupportedFilter ??= NameOf(Resolve(f)) ?? "?";
                    return null;
            }
        }

        return data;
    }

    /// <summary>ASCII base-85 (§7.4.3): groups of five characters '!'..'u' make four bytes, 'z' four zeros, "~>" ends.</summary>
    private static byte[] Ascii85(byte[] encoded)
    {
        var output = new List<byte>(encoded.Length * 4 / 5);
        Span<byte> group = stackalloc byte[5];
        int count = 0;
        foreach (byte b in encoded)
        {
            if (b == '~')
            {
                break;
            }

            if (b == 'z' && count == 0)
            {
                output.AddRange([0, 0, 0, 0]);
                continue;
            }

            if (b is < (byte)'!' or > (byte)'u')
            {
                continue;
            }

            group[count++] = (byte)(b - '!');
            if (count == 5)
            {
                AppendGroup(output, group, 4);
                count = 0;
            }
        }

        if (count > 1)
        {
            // A final partial group is padded with 'u' (84) and yields count - 1 bytes.
            for (int i = count; i < 5; i++)
            {
                group[i] = 84;
            }

            AppendGroup(output, group, count - 1);
        }

        return [.. output];

        static void AppendGroup(List<byte> output, ReadOnlySpan<byte> group, int bytes)
        {
            uint value = 0;
            foreach (byte digit in group)
            {
                value = unchecked((value * 85) + digit);
            }

            for (int i = 0; i < bytes; i++)
            {
                output.Add((byte)(value >> (24 - (8 * i))));
            }
        }
    }

    private bool EndstreamFollows(int at)
    {
        int limit = Math.Min(_data.Length, at + 16);
        return at <= _data.Length && _data.AsSpan(at, limit - at).IndexOf("endstream"u8) >= 0;
    }

    private byte[] Inflate(byte[] compressed)
    {
        var source = new CountingStream(new MemoryStream(compressed));
        var output = new MemoryStream();
        try
        {
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            using var guard = new ExpansionGuardStream(zlib, _context, () => source.BytesRead, null, "PDF stream");
            guard.CopyTo(output);
        }
        catch (InvalidDataException)
        {
            // A truncated or checksum-less stream still yields what was inflated before the error.
        }

        return output.ToArray();
    }

    private void ScanObjects()
    {
        int pos = 0;
        int nextTrailer = -2;
        while (pos < _data.Length)
        {
            _context.ThrowIfCancelled();
            int idx = _data.AsSpan(pos).IndexOf("obj"u8);
            if (nextTrailer != -1 && nextTrailer < pos)
            {
                // Cached, so a file with thousands of objects is not rescanned for each one.
                int t = _data.AsSpan(pos).IndexOf("trailer"u8);
                nextTrailer = t < 0 ? -1 : pos + t;
            }

            if (nextTrailer >= 0 && (idx < 0 || nextTrailer < pos + idx))
            {
                var lexer = new PdfContentLexer(_data, nextTrailer + 7) { ContentStream = false };
                if (ParseValue(lexer, lexer.Next(), 0) is Dictionary<string, object?> trailerDict)
                {
                    _trailers.Add(trailerDict);
                }

                pos = Math.Max(lexer.Position, nextTrailer + 7);
                continue;
            }

            if (idx < 0)
            {
                break;
            }

            idx += pos;
            pos = idx + 3;
            if (!TryObjectNumber(idx, out int number) || (pos < _data.Length && char.IsAsciiLetter((char)_data[pos])))
            {
                continue;
            }

            var objLexer = new PdfContentLexer(_data, pos) { ContentStream = false };
            object? value = ParseValue(objLexer, objLexer.Next(), 0);
            int after = objLexer.Position;
            PdfToken next = objLexer.Next();
            if (value is Dictionary<string, object?> dict && next.Kind == PdfTokenKind.Operator && next.Text == "stream")
            {
                int dataStart = objLexer.Position;
                if (dataStart < _data.Length && _data[dataStart] == '\r')
                {
                    dataStart++;
                }

                if (dataStart < _data.Length && _data[dataStart] == '\n')
                {
                    dataStart++;
                }

                var stream = new PdfStreamObject(dict, dataStart);
                _objects[number] = stream;
                if (NameOf(dict.GetValueOrDefault("Type")) == "XRef")
                {
                    _trailers.Add(dict);
                }

                int length = dict.GetValueOrDefault("Length") is double l ? (int)l : -1;
                int end = length >= 0 && dataStart + length <= _data.Length && EndstreamFollows(dataStart + length)
                    ? dataStart + length
                    : _data.AsSpan(dataStart).IndexOf("endstream"u8) is int e and >= 0 ? dataStart + e : _data.Length;
                pos = end;
            }
            else
            {
                _objects[number] = value;
                pos = Math.Max(after, pos);
            }
        }
    }

    /// <summary>Reads "N G" backwards from the "obj" at <paramref name="objAt"/>.</summary>
    private bool TryObjectNumber(int objAt, out int number)
    {
        number = 0;
        int i = objAt - 1;
        int SkipWhite(int j)
        {
            while (j >= 0 && _data[j] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or 0 or 12)
            {
                j--;
            }

            return j;
        }

        int DigitsStart(int j)
        {
            while (j >= 0 && _data[j] is >= (byte)'0' and <= (byte)'9')
            {
                j--;
            }

            return j;
        }

        i = SkipWhite(i);
        int genEnd = i;
        i = DigitsStart(i);
        if (i == genEnd)
        {
            return false;
        }

        int afterGen = i;
        i = SkipWhite(i);
        if (i == afterGen)
        {
            return false;
        }

        int numEnd = i;
        i = DigitsStart(i);
        if (i == numEnd || numEnd - i > 9)
        {
            return false;
        }

        number = int.Parse(_data.AsSpan(i + 1, numEnd - i), System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    private void UnpackObjectStreams()
    {
        foreach (PdfStreamObject stream in _objects.Values.OfType<PdfStreamObject>().ToList())
        {
            if (NameOf(stream.Dictionary.GetValueOrDefault("Type")) != "ObjStm")
            {
                continue;
            }

            _context.ThrowIfCancelled();
            byte[]? data = StreamData(stream);
            int count = Resolve(stream.Dictionary.GetValueOrDefault("N")) is double n ? (int)n : 0;
            int first = Resolve(stream.Dictionary.GetValueOrDefault("First")) is double f ? (int)f : 0;
            if (data is null || count <= 0 || first <= 0 || first > data.Length)
            {
                continue;
            }

            var header = new PdfContentLexer(data) { ContentStream = false };
            var entries = new List<(int Number, int Offset)>();
            for (int i = 0; i < count && i < 100_000; i++)
            {
                PdfToken num = header.Next();
                PdfToken off = header.Next();
                if (num.Kind != PdfTokenKind.Number || off.Kind != PdfTokenKind.Number)
                {
                    break;
                }

                entries.Add(((int)num.Number, (int)off.Number));
            }

            foreach (var (number, offset) in entries)
            {
                if (_objects.ContainsKey(number) || first + offset >= data.Length)
                {
                    continue;
                }

                var lexer = new PdfContentLexer(data, first + offset) { ContentStream = false };
                _objects[number] = ParseValue(lexer, lexer.Next(), 0);
            }
        }
    }

    private static object? ParseValue(PdfContentLexer lexer, PdfToken token, int depth)
    {
        if (depth > MaxNesting)
        {
            return null;
        }

        switch (token.Kind)
        {
            case PdfTokenKind.Number:
                int save = lexer.Position;
                PdfToken gen = lexer.Next();
                if (gen.Kind == PdfTokenKind.Number)
                {
                    PdfToken r = lexer.Next();
                    if (r.Kind == PdfTokenKind.Operator && r.Text == "R")
                    {
                        return new PdfRef((int)token.Number);
                    }
                }

                lexer.Position = save;
                return token.Number;
            case PdfTokenKind.String:
                return token.Bytes;
            case PdfTokenKind.Name:
                return new PdfName(token.Text!);
            case PdfTokenKind.ArrayStart:
                var list = new List<object?>();
                for (PdfToken t = lexer.Next(); t.Kind is not (PdfTokenKind.ArrayEnd or PdfTokenKind.End); t = lexer.Next())
                {
                    if (t.Kind == PdfTokenKind.Operator && t.Text is "endobj" or "stream")
                    {
                        break;
                    }

                    list.Add(ParseValue(lexer, t, depth + 1));
                }

                return list;
            case PdfTokenKind.DictStart:
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (PdfToken key = lexer.Next(); key.Kind == PdfTokenKind.Name; key = lexer.Next())
                {
                    dict[key.Text!] = ParseValue(lexer, lexer.Next(), depth + 1);
                }

                return dict;
            case PdfTokenKind.Operator:
                return token.Text switch
                {
                    "true" => true,
                    "false" => false,
                    "null" => null,
                    _ => new PdfKeyword(token.Text!),
                };
            default:
                return null;
        }
    }
}
