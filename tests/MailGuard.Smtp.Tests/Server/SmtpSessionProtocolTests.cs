using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpSessionProtocolTests
{
    [Fact]
    public async Task Ehlo_PlainConnectionWithCertificate_AdvertisesExtensionsButNotAuth()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await server.ConnectAsync();

        var reply = await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("250-mx.test", reply);
        foreach (var ext in new[] { "PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS" })
        {
            Assert.Contains(ext, reply.Split('\n').Select(l => l[4..]));
        }

        Assert.DoesNotContain("AUTH", reply);
    }

    [Fact]
    public async Task Ehlo_NoCertificate_DoesNotAdvertiseStartTls()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var reply = await client.CommandAsync("EHLO client.test");

        Assert.DoesNotContain("STARTTLS", reply);
        Assert.StartsWith("502 5.5.1", await client.CommandAsync("STARTTLS"));
    }

    [Fact]
    public async Task Helo_Simple_Replies250WithoutExtensions()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        Assert.Equal("250 mx.test", await client.CommandAsync("HELO client.test"));
        Assert.StartsWith("555 5.5.4", await client.CommandAsync("MAIL FROM:<a@b.test> SIZE=10"));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<a@b.test>"));
    }

    [Fact]
    public async Task Data_SimpleMessage_DeliveredToHookUnstuffed()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<sender@example.test>"));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<rcpt@example.test>"));
        Assert.StartsWith("354 ", await client.CommandAsync("DATA"));
        var reply = await client.CommandAsync("Subject: hi\r\n\r\n..leading dot\r\nline\r\n.");

        Assert.StartsWith("250 2.0.0", reply);
        var message = Assert.Single(server.Hooks.Messages);
        Assert.Equal("sender@example.test", message.From);
        Assert.Equal(["rcpt@example.test"], message.To);
        Assert.Equal("Subject: hi\r\n\r\n.leading dot\r\nline\r\n", message.Text);
    }

    [Fact]
    public async Task Pipelining_WholeTransactionInOneWrite_RepliesInOrder()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        await client.SendAsync("MAIL FROM:<s@example.test>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<reject@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n");

        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync());
        Assert.StartsWith("550 5.1.1", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync());
        Assert.StartsWith("354", await client.ReadReplyAsync());
        await client.SendAsync("body\r\n.\r\nQUIT\r\n");
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
        Assert.StartsWith("221 2.0.0", await client.ReadReplyAsync());
        Assert.Equal(["a@example.test", "b@example.test"], Assert.Single(server.Hooks.Messages).To);
    }

    [Fact]
    public async Task Data_TwoMessagesOnOneConnection_EnvelopeRebuilt()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        for (var i = 0; i < 2; i++)
        {
            await client.CommandAsync($"MAIL FROM:<s{i}@example.test>");
            await client.CommandAsync($"RCPT TO:<r{i}@example.test>");
            await client.CommandAsync("DATA");
            Assert.StartsWith("250", await client.CommandAsync("x\r\n."));
        }

        var messages = server.Hooks.Messages.ToArray();
        Assert.Equal(["r0@example.test"], messages[0].To);
        Assert.Equal(["r1@example.test"], messages[1].To);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.test>", "503 5.5.1")]
    [InlineData("RCPT TO:<a@b.test>", "503 5.5.1")]
    [InlineData("DATA", "503 5.5.1")]
    [InlineData("AUTH PLAIN", "503 5.5.1")]
    public async Task StateTable_CommandBeforeEhlo_Replies503(string command, string expected)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Fact]
    public async Task StateTable_OutOfSequenceInTransaction_Replies503()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<a@b.test>"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"));
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@b.test>"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("STARTTLS"));
        await client.CommandAsync("RCPT TO:<x@b.test>");
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@b.test>"));
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("RSET"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<a@b.test>"));
    }

    [Fact]
    public async Task Rset_AfterRecipients_ClearsEnvelope()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@b.test>");
        await client.CommandAsync("RCPT TO:<old@b.test>");

        await client.CommandAsync("RSET");
        await client.CommandAsync("MAIL FROM:<c@b.test>");
        await client.CommandAsync("RCPT TO:<new@b.test>");
        await client.CommandAsync("DATA");
        await client.CommandAsync("x\r\n.");

        Assert.Equal(["new@b.test"], Assert.Single(server.Hooks.Messages).To);
    }

    [Theory]
    [InlineData("NOOP", "250 2.0.0")]
    [InlineData("VRFY postmaster", "252 2.5.0")]
    [InlineData("HELP", "214 2.0.0")]
    [InlineData("EXPN staff", "502 5.5.2")]
    [InlineData("FOO", "502 5.5.2")]
    [InlineData("EHLO", "501 5.5.4")]
    public async Task Command_Various_RepliesWithEnhancedCode(string command, string expected)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Theory]
    [InlineData("MAIL FROM:a@b.test", "501 5.1.7")]
    [InlineData("MAIL TO:<a@b.test>", "501 5.5.4")]
    [InlineData("MAIL FROM:<a@@b.test>", "501 5.1.7")]
    [InlineData("MAIL FROM:<a@b.test> BODY=BINARYMIME", "501 5.5.4")]
    [InlineData("MAIL FROM:<a@b.test> FOO=1", "555 5.5.4")]
    [InlineData("MAIL FROM:<a@b.test> SIZE=1 SIZE=2", "501 5.5.4")]
    [InlineData("MAIL FROM:<jörg@b.test>", "553 5.6.7")]
    [InlineData("MAIL FROM:<jörg@b.test> SMTPUTF8", "250 2.1.0")]
    [InlineData("MAIL FROM:<> BODY=8BITMIME", "250 2.1.0")]
    [InlineData("MAIL FROM: <a@b.test>", "250 2.1.0")]
    [InlineData("MAIL FROM:<@relay.test:a@[192.0.2.1]>", "250 2.1.0")]
    [InlineData("MAIL FROM:<\"quoted local\"@b.test>", "250 2.1.0")]
    public async Task Mail_Arguments_ParsedPerRfc5321(string command, string expected)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Theory]
    [InlineData("RCPT TO:<Postmaster>", "250 2.1.5")]
    [InlineData("RCPT TO:<>", "501 5.1.3")]
    [InlineData("RCPT TO:<a@b.test> NOTIFY=NEVER", "555 5.5.4")]
    [InlineData("RCPT TO:<a@-b.test>", "501 5.1.3")]
    public async Task Rcpt_Arguments_ParsedPerRfc5321(string command, string expected)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@b.test>");

        Assert.StartsWith(expected, await client.CommandAsync(command));
    }

    [Fact]
    public async Task Mail_BodyAndUtf8Parameters_RecordedOnEnvelope()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<jörg@b.test> BODY=8BITMIME SMTPUTF8 SIZE=40");
        await client.CommandAsync("RCPT TO:<zoë@b.test>");
        await client.CommandAsync("DATA");
        await client.CommandAsync("Subject: é\r\n.");

        var envelope = Assert.Single(server.Hooks.Messages).Envelope;
        Assert.Equal(MailGuard.Smtp.Server.SmtpBodyType.EightBitMime, envelope.BodyType);
        Assert.True(envelope.SmtpUtf8);
        Assert.Equal(40, envelope.DeclaredSize);
        Assert.Equal("zoë@b.test", envelope.Recipients[0].Address);
    }

    [Fact]
    public async Task Connect_HookRefuses_ReplySentAndClosed()
    {
        var hooks = new TestHooks { ConnectRefusal = new SmtpReply(554, "5.7.1", "Go away") };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync(readGreeting: false);

        Assert.Equal("554 5.7.1 Go away", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Quit_Replies221AndCloses()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        Assert.Equal("221 2.0.0 Bye", await client.CommandAsync("QUIT"));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Command_BareLfLineEnd_Accepted()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        await client.SendAsync("NOOP\n");

        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
    }
}
