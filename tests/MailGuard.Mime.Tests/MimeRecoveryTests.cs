using System.Text;

namespace MailGuard.Mime.Tests;

/// <summary>
/// Oddities that mail clients read past: the parser must see at least the structure they show,
/// and record every defect it worked around (inspection holds on the ambiguous ones).
/// </summary>
public sealed class MimeRecoveryTests
{
    private const string Parts = "--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX\r\nContent-Type: text/csv; name=\"p.csv\"\r\n\r\nName,NI\r\nAmy Lowe,AB123456C\r\n--XX--\r\n";

    private static MimeDocument Load(string text, MimeParserOptions? options = null) => MimeDocument.Load(Encoding.UTF8.GetBytes(text), options);

    private static string Body(MimeEntity e)
    {
        using var s = e.OpenDecodedContent();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Range(MimeEntity e, MimeRange range)
    {
        using var s = e.OpenRange(range);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void AssertTwoParts(MimeDocument doc)
    {
        var root = doc.Message.Body;
        Assert.Equal(MimeEntityKind.Multipart, root.Kind);
        Assert.Equal(2, root.Children.Count);
        Assert.Contains("Amy Lowe", Body(root.Children[1]));
    }

    [Theory]
    [InlineData("Junk line without colon\r\n")]
    [InlineData("bad one\r\nbad two\r\n  continued\r\n")]
    [InlineData("X-Foo\0: bar\r\n")]
    public void Load_NonFieldLinesFollowedByFields_AreSkipped(string junk)
    {
        using var doc = Load("Subject: s\r\n" + junk + "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.Equal("s", doc.Message.Subject);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.InvalidHeaderLineSkipped && d.PartPath == "/");
        Assert.DoesNotContain(doc.Defects, d => d.Kind == MimeDefectKind.MissingHeaderBodySeparator);
    }

    [Fact]
    public void Load_NonFieldLinesWithNoFieldAfter_StartTheBody()
    {
        // A part whose base64 follows its fields without an empty line (Python and MimeKit's issue 1189).
        using var doc = Load("Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\naGVsbG8g\r\nd29ybGQ=\r\n\r\n--XX--\r\n");
        var part = Assert.Single(doc.Message.Body.Children);
        Assert.Equal("hello world", Body(part));
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.MissingHeaderBodySeparator && d.PartPath == "/1");
    }

    [Fact]
    public void Load_WhiteSpaceBeforeColon_ReadsTheField()
    {
        using var doc = Load("Subject: s\r\nContent-Type : multipart/mixed; boundary=\"XX\"\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.WhiteSpaceBeforeColon && d.Detail == "Content-Type");
    }

    [Fact]
    public void Load_TooManyFieldsBeforeContentType_StructureKept()
    {
        var sb = new StringBuilder("Subject: s\r\n");
        for (int i = 0; i < 2_100; i++)
        {
            sb.Append("X-Pad-").Append(i).Append(": v\r\n");
        }

        sb.Append("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n").Append(Parts);
        using var doc = Load(sb.ToString());
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.TooManyHeaders);
        Assert.Equal(MimeParserOptions.Default.MaxHeaderCount + 1, doc.Message.Headers.Count);
    }

    [Fact]
    public void Load_HeaderBlockOverLimitBeforeContentType_StructureKept()
    {
        var sb = new StringBuilder("Subject: s\r\n");
        string pad = new('v', 900);
        for (int i = 0; i < 1_300; i++)
        {
            sb.Append("X-Pad: ").Append(pad).Append("\r\n");
        }

        sb.Append("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n").Append(Parts);
        using var doc = Load(sb.ToString());
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.HeaderBlockTooLarge);
    }

    [Fact]
    public void Load_ContentTypeLineOver64KiB_BoundaryKept()
    {
        string padding = string.Concat(Enumerable.Range(0, 10_000).Select(i => $"x{i}=y;"));
        Assert.True(padding.Length > 70_000);
        using var doc = Load("Subject: s\r\nContent-Type: multipart/mixed; " + padding + " boundary=\"XX\"\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.DoesNotContain(doc.Defects, d => d.Kind == MimeDefectKind.HeaderLineTooLong);
    }

    [Fact]
    public void Load_HeaderLineOverLimit_TruncatedWithDefect()
    {
        var options = new MimeParserOptions { MaxHeaderLineBytes = 2048 };
        string padding = new('p', 3000);
        using var doc = Load("X-Long: " + padding + "\r\nSubject: after\r\n\r\nbody\r\n", options);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.HeaderLineTooLong);
        Assert.Equal("after", doc.Message.Subject);
    }

    [Fact]
    public void Load_DuplicateContentType_DefectAndLastWinsReading()
    {
        string text = "Subject: s\r\nContent-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" + Parts;
        using (var first = Load(text))
        {
            Assert.Equal(MimeEntityKind.Leaf, first.Message.Body.Kind);
            Assert.Contains(first.Defects, d => d.Kind == MimeDefectKind.DuplicateStructuralField && d.Detail == "Content-Type");
        }

        using var last = Load(text, new MimeParserOptions { LastDuplicateWins = true });
        AssertTwoParts(last);
    }

    [Fact]
    public void Load_SameContentTypeTwice_IsNotAmbiguous()
    {
        using var doc = Load("Content-Type: text/plain\r\nContent-Type: text/plain\r\n\r\nbody\r\n");
        Assert.DoesNotContain(doc.Defects, d => d.Kind == MimeDefectKind.DuplicateStructuralField);
    }

    [Fact]
    public void Load_DuplicateTransferEncoding_LastWinsDecodes()
    {
        string text = "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n";
        using (var first = Load(text))
        {
            Assert.Equal("aGVsbG8=\r\n", Body(first.Message.Body));
            Assert.Contains(first.Defects, d => d.Kind == MimeDefectKind.DuplicateStructuralField && d.Detail == "Content-Transfer-Encoding");
        }

        using var last = Load(text, new MimeParserOptions { LastDuplicateWins = true });
        Assert.Equal("hello", Body(last.Message.Body));
    }

    [Fact]
    public void Load_DuplicateBoundaryParameter_TheValueThatOccursIsUsed()
    {
        using var doc = Load("Subject: s\r\nContent-Type: multipart/mixed; boundary=\"YY\"; boundary=\"XX\"\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.DuplicateParameter && d.Detail == "boundary");
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.BoundaryRecovered);
    }

    [Fact]
    public void Load_SingleQuotedBoundary_QuotesStrippedWhenLiteralAbsent()
    {
        using var doc = Load("Subject: s\r\nContent-Type: multipart/mixed; boundary='XX'\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.BoundaryRecovered);
    }

    [Fact]
    public void Load_SingleQuotedBoundaryUsedLiterally_NoRecovery()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary='XX'\r\n\r\n--'XX'\r\n\r\none\r\n--'XX'--\r\n");
        Assert.Equal("one", Body(Assert.Single(doc.Message.Body.Children)));
        Assert.DoesNotContain(doc.Defects, d => d.Kind == MimeDefectKind.BoundaryRecovered);
    }

    [Fact]
    public void Load_BoundaryAfterMissingSemicolon_ParametersRecovered()
    {
        using var doc = Load("Subject: s\r\nContent-Type: multipart/mixed boundary=\"XX\"\r\n\r\n" + Parts);
        AssertTwoParts(doc);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.MissingParameterSeparator);
    }

