using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Client;

public sealed class SmtpDeliveryClientChunkingTests
{
    private static SmtpClientOptions Options(int port) => new() { Host = "127.0.0.1", Port = port, StartTls = StartTlsMode.None, UseChunking = true };

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(300_000)]
    public async Task SendAsync_Chunking_ExactBytesIncludingBareLf(int length)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port));
        var content = new byte[length];
        for (var i = 0; i < length; i++)
        {
            content[i] = (byte)"a.\n\r.b"[i % 6];
        }

        var result = await client.SendAsync(new SmtpOutgoingMessage("a@example.test", ["b@example.test"], new MemoryStream(content)));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var received = Assert.Single(server.Hooks.Messages);
        Assert.True(received.Envelope.UsedChunking);
        Assert.Equal(content, received.Content);
    }

    [Fact]
    public async Task SendAsync_ChunkingOverServerLimitWithoutSize_Failed552()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 100_000);
        await using var client = new SmtpDeliveryClient(Options(server.Port));
        // A non-seekable stream gives no SIZE, so the limit is hit mid-transfer.
        using var content = new NonSeekableStream(new byte[200_000]);

        var result = await client.SendAsync(new SmtpOutgoingMessage("a@example.test", ["b@example.test"], content));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal("5.3.4", result.Reply!.Value.EnhancedCode);
        var again = await client.SendAsync(new SmtpOutgoingMessage("a@example.test", ["b@example.test"], new MemoryStream(Encoding.ASCII.GetBytes("ok\r\n"))));
        Assert.Equal(DeliveryOutcome.Delivered, again.Outcome);
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
