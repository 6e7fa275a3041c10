using System.Text;

namespace MailGuard.Mime.Tests;

public sealed class MimeParserTests
{
    private static MimeDocument Load(string text) => MimeDocument.Load(Encoding.UTF8.GetBytes(text));

    private static string Body(MimeEntity e)
    {
        using var s = e.OpenDecodedContent();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    [Fact]
    public void Load_SimpleMessage_HeadersAndBody()
    {
        using var doc = Load("From: a@x.example\r\nSubject: Hi\r\n there\r\n\r\nBody line\r\n");
        Assert.Equal("Hi there", doc.Message.Subject);
        Assert.Equal(MimeEntityKind.Leaf, doc.Message.Body.Kind);
        Assert.Equal("Body line\r\n", Body(doc.Message.Body));
        Assert.Empty(doc.Defects);
    }

    [Fact]
    public void Load_Multipart_DelimiterOwnsPrecedingLineBreak()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=b\r\n\r\npreamble\r\n--b\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>two</p>\r\n--b--\r\nepilogue\r\n");
        var root = doc.Message.Body;
        Assert.Equal(MimeEntityKind.Multipart, root.Kind);
        Assert.Equal(2, root.Children.Count);
        Assert.Equal("one", Body(root.Children[0]));
        Assert.Equal("<p>two</p>", Body(root.Children[1]));
        Assert.Equal("text/html", root.Children[1].ContentType.MimeType);
        Assert.Equal("/2", root.Children[1].Path);
    }

    [Fact]
    public void Load_DelimiterWithTransportPadding_IsRecognised()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\none\n--b-- \n");
        Assert.Equal("one", Body(Assert.Single(doc.Message.Body.Children)));
    }

    [Fact]
    public void Load_LineThatOnlyStartsWithDelimiter_IsContent()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--bx not a delimiter\n--b--\n");
        Assert.Equal("--bx not a delimiter", Body(Assert.Single(doc.Message.Body.Children)));
    }

    [Fact]
    public void Load_UnclosedChild_IsEndedByParentBoundary()
    {
        using var doc = Load(
            "Content-Type: multipart/mixed; boundary=outer\n\n--outer\nContent-Type: multipart/alternative; boundary=inner\n\n--inner\n\ninner text\n" +
            "--outer\n\nsecond outer part\n--outer--\n");
        var root = doc.Message.Body;
        Assert.Equal(2, root.Children.Count);
        Assert.Equal(MimeEntityKind.Multipart, root.Children[0].Kind);
        Assert.Equal("inner text", Body(root.Children[0].Children[0]));
        Assert.Equal("second outer part", Body(root.Children[1]));
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.CloseBoundaryNotFound);
    }

    [Fact]
    public void Load_DigestChildWithoutContentType_IsMessageRfc822()
    {
        using var doc = Load("Content-Type: multipart/digest; boundary=d\n\n--d\n\nFrom: x@y.example\nSubject: inner\n\nhello\n--d--\n");
        var child = Assert.Single(doc.Message.Body.Children);
        Assert.Equal("message/rfc822", child.ContentType.MimeType);
        Assert.Equal(MimeEntityKind.Message, child.Kind);
        Assert.Equal("inner", child.Message!.Subject);
        Assert.Equal("hello", Body(child.Message.Body));
    }

    [Fact]
    public void Load_NestedMessageRfc822_IsParsedRecursively()
    {
        using var doc = Load(
            "Content-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: message/rfc822\n\n" +
            "Subject: forwarded\nContent-Type: multipart/mixed; boundary=n\n\n--n\nContent-Type: text/csv; name=people.csv\n\na,b\n--n--\n--m--\n");
        var fwd = doc.Message.Body.Children[0];
        Assert.Equal("forwarded", fwd.Message!.Subject);
        var csv = fwd.Message.Body.Children[0];
        Assert.Equal("people.csv", csv.FileName);
        Assert.Equal("a,b", Body(csv));
        Assert.Equal("/1/message/1", csv.Path);
    }

    [Fact]
    public void Load_MboxFromLine_IsSkipped()
    {
        using var doc = Load("From someone@example.com Sat Jan  3 01:05:34 1996\nSubject: s\n\nbody\n");
        Assert.True(doc.Message.HasUnixFrom);
        Assert.Equal("s", doc.Message.Subject);
    }

    [Fact]
    public void Load_NonHeaderLine_EndsHeaderBlockAndStartsBody()
    {
        using var doc = Load("Subject: s\nthis is not a header\nmore\n");
        Assert.Equal("this is not a header\nmore\n", Body(doc.Message.Body));
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.MissingHeaderBodySeparator);
    }

    [Fact]
    public void Load_BareCrLineEndings_AreLineBreaks()
    {
        using var doc = Load("Content-Type: multipart/mixed; boundary=a\r\r--a\r\rleaf\r--a--\r");
        Assert.Equal("leaf", Body(Assert.Single(doc.Message.Body.Children)));
    }

    [Fact]
    public void Load_MultipartWithoutBoundaryParameter_IsLeafWithDefect()
    {
        using var doc = Load("Content-Type: multipart/mixed\n\nall text\n");
        Assert.Equal(MimeEntityKind.Leaf, doc.Message.Body.Kind);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.NoBoundaryInMultipart);
    }

    [Fact]
    public void Load_Base64MessageRfc822_IsLeafForConsumersToDecode()
    {
        using var doc = Load("Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKYm9keQo=\n");
        Assert.Equal(MimeEntityKind.Leaf, doc.Message.Body.Kind);
        Assert.Equal("Subject: x\n\nbody\n", Body(doc.Message.Body));
    }

    [Fact]
    public void Load_NonSeekableStream_IsSpooledAndParsed()
    {
        var bytes = Encoding.ASCII.GetBytes("Subject: s\n\nbody\n");
        using var doc = MimeDocument.Load(new NonSeekable(bytes));
        Assert.Equal("body\n", Body(doc.Message.Body));
    }

    [Fact]
    public void Load_StreamAtOffset_OffsetsAreAbsolute()
    {
        var bytes = Encoding.ASCII.GetBytes("JUNKSubject: s\n\nbody\n");
        var ms = new MemoryStream(bytes) { Position = 4 };
        using var doc = MimeDocument.Load(ms);
        Assert.Equal("s", doc.Message.Subject);
        Assert.Equal("body\n", Body(doc.Message.Body));
    }

    [Fact]
    public void Header_RawBytes_AreKeptExactly()
    {
        string field = "Subject: =?utf-8?q?caf=C3=A9?=\r\n\tfolded\r\n";
        using var doc = Load(field + "\r\nbody");
        var h = doc.Message.Headers["subject"]!;
        Assert.Equal(field, Encoding.ASCII.GetString(h.RawField.Span));
        Assert.Equal("café\tfolded", doc.Message.Subject);
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
