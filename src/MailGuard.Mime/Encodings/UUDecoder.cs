namespace MailGuard.Mime;

/// <summary>
/// uuencode (x-uuencode, uue): lines between "begin mode name" and "end"; each line's first
/// character gives its byte count. Bad lines are decoded as far as their length character says.
/// </summary>
public sealed class UUDecoder : IMimeDecoder
{
    private readonly List<byte> _line = new(128);
    private bool _begun;
    private bool _ended;

    /// <summary>Emits a line's bytes when its line break arrives; lines before "begin " and everything from "end" on produce nothing. Lines are read up to 1,024 bytes.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        foreach (byte b in input)
        {
            if (_ended)
            {
                break;
            }

            if (b is (byte)'\n' or (byte)'\r')
            {
                n += EndLine(output[n..]);
                continue;
            }

            if (_line.Count < 1024)
            {
                _line.Add(b);
            }
        }

        return n;
    }

    /// <summary>Decodes a last line that had no line break, unless "end" was seen.</summary>
    public int Flush(Span<byte> output) => _ended ? 0 : EndLine(output);

    private int EndLine(Span<byte> output)
    {
        if (_line.Count == 0)
        {
            return 0;
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_line);
        int n = 0;
        if (!_begun)
        {
            _begun = span.StartsWith("begin "u8);
        }
        else if (span.StartsWith("end"u8))
        {
            _ended = true;
        }
        else
        {
            n = DecodeLine(span, output);
        }

        _line.Clear();
        return n;
    }

    private static int DecodeLine(ReadOnlySpan<byte> line, Span<byte> output)
    {
        int count = (line[0] - 32) & 63;
        int n = 0;
        int i = 1;
        while (n < count)
        {
            int c0 = Sixbit(line, i), c1 = Sixbit(line, i + 1), c2 = Sixbit(line, i + 2), c3 = Sixbit(line, i + 3);
            int triple = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
            for (int k = 0; k < 3 && n < count; k++)
            {
                output[n++] = (byte)(triple >> (16 - (8 * k)));
            }

            i += 4;
        }

        return n;
    }

    // Characters past the end of a short line count as spaces (zero bits), as binascii does.
    private static int Sixbit(ReadOnlySpan<byte> line, int i) => i < line.Length ? (line[i] - 32) & 63 : 0;
}
