namespace MailGuard.Mime;

/// <summary>
/// An incremental content-transfer-encoding decoder: feed any number of input chunks, then
/// flush. Output never exceeds input length plus 3 bytes per call.
/// </summary>
public interface IMimeDecoder
{
    /// <summary>Decodes <paramref name="input"/> into <paramref name="output"/> (at least input.Length + 3 long).</summary>
    int Decode(ReadOnlySpan<byte> input, Span<byte> output);

    /// <summary>Emits whatever is pending at the end of the input.</summary>
    int Flush(Span<byte> output);
}

/// <summary>Identity decoding for 7bit, 8bit, binary and unknown encodings (RFC 2045 §6.4: treat as binary).</summary>
internal sealed class PassThroughDecoder : IMimeDecoder
{
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        input.CopyTo(output);
        return input.Length;
    }

    public int Flush(Span<byte> output) => 0;
}
