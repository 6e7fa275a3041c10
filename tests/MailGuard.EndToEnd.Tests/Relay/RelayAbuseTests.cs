using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>
/// `mailguard run` under abuse, with the limits set through configuration as an operator would:
/// idle connections from one host, a slow-loris trickle, AUTH guessing with a real client, and more
/// mail than inspection can take. Other loopback addresses (127.0.0.2, ...) are other clients.
/// </summary>
public sealed class RelayAbuseTests(ITestOutputHelper output)
{
    private static readonly IPAddress s_hostile = IPAddress.Parse("127.0.0.2");

    private static async Task<Socket> ConnectFromAsync(IPAddress from, IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    /// <summary>Reads one reply line (single-line replies only) or null when the peer closed.</summary>
    private static async Task<string?> ReadLineAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            int n = await socket.ReceiveAsync(one, SocketFlags.None, cts.Token);
            if (n == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }

    private static async Task<string> CommandAsync(Socket socket, string command)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\r\n"), SocketFlags.None);
        string reply;
        // Multi-line replies (EHLO) end at the line whose fourth character is a space.
        do
        {
            reply = await ReadLineAsync(socket, TimeSpan.FromSeconds(20)) ?? "(closed)";
        }
        while (reply.Length > 3 && reply[3] == '-');

        return reply;
    }

