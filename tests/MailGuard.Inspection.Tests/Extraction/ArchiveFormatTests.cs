using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Issue 11 §2: bzip2, xz, 7z, RAR and zip members in methods beyond deflate are read (with
/// SharpCompress, behind our guards) instead of being given up as unscannable. Fixtures come
/// from Fixtures/make-archive-fixtures.sh; RAR is built here (no RAR writer is packaged).
/// </summary>
public sealed class ArchiveFormatTests
{
    [Theory]
    [InlineData("people.csv.bz2", ContentFormat.Bzip2)]
    [InlineData("people.csv.xz", ContentFormat.Xz)]
    [InlineData("people.tar.bz2", ContentFormat.Bzip2)]
    [InlineData("people.7z", ContentFormat.SevenZip)]
    [InlineData("people-bzip2.7z", ContentFormat.SevenZip)]
    [InlineData("people-bzip2.zip", ContentFormat.Zip)]
    [InlineData("people-lzma.zip", ContentFormat.Zip)]
    [InlineData("people-ppmd.zip", ContentFormat.Zip)]
    [InlineData("people-deflate64.zip", ContentFormat.Zip)]
    public void Extract_PeopleCsvInFormat_YieldsPersonalDataAndNino(string fixture, ContentFormat expected)
    {
        byte[] bytes = Fixtures.Bytes(fixture);
        var sink = new RecordingSink();
        ContentFormat format = ContentExtractor.Extract(new ForwardOnlyStream(new MemoryStream(bytes)), fixture, null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None);
        Assert.Equal(expected, format);
        Assert.Empty(sink.Unscannable);
        Assert.Empty(sink.Mismatches);
        Assert.EndsWith("people.csv", Assert.Single(sink.Tables).Location.FileName, StringComparison.Ordinal);
        ArchiveLimitFindingsTests.AssertPeopleFound(ArchiveLimitFindingsTests.Findings(bytes, fixture));
    }

    [Theory]
    [InlineData("people-encrypted.7z")]
    [InlineData("people-encrypted-names.7z")]
    public void Extract_PasswordProtected7z_IsPasswordProtected(string fixture)
    {
        RecordingSink sink = Extract.Fixture(fixture);
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.True(reason == UnscannableReason.PasswordProtected, detail);
        Assert.Contains("password-protected 7z", detail, StringComparison.Ordinal);
        Assert.Empty(sink.Tables);
    }

    [Fact]
    public void Extract_StoredRar4_YieldsPersonalData()
    {
        byte[] rar = StoredRar4("people.csv", Fixtures.Bytes("people.csv"), encrypted: false);
        RecordingSink sink = Extract.Run(rar, "people.rar");
        Assert.Empty(sink.Unscannable);
        Assert.Equal("people.rar > people.csv", Assert.Single(sink.Tables).Location.FileName);
        ArchiveLimitFindingsTests.AssertPeopleFound(ArchiveLimitFindingsTests.Findings(rar, "people.rar"));
    }

    [Fact]
    public void Extract_EncryptedRar4Member_IsPasswordProtected()
    {
        byte[] rar = StoredRar4("people.csv", Fixtures.Bytes("people.csv"), encrypted: true);
        RecordingSink sink = Extract.Run(rar, "people.rar");
        var (location, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.PasswordProtected, reason);
        Assert.Equal("people.rar > people.csv", location.FileName);
        Assert.Empty(sink.Tables);
    }

    [Fact]
    public void Extract_Rar5Signature_IsSniffedAsRar()
    {
        // RAR 5 signature "Rar!\x1A\x07\x01\x00" followed by nothing readable: sniffed as RAR, then corrupt, never clean.
        byte[] bytes = [.. "Rar!\x1A\x07\x01\x00"u8, .. new byte[64]];
        var sink = new RecordingSink();
        ContentFormat format = ContentExtractor.Extract(new MemoryStream(bytes), "x.rar", null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None);
        Assert.Equal(ContentFormat.Rar, format);
        Assert.NotEmpty(sink.Unscannable);
    }

    [Fact]
    public void Extract_Bzip2Bomb_StopsOnRatio()
    {
        var ms = new MemoryStream();
        using (var bz = SharpCompress.Compressors.BZip2.BZip2Stream.Create(ms, SharpCompress.Compressors.CompressionMode.Compress, decompressConcatenated: false, leaveOpen: true))
        {
            byte[] block = new byte[1 << 20];
            block.AsSpan().Fill((byte)' ');
            for (int i = 0; i < 32; i++)
            {
                bz.Write(block);
            }
        }

        var watch = Stopwatch.StartNew();
        RecordingSink sink = Extract.Run(ms.ToArray(), "spaces.txt.bz2");
        var (location, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.ExpansionRatioExceeded, reason);
        Assert.Equal("spaces.txt.bz2 > spaces.txt", location.FileName);
        Assert.Contains("expansion ratio limit (100:1)", detail, StringComparison.Ordinal);
        Assert.True(watch.ElapsedMilliseconds < 5000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Extract_XzOverExpandedSizeLimit_IsReported()
    {
        byte[] xz = Fixtures.Bytes("people.csv.xz");
        RecordingSink sink = Extract.Run(xz, "people.csv.xz", limits: new ExtractionLimits { MaxTotalExpandedBytes = 100 });
        Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_7zNestedAtDepthLimit_ReportsNesting()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.7z"), "people.7z", limits: new ExtractionLimits { MaxNestingDepth = 1 });
        Assert.Empty(sink.Unscannable);
        var sink2 = new RecordingSink();
        ContentExtractor.Extract(new MemoryStream(Fixtures.Bytes("people.7z")), "people.7z", null, Extract.Root, sink2, new ExtractionLimits { MaxNestingDepth = 1 }, CancellationToken.None, nestingDepth: 1);
        Assert.Equal(UnscannableReason.NestingTooDeep, Assert.Single(sink2.Unscannable).Reason);
    }

    [Fact]
    public void Extract_7zEntriesCountAgainstTheEntryLimit()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.7z"), "people.7z", limits: new ExtractionLimits { MaxEntries = 1 });
        Assert.Empty(sink.Unscannable);
        byte[] zipOf7z = ZipOf(("people.7z", Fixtures.Bytes("people.7z")));
        sink = Extract.Run(zipOf7z, "outer.zip", limits: new ExtractionLimits { MaxEntries = 1 });
        Assert.Equal(UnscannableReason.TooManyParts, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_Truncated7z_IsUnscannableNeverThrows()
    {
        byte[] bytes = Fixtures.Bytes("people.7z")[..200];
        RecordingSink sink = Extract.Run(bytes, "people.7z");
        Assert.NotEmpty(sink.Unscannable);
    }

    private static byte[] ZipOf(params (string Name, byte[] Content)[] entries) => Zips.Of(entries);

    /// <summary>
    /// A RAR 4 archive with one stored (method 0x30) member: marker block, archive header, file
    /// header, data, end-of-archive block, each header with the low 16 bits of its CRC-32 (the
    /// RAR 4 technote). With <paramref name="encrypted"/> the file header carries the password
    /// flag (0x04), as WinRAR sets for an encrypted member.
    /// </summary>
    internal static byte[] StoredRar4(string name, byte[] data, bool encrypted)
    {
        var output = new MemoryStream();
        output.Write("Rar!\x1A\x07\x00"u8);
        WriteBlock(output, 0x73, 0x0000, new byte[6]);

        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        var body = new byte[25 + nameBytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(0), (uint)data.Length); // PACK_SIZE
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), (uint)data.Length); // UNP_SIZE
        body[8] = 3; // HOST_OS: Unix
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(9), Crc32(data)); // FILE_CRC
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(13), 0x5C210000); // FTIME (DOS date 2026-01-01)
        body[17] = 29; // UNP_VER 2.9
        body[18] = 0x30; // METHOD: store
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(19), (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(21), 0x81A4); // ATTR: -rw-r--r--
        nameBytes.CopyTo(body, 25);
        ushort flags = (ushort)(0x8000 | (encrypted ? 0x0004 : 0));
        WriteBlock(output, 0x74, flags, body);
        output.Write(data);
        WriteBlock(output, 0x7B, 0x4000, []);
        return output.ToArray();
    }

    private static void WriteBlock(Stream output, byte type, ushort flags, byte[] rest)
    {
        var header = new byte[7 + rest.Length];
        header[2] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(3), flags);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(5), (ushort)header.Length);
        rest.CopyTo(header, 7);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(0), (ushort)(Crc32(header.AsSpan(2)) & 0xFFFF));
        output.Write(header);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
