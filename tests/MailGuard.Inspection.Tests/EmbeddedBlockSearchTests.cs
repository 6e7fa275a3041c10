using System.Text;
using MailGuard.Inspection.Extraction;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests;

/// <summary>
/// The search for encoded blocks pasted into text: found wherever they are in long text, at the
/// right line, and what only looks like base64 (X-filled lines, long words) is not read as text.
/// The text part is decoded once for the extractors and the search (CapturingStream).
/// </summary>
public sealed class EmbeddedBlockSearchTests
{
    private static readonly string Csv = "Name,Date of birth,NI number\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"Person {i} Sample,0{1 + (i % 9)}/03/19{60 + i},AB{100000 + i}C\r\n"));

    private static string Prose(int lines) =>
        string.Concat(Enumerable.Range(0, lines).Select(i => $"Line {i} of the weekly notes: the meeting moved to Thursday, room {i % 12}.\r\n"));

    private static InspectionResult Inspect(string message)
    {
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["corp.example"]), new DomainSet([]));
        using var doc = MimeDocument.Load(Encoding.Latin1.GetBytes(message));
        return inspector.Inspect(doc, null);
    }

    [Fact]
    public void Base64AfterLongProse_FoundAtItsLine()
    {
        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(Csv), Base64FormattingOptions.InsertLineBreaks);
        string text = Prose(20_000) + b64 + "\r\nRegards\r\n";
        var block = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(text), long.MaxValue));
        Assert.Equal("base64", block.Kind);
        Assert.Equal(20_001, block.Line);
        Assert.Equal(Csv, Encoding.ASCII.GetString(block.Data));
    }

    [Fact]
    public void Uuencode_AfterProseAndBetweenBase64_FoundByItsBeginLine()
    {
        string uu = "begin 644 staff.csv\n" + UuEncode(Encoding.ASCII.GetBytes(Csv)) + "`\nend\n";
        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(Csv), Base64FormattingOptions.InsertLineBreaks);
        string text = Prose(500) + uu + b64 + "\r\n" + Prose(3);
        var blocks = EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(text), long.MaxValue);
        Assert.Equal(["uuencoded", "base64"], blocks.Select(b => b.Kind));
        Assert.Equal("staff.csv", blocks[0].Name);
        Assert.Equal(501, blocks[0].Line);
        Assert.Equal(Csv, Encoding.ASCII.GetString(blocks[1].Data));
        Assert.Equal(Csv, Encoding.ASCII.GetString(blocks[0].Data));
    }

    [Fact]
    public void LongRun_JudgedByItsHead_DecodedWholeWhenReadable()
    {
        // Over the judged length (34 KiB of characters): the head says text, so all of it is decoded.
        string csv = string.Concat(Enumerable.Repeat(Csv, 60));
        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(csv), Base64FormattingOptions.InsertLineBreaks);
        Assert.True(b64.Length > 34 * 1024);
        var block = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(b64), long.MaxValue, ContentExtractor.MayBeReadable));
        Assert.Equal(csv, Encoding.ASCII.GetString(block.Data));
    }

    [Fact]
    public void Base64WrappedAtEightCharacters_StillOneRun()
    {
        // Short lines are no way past: a run goes on across line breaks whatever its width.
        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(Csv));
        string wrapped = string.Join("\r\n", b64.Chunk(8).Select(c => new string(c)));
        var block = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes("See below.\r\n" + wrapped + "\r\n"), long.MaxValue));
        Assert.Equal(Csv, Encoding.ASCII.GetString(block.Data));
    }

    [Fact]
    public void XFilledLines_DecodeToNothingReadable_NoFindingAndNotReadAsText()
    {
        // smtp-source's filler: lines of X are valid base64, and decode to bytes no one wrote.
        string filler = string.Concat(Enumerable.Repeat(new string('X', 78) + "\r\n", 2000));
        var block = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(filler), long.MaxValue));
        Assert.False(ContentExtractor.MayBeReadable(block.Data));
        Assert.Empty(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(filler), long.MaxValue, ContentExtractor.MayBeReadable));
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\nSubject: filler\r\n\r\n" + filler);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Latin1CsvInBase64_IsStillText_AndItsPeopleFound()
    {
        // Legacy 8-bit text with accented names is not valid UTF-8, yet it is text to read.
        string csv = Csv.Replace("Sample", "Sánchez-Müller", StringComparison.Ordinal);
        byte[] latin1 = Encoding.Latin1.GetBytes(csv);
        Assert.True(ContentExtractor.MayBeReadable(latin1));
        var judged = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(Convert.ToBase64String(latin1)), long.MaxValue, ContentExtractor.MayBeReadable));
        Assert.Equal(latin1, judged.Data);
        string b64 = Convert.ToBase64String(latin1, Base64FormattingOptions.InsertLineBreaks);
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\nSubject: list\r\n\r\nThe list:\r\n" + b64 + "\r\n");
        Assert.Contains(result.Findings, f => f.Kind == FindingKinds.UkNino && f.Count == 20);
    }

    [Fact]
    public void MayBeReadable_KnownFormatsAndTextYes_NoiseNo()
    {
        Assert.True(ContentExtractor.MayBeReadable(Encoding.Unicode.GetBytes("Name,NI number\r\nAnn,AB123456C\r\n")));
        Assert.True(ContentExtractor.MayBeReadable([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]));
        Assert.True(ContentExtractor.MayBeReadable(Encoding.UTF8.GetBytes("Zoë, Ágnes and Łukasz")));
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);
        noise[0] = 0x41;
        Assert.False(ContentExtractor.MayBeReadable(noise));
    }

    [Fact]
    public void CapturingStream_KeepsBytesOnceInOrder_EvenWhenReadTwice()
    {
        byte[] content = Encoding.ASCII.GetBytes(Prose(200));
        using var capture = new CapturingStream(new MemoryStream(content, writable: false), 1 << 20);
        var head = new byte[100];
        capture.ReadExactly(head);
        capture.Position = 0;
        capture.CopyTo(Stream.Null);
        Assert.True(capture.TryGetContent(out var kept));
        Assert.Equal(content, kept.ToArray());
    }

    [Fact]
    public void CapturingStream_NotReadToTheEnd_HasNoContent_UnlessItsLimitWasReached()
    {
        byte[] content = Encoding.ASCII.GetBytes(Prose(200));
        using (var partial = new CapturingStream(new NonSeekable(content), 1 << 20))
        {
            partial.ReadExactly(new byte[1000]);
            Assert.False(partial.TryGetContent(out _));
        }

        using var limited = new CapturingStream(new NonSeekable(content), 500);
        limited.ReadExactly(new byte[1000]);
        Assert.True(limited.TryGetContent(out var first));
        Assert.Equal(content.AsSpan(0, 500).ToArray(), first.ToArray());
    }

    [Fact]
    public void CapturingStream_ReadContent_ReadsToTheLimitAndNoFurther()
    {
        byte[] content = Encoding.ASCII.GetBytes(Prose(2000));
        var source = new NonSeekable(content);
        using var capture = new CapturingStream(source, 100_000);
        Assert.True(capture.ReadContent(out var kept));
        Assert.Equal(content.AsSpan(0, 100_000).ToArray(), kept.ToArray());
        // Read in 64 KiB chunks: at most one chunk past the limit, not the rest of the part.
        Assert.InRange(source.Position, 100_000, 100_000 + (64 * 1024));

        using var whole = new CapturingStream(new NonSeekable(content), content.Length + 1);
        Assert.True(whole.ReadContent(out var all));
        Assert.Equal(content, all.ToArray());
    }

    [Fact]
    public void CapturingStream_BinaryContent_NotKept()
    {
        byte[] zip = new byte[4096];
        zip[0] = 0x50;
        zip[1] = 0x4B;
        zip[2] = 0x03;
        zip[3] = 0x04;
        using var capture = new CapturingStream(new MemoryStream(zip, writable: false), 1 << 20);
        capture.CopyTo(Stream.Null);
        Assert.False(capture.TryGetContent(out _));
    }

    private static string UuEncode(byte[] data)
    {
        var text = new StringBuilder();
        foreach (var line in data.Chunk(45))
        {
            text.Append((char)(32 + line.Length));
            for (int i = 0; i < line.Length; i += 3)
            {
                int b0 = line[i], b1 = i + 1 < line.Length ? line[i + 1] : 0, b2 = i + 2 < line.Length ? line[i + 2] : 0;
                foreach (int six in (int[])[b0 >> 2, ((b0 & 3) << 4) | (b1 >> 4), ((b1 & 15) << 2) | (b2 >> 6), b2 & 63])
                {
                    text.Append(six == 0 ? '`' : (char)(32 + six));
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private sealed class NonSeekable(byte[] content) : MemoryStream(content, writable: false)
    {
        public override bool CanSeek => false;
    }
}
