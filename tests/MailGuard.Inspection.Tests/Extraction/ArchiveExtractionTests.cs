using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

public class ArchiveExtractionTests
{
    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using Stream s = zip.CreateEntry(name).Open();
                s.Write(content);
            }
        }

        return ms.ToArray();
    }

    [Fact]
    public void Extract_ZipFixture_ExtractsMemberWithChildLocation()
    {
        RecordingSink sink = Extract.Fixture("people.zip");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("people.zip > people.csv", table.Location.FileName);
        Assert.Equal(11, table.Rows.Count);
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Extract_ZipWithComments_TheArchivesAndEachMembersRead()
    {
        // A zip tool shows the archive's comment and each member's beside the files.
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = zip.CreateEntry("readme.txt");
            entry.Comment = "Alice Marsh, DOB 14/03/1987";
            using (Stream s = entry.Open())
            {
                s.Write("see the comments"u8);
            }

            zip.Comment = "Bob Stone, NI AB 12 34 56 C";
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "files.zip");
        Assert.Contains("Bob Stone, NI AB 12 34 56 C\nAlice Marsh, DOB 14/03/1987\n", sink.AllText);
        Assert.Contains("see the comments", sink.AllText);
    }

    [Fact]
    public void Extract_WorkbookSheetNames_ReadAsText()
    {
        // The tabs a reader sees: "A Okafor 21-02-1943 AB123456C" on each is a row of its own.
        var book = Workbooks.OfRows([["Notes"]]);
        using var input = new MemoryStream();
        using (var zip = new ZipArchive(new MemoryStream(book), ZipArchiveMode.Read))
        using (var output = new ZipArchive(input, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open());
                string text = reader.ReadToEnd();
                if (entry.FullName == "xl/workbook.xml")
                {
                    text = text.Replace("name=\"People\"", "name=\"A Okafor 21-02-1943 AB123456C\"", StringComparison.Ordinal);
                }

                using var writer = new StreamWriter(output.CreateEntry(entry.FullName).Open());
                writer.Write(text);
            }
        }

        RecordingSink sink = Extract.Run(input.ToArray(), "book.xlsx");
        Assert.Contains("A Okafor 21-02-1943 AB123456C\n", sink.AllText);
        Assert.Equal("A Okafor 21-02-1943 AB123456C", Assert.Single(sink.Tables).Location.Sheet);
    }

    [Fact]
    public void Extract_SpoolBeyondMemoryLimit_UsesTemporaryFileAndDeletesIt()
    {
        string[] before = Directory.GetFiles(Path.GetTempPath(), "mailguard-*.spool");
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.xlsx"), "people.xlsx", limits: new ExtractionLimits { MaxInMemorySpoolBytes = 0 });
        Assert.Equal(11, Assert.Single(sink.Tables).Rows.Count);
        string[] after = Directory.GetFiles(Path.GetTempPath(), "mailguard-*.spool");
        Assert.Empty(after.Except(before));
    }

    [Fact]
    public void Extract_NestedZipWithFolder_ExtractsInnerMember()
    {
        RecordingSink sink = Extract.Fixture("nested.zip");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("nested.zip > export/2024/people.zip > people.csv", table.Location.FileName);
        Assert.Equal(11, table.Rows.Count);
    }

    [Fact]
    public void Extract_EncryptedZipMember_ReportsEncrypted()
    {
        RecordingSink sink = Extract.Fixture("encrypted.zip");
        var (location, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Encrypted, reason);
        Assert.Equal("encrypted.zip > people.csv", location.FileName);
        Assert.Empty(sink.Tables);
    }

    [Fact]
    public void Extract_XlsxInsideZip_ExtractsDates()
    {
        byte[] zip = Zip(("reports/people.xlsx", Fixtures.Bytes("people.xlsx")));
        RecordingSink sink = Extract.Run(zip, "bundle.zip");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("bundle.zip > reports/people.xlsx", table.Location.FileName);
        Assert.Equal(new DateTime(1987, 3, 14), table.Rows[1].Cells[1].Date);
    }

    [Fact]
    public void Extract_Gzip_ExtractsMemberNamedFromHeader()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(Fixtures.Bytes("people.csv"));
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "people.csv.gz");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("people.csv.gz > people.csv", table.Location.FileName);
        Assert.Equal(11, table.Rows.Count);
    }

    [Fact]
    public void Extract_TarGz_ExtractsMembers()
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "src/"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "src/people.csv") { DataStream = new MemoryStream(Fixtures.Bytes("people.csv")) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "src/readme.txt") { DataStream = new MemoryStream("Read me, please."u8.ToArray()) });
        }

        var gzipped = new MemoryStream();
        using (var gz = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(tar.ToArray());
        }

        RecordingSink sink = Extract.Run(gzipped.ToArray(), "src.tgz");
        Assert.Empty(sink.Unscannable);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal("src.tgz > src.tar > src/people.csv", table.Location.FileName);
        Assert.Equal(11, table.Rows.Count);
        Assert.Contains(sink.Texts, t => t.Text == "Read me, please." && t.Location.FileName == "src.tgz > src.tar > src/readme.txt");
    }

    [Fact]
    public void Extract_EmlInsideZip_IsHandedToTheCaller()
    {
        byte[] eml = Encoding.ASCII.GetBytes("From: a@example.com\r\nTo: b@example.org\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n\r\nBody\r\n");
        byte[] zip = Zip(("mail/fwd.eml", eml));
        var seen = new List<(string Location, int Depth, byte[] Bytes)>();
        RecordingSink sink = Extract.Run(zip, "mails.zip", onMessage: (stream, location, depth, _) =>
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            seen.Add((location.FileName!, depth, copy.ToArray()));
        });
        var (loc, d, bytes) = Assert.Single(seen);
        Assert.Equal("mails.zip > mail/fwd.eml", loc);
        Assert.Equal(1, d);
        Assert.Equal(eml, bytes);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_EmlInsideZipWithoutHandler_IsScannedAsText()
    {
        byte[] eml = Encoding.ASCII.GetBytes("From: a@example.com\r\nTo: b@example.org\r\nSubject: fwd\r\n\r\nNI AB123456C\r\n");
        RecordingSink sink = Extract.Run(Zip(("fwd.eml", eml)), "mails.zip");
        Assert.Contains("AB123456C", sink.AllText);
    }

    /// <summary>
    /// 1 GiB of the digit '0' (text, so the extractor wants to read it all; NUL bytes would
    /// sniff as binary and stop after the sniff window), deflated to about 1 MB, written in
    /// blocks so it is never held uncompressed.
    /// </summary>
    private static byte[] ZipBomb(bool lieAboutSize)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream s = zip.CreateEntry("zeros.csv", CompressionLevel.Optimal).Open();
            byte[] block = new byte[1 << 20];
            block.AsSpan().Fill((byte)'0');
            for (int i = 0; i < 1024; i++)
            {
                s.Write(block);
            }
        }

        byte[] bytes = ms.ToArray();
        if (lieAboutSize)
        {
            // Claim 1 KB uncompressed in the local header and the central directory.
            int cd = IndexOf(bytes, [0x50, 0x4B, 0x01, 0x02]);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(cd + 24), 1024);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(22), 1024);
        }

        return bytes;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().LastIndexOf(needle);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Extract_ZipBomb_StopsOnRatioWithBoundedMemoryAndTime(bool lieAboutSize)
    {
        byte[] bomb = ZipBomb(lieAboutSize);
        Assert.True(bomb.Length < 4 * 1024 * 1024);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        RecordingSink sink = Extract.Run(bomb, "bomb.zip");
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var (location, reason, _) = Assert.Single(sink.Unscannable);
        Assert.True(reason is UnscannableReason.ExpansionRatioExceeded or UnscannableReason.Corrupt, reason.ToString());
        if (!lieAboutSize)
        {
            Assert.Equal(UnscannableReason.ExpansionRatioExceeded, reason);
        }

        Assert.Equal("bomb.zip > zeros.csv", location.FileName);
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated} bytes");
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Extract_GzipBomb_StopsOnRatio()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            byte[] block = new byte[1 << 20];
            block.AsSpan().Fill((byte)' ');
            for (int i = 0; i < 256; i++)
            {
                gz.Write(block);
            }
        }

        RecordingSink sink = Extract.Run(ms.ToArray(), "zeros.txt.gz");
        Assert.Equal(UnscannableReason.ExpansionRatioExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_TotalExpandedOverLimit_ReportsExpandedSizeExceeded()
    {
        // Random letters: text that barely compresses, so only the size limit can stop it.
        var rng = new Random(1);
        byte[] random = new byte[64 * 1024];
        for (int i = 0; i < random.Length; i++)
        {
            random[i] = (byte)(i % 80 == 79 ? '\n' : 'a' + rng.Next(26));
        }

        byte[] zip = Zip(("a.txt", random), ("b.txt", random), ("c.txt", random));
        var limits = new ExtractionLimits { MaxTotalExpandedBytes = 100 * 1024 };
        RecordingSink sink = Extract.Run(zip, "big.zip", limits: limits);
        Assert.Contains(sink.Unscannable, u => u.Reason == UnscannableReason.ExpandedSizeExceeded);
        Assert.DoesNotContain(sink.Unscannable, u => u.Location.FileName == "big.zip > c.txt");
    }

    [Fact]
    public void Extract_EntriesAtLimit_Pass()
    {
        byte[] zip = Zip(("a.txt", "one"u8.ToArray()), ("b.txt", "two"u8.ToArray()), ("c.txt", "three"u8.ToArray()));
        RecordingSink sink = Extract.Run(zip, "three.zip", limits: new ExtractionLimits { MaxEntries = 3 });
        Assert.Empty(sink.Unscannable);
        Assert.Equal(3, sink.Texts.Count);
    }

    [Fact]
    public void Extract_EntriesOverLimit_ReportTooManyParts()
    {
        byte[] zip = Zip(("a.txt", "one"u8.ToArray()), ("b.txt", "two"u8.ToArray()), ("c.txt", "three"u8.ToArray()));
        RecordingSink sink = Extract.Run(zip, "three.zip", limits: new ExtractionLimits { MaxEntries = 2 });
        Assert.Equal(UnscannableReason.TooManyParts, Assert.Single(sink.Unscannable).Reason);
        Assert.Equal(2, sink.Texts.Count);
    }

    [Fact]
    public void Extract_NestingAtLimit_Passes()
    {
        byte[] inner = Zip(("deep.txt", "AB123456C"u8.ToArray()));
        byte[] outer = Zip(("inner.zip", inner));
        RecordingSink sink = Extract.Run(outer, "outer.zip", limits: new ExtractionLimits { MaxNestingDepth = 2 });
        Assert.Empty(sink.Unscannable);
        Assert.Equal("outer.zip > inner.zip > deep.txt", Assert.Single(sink.Texts).Location.FileName);
    }

    [Fact]
    public void Extract_NestingOverLimit_ReportsNestingTooDeep()
    {
        byte[] inner = Zip(("deep.txt", "AB123456C"u8.ToArray()));
        byte[] middle = Zip(("inner.zip", inner));
        byte[] outer = Zip(("middle.zip", middle));
        RecordingSink sink = Extract.Run(outer, "outer.zip", limits: new ExtractionLimits { MaxNestingDepth = 2 });
        var (location, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.NestingTooDeep, reason);
        Assert.Equal("outer.zip > middle.zip > inner.zip", location.FileName);
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_SlowInputOverTimeBudget_ReportsTimeBudgetExceeded()
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Some text line\n", 100_000)));
        var sink = new RecordingSink();
        var limits = new ExtractionLimits { TimeBudget = TimeSpan.FromMilliseconds(100) };
        var slow = new ForwardOnlyStream(new MemoryStream(text), TimeSpan.FromMilliseconds(20));
        var watch = Stopwatch.StartNew();
        ContentExtractor.Extract(slow, "slow.txt", null, Extract.Root, sink, limits, CancellationToken.None);
        Assert.Equal(UnscannableReason.TimeBudgetExceeded, Assert.Single(sink.Unscannable).Reason);
        Assert.True(watch.ElapsedMilliseconds < 3000);
    }

    [Fact]
    public void Extract_CallerCancelled_ReportsTimeBudgetExceeded()
    {
        var sink = new RecordingSink();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        ContentExtractor.Extract(new MemoryStream(Fixtures.Bytes("people.zip")), "p.zip", null, Extract.Root, sink, new ExtractionLimits(), cts.Token);
        Assert.Equal(UnscannableReason.TimeBudgetExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_CellsOverLimit_ReportsExpandedSizeExceeded()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.csv"), "people.csv", limits: new ExtractionLimits { MaxCells = 20 });
        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Single(sink.Unscannable).Reason);
        Assert.Equal(5, sink.Tables[0].Rows.Count);
    }

    [Fact]
    public void Extract_CellsAtLimit_Pass()
    {
        // people.csv: 11 rows of 4 cells.
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.csv"), "people.csv", limits: new ExtractionLimits { MaxCells = 44 });
        Assert.Empty(sink.Unscannable);
        Assert.Equal(11, sink.Tables[0].Rows.Count);
    }

    [Fact]
    public void Extract_CellsOneOverLimit_ReportsExpandedSizeExceeded()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.csv"), "people.csv", limits: new ExtractionLimits { MaxCells = 43 });
        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Single(sink.Unscannable).Reason);
        Assert.Equal(10, sink.Tables[0].Rows.Count);
    }

    [Fact]
    public void Extract_ExpandedBytesAtLimit_Pass()
    {
        byte[] zip = Zip(("a.txt", Encoding.ASCII.GetBytes(new string('x', 999) + "\n")));
        RecordingSink sink = Extract.Run(zip, "a.zip", limits: new ExtractionLimits { MaxTotalExpandedBytes = 1000 });
        Assert.Empty(sink.Unscannable);
    }

    [Fact]
    public void Extract_ExpandedBytesOneOverLimit_ReportsExpandedSizeExceeded()
    {
        byte[] zip = Zip(("a.txt", Encoding.ASCII.GetBytes(new string('x', 999) + "\n")));
        RecordingSink sink = Extract.Run(zip, "a.zip", limits: new ExtractionLimits { MaxTotalExpandedBytes = 999 });
        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_CorruptZipMember_ReportsCorruptAndContinues()
    {
        byte[] zip = Zip(("bad.xlsx", Fixtures.Bytes("people.xlsx")[..1000]), ("good.txt", "still read"u8.ToArray()));
        RecordingSink sink = Extract.Run(zip, "mixed.zip");
        var (location, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Corrupt, reason);
        Assert.Equal("mixed.zip > bad.xlsx", location.FileName);
        Assert.Equal("still read", Assert.Single(sink.Texts).Text);
    }
}
