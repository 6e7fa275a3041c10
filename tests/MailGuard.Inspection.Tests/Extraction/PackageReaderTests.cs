using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// A fact that needs Debian's libdeflate0: skipped with the reason shown when it is missing,
/// except under CI=true, where it must be there (.ci/run installs it).
/// </summary>
internal sealed class RequiresLibdeflateFactAttribute : FactAttribute
{
    public RequiresLibdeflateFactAttribute()
    {
        if (!MailGuard.Testing.RepoPaths.IsCi && !Libdeflate.IsAvailable)
        {
            Skip = "libdeflate not installed (apt-get install libdeflate0); runs in CI";
        }
    }
}

/// <summary>
/// A package's parts decoded whole by libdeflate must be exactly what the streaming reader
/// gives, or be refused exactly as it refuses them: packages are generated with the shapes
/// producers and attackers write (every compression level, stored members, empty and large
/// members, non-ASCII and repeated names, random and regular content) and then mutated (bytes
/// deleted, doubled, replaced in headers, directory and data), and every part is read both ways.
/// </summary>
public sealed class PackageReaderTests
{
    [RequiresLibdeflateFact]
    public void GeneratedAndMutatedPackages_WholeAndStreamed_SameBytesOrSameRefusal()
    {
        Assert.True(Libdeflate.IsAvailable, "libdeflate is not installed (apt-get install libdeflate0)");
        var random = new Random(1414);
        int whole = 0;
        int mutatedWhole = 0;
        int scannedInPlace = 0;
        for (int round = 0; round < 400; round++)
        {
            byte[] zip = Package(random);
            bool mutated = round % 2 == 1;
            if (mutated)
            {
                zip = Mutate(random, zip, random.Next(1, 4));
            }

            string streamed = ReadAll(zip, decodeWhole: false, out int none);
            string decoded = ReadAll(zip, decodeWhole: true, out int wholeParts);
            Assert.Equal(0, none);
            Assert.Equal(streamed, decoded);

            // And as the XML scanner reads them: a part decoded whole is scanned in place.
            Assert.Equal(ScanAll(zip, decodeWhole: false, out int copied), ScanAll(zip, decodeWhole: true, out int inPlace));
            Assert.Equal(0, copied);
            scannedInPlace += inPlace;
            whole += wholeParts;
            mutatedWhole += mutated ? wholeParts : 0;
        }

        // The whole path is the one tested, on intact and on mutated packages.
        Assert.True(whole > 250, $"only {whole} parts decoded whole ({mutatedWhole} of mutated packages)");
        Assert.True(mutatedWhole > 40, $"only {mutatedWhole} parts of mutated packages decoded whole ({whole} in all)");
        Assert.True(scannedInPlace > 200, $"only {scannedInPlace} parts scanned in place");
    }

    [RequiresLibdeflateFact]
    public void PartsDecodedWhole_ScannedInPlace_SameTokensAsStreamed_Utf16Transcoded()
    {
        // A sheet as Excel writes it, with a byte order mark, and as UTF-16 both ways round (with
        // and without a mark): the scanner reads the UTF-8 ones where they were decoded and
        // transcodes the UTF-16 ones, to the same tokens as streaming them.
        string xml = "<?xml version=\"1.0\"?><worksheet><sheetData>"
            + string.Concat(Enumerable.Range(1, 2000).Select(r => $"<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>Zoë &amp; {r}</t></is></c></row>")) + "</sheetData></worksheet>";
        var shapes = new (byte[] Bytes, bool InPlace)[]
        {
            (Encoding.UTF8.GetBytes(xml), true),
            ([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(xml)], true),
            ([0xFF, 0xFE, .. Encoding.Unicode.GetBytes(xml)], false),
            (Encoding.Unicode.GetBytes(xml), false),
            ([0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(xml)], false),
        };

        foreach (var (bytes, inPlace) in shapes)
        {
            byte[] zip = Zips.Of([("xl/worksheets/sheet1.xml", bytes)]);
            string streamed = ScanAll(zip, decodeWhole: false, out _);
            Assert.Equal(streamed, ScanAll(zip, decodeWhole: true, out int scannedInPlace));
            Assert.Equal(inPlace ? 1 : 0, scannedInPlace);

            // And the text is the sheet's, whichever way round it was written.
            using var reader = new PackageReader(Context(), new MemoryStream(zip), "p.xlsx");
            using var scanner = new ByteXmlScanner(reader.Open("xl/worksheets/sheet1.xml")!);
            string last = string.Empty;
            while (scanner.Next() != XmlToken.None)
            {
                last = scanner.Token == XmlToken.Text ? Encoding.UTF8.GetString(scanner.RawText) : last;
            }

            Assert.Equal("Zoë &amp; 2000", last);
        }
    }

