using MailGuard.Core.Store;

namespace MailGuard.Store.Tests;

/// <summary>The spool file read below a content prefix, as delivery and the console read it.</summary>
public sealed class SpooledContentTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "mg-spooled-" + Guid.NewGuid().ToString("N") + ".eml");

    public SpooledContentTests() => File.WriteAllBytes(_path, "Subject: s\r\n\r\nbody\r\n"u8.ToArray());

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Read_InPiecesOfEverySize_PrefixThenFile()
    {
        byte[] expected = [.. "X-A: 1\r\n"u8, .. File.ReadAllBytes(_path)];
        for (int piece = 1; piece <= expected.Length; piece++)
        {
            using var stream = MessageSpool.OpenFile(_path, "X-A: 1\r\n"u8.ToArray());
            var read = new List<byte>();
            var buffer = new byte[piece];
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                read.AddRange(buffer.AsSpan(0, n).ToArray());
            }

            Assert.Equal(expected, read);
            Assert.Equal(expected.Length, stream.Length);
            Assert.Equal(expected.Length, stream.Position);
        }
    }

    [Fact]
    public async Task Seek_IntoThePrefixOrTheFile_ReadsOnFromThere()
    {
        byte[] expected = [.. "X-A: 1\r\n"u8, .. File.ReadAllBytes(_path)];
        await using var stream = MessageSpool.OpenFile(_path, "X-A: 1\r\n"u8.ToArray());
        foreach (int at in new[] { 0, 3, 8, 12, expected.Length - 1, expected.Length })
        {
            stream.Position = at;
            using var rest = new MemoryStream();
            await stream.CopyToAsync(rest);
            Assert.Equal(expected[at..], rest.ToArray());
        }

        stream.Seek(-4, SeekOrigin.End);
        Assert.Equal((byte)'d', (byte)stream.ReadByte());
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Seek(-1, SeekOrigin.Begin));
    }

    [Fact]
    public void NoPrefix_TheFileAsItIs()
    {
        using var stream = MessageSpool.OpenFile(_path);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(File.ReadAllBytes(_path), copy.ToArray());
    }
}
