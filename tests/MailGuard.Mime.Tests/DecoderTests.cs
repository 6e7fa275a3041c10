using System.Text;

namespace MailGuard.Mime.Tests;

public sealed class DecoderTests
{
    private static byte[] Decode(IMimeDecoder decoder, string input, int chunk = 1)
    {
        // Feed in small chunks: decoders must carry state across any split.
        byte[] bytes = Encoding.Latin1.GetBytes(input);
        var output = new List<byte>();
        var buffer = new byte[bytes.Length + 16];
        for (int i = 0; i < bytes.Length; i += chunk)
        {
            int n = decoder.Decode(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)), buffer);
            output.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        int f = decoder.Flush(buffer);
        output.AddRange(buffer.AsSpan(0, f).ToArray());
        return output.ToArray();
    }

    [Theory]
    [InlineData("SGVsbG8gd29ybGQ=", "Hello world")]
    [InlineData("SGVs\r\nbG8g\r\nd29y\r\nbGQ=\r\n", "Hello world")]
    [InlineData("SGVsbG8*gd29ybGQ", "Hello world")]
    [InlineData("YWJj=ZGVm", "abcdef")]
    [InlineData("YWI=\r\nYWJj", "ababc")]
    [InlineData("YWJjZA", "abcd")]
    [InlineData("SGV sbG8 gd2 9yb GQ", "Hello world")]
    [InlineData("aGVsbG8=TmFtZQ==", "helloName")]
    [InlineData("aGVsbG8=\r\nTmFtZSxOSQ0K\r\n", "helloName,NI\r\n")]
    [InlineData("aGVsbG8=\r\n\r\nTmFtZSxOSQ0K", "helloName,NI\r\n")]
    [InlineData("aGVsbG8=\r\n--\r\nTmFtZSxOSQ0K\r\n", "helloName,NI\r\n")]
    public void Base64_LenientDecoding(string input, string expected)
    {
        Assert.Equal(expected, Encoding.ASCII.GetString(Decode(new Base64Decoder(), input)));
        Assert.Equal(expected, Encoding.ASCII.GetString(Decode(new Base64Decoder(), input, chunk: 64)));
    }

    [Theory]
    [InlineData("caf=C3=A9", "café")]
    [InlineData("soft=\r\nbreak", "softbreak")]
    [InlineData("soft=\nbreak", "softbreak")]
    [InlineData("lower=c3=a9", "loweré")]
    [InlineData("bad=zz escape", "bad=zz escape")]
    [InlineData("trailing  \r\nkept", "trailing  \r\nkept")]
    [InlineData("end=", "end")]
    [InlineData("a==3D", "a=3D")]
    public void QuotedPrintable_Decoding(string input, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(Decode(new QuotedPrintableDecoder(), input)));

    [Fact]
    public void YEnc_ControlLinesSkipped_EscapesUndone_SplitAnywhere()
    {
        // "Hi", two bytes that encode to critical characters (NUL and '=': escaped), 'A'; then
        // =yend, after which nothing is data.
        byte[] data = [(byte)'H', (byte)'i', 214, 19, (byte)'A'];
        var encoded = new StringBuilder("intro\r\n=ybegin line=128 size=5 name=x.bin\r\n");
        foreach (byte b in data)
        {
            int c = (b + 42) % 256;
            encoded.Append(c is 0 or 10 or 13 or 61 ? "=" + (char)((c + 64) % 256) : ((char)c).ToString());
        }

        encoded.Append("\r\n=yend size=5\r\ntrailing");
        Assert.Equal(data, Decode(new YEncDecoder(), encoded.ToString()));
        Assert.Equal(data, Decode(new YEncDecoder(), encoded.ToString(), chunk: 3));
    }

    [Fact]
    public void UUDecode_BeginToEnd()
    {
        string input = "begin 644 hello.txt\n+2&5L;&\\@=V]R;&0`\n`\nend\n";
        Assert.Equal("Hello world", Encoding.ASCII.GetString(Decode(new UUDecoder(), input)));
    }

    [Fact]
    public void DecodingStream_LargeBase64_StreamsWithoutBuffering()
    {
        var data = new byte[3_000_000];
        new Random(1).NextBytes(data);
        string b64 = Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks);
        using var s = new DecodingStream(new MemoryStream(Encoding.ASCII.GetBytes(b64)), new Base64Decoder());
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        Assert.Equal(data, ms.ToArray());
    }

    [Theory]
    [InlineData(1024, 1)]
    [InlineData(1024, 1016)]
    [InlineData(1024, 5000)]
    [InlineData(4096, 4088)]
    [InlineData(65536, 700)]
    [InlineData(65536, 200_000)]
    public void DecodingStream_EveryBufferAndReadSize_SameBytesAndRentedBuffersGoBack(int bufferSize, int readSize)
    {
        // Reads at or past a chunk decode straight into the caller's buffer; smaller ones through
        // the stream's own (rented) buffer; the two must agree, chunk after chunk.
        var data = new byte[150_001];
        new Random(bufferSize ^ readSize).NextBytes(data);
        byte[] b64 = Encoding.ASCII.GetBytes(Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks));
        var s = new DecodingStream(new MemoryStream(b64), new Base64Decoder(), bufferSize: bufferSize);
        using var ms = new MemoryStream();
        var buffer = new byte[readSize];
        int n;
        while ((n = s.Read(buffer)) > 0)
        {
            ms.Write(buffer, 0, n);
        }

        Assert.Equal(data, ms.ToArray());
        s.Dispose();
        s.Dispose();
        Assert.Throws<ObjectDisposedException>(() => s.Read(buffer));
    }
}
