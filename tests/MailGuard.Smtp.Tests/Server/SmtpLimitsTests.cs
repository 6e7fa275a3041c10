using System.Diagnostics;
using MailGuard.Smtp.Server;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpLimitsTests
{
    private static async Task<RawClient> OpenTransactionAsync(TestServer server, string mailArgs = "")
    {
        var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.test>" + mailArgs));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<b@example.test>"));
        return client;
    }

    [Fact]
    public async Task Mail_SizeClaimOverLimit_Rejected552()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 1000);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.test> SIZE=1000"));
        await client.CommandAsync("RSET");
        Assert.StartsWith("552 5.3.4", await client.CommandAsync("MAIL FROM:<a@example.test> SIZE=1001"));
    }

    [Fact]
    public async Task Data_OverSizeWithoutClaim_Replies552AfterDrain()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 1000);
        await using var client = await OpenTransactionAsync(server);
        Assert.StartsWith("354", await client.CommandAsync("DATA"));

        // 1001 content octets: 999 x + CRLF. The server must read to the terminator before replying,
        // so the NOOP after it is a command, not content.
        await client.SendAsync(new string('x', 999) + "\r\n" + new string('z', 20000) + "\r\n.\r\nNOOP\r\n");

        Assert.StartsWith("552 5.3.4", await client.ReadReplyAsync());
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync());
        Assert.Empty(server.Hooks.Messages);
        Assert.Equal(1, server.Hooks.Aborted);
        Assert.StartsWith("503", await client.CommandAsync("RCPT TO:<b@example.test>"));
    }

    [Theory]
    [InlineData(998, true)]
    [InlineData(999, false)]
    public async Task Data_SizeAtEdge_AtLimitAcceptedOneOverRejected(int lineLength, bool accepted)
    {
        // Limit 1000 octets: a line of 998 + CRLF is exactly 1000.
        await using var server = await TestServer.StartAsync(o => o.MaxMessageBytes = 1000);
        await using var client = await OpenTransactionAsync(server);
        await client.CommandAsync("DATA");

        var reply = await client.CommandAsync(new string('x', lineLength) + "\r\n.");

        Assert.StartsWith(accepted ? "250" : "552 5.3.4", reply);
    }

    [Fact]
    public async Task CommandLine_Over512Octets_Replies500()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        // 512 octets including CRLF is the maximum (RFC 5321 §4.5.3.1.4).
        Assert.StartsWith("250", await client.CommandAsync("NOOP " + new string('a', 512 - 7)));
        Assert.StartsWith("500 5.5.6", await client.CommandAsync("NOOP " + new string('a', 512 - 6)));
        Assert.StartsWith("500 5.5.6", await client.CommandAsync("NOOP " + new string('a', 100_000)));
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Rcpt_TooMany_Replies452()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxRecipients = 3);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");

        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("250", await client.CommandAsync($"RCPT TO:<r{i}@example.test>"));
        }

        Assert.StartsWith("452 4.5.3", await client.CommandAsync("RCPT TO:<r3@example.test>"));
        await client.CommandAsync("DATA");
        await client.CommandAsync("x\r\n.");
        Assert.Equal(3, Assert.Single(server.Hooks.Messages).To.Length);
    }

    [Fact]
    public async Task Rcpt_FromNotAllowedNetwork_Rejected5_7_1()
    {
        var hooks = new TestHooks();
        hooks.AllowedNetworks.Clear();
        hooks.AllowedNetworks.Add(Cidr.Parse("10.0.0.0/8"));
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");

        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<b@elsewhere.test>"));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA"));
    }

    [Fact]
    public async Task Sessions_OverMax_Replies421()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSessions = 2);
        await using var first = await server.ConnectAsync();
        await using var second = await server.ConnectAsync();

        await using var third = await server.ConnectAsync(readGreeting: false);

        Assert.StartsWith("421 4.7.0", await third.ReadReplyAsync());
        Assert.True(await third.IsClosedAsync());
        Assert.StartsWith("250", await first.CommandAsync("NOOP"));
        await second.CommandAsync("QUIT");
        await second.IsClosedAsync();
        await WaitUntilAsync(() => server.Server.ActiveSessions == 1);
        await using var fourth = await server.ConnectAsync();
        Assert.StartsWith("250", await fourth.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Errors_OverMax_Replies421AndCloses()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxErrors = 3);
        await using var client = await server.ConnectAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("502", await client.CommandAsync("BOGUS"));
        }

        Assert.StartsWith("421 4.7.0", await client.CommandAsync("BOGUS"));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task CommandTimeout_IdleClient_Replies421AndCloses()
    {
        await using var server = await TestServer.StartAsync(o => o.CommandTimeout = TimeSpan.FromMilliseconds(300));
        await using var client = await server.ConnectAsync();

        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task DataTimeout_ClientStallsInData_Replies421AndAborts()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MinimumDataRate = null;
            o.DataTimeout = TimeSpan.FromMilliseconds(300);
        });
        await using var client = await OpenTransactionAsync(server);
        await client.CommandAsync("DATA");
        await client.SendAsync("partial\r\n");

        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync());
        Assert.True(await client.IsClosedAsync());
        Assert.Equal(1, server.Hooks.Aborted);
    }

    [Fact]
    public async Task SlowClient_BelowMinimumRate_Disconnected_OthersUnaffected()
    {
        await using var server = await TestServer.StartAsync(o => o.MinimumDataRate = new SmtpMinDataRate(200, TimeSpan.FromMilliseconds(500)));
        await using var slow = await OpenTransactionAsync(server);
        await using var fast = await OpenTransactionAsync(server);

        // Started before DATA is sent, so before the server's rate window opens (at its 354): the
        // lower bound then holds however long this test is descheduled between the two.
        var stopwatch = Stopwatch.StartNew();
        Assert.StartsWith("354", await slow.CommandAsync("DATA"));
        Assert.StartsWith("354", await fast.CommandAsync("DATA"));

        var trickle = Task.Run(async () =>
        {
            try
            {
                // 20 bytes/s, a tenth of the required rate.
                for (var i = 0; i < 100; i++)
                {
                    await slow.SendAsync("x");
                    await Task.Delay(50);
                }
            }
            catch (IOException)
            {
            }
        });

        await fast.SendAsync(new string('f', 5000) + "\r\n.\r\n");
        Assert.StartsWith("250", await fast.ReadReplyAsync());

        Assert.StartsWith("421 4.4.2", await slow.ReadReplyAsync());
        Assert.True(await slow.IsClosedAsync());
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
        await trickle;
        Assert.Single(server.Hooks.Messages);
        Assert.Equal(1, server.Hooks.Aborted);
    }

    [Fact]
    public async Task DataRate_AtMinimumRate_Accepted()
    {
        await using var server = await TestServer.StartAsync(o => o.MinimumDataRate = new SmtpMinDataRate(100, TimeSpan.FromMilliseconds(300)));
        await using var client = await OpenTransactionAsync(server);
        await client.CommandAsync("DATA");

        // ~4000 bytes/s in 200-byte pieces: far above 100 bytes/s even when the test machine is busy.
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(new string('x', 198) + "\r\n");
            await Task.Delay(50);
        }

        Assert.StartsWith("250", await client.CommandAsync("."));
    }

    [Fact]
    public void Options_InvalidValues_Rejected()
    {
        var options = new SmtpServerOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxSessions = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxRecipients = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxMessageBytes = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxErrors = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.CommandTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.DataTimeout = Timeout.InfiniteTimeSpan);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmtpMinDataRate(0, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentException>(() => options.ServerName = "two words");
    }

    [Fact]
    public void Validate_SeveralProblems_AllReported()
    {
        var options = new SmtpServerOptions { RequireAuth = true };
        options.Listen.Clear();

        var problems = options.Validate();

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("No listen endpoint", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("RequireAuth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_ImplicitTlsWithoutCertificate_Throws()
    {
        var options = new SmtpServerOptions();
        options.ImplicitTlsListen.Add(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        await using var server = new SmtpServer(options, new TestHooks());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync());

        Assert.Contains("ServerCertificate", ex.Message);
    }

    [Fact]
    public void Options_Defaults_MatchCitedSources()
    {
        var options = new SmtpServerOptions();

        Assert.Equal(100, options.MaxSessions);
        Assert.Equal(1000, options.MaxRecipients);
        Assert.Equal(10_240_000, options.MaxMessageBytes);
        Assert.Equal(20, options.MaxErrors);
        Assert.Equal(TimeSpan.FromMinutes(5), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), options.DataTimeout);
        Assert.Equal(240, options.MinimumDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), options.MinimumDataRate.GracePeriod);
        Assert.True(options.RequireTlsForAuth);
        Assert.False(options.RequireAuth);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met in time.");
            await Task.Delay(10);
        }
    }
}
