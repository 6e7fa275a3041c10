using System.Diagnostics;
using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Smtp.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>
/// A smoke check of the hot path, not a benchmark (bench/ holds those): many 2 KB messages over
/// pipelined loopback sessions. Bounds are loose so a busy CI machine does not fail it.
/// </summary>
public sealed class ThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SendAsync_ManySmallMessages_ThroughputAndCpuWithinBudget()
    {
        await using var server = await TestServer.StartAsync();
        var body = Encoding.ASCII.GetBytes("Subject: load\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 76) + "\r\n", 26)));
        const int connections = 4;
        const int perConnection = 500;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var stopwatch = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            await using var client = new SmtpDeliveryClient(new SmtpClientOptions { Host = "127.0.0.1", Port = server.Port, StartTls = StartTlsMode.None });
            for (var i = 0; i < perConnection; i++)
            {
                var result = await client.SendAsync(new SmtpOutgoingMessage("a@example.test", ["b@example.test"], new MemoryStream(body)));
                Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
            }
        }));

        stopwatch.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var total = connections * perConnection;
        var perSecond = total / stopwatch.Elapsed.TotalSeconds;
        var cpuPerMessage = cpu.TotalMilliseconds / total;
        output.WriteLine($"{total} messages of {body.Length} bytes in {stopwatch.ElapsedMilliseconds} ms: {perSecond:F0}/s, {cpuPerMessage:F3} ms CPU and {allocated / total} bytes allocated per message (client, server and test hooks together)");

        Assert.Equal(total, server.Hooks.Messages.Count);
        Assert.True(perSecond > 200, $"{perSecond:F0} messages/s");
    }
}
