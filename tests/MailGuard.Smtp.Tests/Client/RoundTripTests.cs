using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Client;

/// <summary>Client dot-stuffing and server unstuffing are inverses for any CRLF-terminated content.</summary>
public sealed class RoundTripTests
{
    private static byte[] RandomContent(Random random, int lines)
    {
        var pieces = new[] { ".", "..", "...", "x", "From ", " ", "\t", "é", "\r", "=", "-" };
        var builder = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            var length = random.Next(0, random.Next(10) == 0 ? 3000 : 80);
            while (length-- > 0)
            {
                builder.Append(pieces[random.Next(pieces.Length)]);
            }

            // Bare CR before CRLF would be ambiguous to reason about here; keep lines CRLF-clean at the end.
            while (builder.Length > 0 && builder[^1] == '\r')
            {
                builder.Length--;
            }

            builder.Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task SendAsync_RandomContentWithDotsAndLongLines_ReceivedByteForByte(int seed)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(new SmtpClientOptions { Host = "127.0.0.1", Port = server.Port, StartTls = StartTlsMode.None });
        var content = RandomContent(new Random(seed), 2000);

        var result = await client.SendAsync(new SmtpOutgoingMessage("a@example.test", ["b@example.test"], new MemoryStream(content)) { Has8BitContent = true });

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal(content, received.Content);
        Assert.Equal(content.Length, received.Envelope.MessageBytes);
    }

    [Fact]
    public async Task Data_ContentInTinyWrites_ReceivedByteForByte()
    {
        await using var server = await TestServer.StartAsync();
        await using var raw = await server.ConnectAsync();
        await raw.CommandAsync("EHLO client.test");
        await raw.CommandAsync("MAIL FROM:<a@example.test>");
        await raw.CommandAsync("RCPT TO:<b@example.test>");
        await raw.CommandAsync("DATA");
        var wire = Encoding.ASCII.GetBytes("a\r\n..b\r\n.\r\r\n...\r\nend\r\n.\r\n");

        foreach (var b in wire)
        {
            await raw.SendAsync([b]);
        }

        Assert.StartsWith("250", await raw.ReadReplyAsync());
        Assert.Equal("a\r\n.b\r\n\r\r\n..\r\nend\r\n", Assert.Single(server.Hooks.Messages).Text);
    }
}
