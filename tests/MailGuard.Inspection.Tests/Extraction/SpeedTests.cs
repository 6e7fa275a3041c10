using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

[Collection(TimingCollection.Name)]
public class SpeedTests
{
    [Fact]
    public void Extract_Csv50MB_ParsesFasterThan100MBPerSecond()
    {
        var sb = new StringBuilder();
        sb.Append("Name,DOB,NI Number,Postcode,Notes\r\n");
        int row = 0;
        while (sb.Length < 50 * 1024 * 1024)
        {
            sb.Append("Person ").Append(row).Append(",14/03/1987,AB").Append((row % 1000000).ToString("D6")).Append("C,LS6 3QT,\"quoted, with comma\"\r\n");
            row++;
        }

        byte[] bytes = Encoding.UTF8.GetBytes(sb.ToString());
        var limits = new ExtractionLimits();
        CountingSink? sink = null;
        TimeSpan best = Timing.BestCpuTime(3, () =>
        {
            sink = new CountingSink();
            ContentExtractor.Extract(new ForwardOnlyStream(new MemoryStream(bytes)), "big.csv", "text/csv", Extract.Root, sink, limits, CancellationToken.None);
        });
        Assert.Empty(sink!.Unscannable);
        Assert.Equal(row + 1, sink.Rows);
        double mbPerSecond = bytes.Length / 1048576.0 / best.TotalSeconds;
        double target = Timing.CoreIsOptimized ? 100 : 25;
        Assert.True(mbPerSecond > target, $"{mbPerSecond:0} MB/s ({best.TotalMilliseconds:0} ms CPU), target {target}");
    }

    [Fact]
    public void Extract_Xlsx1598Rows_TakesWellUnder50Ms()
    {
        byte[] bytes = Fixtures.Bytes("people-1598.xlsx");
        var limits = new ExtractionLimits();
        CountingSink? sink = null;
        TimeSpan best = Timing.BestCpuTime(5, () =>
        {
            sink = new CountingSink();
            ContentExtractor.Extract(new MemoryStream(bytes), "p.xlsx", null, Extract.Root, sink, limits, CancellationToken.None);
        });
        Assert.Empty(sink!.Unscannable);
        Assert.Equal(1599, sink.Rows);
        double target = Timing.CoreIsOptimized ? 50 : 150;
        Assert.True(best.TotalMilliseconds < target, $"took {best.TotalMilliseconds:0} ms CPU, target {target}");
    }
}
