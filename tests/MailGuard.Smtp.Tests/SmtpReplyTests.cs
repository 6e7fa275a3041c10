namespace MailGuard.Smtp.Tests;

public sealed class SmtpReplyTests
{
    [Fact]
    public void ToWireString_MultiLine_RepeatsCodesWithDashes()
    {
        var reply = new SmtpReply(250, "2.0.0", "first", "second", "last");

        Assert.Equal("250-2.0.0 first\r\n250-2.0.0 second\r\n250 2.0.0 last\r\n", reply.ToWireString());
    }

    [Fact]
    public void ToWireString_NoEnhancedCodeNoText_CodeAndSpace()
    {
        Assert.Equal("334 \r\n", new SmtpReply(334, null, string.Empty).ToWireString());
        Assert.Equal("250 2.0.0\r\n", new SmtpReply(250, "2.0.0").ToWireString());
    }

    [Theory]
    [InlineData(199)]
    [InlineData(600)]
    public void Constructor_CodeOutOfRange_Throws(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpReply(code, null, "x"));
    }

    [Theory]
    [InlineData(250, "5.0.0")]
    [InlineData(354, "2.0.0")]
    [InlineData(550, "5.1")]
    [InlineData(550, "5.1.1234")]
    public void Constructor_EnhancedCodeMismatch_Throws(int code, string enhanced)
    {
        Assert.Throws<ArgumentException>(() => new SmtpReply(code, enhanced, "x"));
    }

    [Fact]
    public void Constructor_TextWithCrLf_ThrowsSoRepliesCannotBeForged()
    {
        Assert.Throws<ArgumentException>(() => new SmtpReply(250, "2.0.0", "ok\r\n250 forged"));
    }

    [Fact]
    public void TryParse_MultiLineWithEnhancedCode_RoundTrips()
    {
        Assert.True(SmtpReply.TryParse(["550-5.7.1 Relay", "550 5.7.1 denied"], out var reply));

        Assert.Equal(550, reply.Code);
        Assert.Equal("5.7.1", reply.EnhancedCode);
        Assert.Equal(["Relay", "denied"], reply.Lines);
        Assert.True(reply.IsPermanentFailure);
    }

    [Theory]
    [InlineData("250-a", "251 b")]
    [InlineData("250 a", "250 b")]
    [InlineData("2x0 a")]
    [InlineData("250xa")]
    public void TryParse_Malformed_ReturnsFalse(params string[] lines)
    {
        Assert.False(SmtpReply.TryParse(lines, out _));
    }
}
