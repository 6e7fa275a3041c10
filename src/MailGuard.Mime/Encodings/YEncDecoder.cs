namespace MailGuard.Mime;

/// <summary>
/// yEnc (the Usenet binary encoding, yenc.org's draft 1.3): every byte is stored plus 42, with
/// '=' escaping the critical ones (then plus 64 more). "=ybegin", "=ypart" and "=yend" lines
/// are control lines; data starts after the first "=ybegin" and ends at "=yend". Line breaks are
/// not data. Input may be split anywhere, a control keyword included.
/// </summary>
public sealed class YEncDecoder : IMimeDecoder
{
    private static readonly byte[][] s_keywords = ["=ybegin"u8.ToArray(), "=ypart"u8.ToArray(), "=yend"u8.ToArray()];
    private readonly byte[] _head = new byte[7];
    private int _headLength;
    private bool _begun;
    private bool _ended;
    private bool _escape;
    private bool _lineStart = true;
    private bool _controlLine;

    /// <summary>Nothing before the first "=ybegin" line or from "=yend" on is data; a line start that may be a control keyword is held (up to 7 bytes) until it proves not to be one.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        foreach (byte b in input)
        {
            if (_ended)
            {
                break;
            }

            if (b is (byte)'\r' or (byte)'\n')
            {
                n += FlushHead(output[n..]);
                _lineStart = true;
                _controlLine = false;
                _escape = false;
                continue;
            }

            if (_lineStart)
            {
                // Hold the line's first bytes until they are, or cannot be, a control keyword.
                _head[_headLength++] = b;
                int match = MatchKeyword();
                if (match == 0)
                {
                    continue;
                }

                _lineStart = false;
                if (match > 0)
                {
                    _controlLine = true;
                    _ended = match == 3 && _begun;
                    _begun = true;
                    _headLength = 0;
                    continue;
                }

                n += FlushHead(output[n..]);
                continue;
            }

            n += Data(b, output[n..]);
        }

        return n;
    }

    /// <summary>Emits the start of a last line held back as a possible control keyword, when it turned out to be data.</summary>
    public int Flush(Span<byte> output) => _ended ? 0 : FlushHead(output);

    // 0: still a possible keyword; 1-3: which keyword; -1: not one.
    private int MatchKeyword()
    {
        var head = _head.AsSpan(0, _headLength);
        bool possible = false;
        for (int k = 0; k < s_keywords.Length; k++)
        {
            var keyword = s_keywords[k];
            if (head.Length >= keyword.Length ? head.StartsWith(keyword) : keyword.AsSpan().StartsWith(head))
            {
                if (head.Length >= keyword.Length)
                {
                    return k + 1;
                }

                possible = true;
            }
        }

        return possible ? 0 : -1;
    }

    private int FlushHead(Span<byte> output)
    {
        int n = 0;
        for (int i = 0; i < _headLength; i++)
        {
            n += Data(_head[i], output[n..]);
        }

        _headLength = 0;
        _lineStart = false;
        return n;
    }

    private int Data(byte b, Span<byte> output)
    {
        if (_controlLine || !_begun)
        {
            return 0;
        }

        if (_escape)
        {
            _escape = false;
            output[0] = (byte)(b - 64 - 42);
            return 1;
        }

        if (b == (byte)'=')
        {
            _escape = true;
            return 0;
        }

        output[0] = (byte)(b - 42);
        return 1;
    }
}
