namespace MailGuard.Mime.Tests;

public sealed class EncodedWordsTests
{
    [Theory]
    [InlineData("=?utf-8?q?caf=C3=A9?=", "café")]
    [InlineData("=?ISO-8859-1?Q?a_b?=", "a b")]
    [InlineData("=?utf-8?B?w6k=?=", "é")]
    [InlineData("=?utf-8?q?a?= =?utf-8?q?b?=", "ab")]
    [InlineData("=?utf-8?q?a?=\t  =?utf-8?q?b?= c", "ab c")]
    [InlineData("x =?utf-8?q?a?= y", "x a y")]
    [InlineData("=?iso-2022-jp?B?GyRCJUYlOSVIGyhC?=", "テスト")]
    [InlineData("=?utf-8*en?q?hi?=", "hi")]
    public void DecodeUnstructured_ValidWords_AreDecoded(string input, string expected) =>
        Assert.Equal(expected, EncodedWords.DecodeUnstructured(input));

    [Theory]
    [InlineData("=?utf-8?x?abc?=")]
    [InlineData("=?utf-8?q?unterminated")]
    [InlineData("plain text")]
    public void DecodeUnstructured_NotAnEncodedWord_IsLeftAsWritten(string input) =>
        Assert.Equal(input, EncodedWords.DecodeUnstructured(input));

    [Fact]
    public void DecodeUnstructured_UnknownCharset_DegradesToLatin1WithoutThrowing() =>
        Assert.Equal("caf\u00e9", EncodedWords.DecodeUnstructured("=?x-klingon?q?caf=E9?="));
}

public sealed class ParameterListTests
{
    [Fact]
    public void Parse_Rfc2231Continuations_AreJoinedInOrder()
    {
        var p = ParameterList.Parse(" filename*1=\"part2.txt\"; filename*0=\"part1-\"");
        Assert.Equal("part1-part2.txt", p["filename"]);
    }

    [Fact]
    public void Parse_Rfc2231CharsetAndLanguage_AreDecoded()
    {
        var p = ParameterList.Parse(" filename*=iso-8859-1'en'r%E9sum%E9.pdf");
        Assert.Equal("résumé.pdf", p["filename"]);
    }

    [Fact]
    public void Parse_Rfc2231EncodedAndPlainSections_Mix()
    {
        var p = ParameterList.Parse(" title*0*=us-ascii'en'This%20is%20even%20more%20; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"");
        Assert.Equal("This is even more ***fun*** isn't it!", p["title"]);
    }

    [Fact]
    public void Parse_PlainParameterBeforeRfc2231Form_Wins() =>
        Assert.Equal("plain.txt", ParameterList.Parse(" filename=\"plain.txt\"; filename*=utf-8''other.txt")["filename"]);

    [Fact]
    public void Parse_EncodedWordInsideQuotedValue_IsDecoded() =>
        Assert.Equal("Überweisung.pdf", ParameterList.Parse(" name=\"=?utf-8?B?w5xiZXJ3ZWlzdW5nLnBkZg==?=\"")["name"]);

    [Fact]
    public void Parse_SemicolonInsideQuotes_DoesNotSplit() =>
        Assert.Equal("a;b.txt", ParameterList.Parse(" name=\"a;b.txt\"; x=1")["name"]);

    [Fact]
    public void Parse_NamesAreCaseInsensitive() =>
        Assert.Equal("utf-8", ParameterList.Parse(" CharSet=utf-8")["charset"]);
}

public sealed class ContentTypeTests
{
    [Fact]
    public void Parse_TypeSubtypeAndParameters_LowerCasesTypes()
    {
        var ct = ContentType.Parse("Multipart/Mixed; boundary=\"=_x\"; CHARSET=UTF-8");
        Assert.Equal("multipart/mixed", ct.MimeType);
        Assert.Equal("=_x", ct.Boundary);
        Assert.Equal("utf-8", ct.Charset);
        Assert.True(ct.IsMultipart);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("application-x-gzip")]
    [InlineData("text/plain/extra")]
    [InlineData("")]
    public void Parse_NotTypeSlashSubtype_IsInvalidTextPlain(string value)
    {
        var ct = ContentType.Parse(value);
        Assert.False(ct.IsValid);
        Assert.Equal("text/plain", ct.MimeType);
    }

