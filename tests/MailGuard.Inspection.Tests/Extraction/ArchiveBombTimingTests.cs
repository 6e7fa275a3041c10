namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// A 7z bomb stops on the expansion ratio quickly and in bounded memory. Timed as process CPU with
/// no other test of the assembly running (the Timing collection): wall time on a shared machine
/// measures the neighbours.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class ArchiveBombTimingTests
{
    [Fact]
    public void Extract_7zBomb_StopsOnRatioWithBoundedMemory()
    {
        byte[] bomb = Fixtures.Bytes("zeros.7z");
        RecordingSink? sink = null;
        long allocated = 0;
        TimeSpan cpu = Timing.BestCpuTime(1, () =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            sink = Extract.Run(bomb, "zeros.7z");
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        var (location, reason, detail) = Assert.Single(sink!.Unscannable);
        Assert.Equal(UnscannableReason.ExpansionRatioExceeded, reason);
        Assert.Equal("zeros.7z > zeros.csv", location.FileName);
        Assert.Contains("expansion ratio limit (100:1)", detail, StringComparison.Ordinal);
        // The LZMA window (16 MB here; SharpCompress refuses over 64 MB) and a few buffers.
        Assert.True(allocated < 96L * 1024 * 1024, $"allocated {allocated} bytes");
        Assert.True(cpu.TotalMilliseconds < 5000, $"took {cpu.TotalMilliseconds:0} ms of CPU");
    }
}
