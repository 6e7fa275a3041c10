using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>
/// One header field as received: the raw bytes (name, colon, folded value, line ending) are
/// kept exactly; the unfolded text value is computed on first use.
/// </summary>
public sealed class Header
{
    private readonly byte[] _raw;
    private readonly int _valueStart;
    private string? _value;

    internal Header(string name, byte[] raw, int valueStart, long offset, long sourceLength)
    {
        Name = name;
        _raw = raw;
        _valueStart = valueStart;
        Offset = offset;
        SourceLength = sourceLength;
    }

    /// <summary>Bytes the field occupies in the source (more than <see cref="RawField"/> when a limit truncated it).</summary>
    public long SourceLength { get; }

    /// <summary>The field name as received, case kept ("SUBJECT"), without white space before the colon; lookups ignore case.</summary>
    public string Name { get; }

    /// <summary>Byte offset of the field in the source.</summary>
    public long Offset { get; }

    /// <summary>The field exactly as received, line endings included.</summary>
    public ReadOnlyMemory<byte> RawField => _raw;

    /// <summary>The raw value: the bytes after the colon, still folded.</summary>
    public ReadOnlySpan<byte> RawValue => _raw.AsSpan(_valueStart);

    /// <summary>
    /// The value unfolded (line breaks removed, the white space after them kept, RFC 5322 §2.2.3),
    /// leading white space and the final line ending removed. Raw bytes are read as UTF-8 when
    /// valid (RFC 6532), else as Windows-1252. Encoded words are not decoded here.
    /// </summary>
    public string Value => _value ??= Unfold(RawValue);

    internal static string Unfold(ReadOnlySpan<byte> raw)
    {
        Span<byte> tmp = raw.Length <= 1024 ? stackalloc byte[raw.Length] : new byte[raw.Length];
        int n = 0;
        foreach (byte b in raw)
        {
            if (b != (byte)'\r' && b != (byte)'\n')
            {
                tmp[n++] = b;
            }
        }

        var bytes = tmp[..n];
        int s = 0;
        while (s < bytes.Length && (bytes[s] == (byte)' ' || bytes[s] == (byte)'\t'))
        {
            s++;
        }

        return Charsets.DecodeHeaderBytes(bytes[s..]);
    }

    /// <summary>"Name: Value", unfolded. It carries the content: not for logs.</summary>
    public override string ToString() => Name + ": " + Value;
}

/// <summary>The header fields of one entity, in order, with case-insensitive lookup.</summary>
public sealed class HeaderList : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = new();

    /// <summary>Fields kept: past <see cref="MimeParserOptions.MaxHeaderCount"/> only up to 16 more Content-Type, Content-Transfer-Encoding or Content-Disposition fields are, the rest are dropped with a defect.</summary>
    public int Count => _headers.Count;

    /// <summary>The fields in source order.</summary>
    public Header this[int index] => _headers[index];

    /// <summary>The first field of that name, or null.</summary>
    public Header? this[string name]
    {
        get
        {
            foreach (var h in _headers)
            {
                if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return h;
                }
            }

            return null;
        }
    }

    /// <summary>The last field of that name, or null.</summary>
    public Header? GetLast(string name)
    {
        for (int i = _headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_headers[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return _headers[i];
            }
        }

        return null;
    }

    /// <summary>Every field of that name (case-insensitive) in source order; empty when there is none.</summary>
    public IEnumerable<Header> GetAll(string name)
    {
        foreach (var h in _headers)
        {
            if (string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                yield return h;
            }
        }
    }

    /// <summary>The first such field's <see cref="Header.Value"/> (unfolded, encoded words not decoded), or null.</summary>
    public string? GetValue(string name) => this[name]?.Value;

    internal void Add(Header header) => _headers.Add(header);

    /// <summary>The fields in source order.</summary>
    public IEnumerator<Header> GetEnumerator() => _headers.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
