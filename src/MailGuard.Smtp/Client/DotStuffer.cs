using System.Buffers;

namespace MailGuard.Smtp.Client;

/// <summary>
/// Dot-stuffing (RFC 5321 §4.5.2) and line-end normalization for outgoing content: a line starting
/// with "." gets another, and a bare LF is sent as CRLF so no downstream server can disagree with us
/// about where a line, or the message, ends (SMTP smuggling).
/// </summary>
internal sealed class DotStuffer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private bool _atLineStart = true;
    private bool _previousCr;

    /// <summary>
    /// Stuffs <paramref name="input"/> into <paramref name="output"/>. Text is copied in runs: a run
    /// breaks only where a byte is inserted (a CR before a bare LF, a dot before a line-start dot), and
    /// line ends are found with the vectorised IndexOf. State (line start, a CR as the last byte) carries
    /// across calls, so the input may be split anywhere.
    /// </summary>
    public void Write(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        // At most one inserted byte per input byte ("\n" -> "\r\n", "." -> ".." at a line start).
        var span = output.GetSpan(input.Length * 2);
        var w = 0;
        var runStart = 0;
        var pos = 0;
        if (_atLineStart && input[0] == (byte)'.')
        {
            span[w++] = (byte)'.';
        }

        while (true)
        {
            var next = input[pos..].IndexOf(Lf);
            if (next < 0)
            {
                break;
            }

            var lf = pos + next;
            var crBefore = lf > 0 ? input[lf - 1] == Cr : _previousCr;
            if (!crBefore)
            {
                var text = input[runStart..lf];
                text.CopyTo(span[w..]);
                w += text.Length;
                span[w++] = Cr;
                runStart = lf;
            }

            pos = lf + 1;
            if (pos == input.Length)
            {
                break;
            }

            if (input[pos] == (byte)'.')
            {
                var text = input[runStart..pos];
                text.CopyTo(span[w..]);
                w += text.Length;
                span[w++] = (byte)'.';
                runStart = pos;
            }
        }

        var rest = input[runStart..];
        rest.CopyTo(span[w..]);
        w += rest.Length;
        _atLineStart = input[^1] == Lf;
        _previousCr = input[^1] == Cr;
        output.Advance(w);
    }

    /// <summary>Ends the last line if needed and writes the end-of-data marker.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (!_atLineStart)
        {
            Write("\r\n"u8, output);
        }

        output.Write(".\r\n"u8);
    }
}
