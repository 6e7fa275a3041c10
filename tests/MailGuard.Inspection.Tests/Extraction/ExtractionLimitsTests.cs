using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

public class ExtractionLimitsTests
{
    [Fact]
    public void Defaults_AreFinite()
    {
        var limits = new ExtractionLimits();
        Assert.Equal(8, limits.MaxNestingDepth);
        Assert.Equal(256L * 1024 * 1024, limits.MaxTotalExpandedBytes);
        Assert.Equal(100, limits.MaxExpansionRatio);
        Assert.Equal(10_000, limits.MaxEntries);
        Assert.Equal(10_000_000, limits.MaxCells);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.TimeBudget);
    }

    [Fact]
    public void Setters_OutOfRange_Throw()
    {
        var limits = new ExtractionLimits();
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxNestingDepth = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxTotalExpandedBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxExpansionRatio = 0.5);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxExpansionRatio = double.PositiveInfinity);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxEntries = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxCells = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.TimeBudget = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxRepeatedCells = 0);
    }

    [Fact]
    public void Extract_NullArguments_Throw()
    {
        var sink = new RecordingSink();
        Assert.Throws<ArgumentNullException>(() => ContentExtractor.Extract(null!, null, null, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None));
        Assert.Throws<ArgumentNullException>(() => ContentExtractor.Extract(new MemoryStream(), null, null, Extract.Root, null!, new ExtractionLimits(), CancellationToken.None));
    }

    [Theory]
    [InlineData(1_000_000, 1, false)]          // at the grace size: never past the ratio
    [InlineData(1_000_001, 1, true)]           // one byte past it from one compressed byte
    [InlineData(1_000_001, 0, true)]           // no compressed bytes count as one
    [InlineData(2_000_000, 20_000, false)]     // exactly 100:1
    [InlineData(2_000_001, 20_000, true)]      // one byte past 100:1
    public void PastExpansionRatio_AtItsEdges(long produced, long compressed, bool past) =>
        Assert.Equal(past, new ExtractionLimits { RatioGraceBytes = 1_000_000, MaxExpansionRatio = 100 }.PastExpansionRatio(produced, compressed));
}
