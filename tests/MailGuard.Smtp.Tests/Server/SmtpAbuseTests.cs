using System.Diagnostics;
using System.Net;
using System.Text;
using MailGuard.Smtp.Server;
using MailGuard.Smtp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>
/// Clients that hold sessions instead of sending mail: many idle connections from one host, hosts
/// outside the trusted networks, slow-loris command lines, AUTH guessing. Each limit is tested at
/// its edge with real sockets; other loopback addresses (127.0.0.2, ...) are other clients.
/// </summary>
public sealed class SmtpAbuseTests(ITestOutputHelper output)
{
    private static readonly IPAddress s_hostile = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress s_other = IPAddress.Parse("127.0.0.3");

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    [Fact]
    public void Options_NewLimitDefaults_MatchCitedSources()
    {
        var options = new SmtpServerOptions();

        Assert.Equal(20, options.MaxSessionsPerClient);
        Assert.Equal(10, options.MaxUntrustedSessions);
        Assert.Equal(["127.0.0.0/8", "::1/128"], options.TrustedNetworks.Select(n => n.ToString()));
        Assert.Equal(1, options.MinimumCommandRate!.BytesPerSecond);
        Assert.Equal(options.CommandTimeout, options.MinimumCommandRate.GracePeriod);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxSessionsPerClient = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxUntrustedSessions = 0);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("::ffff:10.1.2.3", "10.1.2.3")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    public void ClientPrefix_Ipv6CountedBy64(string address, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), Cidr.ClientPrefix(IPAddress.Parse(address)));
    }

    [Fact]
    public async Task SessionsPerClient_AtLimitServed_OneOverRefused421_OtherClientServed()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxSessionsPerClient = 3);
        var mine = new List<RawClient>();
        for (int i = 0; i < 3; i++)
        {
            mine.Add(await server.ConnectAsync(from: s_hostile));
        }

        await using var over = await server.ConnectAsync(readGreeting: false, from: s_hostile);
        Assert.StartsWith("421 4.7.0", await over.ReadReplyAsync());
        Assert.True(await over.IsClosedAsync());
        await using var other = await server.ConnectAsync(from: s_other);
        Assert.StartsWith("250", await other.CommandAsync("NOOP"));

        // A slot given back is free again.
        await mine[0].CommandAsync("QUIT");
        await mine[0].IsClosedAsync();
        await SmtpLimitsTests.WaitUntilAsync(() => server.Server.ActiveSessions == 3);
        await using var again = await server.ConnectAsync(from: s_hostile);
        Assert.StartsWith("250", await again.CommandAsync("NOOP"));
        foreach (var client in mine)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task IdleConnections_HundredFromOneAddress_AnotherClientStillServed()
    {
        var refused = new System.Collections.Concurrent.ConcurrentQueue<SmtpConnectionLimit>();
        await using var server = await TestServer.StartAsync();
        server.Server.ConnectionRefused += (_, e) => refused.Enqueue(e.Limit);
        var idle = new List<RawClient>();
        int greeted = 0;
        for (int i = 0; i < 100; i++)
        {
            var client = await server.ConnectAsync(readGreeting: false, from: s_hostile);
            idle.Add(client);
            if ((await client.ReadReplyAsync()).StartsWith("220 ", StringComparison.Ordinal))
            {
                greeted++;
            }
        }

        // The default fair share (20) of the default 100 sessions; the other 80 were told 421.
        Assert.Equal(20, greeted);
        await SmtpLimitsTests.WaitUntilAsync(() => refused.Count == 80);
        Assert.All(refused, l => Assert.Equal(SmtpConnectionLimit.MaxSessionsPerClient, l));

        var latencies = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await using var legit = await server.ConnectAsync();
            await legit.CommandAsync("EHLO client.test");
            Assert.StartsWith("250", await legit.CommandAsync("MAIL FROM:<a@example.test>"));
            Assert.StartsWith("250", await legit.CommandAsync("RCPT TO:<b@example.test>"));
            Assert.StartsWith("354", await legit.CommandAsync("DATA"));
            Assert.StartsWith("250", await legit.CommandAsync("Subject: hi\r\n\r\nhello\r\n."));
            await legit.CommandAsync("QUIT");
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        output.WriteLine($"legitimate client beside 20 idle + 80 refused hostile connections: median {latencies[10]:F1} ms, max {latencies[^1]:F1} ms per session");
        Assert.Equal(20, server.Hooks.Messages.Count);
        foreach (var client in idle)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task UntrustedSessions_AtBudgetServed_OneOverRefused_TrustedServed_AuthLeavesBudget()
    {
        await using var server = await TestServer.StartAsync(
            o =>
            {
                o.TrustedNetworks.Clear();
                o.TrustedNetworks.Add(IPNetwork.Parse("127.0.0.1/32"));
                o.MaxUntrustedSessions = 2;
            },
            tls: true);
        await using var first = await server.ConnectAsync(from: s_hostile);
        await using var second = await server.ConnectAsync(from: s_other);
        Assert.Equal(2, server.Server.UntrustedSessions);

        await using var over = await server.ConnectAsync(readGreeting: false, from: IPAddress.Parse("127.0.0.4"));
        Assert.StartsWith("421 4.7.0", await over.ReadReplyAsync());
        Assert.True(await over.IsClosedAsync());
        await using var trusted = await server.ConnectAsync(from: IPAddress.Loopback);
        Assert.StartsWith("250", await trusted.CommandAsync("NOOP"));

        // Authenticating takes a session out of the untrusted budget: a new outsider fits again.
        await first.CommandAsync("EHLO client.test");
        await first.CommandAsync("STARTTLS");
        await first.StartTlsAsync();
        await first.CommandAsync("EHLO client.test");
        Assert.StartsWith("235", await first.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.Equal(1, server.Server.UntrustedSessions);
        await using var fits = await server.ConnectAsync(from: IPAddress.Parse("127.0.0.4"));
        Assert.StartsWith("250", await fits.CommandAsync("NOOP"));
        Assert.Equal(4, server.Server.ActiveSessions);
    }

    [Theory]
    [InlineData(100, 3000, true)]
    [InlineData(400, 1000, false)]
    public async Task CommandLine_TrickledOver1sLimit_WholeLineTimed(int byteIntervalMs, int timeoutMs, bool completes)
    {
        // "NOOP\r\n" a byte every 400 ms needs 2 s against a CommandTimeout of 1 s for the whole
        // line: each byte no longer restarts the clock. A byte every 100 ms (about 0.5 s, and more
        // on a loaded machine, where a 1 s limit once ran out) completes within a 3 s limit.
        await using var server = await TestServer.StartAsync(o => o.CommandTimeout = TimeSpan.FromMilliseconds(timeoutMs));
        // Started before connecting, so before the server begins timing the first line: the lower
        // bound below cannot be broken by this test being descheduled after the greeting.
        var stopwatch = Stopwatch.StartNew();
        await using var client = await server.ConnectAsync();
        var sending = TrickleAsync(client, "NOOP\r\n", TimeSpan.FromMilliseconds(byteIntervalMs), repeat: false);

        var reply = await client.ReadReplyAsync();

        if (completes)
        {
            Assert.StartsWith("250", reply);
        }
        else
        {
            Assert.StartsWith("421 4.4.2", reply);
            Assert.Contains("timeout", reply, StringComparison.Ordinal);
            // Bytes every 400 ms never let a per-byte timer of 1 s expire: any 421 proves the whole
            // line is timed. The upper bound leaves room for a loaded machine's scheduling.
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.9));
            Assert.True(await client.IsClosedAsync());
        }

        await sending;
    }

    [Fact]
    public async Task SlowLoris_CompleteLinesTrickled_ClosedNearCommandTimeout()
    {
        // The default minimum command rate scaled by 1/250: 1 byte/s after 300 s -> 250 bytes/s
        // after 1.2 s; a byte every 100 ms (25 s unscaled) makes each line ("NOOP\r\n", 0.6 s)
        // complete in a fifth of a 3 s CommandTimeout (a loaded machine cannot push a line past
        // it), so only the rate ends the session, near 1.2 s.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.CommandTimeout = TimeSpan.FromSeconds(3);
            o.MinimumCommandRate = new SmtpMinDataRate(250, TimeSpan.FromSeconds(1.2));
        });
        // Started before connecting, so before the session's command rate starts counting.
        var stopwatch = Stopwatch.StartNew();
        await using var loris = await server.ConnectAsync();

        // Stopped at 6 s if the rate never ends it: the idle session then times out, and the
        // assertions below fail instead of the test waiting for ever.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var sending = TrickleAsync(loris, "NOOP\r\n", TimeSpan.FromMilliseconds(100), repeat: true, stop.Token);

        string? line;
        var replies = new List<string>();
        while ((line = await loris.ReadLineAsync()) is not null)
        {
            replies.Add(line);
        }

        var closedAfter = stopwatch.Elapsed;
        output.WriteLine($"slow-loris closed after {closedAfter.TotalSeconds:F2} s: {string.Join(" | ", replies)}");
        Assert.StartsWith("421 4.4.2", replies[^1]);
        Assert.Contains("data rate too low", replies[^1], StringComparison.Ordinal);
        Assert.InRange(closedAfter, TimeSpan.FromSeconds(1.1), TimeSpan.FromSeconds(2.5));
        await sending;
    }

    [Fact]
    public async Task SlowLoris_WithoutCommandRate_CompleteLinesKeepSessionPastTimeout()
    {
        // What the rate adds: with the per-line limit alone, lines trickled inside it hold the session.
        // Each line takes 6 x 50 ms, under a sixth of CommandTimeout (at 100 ms a byte, a third, a
        // loaded CI run once stretched one line past it); the session is kept for twice
        // CommandTimeout, whole lines only.
        var commandTimeout = TimeSpan.FromSeconds(2);
        await using var server = await TestServer.StartAsync(o =>
        {
            o.CommandTimeout = commandTimeout;
            o.MinimumCommandRate = null;
        });
        await using var loris = await server.ConnectAsync();
        var stopwatch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(2 * commandTimeout);
        int lines = await TrickleAsync(loris, "NOOP\r\n", TimeSpan.FromMilliseconds(50), repeat: true, stop.Token);

        Assert.True(stopwatch.Elapsed > commandTimeout, $"the trickle lasted {stopwatch.Elapsed.TotalSeconds:F2} s");
        for (int i = 0; i < lines; i++)
        {
            Assert.StartsWith("250", await loris.ReadReplyAsync());
        }

        Assert.StartsWith("250", await loris.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(240, false)]
    public async Task CommandRate_FastCommandsKept_SlowCommandsClosed(int pauseMs, bool kept)
    {
        // 100 bytes/s after 0.5 s: "NOOP\r\n" every 20 ms is about 250 bytes/s of waiting time, every
        // 240 ms 25 bytes/s, which runs out near 0.5 + 0.25 t = t, t = 0.67 s.
        await using var server = await TestServer.StartAsync(o => o.MinimumCommandRate = new SmtpMinDataRate(100, TimeSpan.FromMilliseconds(500)));
        // Started before connecting, so before the session's command rate starts counting.
        var stopwatch = Stopwatch.StartNew();
        await using var client = await server.ConnectAsync();
        string reply = "";
        while (stopwatch.Elapsed < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(pauseMs);
            reply = await client.CommandAsync("NOOP");
            if (!reply.StartsWith("250", StringComparison.Ordinal))
            {
                break;
            }
        }

        if (kept)
        {
            Assert.StartsWith("250", reply);
        }
        else
        {
            Assert.StartsWith("421 4.4.2", reply);
            Assert.True(await client.IsClosedAsync());
            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1.8));
        }
    }

    [Fact]
    public async Task Auth_HookThrottles_Replies454_4_7_0_AndCountsAsError()
    {
        var hooks = new TestHooks { AuthResult = (_, _) => SmtpAuthResult.Throttled };
        await using var server = await TestServer.StartAsync(o => o.MaxErrors = 2, hooks, tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("454 4.7.0", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.StartsWith("454 4.7.0", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.StartsWith("421 4.7.0", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.True(await client.IsClosedAsync());
    }

    [Fact]
    public async Task Auth_UserStoreUnavailable_Replies454_NotCountedAsError()
    {
        var hooks = new TestHooks { AuthResult = (_, _) => SmtpAuthResult.Unavailable };
        await using var server = await TestServer.StartAsync(o => o.MaxErrors = 1, hooks, tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync();
        await client.CommandAsync("EHLO client.test");

        for (int i = 0; i < 3; i++)
        {
            Assert.StartsWith("454 4.7.0 Temporary", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        }

        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Data_HookRefusesBusy_Replies451_4_7_1_TransactionEnded()
    {
        var hooks = new TestHooks { DataRefusal = new SmtpReply(451, "4.7.1", "Busy, try again later") };
        await using var server = await TestServer.StartAsync(hooks: hooks);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");

        Assert.StartsWith("451 4.7.1", await client.CommandAsync("DATA"));
        Assert.StartsWith("503", await client.CommandAsync("RCPT TO:<b@example.test>"));

        // BDAT: the refused chunk is read and discarded, so its bytes are never taken for commands.
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        await client.SendAsync("BDAT 6 LAST\r\nNOOP\r\n");
        Assert.StartsWith("451 4.7.1", await client.ReadReplyAsync());
        Assert.StartsWith("250", await client.CommandAsync("NOOP"));
        Assert.Empty(server.Hooks.Messages);

        hooks.DataRefusal = null;
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RCPT TO:<b@example.test>");
        Assert.StartsWith("354", await client.CommandAsync("DATA"));
        Assert.StartsWith("250", await client.CommandAsync("hello\r\n."));
    }

    /// <summary>Sends <paramref name="text"/> a character at a time; with <paramref name="repeat"/>, again until
    /// cancelled, stopping only between whole repetitions. Returns how many repetitions were sent whole.</summary>
    private static async Task<int> TrickleAsync(RawClient client, string text, TimeSpan interval, bool repeat, CancellationToken cancellationToken = default)
    {
        int sent = 0;
        try
        {
            do
            {
                foreach (char c in text)
                {
                    await client.SendAsync(c.ToString());
                    await Task.Delay(interval, CancellationToken.None);
                }

                sent++;
            }
            while (repeat && !cancellationToken.IsCancellationRequested);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The server closed the connection: what the test waits for.
        }

        return sent;
    }
}
