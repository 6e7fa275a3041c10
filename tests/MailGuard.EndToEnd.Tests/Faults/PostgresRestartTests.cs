using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// PostgreSQL stopped and started again under running `mailguard run` processes while clients
/// send: new mail gets 451 4.3.0 while it is down (with the log event), the relays keep running and
/// their sessions open, they recover by themselves, and every message that got 250 reaches the
/// upstream sink exactly once.
/// </summary>
[Collection("process environment")]
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    internal static string[] NodeArgs(string node, string connectionString, string dataDir, int sinkPort) =>
    [
        "--Storage:Provider=Postgres",
        $"--Storage:ConnectionString={connectionString}",
        $"--Storage:Directory={dataDir}",
        "--Delivery:Mode=Smtp", "--Delivery:Smtp:Host=127.0.0.1", $"--Delivery:Smtp:Port={sinkPort}", "--Delivery:Smtp:StartTls=None",
        "--Delivery:PollInterval=00:00:00.200",
        $"--Delivery:NodeName={node}",
        "--Policy:InternalDomains:0=example.org",
        "--Logging:Format=json",
        "--Logging:LogLevel:Default=Warning",
        // The store fault and recovery events (304 at Error/Warning, 305 at Information).
        "--Logging:LogLevel:MailGuard=Information",
    ];

    [PrivatePostgresFact]
    public Task OneNode_PostgresRestarted_451WhileDown_RecoversWithoutLossOrDuplicate() => RunAsync(nodes: 1, stopMode: "fast");

    [PrivatePostgresFact]
    public Task TwoNodesOneDatabase_PostgresCrashedAndRestarted_RecoverWithoutLossOrDuplicate() => RunAsync(nodes: 2, stopMode: "immediate");

    private async Task RunAsync(int nodes, string stopMode)
    {
        string dir = TempDirectory.Create("pgfault");
        await using var pg = await PrivatePostgres.StartAsync();
        await using var sink = await CaptureSink.StartAsync();
        var relays = new List<RelayProcess>();
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                relays.Add(await RelayProcess.StartAsync(TestMessages.FreePort(), NodeArgs($"node-{i}", pg.ConnectionString, Path.Combine(dir, $"node-{i}"), sink.Port)));
            }

            await using var load = new MailLoad(relays.Select(r => r.Port).ToList(), senders: 4 * nodes);
            await load.WaitForAcceptedAsync(40, TimeSpan.FromSeconds(60));
            await using var probe = await ProbeSession.OpenAsync(relays[0].Port);
            Assert.StartsWith("250", await probe.SendAsync("before"));

            await pg.StopAsync(stopMode);
            var stoppedAt = DateTime.UtcNow;
            // New mail while the database is down: 451 4.3.0 on the session that stays open.
            Assert.StartsWith("451 4.3.0", await probe.SendAsync("while down"));
            await load.WaitForRefusalAsync("451 4.3.0", TimeSpan.FromSeconds(20));
            foreach (var relay in relays)
            {
                await relay.WaitForLineAsync("\"EventId\":112,", TimeSpan.FromSeconds(20));
                await relay.WaitForLineAsync("\"EventId\":304,", TimeSpan.FromSeconds(20));
            }

            // Down for a few seconds, as a routine restart is.
            await Task.Delay(TimeSpan.FromSeconds(3) - (DateTime.UtcNow - stoppedAt) is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
            int acceptedBeforeRestart = load.Accepted;
            Assert.All(relays, r => Assert.False(r.HasExited, $"a relay exited with {(r.HasExited ? r.ExitCode : 0)} while PostgreSQL was down:\n{r.Output}"));
            await pg.StartAgainAsync();
            var restartedAt = DateTime.UtcNow;

            // Recovery by itself: the same session is accepted again, and so are the other clients.
            double recoverySeconds = await probe.SendUntilAcceptedAsync("after", restartedAt, "PostgreSQL came back");
            await load.WaitForAcceptedAsync(acceptedBeforeRestart + (30 * nodes), TimeSpan.FromSeconds(60));
            await load.StopAsync();

            string summary = await load.AssertDeliveredExactlyOnceAsync(sink, TimeSpan.FromSeconds(60));
            output.WriteLine($"nodes={nodes} stop={stopMode} probe accepted again {recoverySeconds:0.00} s after the restart; {summary}");
            foreach (var relay in relays)
            {
                // The background side recovered too (the delivery worker's claim, at least).
                await relay.WaitForLineAsync("\"EventId\":305,", TimeSpan.FromSeconds(30));
                output.WriteLine($"pid {relay.Id}: 112 x{relay.CountLines("\"EventId\":112,")}, 304 x{relay.CountLines("\"EventId\":304,")}, 305 x{relay.CountLines("\"EventId\":305,")}");
                await relay.AssertStopsCleanlyAsync();
            }

            // The probe messages that got 250 arrived once each too.
            ProbeSession.AssertProbesDeliveredOnce(sink);
        }
        finally
        {
            await RelayProcess.DisposeAllAsync(relays);
            TempDirectory.Delete(dir);
        }
    }
}
