using System.Text;

namespace MailGuard.Mime.Tests;

/// <summary>Each limit at its edge: at the limit parses normally, one over degrades with a defect.</summary>
public sealed class MimeLimitsTests
{
    private static string Nested(int levels)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < levels; i++)
        {
            sb.Append($"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n");
        }

        sb.Append("\ninnermost\n");
        return sb.ToString();
    }

    [Fact]
    public void MaxDepth_AtLimit_ParsesAllLevels()
    {
        var options = new MimeParserOptions { MaxDepth = 5 };
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Nested(5)), options);
        Assert.DoesNotContain(doc.Defects, d => d.Kind == MimeDefectKind.MaxDepthExceeded);
    }

    [Fact]
    public void MaxDepth_OneOver_DegradesInnermostToLeaf()
    {
        var options = new MimeParserOptions { MaxDepth = 5 };
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Nested(6)), options);
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.MaxDepthExceeded);
        Assert.All(doc.Message.Body.DescendantsAndSelf(), e => Assert.True(e.Depth <= 5));
    }

    [Fact]
    public void MaxDepth_HostileTenThousandLevels_NoStackOverflow()
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes(Nested(10_000)));
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.MaxDepthExceeded);
    }

    [Fact]
    public void MaxParts_OneOver_StopsAddingPartsWithDefect()
    {
        var sb = new StringBuilder("Content-Type: multipart/mixed; boundary=p\n\n");
        for (int i = 0; i < 20; i++)
        {
            sb.Append("--p\n\npart\n");
        }

        sb.Append("--p--\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());
        using (var atLimit = MimeDocument.Load(bytes, new MimeParserOptions { MaxParts = 21 }))
        {
            Assert.Equal(20, atLimit.Message.Body.Children.Count);
            Assert.Empty(atLimit.Defects);
        }

        using var over = MimeDocument.Load(bytes, new MimeParserOptions { MaxParts = 20 });
        Assert.Equal(19, over.Message.Body.Children.Count);
        Assert.Contains(over.Defects, d => d.Kind == MimeDefectKind.MaxPartsExceeded);
    }

    [Fact]
    public void MaxHeaderCount_OneOver_ExtraFieldsDropped()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 11; i++)
        {
            sb.Append($"X-H{i}: v\n");
        }

        sb.Append("\nbody\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString());
        using (var atLimit = MimeDocument.Load(bytes, new MimeParserOptions { MaxHeaderCount = 11 }))
        {
            Assert.Equal(11, atLimit.Message.Headers.Count);
        }

        using var over = MimeDocument.Load(bytes, new MimeParserOptions { MaxHeaderCount = 10 });
        Assert.Equal(10, over.Message.Headers.Count);
        Assert.Contains(over.Defects, d => d.Kind == MimeDefectKind.TooManyHeaders);
    }

    [Fact]
    public void MaxHeaderLineBytes_LongerLine_TruncatedWithDefectBodyIntact()
    {
        string longValue = new('a', 5000);
        var bytes = Encoding.ASCII.GetBytes($"X-Long: {longValue}\nSubject: after\n\nbody\n");
        using var doc = MimeDocument.Load(bytes, new MimeParserOptions { MaxHeaderLineBytes = 1024 });
        Assert.Contains(doc.Defects, d => d.Kind == MimeDefectKind.HeaderLineTooLong);
        Assert.Equal("after", doc.Message.Subject);
        Assert.Equal(5009, doc.Message.Headers["X-Long"]!.SourceLength);
    }

    [Fact]
    public void MaxHeaderBlockBytes_OneOver_RecordsDefect()
    {
        var bytes = Encoding.ASCII.GetBytes("A: 12345\nB: 12345\n\nbody\n");
        using (var atLimit = MimeDocument.Load(bytes, new MimeParserOptions { MaxHeaderBlockBytes = 18 }))
        {
            Assert.Empty(atLimit.Defects);
        }

        using var over = MimeDocument.Load(bytes, new MimeParserOptions { MaxHeaderBlockBytes = 17 });
        Assert.Contains(over.Defects, d => d.Kind == MimeDefectKind.HeaderBlockTooLarge);
    }

    [Fact]
    public void Options_NonPositiveLimit_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MimeParserOptions { MaxDepth = 0 });

    [Fact]
    public void Load_HugeBodyLineWithoutBreaks_IsSlicedNotBuffered()
    {
        var bytes = new byte[20_000_000];
        Encoding.ASCII.GetBytes("Subject: s\n\n").CopyTo(bytes, 0);
        Array.Fill(bytes, (byte)'x', 12, bytes.Length - 12);
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var doc = MimeDocument.Load(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(bytes.Length - 12, doc.Message.Body.BodyLength);
        Assert.True(allocated < 2_000_000, $"allocated {allocated} bytes parsing a 20 MB line");
    }
}
