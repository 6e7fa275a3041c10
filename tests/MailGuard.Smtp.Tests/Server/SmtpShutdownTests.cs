using System.Net.Sockets;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpShutdownTests
{
    [Fact]
    public async Task StopAsync_IdleSession_Replies421AndCloses()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        var stop = server.Server.StopAsync(TimeSpan.FromSeconds(5));

        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<SocketException>(() => RawClient.ConnectAsync(server.Port));
    }

    [Fact]
    public async Task StopAsync_TransactionFinishesWithinGrace_MessageAcceptedThen421()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync("part one\r\n");

        var stop = server.Server.StopAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(100);
        await client.SendAsync("part two\r\n.\r\n");

        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Single(server.Hooks.Messages);
    }

    [Fact]
    public async Task StopAsync_TransactionOutlivesGrace_Replies421AndAborts()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.CommandAsync("DATA");
        await client.SendAsync("part one\r\n");

        await server.Server.StopAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync());
        Assert.Empty(server.Hooks.Messages);
        Assert.Equal(1, server.Hooks.Aborted);
    }

    [Fact]
    public async Task StopAsync_MailButNoData_WaitsForTransaction()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");

        var stop = server.Server.StopAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(100);

        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<b@example.test>"));
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        Assert.StartsWith("250", await client.CommandAsync("x\r\n."));
        Assert.StartsWith("421 4.3.2", await client.ReadReplyAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
