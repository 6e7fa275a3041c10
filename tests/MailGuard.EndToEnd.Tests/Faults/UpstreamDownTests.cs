using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// The smart host down while mail arrives, then started: the relay accepts (250), defers, and
/// delivers everything exactly once when the upstream returns, without a restart.
/// </summary>
[Collection("process environment")]
public sealed class UpstreamDownTests(ITestOutputHelper output)
{
    /// <param name="concurrency">
    /// Delivery:Concurrency; 1 as well, where the dispatcher finds a single slot free while the
    /// circuit is open (one message in hand being put back), which once stopped the node.
    /// </param>
    [Theory]
    [InlineData(20)]
    [InlineData(1)]
    public async Task UpstreamDown_MailDeferred_ThenDeliveredOnceWhenItReturns(int concurrency)
    {
        string dir = TempDirectory.Create("upstream");
        int sinkPort = TestMessages.FreePort();
        try
        {
            await using var relay = await RelayProcess.StartAsync(TestMessages.FreePort(),
            [
                $"--Storage:Directory={Path.Combine(dir, "data")}",
                "--Delivery:Mode=Smtp", "--Delivery:Smtp:Host=127.0.0.1", $"--Delivery:Smtp:Port={sinkPort}", "--Delivery:Smtp:StartTls=None",
                "--Delivery:PollInterval=00:00:00.200",
                $"--Delivery:Concurrency={concurrency}",
                "--Delivery:MinBackoff=00:00:01", "--Delivery:MaxBackoff=00:00:02",
                "--Delivery:CircuitBreaker:BreakDuration=00:00:01",
                "--Policy:InternalDomains:0=example.org",
                "--Logging:Format=json",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:MailGuard=Information",
            ]);
            await using var load = new MailLoad([relay.Port], senders: 2);
            await load.WaitForAcceptedAsync(30, TimeSpan.FromSeconds(60));

            // Deferred: an attempt failed against the closed port (211), or the breaker opened (220).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (relay.CountLines("\"EventId\":211,") + relay.CountLines("\"EventId\":220,") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no deferral logged with the upstream down:\n" + relay.Output);
                await Task.Delay(50);
            }

            await load.StopAsync();
            var queued = await TestMessages.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "mailguard.dll"), "queue", "list", "--json", $"--Storage:Directory={Path.Combine(dir, "data")}"]);
            int waiting = queued.Output.Split('\n').Count(l => l.Contains("\"status\":\"queued\"", StringComparison.Ordinal));
            Assert.True(waiting >= load.Accepted, $"{waiting} entries waiting in the queue for {load.Accepted} accepted messages:\n{queued.Output}");

            await using var sink = await CaptureSink.StartAsync(sinkPort);
            var upAt = DateTime.UtcNow;
            string summary = await load.AssertDeliveredExactlyOnceAsync(sink, TimeSpan.FromSeconds(40));
            output.WriteLine($"concurrency={concurrency}: deferred while down: 211 x{relay.CountLines("\"EventId\":211,")}, 220 x{relay.CountLines("\"EventId\":220,")}; all delivered {(DateTime.UtcNow - upAt).TotalSeconds:0.0} s after the sink started (1 s of it the duplicate watch); {summary}");
            Assert.Equal(load.Accepted, load.Fates.Count(f => f.Value != MailLoad.Fate.NotSent));
            Assert.Equal(0, await relay.TerminateAsync(TimeSpan.FromSeconds(40)));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }
}