    [RequiresLibdeflateFact]
    public void PartDecodedWhole_PastTheExpandedTotal_RefusedAsStreamed()
    {
        // Scanned in place, a part is counted against the message's expanded total at once: one
        // past the total is refused as streaming refuses it; at the total, read.
        byte[] sheet = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 3000).Select(r => $"<row r=\"{r}\"><c r=\"A{r}\"><v>{r * 7919 % 10007}</v></c></row>")));
        byte[] zip = Zips.Of([("xl/worksheets/sheet1.xml", sheet)]);
        foreach (var (limit, refused) in new[] { (sheet.Length - 1L, true), (sheet.Length, false) })
        {
            foreach (bool decodeWhole in new[] { true, false })
            {
                var context = new ExtractionContext(new RecordingSink(), new ExtractionLimits { MaxTotalExpandedBytes = limit }, null, CancellationToken.None, CancellationToken.None);
                using var reader = new PackageReader(context, new MemoryStream(zip), "p.xlsx", decodeWhole);
                void Scan()
                {
                    using var xml = new ByteXmlScanner(reader.Open("xl/worksheets/sheet1.xml")!);
                    Assert.Equal(decodeWhole, xml.InPlace);
                    while (xml.Next() != XmlToken.None)
                    {
                    }
                }

                if (refused)
                {
                    Assert.Equal(UnscannableReason.ExpandedSizeExceeded, Assert.Throws<ExtractionLimitException>(Scan).Reason);
                }
                else
                {
                    Scan();
                }
            }
        }
    }

    // Each part by name as the XML scanner reads it: its tokens (kind and text) hashed, or the
    // exception that stopped it. scannedInPlace counts the parts read where they were decoded.
    private static string ScanAll(byte[] zip, bool decodeWhole, out int scannedInPlace)
    {
        scannedInPlace = 0;
        var text = new StringBuilder();
        try
        {
            using var reader = new PackageReader(Context(), new MemoryStream(zip), "p.zip", decodeWhole);
            foreach (string name in reader.PartNames.Distinct(StringComparer.Ordinal).ToList())
            {
                text.Append(name).Append(": ");
                var tokens = new StringBuilder();
                try
                {
                    Stream? part = reader.Open(name);
                    if (part is null)
                    {
                        text.Append("missing\n");
                        continue;
                    }

                    using var xml = new ByteXmlScanner(part);
                    scannedInPlace += xml.InPlace ? 1 : 0;
                    for (var token = xml.Next(); token != XmlToken.None; token = xml.Next())
                    {
                        tokens.Append((int)token).Append(token == XmlToken.Text ? Encoding.UTF8.GetString(xml.RawText) : Encoding.UTF8.GetString(xml.LocalName)).Append('|');
                    }

                    text.Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(tokens.ToString())))).Append('\n');
                }
                catch (Exception e) when (e is InvalidDataException or ExtractionLimitException or NotSupportedException or IOException or DecoderFallbackException)
                {
                    // Where it stopped is part of the answer: the tokens before the refusal too.
                    text.Append(e.GetType().Name).Append(' ').Append(tokens.Length).Append('\n');
                }
            }
        }
        catch (InvalidDataException)
        {
            return "refused";
        }

        return text.ToString();
    }

    [RequiresLibdeflateFact]
    public void SheetPart_ByDefault_DecodedWholeToItsBytes()
    {
        byte[] sheet = Encoding.UTF8.GetBytes("<worksheet><sheetData>"
            + string.Concat(Enumerable.Range(1, 3000).Select(r => $"<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>{r % 97}</v></c></row>")) + "</sheetData></worksheet>");
        byte[] package = Zips.Of([("xl/worksheets/sheet1.xml", sheet)]);
        using var reader = new PackageReader(Context(), new MemoryStream(package), "people.xlsx");
        var read = new MemoryStream();
        using (var part = reader.Open("xl/worksheets/sheet1.xml"))
        {
            Assert.NotNull(part);
            part.CopyTo(read);
        }

        Assert.Equal(sheet, read.ToArray());
        Assert.Equal(1, reader.PartsDecodedWhole);
    }

    [RequiresLibdeflateFact]
    public void PartsPastTheRatioOrTheWholeSize_Streamed_SameAsBefore()
    {
        // 4 MB of zeros is about 4 KB deflated, far past the 100:1 ratio: the streaming guard
        // refuses it as before. 17 MB of text is past the whole-part size: streamed, same bytes.
        var text = new byte[17 * 1024 * 1024];
        var random = new Random(7);
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = (byte)('a' + random.Next(16));
        }

        byte[] package = Zips.Of([("xl/worksheets/sheet1.xml", new byte[4 * 1024 * 1024], CompressionLevel.Optimal), ("xl/sharedStrings.xml", text, CompressionLevel.Fastest)]);

        foreach (bool decodeWhole in new[] { true, false })
        {
            using var reader = new PackageReader(Context(), new MemoryStream(package), "big.xlsx", decodeWhole);
            using (var part = reader.Open("xl/worksheets/sheet1.xml"))
            {
                var refused = Assert.Throws<ExtractionLimitException>(() => part!.CopyTo(Stream.Null));
                Assert.Equal(UnscannableReason.ExpansionRatioExceeded, refused.Reason);
            }

            var read = new MemoryStream();
            using (var part = reader.Open("xl/sharedStrings.xml"))
            {
                part!.CopyTo(read);
            }

            Assert.Equal(text, read.ToArray());
            Assert.Equal(0, reader.PartsDecodedWhole);
        }
    }

    [RequiresLibdeflateFact]
    public void PartDecodedWhole_WhileAnotherStreams_NeitherDisturbed()
    {
        // Decoding a part whole moves the package stream; a part being streamed meanwhile (here a
        // stored one, which always streams) must go on from where it was.
        var random = new Random(3);
        byte[] stored = new byte[200_000];
        byte[] sheet = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"<row r=\"{i}\"/>")));
        random.NextBytes(stored);
        byte[] package = Zips.Of([("a.bin", stored, CompressionLevel.NoCompression), ("xl/worksheets/sheet1.xml", sheet, CompressionLevel.Optimal)]);
        using var reader = new PackageReader(Context(), new MemoryStream(package), "p.xlsx");
        using var first = reader.Open("a.bin")!;
        var read = new byte[stored.Length];
        first.ReadExactly(read, 0, 1000);
        var whole = new MemoryStream();
        using (var second = reader.Open("xl/worksheets/sheet1.xml")!)
        {
            second.CopyTo(whole);
        }

        first.ReadExactly(read, 1000, read.Length - 1000);
        Assert.Equal(stored, read);
        Assert.Equal(sheet, whole.ToArray());
        Assert.Equal(1, reader.PartsDecodedWhole);
    }

    [RequiresLibdeflateFact]
    public void BytesAfterTheFinalBlock_StreamedNotDecodedWhole()
    {
        // Found by a longer run of the generated test: a final block before the end of a part's
        // compressed bytes. libdeflate stops at that block; the streaming reader reads on (and
        // refused the random bytes after it). Such a part, and one shorter than its stated size,
        // is streamed, so the streaming reader decides as it always did.
        byte[] first = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 2000).Select(i => $"<row r=\"{i}\"/>")));
        byte[] deflated = Deflate(first);
        var random = new Random(5);
        byte[] trailing = new byte[500];
        random.NextBytes(trailing);
        foreach (var (data, length) in new[] { ([.. deflated, .. trailing], first.Length), ([.. deflated, .. Deflate(first)], first.Length * 2), (deflated, first.Length + 1) })
        {
            byte[] zip = OneMemberZip("xl/worksheets/sheet1.xml", data, length);
            Assert.Equal(ReadAll(zip, decodeWhole: false, out _), ReadAll(zip, decodeWhole: true, out int whole));
            Assert.Equal(0, whole);
        }

        // The same member without anything after its final block, at its own size, is decoded whole.
        Assert.Equal(ReadAll(OneMemberZip("xl/worksheets/sheet1.xml", deflated, first.Length), decodeWhole: false, out _),
            ReadAll(OneMemberZip("xl/worksheets/sheet1.xml", deflated, first.Length), decodeWhole: true, out int plain));
        Assert.Equal(1, plain);
    }

    private static byte[] Deflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    // A zip of one DEFLATE member whose compressed bytes are exactly data and whose stated size is length.
    private static byte[] OneMemberZip(string name, byte[] data, int length)
    {
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        var zip = new MemoryStream();
        var w = new BinaryWriter(zip);
        void Common()
        {
            w.Write((ushort)20);
            w.Write((ushort)0);
            w.Write((ushort)8);
            w.Write(0u);
            w.Write(0u);
            w.Write((uint)data.Length);
            w.Write((uint)length);
            w.Write((ushort)nameBytes.Length);
            w.Write((ushort)0);
        }

        w.Write(0x04034b50u);
        Common();
        w.Write(nameBytes);
        w.Write(data);
        long directory = zip.Position;
        w.Write(0x02014b50u);
        w.Write((ushort)20);
        Common();
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write(0u);
        w.Write(0u);
        w.Write(nameBytes);
        long directorySize = zip.Position - directory;
        w.Write(0x06054b50u);
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)1);
        w.Write((ushort)1);
        w.Write((uint)directorySize);
        w.Write((uint)directory);
        w.Write((ushort)0);
        w.Flush();
        return zip.ToArray();
    }

    [RequiresLibdeflateFact]
    public void PartAtTheWholeSize_DecodedWhole_OneByteMoreStreamed()
    {
        // MaxWholePartBytes is the largest part decoded whole; one byte more and it streams. Both
        // read to the same bytes.
        var random = new Random(16);
        byte[] text = new byte[PackageReader.MaxWholePartBytes + 1];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = (byte)('a' + random.Next(16));
        }

        foreach (var (length, whole) in new[] { (PackageReader.MaxWholePartBytes, 1), (PackageReader.MaxWholePartBytes + 1, 0) })
        {
            byte[] content = text[..length];
            using var reader = new PackageReader(Context(), new MemoryStream(Zips.Of([("xl/sharedStrings.xml", content)], CompressionLevel.Fastest)), "big.xlsx");
            var read = new MemoryStream();
            using (var part = reader.Open("xl/sharedStrings.xml"))
            {
                part!.CopyTo(read);
            }

            Assert.True(content.AsSpan().SequenceEqual(read.ToArray()), $"{length} bytes read back differently");
            Assert.Equal(whole, reader.PartsDecodedWhole);
        }
    }

    [Fact]
    public void Directory_AtItsLimit_Listed_OneByteSmallerLimitNothing()
    {
        // A directory of exactly the bytes allowed is read; with one byte less allowed, nothing is
        // listed (every part then streams). The size is the end record's own.
        byte[] package = Zips.Of(Enumerable.Range(0, 40).Select(i => ($"xl/worksheets/sheet{i}.xml", Encoding.ASCII.GetBytes($"<row r=\"{i}\"/>"))));
        int end = package.AsSpan().LastIndexOf("PK\x05\x06"u8);
        int size = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(package.AsSpan(end + 12));
        Assert.Equal(40, ZipDirectory.Read(new MemoryStream(package), size).Count);
        Assert.Equal(0, ZipDirectory.Read(new MemoryStream(package), size - 1).Count);
    }

    private static ExtractionContext Context() =>
        new(new RecordingSink(), new ExtractionLimits(), null, CancellationToken.None, CancellationToken.None);

    // Each part by name: its length and hash, or the exception reading it; or the package's refusal.
    private static string ReadAll(byte[] zip, bool decodeWhole, out int decodedWhole)
    {
        decodedWhole = 0;
        var text = new StringBuilder();
        PackageReader reader;
        try
        {
            reader = new PackageReader(Context(), new MemoryStream(zip), "p.zip", decodeWhole);
        }
        catch (InvalidDataException)
        {
            return "refused";
        }

        using (reader)
        {
            List<string> names;
            try
            {
                // The directory is read on first use.
                names = reader.PartNames.Distinct(StringComparer.Ordinal).ToList();
            }
            catch (InvalidDataException)
            {
                return "refused";
            }

            foreach (string name in names)
            {
                text.Append(name).Append(": ");
                try
                {
                    using Stream? part = reader.Open(name);
                    if (part is null)
                    {
                        text.Append("missing\n");
                        continue;
                    }

                    var bytes = new MemoryStream();
                    part.CopyTo(bytes);
                    text.Append(bytes.Length).Append(' ').Append(Convert.ToHexString(SHA256.HashData(bytes.ToArray()))).Append('\n');
                }
                catch (Exception e) when (e is InvalidDataException or ExtractionLimitException or NotSupportedException or IOException)
                {
                    text.Append(e.GetType().Name).Append('\n');
                }
            }

            decodedWhole = reader.PartsDecodedWhole;
        }

        return text.ToString();
    }

    private static byte[] Package(Random random)
    {
        var members = new List<(string, byte[], CompressionLevel)>();
        int count = random.Next(1, 7);
        for (int m = 0; m < count; m++)
        {
            string name = Pick(random, "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "word/document.xml", "[Content_Types].xml",
                "docProps/Zoë.xml", "a/b/c.txt", "xl/worksheets/sheet1.xml", $"part{m}.xml");
            var level = (CompressionLevel)random.Next(4);
            members.Add((name, Content(random), level));
        }

        return Zips.Of(members);
    }

    private static byte[] Content(Random random)
    {
        int length = Pick(random, 0, 1, 100, 5_000, 70_000, 300_000);
        var bytes = new byte[length];
        switch (random.Next(3))
        {
            case 0:
                random.NextBytes(bytes);
                break;
            case 1:
                var row = Encoding.ASCII.GetBytes($"<row r=\"{random.Next(100)}\"><c r=\"A1\" t=\"s\"><v>{random.Next(1000)}</v></c></row>");
                for (int i = 0; i < length; i++)
                {
                    bytes[i] = (byte)(random.Next(50) == 0 ? random.Next(32, 127) : row[i % row.Length]);
                }

                break;
            default:
                // Zeros: past the grace size this passes the expansion ratio (both ways refuse it).
                break;
        }

        return bytes;
    }

    // Half the places within the last 200 bytes (the directory and end record); any byte replaces.
    private static byte[] Mutate(Random random, byte[] document, int mutations) =>
        Mutations.Apply(random, document, mutations, r => (byte)r.Next(256), tailBytes: 200);

    private static T Pick<T>(Random random, params T[] options) => options[random.Next(options.Length)];
}