    [Fact]
    public void Parse_CommentsAroundType_AreIgnored() =>
        Assert.Equal("text/html", ContentType.Parse("(c) text/html (more); charset=us-ascii").MimeType);

    [Fact]
    public void Parse_BoundaryTrailingWhiteSpace_IsRemoved() =>
        Assert.Equal("abc", ContentType.Parse("multipart/mixed; boundary=\"abc  \"").Boundary);

    [Theory]
    [InlineData("message/rfc822", true)]
    [InlineData("message/global", true)]
    [InlineData("message/news", true)]
    [InlineData("message/delivery-status", false)]
    [InlineData("message/partial", false)]
    public void IsEncapsulatedMessage_OnlyContainerSubtypes(string value, bool expected) =>
        Assert.Equal(expected, ContentType.Parse(value).IsEncapsulatedMessage);

    [Fact]
    public void ContentDisposition_Parse_TypeAndFileName()
    {
        var cd = ContentDisposition.Parse("Attachment; filename=\"report.csv\"; size=12");
        Assert.Equal("attachment", cd.Disposition);
        Assert.Equal("report.csv", cd.FileName);
        Assert.True(cd.IsAttachment);
    }

    [Theory]
    [InlineData("Base64", "base64")]
    [InlineData(" quoted-printable (comment)", "quoted-printable")]
    [InlineData("8BIT", "8bit")]
    [InlineData("", null)]
    public void TransferEncoding_Normalize_TokenLowerCase(string value, string? expected) =>
        Assert.Equal(expected, TransferEncoding.Normalize(value));
}

public sealed class MessageIdAndDateTests
{
    [Theory]
    [InlineData("<abc@example.com>", "abc@example.com")]
    [InlineData("  <abc@\r\n example.com>  ", "abc@example.com")]
    [InlineData("junk <a@b> <c@d>", "a@b")]
    [InlineData("no-brackets@example.com", "no-brackets@example.com")]
    public void ParseMessageId_Forms(string value, string expected) =>
        Assert.Equal(expected, MessageIdParser.ParseMessageId(value));

    [Theory]
    [InlineData("Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T15:55:06Z")]
    [InlineData("21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z")]
    [InlineData("Thu, 13 Feb 1969 23:32:54 -0330 (Newfoundland Time)", "1969-02-14T03:02:54Z")]
    [InlineData("Mon, 2 May 2011 03:17 PDT", "2011-05-02T10:17:00Z")]
    [InlineData("Wed, 20 Sep 1995 00:19:00 (EDT) -0400", "1995-09-20T04:19:00Z")]
    [InlineData("Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T08:52:37Z")]
    [InlineData("1 Jan 05 00:00:00 +0000", "2005-01-01T00:00:00Z")]
    [InlineData("Sat, 4 Jan 2020 1:02:03 EST", "2020-01-04T06:02:03Z")]
    [InlineData("20-Sep-95 00:19:00 GMT", "1995-09-20T00:19:00Z")]
    public void TryParseDateTime_Rfc5322AndObsoleteForms(string value, string expectedUtc)
    {
        Assert.True(DateParser.TryParseDateTime(value, out var d, out _));
        Assert.Equal(expectedUtc, d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TryParseDateTime_MinusZeroZone_IsUtcWithUnknownZone()
    {
        Assert.True(DateParser.TryParseDateTime("Fri, 21 Nov 1997 09:55:06 -0000", out var d, out bool known));
        Assert.False(known);
        Assert.Equal(TimeSpan.Zero, d.Offset);
    }

    [Fact]
    public void TryParseDateTime_UnknownAlphabeticZone_CountsAsUtc()
    {
        Assert.True(DateParser.TryParseDateTime("Fri, 21 Nov 1997 09:55:06 XYZ", out var d, out bool known));
        Assert.False(known);
        Assert.Equal(9, d.UtcDateTime.Hour);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("31 Feb 2020 10:00:00 +0000")]
    [InlineData("1 Jan 2020 25:00:00 +0000")]
    public void TryParseDateTime_Invalid_ReturnsFalse(string value) =>
        Assert.False(DateParser.TryParseDateTime(value, out _, out _));
}