    [Fact]
    public void Load_EightBitBoundaryInLatin1_Matches()
    {
        var latin1 = Encoding.Latin1;
        byte[] bytes = latin1.GetBytes("Subject: s\r\nContent-Type: multipart/mixed; boundary=\"b\u00e9\"\r\n\r\n--b\u00e9\r\nContent-Type: text/plain\r\n\r\none\r\n--b\u00e9--\r\n");
        using var doc = MimeDocument.Load(bytes);
        Assert.Equal("one", Body(Assert.Single(doc.Message.Body.Children)));
    }

    [Fact]
    public void Load_InnerMultipartReusesOuterBoundary_Defect()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: multipart/alternative; boundary=\"XX\"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n--XX--\r\n");
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.ReusedBoundary);
    }

    [Fact]
    public void Load_MimeInPreambleAndEpilogue_DefectsAndRanges()
    {
        string hidden = "--ZZ\r\nContent-Type: text/csv\r\n\r\nAmy Lowe,AB123456C\r\n";
        using var doc = Load("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" + hidden + "--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n" + hidden);
        var root = doc.Message.Body;
        Assert.Equal(hidden.TrimEnd('\r', '\n'), Range(root, root.Preamble));
        Assert.Equal(hidden, Range(root, root.Epilogue));
        Assert.Equal(2, doc.Defects.Count(d => d.Kind == MimeDefectKind.ContentOutsideParts));
    }

    [Fact]
    public void Load_OrdinaryPreamble_IsKeptWithoutDefect()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\nThis is a multi-part message in MIME format.\r\n--XX\r\n\r\none\r\n--XX--\r\n");
        var root = doc.Message.Body;
        Assert.Equal("This is a multi-part message in MIME format.", Range(root, root.Preamble));
        Assert.Empty(doc.Defects);
    }

    [Fact]
    public void Load_MoreDefectsThanKept_LastSaysSo()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < MimeDocument.MaxDefects + 50; i++)
        {
            sb.Append(": no name\r\n");
        }

        sb.Append("\r\nbody\r\n");
        using var doc = Load(sb.ToString());
        Assert.Equal(MimeDocument.MaxDefects, doc.Defects.Count);
        Assert.Equal(MimeDefectKind.TooManyDefects, doc.Defects[^1].Kind);
    }
}
