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

    [Theory]
    // U+2028 and U+2029 are white space to .NET, not control characters: both become a space.
    [InlineData("one\u2028two\u2029three\u0085four", "one two three four")]
    // Bidi marks (LRM, RLM, ALM), embeddings, overrides and isolates: all go.
    [InlineData("a\u200Eb\u200Fc\u061Cd\u202Ae\u202Bf\u202Cg\u202Dh\u2066i\u2067j\u2068k\u2069", "abcdefghijk")]
    // Zero-width characters go too: they could split an identifier for the detectors.
    [InlineData("AB\u200B12\u200C34\u200D56\u2060C\uFEFF", "AB123456C")]
    public void OneLine_SeparatorsBidiAndZeroWidth_Handled(string input, string expected)
    {
        Assert.Equal(expected, NoticeText.OneLine(input, 100));
    }

    [Fact]
    public void OneLine_TagCharacterOutsideTheBasicPlane_Removed()
    {
        // U+E0041 TAG LATIN CAPITAL LETTER A (format, invisible) as a surrogate pair.
        Assert.Equal("ab", NoticeText.OneLine("a\U000E0041b", 100));
        Assert.Equal("a\U0001F600b", NoticeText.OneLine("a\U0001F600b", 100));
    }

    [Theory]
    [InlineData("Claim for AB123456C", "Claim for AB****56C")]
    // Split by a line separator or a zero-width space, the number is still seen and masked.
    [InlineData("Claim for AB12\u200B3456C", "Claim for AB****56C")]
    [InlineData("Bcc:\r\nevil@attacker.example \u202Efdp.exe", "Bcc: e***@attacker.example fdp.exe")]
    [InlineData(null, "")]
    public void Masked_OneLineWithIdentifiersMasked(string? input, string expected)
    {
        Assert.Equal(expected, NoticeText.Masked(input, 200, new DateOnly(2026, 11, 21)));
    }

    [Fact]
    public void Masked_IdentifierAcrossTheLimit_MaskedBeforeTheCut()
    {
        // Cut first, "AB1234" would be left, too short to be seen as an NI number.
        string value = new string('x', 10) + " AB123456C";

        string masked = NoticeText.Masked(value, 17, new DateOnly(2026, 11, 21));

        Assert.Equal("xxxxxxxxxx AB****", masked);
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
