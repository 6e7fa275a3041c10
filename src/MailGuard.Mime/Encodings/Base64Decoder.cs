namespace MailGuard.Mime;

/// <summary>
/// Lenient base64 (RFC 2045 §6.8): characters outside the alphabet are ignored, as the RFC
/// requires. A pad sequence completes a quantum, and decoding goes on after it, as MimeKit and
/// mail clients do: a "stray" pad must not hide the rest of an attachment (Python's decoder
/// stops there, so a text footer after base64 padding decodes to a few more bytes here than
/// there). A final partial quantum of 2 or 3 characters yields its whole bytes (what a decoder
/// does after adding the missing padding); a lone leftover character carries no whole byte and
/// is dropped.
/// </summary>
public sealed class Base64Decoder : IMimeDecoder
{
    private static readonly sbyte[] s_table = BuildTable();
    private static readonly System.Buffers.SearchValues<byte> s_whiteSpace = System.Buffers.SearchValues.Create("\r\n \t"u8);
    private int _quad;
    private int _quadPos;
    private int _pads;
    private bool _done;
    private byte[] _scratch = Array.Empty<byte>();


    /// <summary>Characters outside the alphabet are skipped, so line breaks may fall anywhere, and a chunk may end inside a quantum.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int n = 0;
        // The fast path is re-entered after an irregularity, but only a few times per call so
        // that a chunk full of stray characters cannot make the squeezing quadratic.
        int fastEntries = 0;
        while (!input.IsEmpty && !_done)
        {
            if (_quadPos == 0 && _pads == 0 && fastEntries++ < 4)
            {
                n += DecodeFast(ref input, output[n..]);
                if (input.IsEmpty)
                {
                    break;
                }
            }

            // Byte-wise until a quantum completes (then the fast path can resume) or the input ends.
            int i = 0;
            while (i < input.Length && !_done)
            {
                bool completed = Step(input[i++], output, ref n);
                if (completed && fastEntries < 4)
                {
                    break;
                }
            }

            input = input[i..];
        }

        return n;
    }

    // One byte of the lenient algorithm; true when it completed a 4-character quantum.
    private bool Step(byte b, Span<byte> output, ref int n)
    {
        if (b == (byte)'=')
        {
            _pads++;
            if (_quadPos >= 2 && _quadPos + _pads >= 4)
            {
                // The quantum is complete; what follows (more base64 after a "stray" pad) is
                // decoded on, as MimeKit and mail clients do.
                n += EmitPartial(output[n..]);
                _pads = 0;
            }

            return false;
        }

        int v = s_table[b];
        if (v < 0)
        {
            return false;
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
            return true;
        }

        return false;
    }

    // The common case, well-formed base64 in lines: line breaks are squeezed out into a
    // scratch buffer and the vectorised decoder of System.Buffers.Text does the rest in one
    // call. The first irregular byte (padding, a stray character) hands the remainder to the
    // byte-wise loop, which applies the lenient rules; line breaks mean nothing to it.
    private int DecodeFast(ref ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (_scratch.Length < input.Length)
        {
            _scratch = new byte[input.Length];
        }

        int n = 0;
        var rest = input;
        while (!rest.IsEmpty)
        {
            // White space is squeezed out too: the vectorised decoder's own white-space handling
            // may consume characters of an incomplete quantum without emitting them.
            int eol = rest.IndexOfAny(s_whiteSpace);
            if (eol < 0)
            {
                rest.CopyTo(_scratch.AsSpan(n));
                n += rest.Length;
                break;
            }

            rest[..eol].CopyTo(_scratch.AsSpan(n));
            n += eol;
            rest = rest[(eol + 1)..];
        }

        int whole = n & ~3;
        var status = System.Buffers.Text.Base64.DecodeFromUtf8(_scratch.AsSpan(0, whole), output, out int consumed, out int written, isFinalBlock: false);
        _ = status;
        input = _scratch.AsSpan(consumed, n - consumed);
        return written;
    }

    /// <summary>Emits the whole bytes of a final 2- or 3-character quantum (at most 2); later calls, and Decode, produce nothing.</summary>
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
