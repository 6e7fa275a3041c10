namespace MailGuard.Mime;

/// <summary>
/// Quoted-printable (RFC 2045 §6.7). "=XX" (either hex case) decodes, "=" before a line break
/// is a soft break, anything else after "=" is kept literally (rule 1's robustness advice).
/// Line endings and trailing white space are kept as received, which is what Python, Thunderbird
/// and MimeKit do in practice although §6.7 rule 3 says trailing white space should be deleted.
/// </summary>
public sealed class QuotedPrintableDecoder : IMimeDecoder
{
    private enum State
    {
        Text,
        AfterEquals,
        AfterEqualsHex,
        SoftBreakCr,
    }

    private State _state;
    private byte _hex1;

    /// <summary>An "=" or "=X" at the end of a chunk is held for the next call, so output is at most the input plus those 2 held bytes.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        foreach (byte b in input)
        {
            switch (_state)
            {
                case State.Text:
                    if (b == (byte)'=')
                    {
                        _state = State.AfterEquals;
                    }
                    else
                    {
                        output[n++] = b;
                    }

                    break;
                case State.AfterEquals:
                    if (b == (byte)'\n')
                    {
                        _state = State.Text;
                    }
                    else if (b == (byte)'\r')
                    {
                        _state = State.SoftBreakCr;
                    }
                    else if (b == (byte)'=')
                    {
                        // "==": an old broken encoder's escaped equals sign; keep one.
                        output[n++] = (byte)'=';
                        _state = State.Text;
                    }
                    else if (EncodedWords.HexValue((char)b) >= 0)
                    {
                        _hex1 = b;
                        _state = State.AfterEqualsHex;
                    }
                    else
                    {
                        output[n++] = (byte)'=';
                        output[n++] = b;
                        _state = State.Text;
                    }

                    break;
                case State.AfterEqualsHex:
                    if (EncodedWords.HexValue((char)b) >= 0)
                    {
                        output[n++] = (byte)((EncodedWords.HexValue((char)_hex1) << 4) | EncodedWords.HexValue((char)b));
                        _state = State.Text;
                    }
                    else
                    {
                        output[n++] = (byte)'=';
                        output[n++] = _hex1;
                        if (b == (byte)'=')
                        {
                            _state = State.AfterEquals;
                        }
                        else
                        {
                            output[n++] = b;
                            _state = State.Text;
                        }
                    }

                    break;
                case State.SoftBreakCr:
                    // "=\r" swallows up to the next LF (a soft break written with CRLF).
                    if (b == (byte)'\n')
                    {
                        _state = State.Text;
                    }

                    break;
            }
        }

        return n;
    }

    /// <summary>Emits an "=X" cut off by the end of input literally (2 bytes); a final lone "=" is a soft break and emits nothing.</summary>
    public int Flush(Span<byte> output)
    {
        int n = 0;
        if (_state == State.AfterEqualsHex)
        {
            output[n++] = (byte)'=';
            output[n++] = _hex1;
        }

        // A lone "=" at the very end is a soft break with no line after it: nothing to emit.
        _state = State.Text;
        return n;
    }
}
