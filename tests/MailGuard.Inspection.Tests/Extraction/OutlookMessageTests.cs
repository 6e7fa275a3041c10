using System.Text;
using MailGuard.Inspection.Extraction;
using MailGuard.Inspection.Tests.Detection;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Outlook items saved as files (.msg): what Outlook attaches when a message is dragged into
/// another. Read as a forwarded message is, attachments and attached items included.
/// </summary>
public sealed class OutlookMessageTests
{
    private static string PeopleCsv(int count) =>
        "Name,Date of birth,NI number\r\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"{TestData.Forename(i)} {TestData.Surname(i)},{TestData.Dob(i)},{TestData.Nino(i)}\r\n"));

    // An item with a subject, a sender, two recipients, a body and the given attachments.
    private static int Message(CompoundFileWriter file, int storage, string subject, string? body, params (string Name, byte[] Data)[] attachments)
    {
        file.Stream(storage, "__properties_version1.0", new byte[32]);
        file.Text(storage, "0037", subject);
        file.Text(storage, "0C1A", "Jo Bloggs");
        file.Text(storage, "0E04", "Karen Holt; Tom Lowe");
        if (body is not null)
        {
            file.Text(storage, "1000", body);
        }

        for (int i = 0; i < 2; i++)
        {
            int recipient = file.Storage(storage, $"__recip_version1.0_#{i:X8}");
            file.Text(recipient, "3001", i == 0 ? "Karen Holt" : "Tom Lowe");
            file.Text(recipient, "39FE", i == 0 ? "karen.holt@example.net" : "tom.lowe@example.net");
        }

        for (int i = 0; i < attachments.Length; i++)
        {
            int attachment = file.Storage(storage, $"__attach_version1.0_#{i:X8}");
            file.Text(attachment, "3707", attachments[i].Name);
            file.Stream(attachment, "__substg1.0_37010102", attachments[i].Data);
        }

        return storage;
    }

    [Fact]
    public void Extract_Msg_HeadersBodyAndAttachments()
    {
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Claimants", "Please see the list.\r\nJo", ("people.csv", Encoding.UTF8.GetBytes(PeopleCsv(20))));

        RecordingSink sink = Extract.Run(file.ToArray(), "fwd.msg");

        Assert.Contains("Subject: Claimants\nFrom: Jo Bloggs\nTo: Karen Holt; Tom Lowe\nRecipient: Karen Holt <karen.holt@example.net>\n", sink.AllText, StringComparison.Ordinal);
        Assert.Contains("Please see the list.", sink.AllText, StringComparison.Ordinal);
        var table = Assert.Single(sink.Tables);
        Assert.Equal("fwd.msg > people.csv", table.Location.FileName);
        Assert.Equal(21, table.Rows.Count);
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Extract_MsgInsideMsg_AttachedItemRead()
    {
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Fwd: Claimants", "FYI");
        int attachment = file.Storage(CompoundFileWriter.Root, "__attach_version1.0_#00000009");
        file.Text(attachment, "3707", "Claimants.msg");
        int inner = file.Storage(attachment, "__substg1.0_3701000D");
        Message(file, inner, "Claimants", "See attached.", ("people.csv", Encoding.UTF8.GetBytes(PeopleCsv(20))));

        RecordingSink sink = Extract.Run(file.ToArray(), "fwd.msg");

        Assert.Equal("fwd.msg > Claimants.msg > people.csv", Assert.Single(sink.Tables).Location.FileName);
    }

    // A table of people in RTF, as Word and Outlook write one: \\intbl ... \\cell ... \\row.
    private static string PeopleRtf(int count) =>
        "{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Calibri;}}\\pard Please see below.\\par\r\n"
        + "\\trowd\\cellx2000\\cellx4000\\cellx6000\\intbl Name\\cell Date of birth\\cell NI number\\cell\\row\r\n"
        + string.Concat(Enumerable.Range(0, count).Select(i => $"\\trowd\\cellx2000\\cellx4000\\cellx6000\\intbl {TestData.Forename(i)} {TestData.Surname(i)}\\cell {TestData.Dob(i)}\\cell {TestData.Nino(i)}\\cell\\row\r\n"))
        + "\\pard Regards\\par}";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Inspect_MsgWhoseRtfBodyCarriesAList_PeopleCounted(bool compressed)
    {
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Claimants", body: null);
        var rtf = Encoding.ASCII.GetBytes(PeopleRtf(20));
        file.Stream(CompoundFileWriter.Root, "__substg1.0_10090102", compressed ? CompressedRtf.Lzfu(rtf) : CompressedRtf.Stored(rtf));

        var findings = TestData.InspectAttachment("Claimants.msg", "application/vnd.ms-outlook", file.ToArray()).Findings;

        Assert.Equal(20, Assert.Single(findings, f => f.Kind == FindingKinds.PersonalData).Count);
        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.Unscannable);
    }

