using System.Net;
using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Client;

public sealed class SmtpDeliveryClientTests
{
    private static SmtpOutgoingMessage Message(string content, params string[] recipients) =>
        new("sender@example.test", recipients.Length == 0 ? ["rcpt@example.test"] : recipients, new MemoryStream(Encoding.UTF8.GetBytes(content)));

    private static SmtpClientOptions Options(int port, StartTlsMode tls = StartTlsMode.None, NetworkCredential? credentials = null) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        StartTls = tls,
        Credentials = credentials,
        TlsTargetHost = "localhost",
        CertificateValidation = (_, _, _, _) => true,
        ClientName = "client.test",
        CommandTimeout = TimeSpan.FromSeconds(5),
        DataTerminationTimeout = TimeSpan.FromSeconds(5),
    };

    // ------------------------------------------------------------ against our server

    [Fact]
    public async Task SendAsync_OwnServer_ContentRoundTripsExactly()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port));
        const string content = "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend";

        var result = await client.SendAsync(Message(content, "a@example.test", "b@example.test"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.All(result.Recipients, r => Assert.True(r.Delivered));
        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal(content + "\r\n", received.Text);
        Assert.Equal(content.Length, received.Envelope.DeclaredSize);
    }

    [Fact]
    public async Task SendAsync_BareLfContent_SentAsCrLf()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port));

        var result = await client.SendAsync(Message("a\n.\nb\n"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal("a\r\n.\r\nb\r\n", received.Text);
        Assert.Equal(0, received.Envelope.BareLineFeedCount);
    }

    [Fact]
    public async Task SendAsync_StartTlsRequiredWithAuth_DeliveredSecurely()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = new SmtpDeliveryClient(Options(server.Port, StartTlsMode.Required, new NetworkCredential("alice", "s3cret")));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.True(client.IsSecure);
        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal("alice", received.AuthenticatedUser);
        Assert.True(received.Secure);
    }

    [Fact]
    public async Task SendAsync_WrongPassword_DeferredAtAuth()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = new SmtpDeliveryClient(Options(server.Port, StartTlsMode.Opportunistic, new NetworkCredential("alice", "nope")));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(SmtpStage.Auth, result.Stage);
        Assert.Equal(535, result.Reply!.Value.Code);
    }

    [Fact]
    public async Task SendAsync_StartTlsRequiredNotOffered_DeferredWithoutMail()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port, StartTlsMode.Required));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(SmtpStage.StartTls, result.Stage);
        Assert.DoesNotContain(server.Hooks.Events, e => e.StartsWith("mail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_SeveralMessagesOneConnection_AllDelivered()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port));

        for (var i = 0; i < 5; i++)
        {
            var result = await client.SendAsync(Message($"Subject: {i}\r\n\r\nbody\r\n", $"r{i}@example.test"));
            Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        }

        Assert.Equal(5, server.Hooks.Messages.Count);
        Assert.Equal(1, server.Server.ActiveSessions);
    }

    [Fact]
    public async Task SendAsync_OneRecipientRejected_PartiallyDelivered()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = new SmtpDeliveryClient(Options(server.Port));

        var result = await client.SendAsync(Message("x", "ok@example.test", "reject@example.test"));

        Assert.Equal(DeliveryOutcome.PartiallyDelivered, result.Outcome);
        Assert.True(result.Recipients[0].Delivered);
        Assert.Equal(550, result.Recipients[1].Reply!.Value.Code);
        Assert.Equal(["ok@example.test"], Assert.Single(server.Hooks.Messages).To);
    }

    [Fact]
    public async Task SendAsync_OverServerSize_FailedLocallyBeforeMail()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 100);
        await using var client = new SmtpDeliveryClient(Options(server.Port));

        var result = await client.SendAsync(Message(new string('x', 101)));

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal("5.3.4", result.Reply!.Value.EnhancedCode);
        Assert.DoesNotContain(server.Hooks.Events, e => e.StartsWith("mail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_MessageAfterLocalRefusal_OneRsetAndTheContentSent()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 100);
        await using var client = new SmtpDeliveryClient(Options(server.Port));

        Assert.Equal(DeliveryOutcome.Delivered, (await client.SendAsync(Message("first"))).Outcome);
        // Refused before MAIL: the pipelined RSET written for it is still unanswered afterwards.
        Assert.Equal(DeliveryOutcome.Failed, (await client.SendAsync(Message(new string('x', 101)))).Outcome);
        var last = await client.SendAsync(Message("last"));

        // A second RSET in the batch would shift every reply by one: MAIL's 250 read as RCPT's, RCPT's
        // as DATA's, and "Delivered" reported without the content ever being sent.
        Assert.Equal(DeliveryOutcome.Delivered, last.Outcome);
        Assert.Equal(["first\r\n", "last\r\n"], server.Hooks.Messages.Select(m => m.Text));
    }

    [Fact]
    public async Task SendAsync_NothingListening_DeferredWithException()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var client = new SmtpDeliveryClient(Options(port));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(SmtpStage.Connect, result.Stage);
        Assert.IsType<System.Net.Sockets.SocketException>(result.Exception);
    }

    // ------------------------------------------------------------ against scripted transcripts

    private const string Ehlo = "S: 250-fake.test\n250-PIPELINING\n250-SIZE 1000\n250 8BITMIME";

    [Fact]
    public async Task SendAsync_TranscriptPipelined_SendsBatchAndParsesPerRecipient()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO client.test",
            Ehlo,
            "C: MAIL FROM:<sender@example.test> SIZE=1 BODY=8BITMIME",
            "C: RCPT TO:<a@example.test>",
            "C: RCPT TO:<b@example.test>",
            "C: DATA",
            "S: 250 2.1.0 Ok\n250 2.1.5 Ok\n550 5.1.1 No such user\n354 Go ahead",
            "C: <DATA>",
            "S: 250 2.0.0 Queued");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(new SmtpOutgoingMessage("sender@example.test", ["a@example.test", "b@example.test"], new MemoryStream("é"u8[..1].ToArray())) { Has8BitContent = true });

        Assert.Null(fake.Error);
        Assert.Equal(DeliveryOutcome.PartiallyDelivered, result.Outcome);
        Assert.Equal("5.1.1", result.Recipients[1].Reply!.Value.EnhancedCode);
        Assert.Equal("2.0.0", result.Recipients[0].Reply!.Value.EnhancedCode);
    }

    [Fact]
    public async Task SendAsync_TranscriptMail4xx_Deferred()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            "S: 250 fake.test",
            "C: MAIL FROM:<sender@example.test>",
            "S: 451 4.3.0 Try again");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x"));

        Assert.Null(fake.Error);
        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(SmtpStage.Mail, result.Stage);
    }

    [Fact]
    public async Task SendAsync_TranscriptAllRecipients5xx_FailedWithoutData()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            "S: 250 fake.test",
            "C: MAIL FROM:",
            "S: 250 2.1.0 Ok",
            "C: RCPT TO:<a@example.test>",
            "S: 550 5.7.1 Relay denied",
            "C: RCPT TO:<b@example.test>",
            "S: 553 5.1.3 Bad address");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x", "a@example.test", "b@example.test"));

        Assert.Null(fake.Error);
        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.DoesNotContain("DATA", fake.Received);
    }

    [Fact]
    public async Task SendAsync_TranscriptMixed4xxAnd5xxRecipients_Deferred()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            Ehlo,
            "C: MAIL FROM:",
            "C: RCPT TO:<a@example.test>",
            "C: RCPT TO:<b@example.test>",
            "C: DATA",
            "S: 250 2.1.0 Ok\n450 4.2.1 Busy\n550 5.1.1 Unknown\n554 5.5.1 No valid recipients");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x", "a@example.test", "b@example.test"));

        Assert.Null(fake.Error);
        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(450, result.Recipients[0].Reply!.Value.Code);
        Assert.Equal(550, result.Recipients[1].Reply!.Value.Code);
    }

    [Theory]
    [InlineData("451 4.3.0 Spool full", DeliveryOutcome.Deferred)]
    [InlineData("554 5.7.1 Content rejected", DeliveryOutcome.Failed)]
    public async Task SendAsync_TranscriptFinalReplyNegative_OutcomeFollowsClass(string finalReply, DeliveryOutcome expected)
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            "S: 250 fake.test",
            "C: MAIL FROM:",
            "S: 250 2.1.0 Ok",
            "C: RCPT TO:",
            "S: 250 2.1.5 Ok",
            "C: DATA",
            "S: 354 Go",
            "C: <DATA>",
            "S: " + finalReply);
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x"));

        Assert.Null(fake.Error);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(SmtpStage.Data, result.Stage);
    }

    [Fact]
    public async Task SendAsync_TranscriptConnectionDropsAfterMail_DeferredWithException()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            "S: 250 fake.test",
            "C: MAIL FROM:",
            "DROP");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.NotNull(result.Exception);
        Assert.Null(result.Recipients[0].Reply);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task SendAsync_TranscriptEhloNotRecognized_FallsBackToHelo()
    {
        await using var fake = new ScriptedServer(
            "S: 220 old.test SMTP",
            "C: EHLO client.test",
            "S: 502 Command not recognized",
            "C: HELO client.test",
            "S: 250 old.test",
            "C: MAIL FROM:<sender@example.test>",
            "S: 250 Ok",
            "C: RCPT TO:<rcpt@example.test>",
            "S: 250 Ok",
            "C: DATA",
            "S: 354 Go",
            "C: <DATA>",
            "S: 250 Ok");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("..x"));

        Assert.Null(fake.Error);
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal("...x\r\n", fake.Data);
    }

    [Fact]
    public async Task SendAsync_TranscriptGreeting554_Deferred()
    {
        await using var fake = new ScriptedServer("S: 554 5.7.1 No service");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.Equal(SmtpStage.Greeting, result.Stage);
    }

    [Fact]
    public async Task SendAsync_TranscriptMalformedReply_DeferredWithProtocolException()
    {
        await using var fake = new ScriptedServer("S: hello there");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(Message("x"));

        Assert.Equal(DeliveryOutcome.Deferred, result.Outcome);
        Assert.IsType<SmtpProtocolException>(result.Exception);
    }

    [Fact]
    public async Task SendAsync_Utf8RequiredNotOffered_FailedLocally()
    {
        await using var fake = new ScriptedServer(
            "S: 220 fake.test ESMTP",
            "C: EHLO",
            "S: 250 fake.test");
        await using var client = new SmtpDeliveryClient(Options(fake.Port));

        var result = await client.SendAsync(new SmtpOutgoingMessage("jörg@example.test", ["a@example.test"], new MemoryStream([1])) { RequiresSmtpUtf8 = true });

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.Equal("5.6.7", result.Reply!.Value.EnhancedCode);
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringData_ThrowsAndNextSendReconnects()
    {
        var hooks = new TestHooks { CommitDelay = TimeSpan.FromSeconds(2) };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = new SmtpDeliveryClient(Options(server.Port));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(Message("x"), cts.Token));
        Assert.False(client.IsConnected);

        hooks.CommitDelay = TimeSpan.Zero;
        var result = await client.SendAsync(Message("y"));
        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
    }
}
