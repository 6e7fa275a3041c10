using MailGuard.Core.Notices;

namespace MailGuard.Core.Tests.Notices;

public sealed class NoticeTextTests
{
    [Theory]
    [InlineData("  plain  ", "plain")]
    [InlineData("two\r\nlines\tand\u0000nul", "two lines and nul")]
    [InlineData("a \u0007\u001b[31m b", "a [31m b")]
    [InlineData("abc\u202Egnp.exe", "abcgnp.exe")]
    [InlineData("x\u2066y\u2069z", "xyz")]
    [InlineData("\r\n\t ", "")]
    [InlineData(null, "")]
    public void OneLine_Cleans(string? input, string expected)
    {
        Assert.Equal(expected, NoticeText.OneLine(input, 100));
    }

    [Fact]
    public void OneLine_LoneSurrogate_ReplacementCharacter()
    {
        // Built at run time: xunit's attribute data cannot carry a lone surrogate.
        string input = "lone " + (char)0xD800 + " and " + (char)0xDC00;

        Assert.Equal("lone \uFFFD and \uFFFD", NoticeText.OneLine(input, 100));
    }

    [Fact]
    public void OneLine_Long_CutAtLimitWithoutSplittingPairs()
    {
        Assert.Equal(new string('a', 10), NoticeText.OneLine(new string('a', 50), 10));
        Assert.Equal("aaaaaaaaa", NoticeText.OneLine("aaaaaaaaa\U0001F600", 10));
        Assert.Equal("aaaaaaaa\U0001F600", NoticeText.OneLine("aaaaaaaa\U0001F600b", 10));
        Assert.Equal("aaaaaaaaa", NoticeText.OneLine("aaaaaaaaa  b", 10));
    }
}
