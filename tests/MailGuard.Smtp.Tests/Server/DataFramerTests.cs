using System.Text;
using MailGuard.Smtp.Server;

namespace MailGuard.Smtp.Tests.Server;

public sealed class DataFramerTests
{
    private static (bool Ended, string Output, int Consumed, DataFramer Framer) Run(string input, int chunk = int.MaxValue)
    {
        var framer = new DataFramer();
        framer.Reset();
        var bytes = Encoding.UTF8.GetBytes(input);
        var output = new List<byte>();
        var buffer = new byte[64];
        var offset = 0;
        while (offset < bytes.Length)
        {
            var end = Math.Min(bytes.Length, offset + chunk);
            var ended = framer.Decode(bytes.AsSpan(offset, end - offset), buffer, out var consumed, out var written);
            output.AddRange(buffer.AsSpan(0, written).ToArray());
            offset += consumed;
            if (ended)
            {
                return (true, Encoding.UTF8.GetString(output.ToArray()), offset, framer);
            }
        }

        return (false, Encoding.UTF8.GetString(output.ToArray()), offset, framer);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(int.MaxValue)]
    public void Decode_StuffedLines_UnstuffedAndEndsAtCrLfDotCrLf(int chunk)
    {
        var (ended, output, consumed, _) = Run("a\r\n..b\r\n.c\r\n...\r\n.\r\nNEXT", chunk);

        Assert.True(ended);
        Assert.Equal("a\r\n.b\r\nc\r\n..\r\n", output);
        Assert.Equal("a\r\n..b\r\n.c\r\n...\r\n.\r\n".Length, consumed);
    }

    [Fact]
    public void Decode_ImmediateTerminator_EmptyMessage()
    {
        var (ended, output, _, _) = Run(".\r\n");

        Assert.True(ended);
        Assert.Equal(string.Empty, output);
    }

    [Theory]
    [InlineData("a\n.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\n.\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r.\r\nMAIL FROM:<x@y>\r\n")]
    [InlineData("a\r\n.\rMAIL FROM:<x@y>\r\n")]
    public void SmtpSmuggling_BareLfOrCrAroundDot_DoesNotEndData(string input)
    {
        foreach (var chunk in new[] { 1, 3, int.MaxValue })
        {
            var (ended, output, _, _) = Run(input, chunk);

            Assert.False(ended);
            Assert.Contains("MAIL FROM:<x@y>", output);
        }
    }

    [Fact]
    public void Decode_BareLf_NormalizedToCrLfAndCounted()
    {
        var (ended, output, _, framer) = Run("a\nb\n\r\n.\r\n");

        Assert.True(ended);
        Assert.Equal("a\r\nb\r\n\r\n", output);
        Assert.Equal(2, framer.BareLineFeedCount);
    }

    [Fact]
    public void Decode_BareCr_KeptAsContent()
    {
        var (_, output, _, framer) = Run("a\rb\r\n.\r\n");

        Assert.Equal("a\rb\r\n", output);
        Assert.Equal(0, framer.BareLineFeedCount);
    }

    [Theory]
    [InlineData(998, 0)]
    [InlineData(999, 1)]
    public void Decode_LineLength_CountedOverRfcLimit(int length, int expected)
    {
        var (ended, output, _, framer) = Run(new string('x', length) + "\r\n" + new string('y', length) + "\r\n.\r\n", chunk: 100);

        Assert.True(ended);
        Assert.Equal(2 * (length + 2), output.Length);
        Assert.Equal(2 * expected, framer.LongLineCount);
    }
}
