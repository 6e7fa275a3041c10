namespace MailGuard.Smtp.Server;

/// <summary>
/// Decodes DATA content (RFC 5321 §4.5.2 transparency): removes the stuffing dot at the start of a
/// line and finds the end-of-data marker. Allocation-free; one instance per session, reused.
/// <para>
/// SMTP smuggling (CVE-2023-51764/51765/51766): only CRLF "." CRLF ends data. A line "." whose
/// preceding line ended in a bare LF, or which itself ends in a bare LF ("\n.\r\n", "\r\n.\n",
/// "\n.\n"), is ordinary content, so a second message hidden behind such a sequence stays inside
/// this one where inspection sees it.
/// </para>
/// <para>
/// Bare LF policy: normalize. A line ending in a bare LF is stored as ending in CRLF and counted
/// (<see cref="BareLineFeedCount"/>). This follows Postfix 3.9's default,
/// smtpd_forbid_bare_newline = normalize (postfix.org/smtp-smuggling.html): it removes the
/// ambiguity downstream (our client always sends CRLF and re-stuffs dots, so a normalized "."
/// line cannot end data upstream either) without bouncing mail from sloppy internal senders,
/// which rejecting with "550 5.5.2 bare &lt;LF&gt; received" would do; the host still sees the
/// count and may refuse at commit. Bare CR is kept as content, as Postfix does.
/// </para>
/// </summary>
internal sealed class DataFramer
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
                        // Bulk path: everything up to the next line that needs attention (a leading dot, a
                        // bare LF) or the end of the input/output window is copied as it is, in one go.
                        var window = input.Slice(i, Math.Min(input.Length - i, output.Length - w));
                        var run = ScanVerbatim(window);
                        if (run > 0)
                        {
                            window[..run].CopyTo(output[w..]);
                            i += run;
                            w += run;
                        }
                        else if (b == Cr)
                        {
                            _state = State.Cr;
                            i++;
                        }
                        else
                        {
                            // ScanVerbatim stops short only before a CR it cannot pair yet or a bare LF.
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

    /// <summary>
    /// In state Mid: returns how many leading bytes of <paramref name="window"/> decode to themselves,
    /// and applies their effect on the line state. Those are text (bare CR included, as content) and
    /// CRLF line ends; it stops before a bare LF, before a CR at the window's end (its LF may be in the
    /// next buffer), and after a CRLF whose next line starts with "." or lies beyond the window (state
    /// LineStart then, so the byte steps decide about the dot). Scans for LF only, with the vectorised
    /// IndexOf, one call per line.
    /// </summary>
    private int ScanVerbatim(ReadOnlySpan<byte> window)
    {
        var pos = 0;
        while (true)
        {
            var next = window[pos..].IndexOf(Lf);
            if (next < 0)
            {
                var end = window.Length;
                if (end > pos && window[end - 1] == Cr)
                {
                    end--;
                }

                AddLength(end - pos);
                return end;
            }

            var lf = pos + next;
            if (lf == 0 || window[lf - 1] != Cr)
            {
                // A bare LF (in state Mid, a CR just before the window would have left us in state Cr).
                AddLength(lf - pos);
                return lf;
            }

            AddLength(lf - 1 - pos);
            EndLine(byCrLf: true);
            pos = lf + 1;
            if (pos == window.Length || window[pos] == (byte)'.')
            {
                return pos;
            }

            _state = State.Mid;
        }
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
