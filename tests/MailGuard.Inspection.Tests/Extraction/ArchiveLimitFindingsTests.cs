using System.IO.Compression;
using System.Text;
using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Issue 11 §2: every archive limit is a finding that names the limit and its value, and what
/// was read before the limit was hit is still reported.
/// </summary>
public sealed class ArchiveLimitFindingsTests
{
    private static byte[] Zip(IEnumerable<(string Name, byte[] Content)> entries) => Zips.Of(entries, CompressionLevel.Fastest);

    private static IEnumerable<(string, byte[])> Filler(int count) =>
        Enumerable.Range(0, count).Select(i => ($"filler/{i:D5}.txt", "x"u8.ToArray()));

    /// <summary>Runs extraction into the real detectors, as inspection does.</summary>
    internal static IReadOnlyList<Finding> Findings(byte[] bytes, string fileName, ExtractionLimits? limits = null)
    {
        var analyzer = new ContentAnalyzer();
        ContentExtractor.Extract(new MemoryStream(bytes), fileName, null, new ContentLocation("/2", fileName), analyzer, limits ?? new ExtractionLimits(), CancellationToken.None);
        return analyzer.Findings;
    }

    internal static void AssertPeopleFound(IReadOnlyList<Finding> findings)
    {
        Assert.Contains(findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Contains(findings, f => f.Kind == FindingKinds.UkNino);
    }

    [Fact]
    public void Extract_ZipOverDefaultEntryLimit_NamesTheLimitAndKeepsTheCsvReadBeforeIt()
    {
        byte[] zip = Zip(new[] { ("people.csv", Fixtures.Bytes("people.csv")) }.Concat(Filler(10_000)));
        var findings = Findings(zip, "many.zip");
        AssertPeopleFound(findings);
        var unscannable = Assert.Single(findings, f => f.Kind == FindingKinds.Unscannable);
        Assert.Contains("TooManyParts: archive entry limit (10,000) reached", unscannable.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_CsvAfterTenThousandEntries_IsUnscannableNotClean()
    {
        byte[] zip = Zip(Filler(10_000).Append(("people.csv", Fixtures.Bytes("people.csv"))));
        RecordingSink sink = Extract.Run(zip, "many.zip", seekable: true);
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.TooManyParts, reason);
        Assert.Equal("archive entry limit (10,000) reached", detail);
    }

    [Fact]
    public void Extract_ZipsNestedNineDeep_NamesTheNestingLimitAndKeepsShallowData()
    {
        byte[] inner = Zip([("people.csv", Fixtures.Bytes("people.csv"))]);
        for (int level = 9; level > 2; level--)
        {
            inner = Zip([($"level{level}.zip", inner)]);
        }

        byte[] outer = Zip([("level2.zip", inner), ("shallow.csv", Fixtures.Bytes("people.csv"))]);
        RecordingSink sink = Extract.Run(outer, "level1.zip");
        var (location, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.NestingTooDeep, reason);
        Assert.Equal("archive nesting limit (8 levels) reached", detail);
        Assert.True(location.FileName!.EndsWith("level9.zip", StringComparison.Ordinal), location.FileName);
        AssertPeopleFound(Findings(outer, "level1.zip"));
    }

    [Theory]
    [InlineData("people-zipcrypto.zip")]
    [InlineData("people-aes.zip")]
    public void Extract_PasswordProtectedZip_IsUnscannable(string fixture)
    {
        RecordingSink sink = Extract.Fixture(fixture);
        var (location, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Encrypted, reason);
        Assert.Equal(fixture + " > people.csv", location.FileName);
        Assert.Contains("password-protected", detail, StringComparison.Ordinal);
        Assert.Empty(sink.Tables);
    }

    [Fact]
    public void Extract_RatioOverLimit_NamesTheRatio()
    {
        byte[] zeros = new byte[4 * 1024 * 1024];
        zeros.AsSpan().Fill((byte)'0');
        byte[] zip = Zip([("people.csv", Fixtures.Bytes("people.csv")), ("zeros.txt", zeros)]);
        var findings = Findings(zip, "bomb.zip");
        AssertPeopleFound(findings);
        var unscannable = Assert.Single(findings, f => f.Kind == FindingKinds.Unscannable);
        Assert.Contains("expansion ratio limit (100:1) exceeded by 'zeros.txt'", unscannable.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ExpandedSizeOverLimit_NamesTheSize()
    {
        byte[] zip = Zip([("people.csv", Fixtures.Bytes("people.csv")), ("more.txt", Encoding.ASCII.GetBytes(new string('x', 2000)))]);
        var findings = Findings(zip, "big.zip", new ExtractionLimits { MaxTotalExpandedBytes = 1000 });
        AssertPeopleFound(findings);
        var unscannable = Assert.Single(findings, f => f.Kind == FindingKinds.Unscannable);
        Assert.Contains("ExpandedSizeExceeded: expanded size limit (1,000 bytes) exceeded", unscannable.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_TimeBudgetOverLimit_NamesTheBudget()
    {
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Some text line\n", 100_000)));
        var sink = new RecordingSink();
        var limits = new ExtractionLimits { TimeBudget = TimeSpan.FromMilliseconds(100) };
        ContentExtractor.Extract(new ForwardOnlyStream(new MemoryStream(text), TimeSpan.FromMilliseconds(20)), "slow.txt", null, Extract.Root, sink, limits, CancellationToken.None);
        Assert.Equal("time limit (0.1 s per attachment) exceeded", Assert.Single(sink.Unscannable).Detail);
    }

    [Fact]
    public void Extract_CellsOverLimit_NamesTheLimit()
    {
        RecordingSink sink = Extract.Run(Fixtures.Bytes("people.csv"), "people.csv", limits: new ExtractionLimits { MaxCells = 20 });
        Assert.Equal("table cell limit (20) reached", Assert.Single(sink.Unscannable).Detail);
    }
}
