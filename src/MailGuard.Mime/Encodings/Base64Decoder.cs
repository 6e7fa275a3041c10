namespace MailGuard.Mime;

/// <summary>
/// Lenient base64 (RFC 2045 §6.8): characters outside the alphabet are ignored, as the RFC
/// requires; a pad sequence that completes a quantum ends the data. A final partial quantum
/// of 2 or 3 characters yields its whole bytes (what a decoder does after adding the missing
/// padding); a lone leftover character carries no whole byte and is dropped.
/// </summary>
public sealed class Base64Decoder : IMimeDecoder
{
    private static readonly sbyte[] s_table = BuildTable();
    private int _quad;
    private int _quadPos;
    private int _pads;
    private bool _done;

    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        foreach (byte b in input)
        {
            if (_done)
            {
                break;
            }

            if (b == (byte)'=')
            {
                _pads++;
                if (_quadPos >= 2 && _quadPos + _pads >= 4)
                {
                    n += EmitPartial(output[n..]);
                    _done = true;
                }

                continue;
            }

            int v = s_table[b];
            if (v < 0)
            {
                continue;
            }

            _pads = 0;
            _quad = (_quad << 6) | v;
            if (++_quadPos == 4)
            {
                output[n++] = (byte)(_quad >> 16);
                output[n++] = (byte)(_quad >> 8);
                output[n++] = (byte)_quad;
                _quad = 0;
                _quadPos = 0;
            }
        }

        return n;
    }

    public int Flush(Span<byte> output)
    {
        if (_done)
        {
            return 0;
        }

        _done = true;
        return EmitPartial(output);
    }

    private int EmitPartial(Span<byte> output)
    {
        int n = 0;
        if (_quadPos == 2)
        {
            output[n++] = (byte)(_quad >> 4);
        }
        else if (_quadPos == 3)
        {
            output[n++] = (byte)(_quad >> 10);
            output[n++] = (byte)(_quad >> 2);
        }

        _quad = 0;
        _quadPos = 0;
        return n;
    }

    private static sbyte[] BuildTable()
    {
        var t = new sbyte[256];
        Array.Fill(t, (sbyte)-1);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < Alphabet.Length; i++)
        {
            t[Alphabet[i]] = (sbyte)i;
        }

        return t;
    }
}
