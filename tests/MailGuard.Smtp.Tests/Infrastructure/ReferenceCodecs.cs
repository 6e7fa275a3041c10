namespace MailGuard.Smtp.Tests.Infrastructure;

/// <summary>
/// The original byte-at-a-time DATA decoder, kept verbatim as a test oracle: the bulk
/// <see cref="MailGuard.Smtp.Server.DataFramer"/> must produce exactly what this produces, for any
/// split of the input and any output buffer size.
/// </summary>
internal sealed class ReferenceDataFramer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    /// <summary>RFC 5321 §4.5.3.1.6: 1000 octets per text line including CRLF.</summary>
    public const int MaxLineOctets = 998;

    private State _state;
    private bool _lineStartedByCrLf;
    private long _lineLength;
    private bool _lineCountedLong;

    private enum State
    {
        LineStart,
        Dot,
        DotCr,
        Mid,
        Cr,
    }

    public int LongLineCount { get; private set; }

    public int BareLineFeedCount { get; private set; }

    /// <summary>Starts a new message; the CRLF that ended the DATA command counts as a line end (RFC 5321 §4.1.1.4).</summary>
    public void Reset()
    {
        _state = State.LineStart;
        _lineStartedByCrLf = true;
        _lineLength = 0;
        _lineCountedLong = false;
        LongLineCount = 0;
        BareLineFeedCount = 0;
    }

    /// <summary>
    /// Decodes from <paramref name="input"/> into <paramref name="output"/> (which needs at least 3 bytes
    /// free to make progress). Returns true when the end-of-data line was consumed; the CRLF before it is
    /// content (the last line's end), the "." CRLF is not.
    /// </summary>
    public bool Decode(ReadOnlySpan<byte> input, Span<byte> output, out int consumed, out int written)
    {
        var i = 0;
        var w = 0;
        while (i < input.Length && output.Length - w >= 3)
        {
            var b = input[i];
            switch (_state)
            {
                case State.LineStart:
                    if (b == (byte)'.')
                    {
                        _state = State.Dot;
                        AddLength(1);
                        i++;
                    }
                    else
                    {
                        _state = State.Mid;
                    }

                    break;

                case State.Dot:
                    if (b == Cr)
                    {
                        _state = State.DotCr;
                        i++;
                    }
                    else if (b == Lf)
                    {
                        // "." + bare LF never ends data; keep the line as content.
                        output[w++] = (byte)'.';
                        output[w++] = Cr;
                        output[w++] = Lf;
                        BareLineFeedCount++;
                        i++;
                        EndLine(byCrLf: false);
                    }
                    else
                    {
                        // A leading dot followed by more text was added by the client (RFC 5321 §4.5.2): drop it.
                        _state = State.Mid;
                    }

                    break;

                case State.DotCr:
                    if (b == Lf)
                    {
                        i++;
                        if (_lineStartedByCrLf)
                        {
                            consumed = i;
                            written = w;
                            _state = State.LineStart;
                            return true;
                        }

                        // "\n.\r\n": the previous line ended in a bare LF, so this is not CRLF.CRLF.
                        output[w++] = (byte)'.';
                        output[w++] = Cr;
                        output[w++] = Lf;
                        EndLine(byCrLf: true);
                    }
                    else
                    {
                        // ".\r" + other: the dot was stuffing; the CR is a bare CR handled like any other.
                        _state = State.Cr;
                    }

                    break;

                case State.Mid:
                    {
                        var rest = input[i..];
                        var stop = rest.IndexOfAny(Cr, Lf);
                        var run = stop < 0 ? rest.Length : stop;
                        run = Math.Min(run, output.Length - w);
                        if (run > 0)
                        {
                            rest[..run].CopyTo(output[w..]);
                            i += run;
                            w += run;
                            AddLength(run);
                        }
                        else if (b == Cr)
                        {
                            _state = State.Cr;
                            i++;
                        }
                        else
                        {
                            output[w++] = Cr;
                            output[w++] = Lf;
                            BareLineFeedCount++;
                            i++;
                            EndLine(byCrLf: false);
                        }

                        break;
                    }

                case State.Cr:
                    if (b == Lf)
                    {
                        output[w++] = Cr;
                        output[w++] = Lf;
                        i++;
                        EndLine(byCrLf: true);
                    }
                    else
                    {
                        // Bare CR: content. The next byte is examined again in Mid (it may be CR or LF).
                        output[w++] = Cr;
                        AddLength(1);
                        _state = State.Mid;
                    }

                    break;
            }
        }

        consumed = i;
        written = w;
        return false;
    }

    private void AddLength(int count)
    {
        _lineLength += count;
        if (!_lineCountedLong && _lineLength > MaxLineOctets)
        {
            _lineCountedLong = true;
            LongLineCount++;
        }
    }

    private void EndLine(bool byCrLf)
    {
        _state = State.LineStart;
        _lineStartedByCrLf = byCrLf;
        _lineLength = 0;
        _lineCountedLong = false;
    }
}

/// <summary>The original byte-at-a-time dot-stuffer, kept as a test oracle for <see cref="MailGuard.Smtp.Client.DotStuffer"/>.</summary>
internal sealed class ReferenceDotStuffer
{
    private bool _atLineStart = true;
    private bool _previousCr;

    public void Write(ReadOnlySpan<byte> input, System.Buffers.IBufferWriter<byte> output)
    {
        var span = output.GetSpan(input.Length * 2);
        var w = 0;
        foreach (var b in input)
        {
            if (_atLineStart && b == (byte)'.')
            {
                span[w++] = (byte)'.';
            }

            if (b == (byte)'\n' && !_previousCr)
            {
                span[w++] = (byte)'\r';
            }

            span[w++] = b;
            _previousCr = b == (byte)'\r';
            _atLineStart = b == (byte)'\n';
        }

        output.Advance(w);
    }

    public void Complete(System.Buffers.IBufferWriter<byte> output)
    {
        if (!_atLineStart)
        {
            Write("\r\n"u8, output);
        }

        System.Buffers.BuffersExtensions.Write(output, ".\r\n"u8);
    }
}
