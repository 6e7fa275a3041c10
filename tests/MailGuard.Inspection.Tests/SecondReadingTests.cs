using System.Text;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests;

/// <summary>The readings beyond the primary parse: embedded blocks at their edges, the capped copy for MimeKit, and what findings they give.</summary>
public sealed class SecondReadingTests
{
    private static readonly string Csv = "Name,Date of birth,NI number\r\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"Person {i} Sample,0{1 + (i % 9)}/03/19{60 + i},AB{100000 + i}C\r\n"));

    private static InspectionResult Inspect(string message, bool record = false)
    {
        var inspector = new MessageInspector(new InspectionOptions { RecordInspectedContent = record }, new DomainSet(["corp.example"]), new DomainSet([]));
        using var doc = MimeDocument.Load(Encoding.Latin1.GetBytes(message));
        return inspector.Inspect(doc, null);
    }

    [Fact]
    public void EmbeddedBase64_AtMinimumLength_Decoded_OneShorter_NotDecoded()
    {
        // Exactly MinBase64Chars on one line is decoded; one character fewer is just a word. ('Q' is
        // not a hex digit: a run of hex digits is read as hex from MinHexChars on.)
        string run = new('Q', EmbeddedBlocks.MinBase64Chars);
        Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes("x " + run + " y"), long.MaxValue));
        Assert.Empty(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes("x " + run[1..] + " y"), long.MaxValue));
    }

    [Fact]
    public void EmbeddedHex_AtMinimumLength_DecodedAsHex()
    {
        string hex = string.Concat(Enumerable.Repeat("4e", EmbeddedBlocks.MinHexChars / 2));
        var block = Assert.Single(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(hex), long.MaxValue));
        Assert.Equal("hex", block.Kind);
        Assert.All(block.Data, b => Assert.Equal((byte)'N', b));
        Assert.Empty(EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(hex[2..]), long.MaxValue));
    }

    [Fact]
    public void EmbeddedBlocks_MoreThanTheLimit_StopAtIt()
    {
        string run = new('Q', EmbeddedBlocks.MinBase64Chars);
        string text = string.Join("\n. ", Enumerable.Repeat(run, EmbeddedBlocks.MaxBlocks + 5));
        Assert.Equal(EmbeddedBlocks.MaxBlocks, EmbeddedBlocks.Find(Encoding.ASCII.GetBytes(text), long.MaxValue).Count);
    }

    [Fact]
    public void EmbeddedBlocks_WrappedBase64AndUuencode_Decoded()
    {
        string b64 = Convert.ToBase64String(Encoding.ASCII.GetBytes(Csv), Base64FormattingOptions.InsertLineBreaks);
        var blocks = EmbeddedBlocks.Find(Encoding.ASCII.GetBytes("Here:\r\n" + b64 + "\r\nbye\r\n"), long.MaxValue);
        Assert.Equal(Csv, Encoding.ASCII.GetString(Assert.Single(blocks).Data));
    }

    [Fact]
    public void RandomBase64InText_DecodesToNothingKnown_NoFinding()
    {
        var random = new Random(7);
        var bytes = new byte[600];
        random.NextBytes(bytes);
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\nSubject: key\r\n\r\nMy key:\r\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks) + "\r\n");
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void HeaderFields_RowsInXFields_AreRead()
    {
        var rows = Csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select((r, i) => $"X-R{i}: {r}\r\n");
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\n" + string.Concat(rows) + "\r\nnothing\r\n");
        Assert.Contains(result.Findings, f => f.Kind == FindingKinds.UkNino && f.Count == 20);
    }

    [Fact]
    public void HeaderFields_PartsFileNames_AreRead()
    {
        // Twenty empty attachments whose names (plain, RFC 2231 and an encoded word) carry the
        // rows: every client shows them beside the message.
        var rows = Csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Replace(',', ' ').Replace('/', '-')).ToList();
        string Part(int i) => (i % 3) switch
        {
            0 => $"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"{rows[i]}.txt\"\r\n\r\n.\r\n",
            1 => $"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''{Uri.EscapeDataString(rows[i])}.txt\r\n\r\n.\r\n",
            _ => $"--b\r\nContent-Type: text/plain; name=\"=?utf-8?q?{rows[i].Replace(' ', '_')}.txt?=\"\r\n\r\n.\r\n",
        };
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + string.Concat(Enumerable.Range(0, 20).Select(Part)) + "--b--\r\n");
        Assert.Contains(result.Findings, f => f.Kind == FindingKinds.UkNino && f.Count == 20);
    }

    [Fact]
    public void HeaderFields_AddressesAndTraceFields_AreNotReadAsText()
    {
        var to = string.Join(", ", Enumerable.Range(0, 30).Select(i => $"Person {i} <p{i}@partner.example>"));
        var result = Inspect($"From: a@corp.example\r\nTo: {to}\r\nReceived: from x (x [10.0.0.1]) by y; Fri, 04 Dec 2026 10:00:00 +0000\r\nSubject: hello\r\n\r\nhi\r\n");
        Assert.DoesNotContain(result.Findings, f => f.Kind is FindingKinds.EmailAddress or FindingKinds.PersonalData);
    }

    [Fact]
    public void SecondReading_HugeToFieldWithADefect_CopyCapsTheField()
    {
        // 900 KB of To addresses plus a defect: MimeKit reads a copy whose fields are cut, so the
        // second reading costs about what the message is, not the 6 GB MimeKit spends on the field.
        string to = string.Join(",\r\n ", Enumerable.Range(0, 36_000).Select(i => $"user{i}@partner.example"));
        string message = "From: a@corp.example\r\nTo: " + to + "\r\nX-Bad line\r\nSubject: s\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = Inspect(message);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, result.SecondReadings);
        Assert.True(allocated < 400_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void HeaderCappedCopy_LongFieldCut_BodyLinesKept()
    {
        string longField = "X-Long: " + new string('v', 20_000) + "\r\n";
        string message = longField + "Subject: s\r\n\r\nbody line: with a colon\r\n" + new string('b', 20_000) + "\r\n";
        using var source = new MemoryStream(Encoding.ASCII.GetBytes(message));
        using var copy = HeaderCappedCopy.Create(source, 1 << 20, CancellationToken.None);
        string text = Encoding.ASCII.GetString(((MemoryStream)copy).ToArray());
        Assert.StartsWith("X-Long: ", text, StringComparison.Ordinal);
        Assert.Equal(HeaderCappedCopy.MaxFieldBytes + 2, text.IndexOf("Subject:", StringComparison.Ordinal));
        Assert.Contains("body line: with a colon\r\n" + new string('b', 20_000), text, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedStructure_WithoutData_IsStillAFinding()
    {
        var result = Inspect("From: a@corp.example\r\nTo: b@partner.example\r\nContent-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n\r\nhello\r\n--XX--\r\n");
        var finding = Assert.Single(result.Findings, f => f.Kind == FindingKinds.MalformedStructure);
        Assert.Contains("Content-Type given twice", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderLimit_IsUnscannableNamingTheLimit()
    {
        var fields = string.Concat(Enumerable.Range(0, 2_001).Select(i => $"X-F{i}: v\r\n"));
        var result = Inspect("From: a@corp.example\r\n" + fields + "\r\nhi\r\n");
        var finding = Assert.Single(result.Findings, f => f.Kind == FindingKinds.Unscannable);
        Assert.Equal(nameof(UnscannableReason.HeaderLimitExceeded), finding.Reason);
        Assert.Contains("header field limit (2,000 fields)", finding.Summary, StringComparison.Ordinal);
    }
}
