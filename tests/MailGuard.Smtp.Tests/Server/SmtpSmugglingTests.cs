using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>SMTP smuggling (CVE-2023-51764/51765/51766) over real sockets.</summary>
public sealed class SmtpSmugglingTests
{
    private static async Task<(TestServer Server, RawClient Client)> OpenDataAsync()
    {
        var server = await TestServer.StartAsync();
        var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        return (server, client);
    }

    [Theory]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\n.\n")]
    [InlineData("\r.\r\n")]
    public async Task SmtpSmuggling_BareLfDot_DoesNotEndData(string fakeEnd)
    {
        var (server, client) = await OpenDataAsync();
        await using var _ = server;
        await using var __ = client;

        // The smuggled transaction would be accepted if the fake end ended DATA: its replies would come first.
        await client.SendAsync("Subject: one\r\n\r\nbody" + fakeEnd +
            "MAIL FROM:<admin@example.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n");

        var reply = await client.ReadReplyAsync();
        Assert.StartsWith("250 2.0.0", reply);
        var message = Assert.Single(server.Hooks.Messages);
        Assert.Contains("Subject: smuggled", message.Text);
        Assert.DoesNotContain(server.Hooks.Events, e => e == "mail admin@example.test");
        Assert.Equal("250 2.0.0 Ok", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task SmtpSmuggling_BareLfInBody_NormalizedAndCountedOnEnvelope()
    {
        var (server, client) = await OpenDataAsync();
        await using var _ = server;
        await using var __ = client;

        await client.SendAsync("a\nb\r\n.\r\n");

        Assert.StartsWith("250", await client.ReadReplyAsync());
        var message = Assert.Single(server.Hooks.Messages);
        Assert.Equal("a\r\nb\r\n", message.Text);
        Assert.Equal(1, message.Envelope.BareLineFeedCount);
    }

    [Fact]
    public async Task DataLine_Over998_AcceptedAndRecorded()
    {
        var (server, client) = await OpenDataAsync();
        await using var _ = server;
        await using var __ = client;
        var longLine = new string('x', 5000);

        await client.SendAsync("ok\r\n" + longLine + "\r\n" + new string('y', 998) + "\r\n.\r\n");

        Assert.StartsWith("250", await client.ReadReplyAsync());
        var message = Assert.Single(server.Hooks.Messages);
        Assert.Contains(longLine + "\r\n", message.Text);
        Assert.Equal(1, message.Envelope.LongLineCount);
    }
}