    [Fact]
    public void Inspect_MsgWithAHarmlessPlainBodyAndAListInItsRtf_RtfRead()
    {
        // Outlook shows the item's own choice of rendering: a plain-text body saying nothing
        // must not stand in for the RTF one beside it.
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Claimants", "Nothing to see here.");
        file.Stream(CompoundFileWriter.Root, "__substg1.0_10090102", CompressedRtf.Lzfu(Encoding.ASCII.GetBytes(PeopleRtf(20))));

        var findings = TestData.InspectAttachment("Claimants.msg", "application/vnd.ms-outlook", file.ToArray()).Findings;

        Assert.Equal(20, Assert.Single(findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Theory]
    [InlineData(300_000, false)]
    [InlineData(600_000, true)]
    public void Extract_MsgWhoseRtfBodyInflatesPastTheExpansionLimit_Stops(int size, bool stopped)
    {
        // The compressed stream read (about 9/8 of the RTF here) and the RTF it inflates to both
        // count: 300 KB of RTF stays under a 1,000,000-byte limit, 600 KB does not.
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Notes", body: null);
        var rtf = Encoding.ASCII.GetBytes("{\\rtf1 " + new string('a', size - 8) + "}");
        file.Stream(CompoundFileWriter.Root, "__substg1.0_10090102", CompressedRtf.Lzfu(rtf));

        RecordingSink sink = Extract.Run(file.ToArray(), "notes.msg", limits: new ExtractionLimits { MaxTotalExpandedBytes = 1_000_000 });

        Assert.Equal(stopped, sink.Unscannable.Any(u => u.Reason == UnscannableReason.ExpandedSizeExceeded));
        Assert.Equal(!stopped, sink.AllText.Contains("aaaa", StringComparison.Ordinal));
    }

    [Fact]
    public void Extract_MsgWithADamagedCompressedRtfBody_Reported()
    {
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Notes", body: null);
        var damaged = CompressedRtf.Lzfu(Encoding.ASCII.GetBytes(PeopleRtf(3)));
        damaged[^3] ^= 0x20;
        file.Stream(CompoundFileWriter.Root, "__substg1.0_10090102", damaged);

        RecordingSink sink = Extract.Run(file.ToArray(), "notes.msg");

        Assert.Equal(UnscannableReason.Corrupt, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Inspect_MsgAttachmentCarryingAList_PeopleCounted()
    {
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Claimants", "List attached", ("people.csv", Encoding.UTF8.GetBytes(PeopleCsv(20))));

        var findings = TestData.InspectAttachment("Claimants.msg", "application/vnd.ms-outlook", file.ToArray()).Findings;

        var personal = Assert.Single(findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(20, personal.Count);
        Assert.Equal("Claimants.msg > people.csv, rows 2-21", personal.Location.ToString());
        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.Unscannable);
    }

    [Fact]
    public void Extract_MsgReadingPastTheExpansionLimit_Stops()
    {
        // Directory entries may point at the same sectors; what is read counts as expanded bytes.
        var file = new CompoundFileWriter();
        Message(file, CompoundFileWriter.Root, "Big", "Body", ("a.txt", Encoding.ASCII.GetBytes(new string('a', 600_000))), ("b.txt", Encoding.ASCII.GetBytes(new string('b', 600_000))));

        RecordingSink sink = Extract.Run(file.ToArray(), "big.msg", limits: new ExtractionLimits { MaxTotalExpandedBytes = 1_000_000 });

        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void Extract_MsgNestedPastTheNestingLimit_Reported(int levels, bool reported)
    {
        // Items attached to items, the innermost carrying the list; with a nesting limit of 3,
        // two levels of attached items are read and a third is reported.
        var file = new CompoundFileWriter();
        var storage = Message(file, CompoundFileWriter.Root, "Outer", "FYI");
        for (int level = 0; level < levels; level++)
        {
            int attachment = file.Storage(storage, "__attach_version1.0_#00000009");
            file.Text(attachment, "3707", $"level{level + 1}.msg");
            storage = Message(file, file.Storage(attachment, "__substg1.0_3701000D"), $"Level {level + 1}", "See attached.");
        }

        int list = file.Storage(storage, "__attach_version1.0_#00000000");
        file.Text(list, "3707", "people.csv");
        file.Stream(list, "__substg1.0_37010102", Encoding.UTF8.GetBytes(PeopleCsv(3)));

        RecordingSink sink = Extract.Run(file.ToArray(), "outer.msg", limits: new ExtractionLimits { MaxNestingDepth = 3 });

        Assert.Equal(reported, sink.Unscannable.Any(u => u.Reason == UnscannableReason.NestingTooDeep));
        Assert.Equal(!reported, sink.Tables.Count == 1);
    }
}

/// <summary>
/// PR_RTF_COMPRESSED as [MS-OXRTFCP] lays it out: a 16-byte header (sizes, "LZFu" or "MELA",
/// CRC-32 of what follows) and the data. The LZFu form here carries every byte as a literal and
/// ends with the reference to the write position that marks the end.
/// </summary>
internal static class CompressedRtf
{
    private const int PreloadedLength = 207;

    public static byte[] Stored(byte[] rtf) => Frame(rtf, rtf.Length, "MELA"u8, crc: 0);

    public static byte[] Lzfu(byte[] rtf)
    {
        var data = new List<byte>();
        for (int i = 0; i < rtf.Length; i += 8)
        {
            data.Add(0);
            data.AddRange(rtf.AsSpan(i, Math.Min(8, rtf.Length - i)).ToArray());
        }

        // The end marker: a reference (control bit set) to the dictionary's write position.
        int end = (PreloadedLength + rtf.Length) % 4096;
        data.Add(1);
        data.Add((byte)(end >> 4));
        data.Add((byte)((end & 0xF) << 4));
        var bytes = data.ToArray();
        return Frame(bytes, rtf.Length, "LZFu"u8, Crc(bytes));
    }

    private static byte[] Frame(byte[] data, int rawSize, ReadOnlySpan<byte> type, uint crc)
    {
        var framed = new byte[16 + data.Length];
        BitConverter.TryWriteBytes(framed.AsSpan(0), data.Length + 12);
        BitConverter.TryWriteBytes(framed.AsSpan(4), rawSize);
        type.CopyTo(framed.AsSpan(8));
        BitConverter.TryWriteBytes(framed.AsSpan(12), crc);
        data.CopyTo(framed, 16);
        return framed;
    }

    // CRC-32 (polynomial 0xEDB88320) started at 0 with no final inversion, as the format has it.
    private static uint Crc(byte[] data)
    {
        uint crc = 0;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return crc;
    }
}
