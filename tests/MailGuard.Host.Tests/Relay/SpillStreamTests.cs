using MailGuard.Host.Relay;

namespace MailGuard.Host.Tests.Relay;

/// <summary>The relay's content buffer: in (pooled) memory up to the threshold, then a spool file holding every byte in order.</summary>
public sealed class SpillStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mg-spill-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8 * 1024)]
    [InlineData(100_000)]
    [InlineData(256 * 1024)]
    public async Task Write_InPiecesOfEverySize_BufferedOrSpilledContentIsExact(long threshold)
    {
        var random = new Random(7);
        var content = new byte[300_000];
        random.NextBytes(content);
        foreach (var total in new[] { 0, 1, 8191, 8192, 8193, 99_999, 100_000, 100_001, 262_144, 300_000 })
        {
            var path = Path.Combine(_directory, $"{threshold}-{total}.eml");
            var created = 0;
            var stream = new SpillStream(threshold, () =>
            {
                created++;
                return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 64 * 1024);
            });
            await using (stream)
            {
                var offset = 0;
                while (offset < total)
                {
                    var n = Math.Min(total - offset, random.Next(1, 40_000));
                    await stream.WriteAsync(content.AsMemory(offset, n));
                    offset += n;
                }

                Assert.Equal(total, stream.Length);
                if (total > threshold)
                {
                    Assert.Equal(1, created);
                    Assert.NotNull(stream.File);
                    Assert.True(stream.Buffered.IsEmpty);
                    stream.File!.Flush();
                }
                else
                {
                    Assert.Equal(0, created);
                    Assert.Null(stream.File);
                    Assert.True(stream.Buffered.Span.SequenceEqual(content.AsSpan(0, total)));
                    Assert.True(ReadOnlyMemoryStream.Over(stream.Buffered).ToArray().AsSpan().SequenceEqual(content.AsSpan(0, total)));
                }
            }

            Assert.True(stream.Buffered.IsEmpty);
            if (total > threshold)
            {
                Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(content.AsSpan(0, total)));
            }
        }
    }
}