    /// <param name="allowed">127.0.0.0/8: the idle host may relay and meets its per-client share; 127.0.0.1/32: it is an outsider and meets the untrusted budget first.</param>
    [Theory]
    [InlineData("127.0.0.0/8", 20)]
    [InlineData("127.0.0.1/32", 10)]
    public async Task IdleConnections_HundredFromOneClient_AnotherClientStillSends(string allowed, int share)
    {
        var log = new LogCapture();
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?>
            {
                ["Relay:MaxSessionsPerClient"] = "20",
                ["Relay:MaxUntrustedSessions"] = "10",
                ["Relay:AllowedNetworks:0"] = allowed,
            },
            services => services.AddSingleton<ILoggerProvider>(log));
        var idle = new List<Socket>();
        int greeted = 0, refused = 0;
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var socket = await ConnectFromAsync(s_hostile, relay.EndPoint);
                idle.Add(socket);
                string? greeting = await ReadLineAsync(socket, TimeSpan.FromSeconds(20));
                if (greeting?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    greeted++;
                }
                else if (greeting?.StartsWith("421 4.7.0", StringComparison.Ordinal) == true)
                {
                    refused++;
                }
            }

            output.WriteLine($"idle host ({allowed} may relay): {greeted} greeted, {refused} refused with 421 4.7.0");
            Assert.Equal(share, greeted);
            Assert.Equal(100 - share, refused);

            // The refusals are logged once (a line a minute per client and limit), not once each.
            Assert.Single(log.Entries, e => e.EventId == MailGuard.Core.Diagnostics.LogEventIds.ConnectionRefused);

            var sent = Stopwatch.StartNew();
            var result = await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["a@partner.example"], TestMessages.Build("while the hostile host waits"));
            output.WriteLine($"legitimate client's message: {result.Reply?.Code} after {sent.ElapsedMilliseconds} ms");
            Assert.Equal(250, result.Reply?.Code);
            Assert.Single(await relay.WaitForPickupAsync(1));
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task Trickle_OneByteEveryHalfSecond_CutOffAtCommandTimeout()
    {
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:CommandTimeout"] = "00:00:02",
        });
        // Started before connecting, so before the relay starts timing the session: the lower
        // bound below holds however long this test waits between the greeting and its first byte.
        var clock = Stopwatch.StartNew();
        using var socket = await ConnectFromAsync(s_hostile, relay.EndPoint);
        Assert.StartsWith("220", await ReadLineAsync(socket, TimeSpan.FromSeconds(20)));

        // "NOOP NOOP NOOP ..." one byte at a time, never a line end: each byte arrives well inside
        // the 2 s, so only a limit on the whole line can end it.
        var reading = ReadLineAsync(socket, TimeSpan.FromSeconds(30));
        int sent = 0;
        while (!reading.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                await socket.SendAsync(new[] { (byte)"NOOP "[sent % 5] }, SocketFlags.None);
                sent++;
            }
            catch (SocketException)
            {
                break;
            }

            await Task.WhenAny(reading, Task.Delay(500));
        }

        string? reply = await reading;
        output.WriteLine($"after {sent} bytes in {clock.Elapsed.TotalSeconds:F1} s: {reply}");
        Assert.StartsWith("421 4.4.2", reply);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
        Assert.Null(await ReadLineAsync(socket, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Trickle_CompleteLinesSlowly_CutOffByMinimumCommandRate()
    {
        // Each NOOP line arrives inside CommandTimeout, but 6 bytes every 1.5 s is under 10 B/s:
        // after the 3 s grace (CommandTimeout) plus 0.6 s per line earned, the session is closed.
        await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:CommandTimeout"] = "00:00:03",
            ["Relay:MinimumCommandRate"] = "10",
        });
        // Started before connecting, so before the relay starts timing the session: the lower
        // bound below holds however long this test waits between the greeting and its first byte.
        var clock = Stopwatch.StartNew();
        using var socket = await ConnectFromAsync(s_hostile, relay.EndPoint);
        Assert.StartsWith("220", await ReadLineAsync(socket, TimeSpan.FromSeconds(20)));

        string? last = null;
        int lines = 0;
        // Replies are read as they come, so the 421 is seen even if it arrives between two NOOPs.
        var reading = ReadLineAsync(socket, TimeSpan.FromSeconds(30));
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await Task.WhenAny(reading, Task.Delay(1500)) == reading)
            {
                last = await reading;
                if (last is null || !last.StartsWith("250", StringComparison.Ordinal))
                {
                    break;
                }

                lines++;
                reading = ReadLineAsync(socket, TimeSpan.FromSeconds(30));
                continue;
            }

            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes("NOOP\r\n"), SocketFlags.None);
            }
            catch (SocketException)
            {
                last = await reading;
                break;
            }
        }

        output.WriteLine($"{lines} NOOPs answered, then '{last}' after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.StartsWith("421 4.4.2", last);
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 15);
    }

    [Fact]
    public async Task Inspection_PoolAndQueueFull_NextDataGets451_471_ThenServedAgain()
    {
        var gate = new BlockingDisposition();
        await using var relay = await TestRelay.StartAsync(
            new Dictionary<string, string?>
            {
                ["Inspection:Workers"] = "1",
                ["Inspection:MaxQueued"] = "0",
            },
            services => services.AddSingleton<IMessageDisposition>(gate));
        var pool = relay.Services.GetRequiredService<InspectionPool>();

        var first = TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["a@partner.example"], TestMessages.Build("first"));
        // Inspected on the pool's own thread, not the session's.
        Assert.StartsWith("mailguard-inspection-", await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal((1, 0), (pool.Running, pool.Queued));

        using (var second = await ConnectFromAsync(IPAddress.Loopback, relay.EndPoint))
        {
            Assert.StartsWith("220", await ReadLineAsync(second, TimeSpan.FromSeconds(20)));
            Assert.StartsWith("250", await CommandAsync(second, "EHLO client.example"));
            Assert.StartsWith("250", await CommandAsync(second, "MAIL FROM:<clerk@corp.example>"));
            Assert.StartsWith("250", await CommandAsync(second, "RCPT TO:<a@partner.example>"));
            string busy = await CommandAsync(second, "DATA");
            output.WriteLine("DATA while inspection is full: " + busy);
            Assert.StartsWith("451 4.7.1", busy);
            // The transaction ended; the session did not.
            Assert.StartsWith("503", await CommandAsync(second, "RCPT TO:<a@partner.example>"));
            Assert.StartsWith("250", await CommandAsync(second, "NOOP"));
        }

        gate.Release.SetResult();
        Assert.Equal(250, (await first).Reply?.Code);
        Assert.Equal(250, (await TestMessages.SendAsync(relay.Port, "clerk@corp.example", ["a@partner.example"], TestMessages.Build("third"))).Reply?.Code);
        Assert.Equal(2, (await relay.WaitForPickupAsync(2)).Count);
    }

    /// <summary>Delivers everything, but the first message waits for the test's word, holding the only worker.</summary>
    private sealed class BlockingDisposition : IMessageDisposition
    {
        public TaskCompletionSource<string> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<MessageDecision> DecideAsync(ReceivedMessage message, CancellationToken cancellationToken)
        {
            if (Started.TrySetResult(Thread.CurrentThread.Name ?? "unnamed"))
            {
                // On the pool's worker: blocking it is what fills the pool.
                Release.Task.Wait(cancellationToken);
            }

            return ValueTask.FromResult(MessageDecision.Deliver);
        }
    }
}
