using System.Text;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>CHUNKING (RFC 3030).</summary>
public sealed class SmtpBdatTests
{
    private static async Task<RawClient> OpenAsync(TestServer server)
    {
        var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        return client;
    }

    [Fact]
    public async Task Bdat_ChunksThenLast_ContentStoredRaw()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OpenAsync(server);

        await client.SendAsync("BDAT 7\r\n.line\r\n");
        Assert.StartsWith("250 2.0.0 7 octets", await client.ReadReplyAsync());
        await client.SendAsync("BDAT 5 LAST\r\n.\r\nab");
        Assert.StartsWith("250 2.0.0 Ok: queued", await client.ReadReplyAsync());

        var message = Assert.Single(server.Hooks.Messages);
        Assert.Equal(".line\r\n.\r\nab", message.Text);
        Assert.True(message.Envelope.UsedChunking);
    }

    [Fact]
    public async Task Bdat_ZeroLast_EndsMessage()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OpenAsync(server);

        await client.SendAsync("BDAT 3\r\nabcBDAT 0 LAST\r\n");

        Assert.StartsWith("250 2.0.0 3 octets", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.0.0 Ok", await client.ReadReplyAsync());
        Assert.Equal("abc", Assert.Single(server.Hooks.Messages).Text);
    }

    [Fact]
    public async Task Bdat_OverSize_Replies552AndDiscardsLaterChunks()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 10);
        await using var client = await OpenAsync(server);

        await client.SendAsync("BDAT 8\r\n12345678BDAT 3\r\n9ABBDAT 2 LAST\r\nCD");

        Assert.StartsWith("250 2.0.0 8 octets", await client.ReadReplyAsync());
        Assert.StartsWith("552 5.3.4", await client.ReadReplyAsync());
        // The chunk after the failure is still read as data (never as commands) and refused.
        Assert.StartsWith("503 5.5.1", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP"));
        Assert.Empty(server.Hooks.Messages);
    }

    [Fact]
    public async Task Bdat_AtSizeLimit_Accepted()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 10);
        await using var client = await OpenAsync(server);

        await client.SendAsync("BDAT 10 LAST\r\n0123456789");

        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Bdat_WithoutTransaction_ChunkDrainedAnd503()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        await client.SendAsync("BDAT 6\r\nQUIT\r\n");

        Assert.StartsWith("503 5.5.1", await client.ReadReplyAsync());
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Bdat_DataDuringChunking_Replies503_RsetAborts()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OpenAsync(server);
        await client.SendAsync("BDAT 2\r\nab");
        await client.ReadReplyAsync();

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@example.test>"));
        Assert.StartsWith("250", await client.CommandAsync("RSET"));
        Assert.Equal(1, server.Hooks.Aborted);
        Assert.Empty(server.Hooks.Messages);
    }

    [Fact]
    public async Task Bdat_LargeChunk_StreamedWhole()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await OpenAsync(server);
        var body = new string('q', 300_000);

        await client.SendAsync(Encoding.ASCII.GetBytes($"BDAT {body.Length} LAST\r\n{body}"));

        Assert.StartsWith("250", await client.ReadReplyAsync());
        Assert.Equal(body.Length, Assert.Single(server.Hooks.Messages).Content.Length);
    }
}
