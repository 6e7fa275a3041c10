using System.Text;
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

    /// <summary>Creates a header for writing, folded at commas when longer than 78 characters.</summary>
    public Header(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        string text = name + ": " + value + "\r\n";
        _raw = Encoding.UTF8.GetBytes(text);
        _valueStart = Encoding.UTF8.GetByteCount(name) + 1;
        Offset = -1;
        SourceLength = _raw.Length;
    }

    /// <summary>Bytes the field occupies in the source (more than <see cref="RawField"/> when a limit truncated it).</summary>
    public long SourceLength { get; }

    public string Name { get; }

    /// <summary>Byte offset of the field in the source, or -1 for a header made in code.</summary>
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

    public override string ToString() => Name + ": " + Value;
}

/// <summary>The header fields of one entity, in order, with case-insensitive lookup.</summary>
public sealed class HeaderList : IReadOnlyList<Header>
{
    private readonly List<Header> _headers = new();

    public int Count => _headers.Count;

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

    public string? GetValue(string name) => this[name]?.Value;

    internal void Add(Header header) => _headers.Add(header);

    public IEnumerator<Header> GetEnumerator() => _headers.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
