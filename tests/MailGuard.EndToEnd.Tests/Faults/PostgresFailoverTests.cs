using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// A PostgreSQL primary switch under load: two `mailguard run` nodes on a primary with a
/// synchronous hot standby, the primary crashed (immediate stop), the standby promoted. The nodes
/// find the new primary through a multi-host connection string (Target Session Attributes=primary)
/// and every message that got 250 reaches the upstream sink exactly once.
/// </summary>
[Collection("process environment")]
public sealed class PostgresFailoverTests(ITestOutputHelper output)
{
    [PrivatePostgresFact]
    public async Task TwoNodes_PrimaryCrashed_StandbyPromoted_NothingLostOrDuplicated()
    {
        string dir = TempDirectory.Create("pgfailover");
        await using var primary = await PrivatePostgres.StartAsync();
        await using var standby = await PrivatePostgres.StartStandbyAsync(primary);
        // Synchronous replication: a commit (and so a 250) waits until the standby has it, which
        // is what makes a failover lose nothing.
        await primary.RequireSynchronousStandbyAsync();
        string user = PrivatePostgres.Setting(primary.ConnectionString, "Username");
        string password = PrivatePostgres.Setting(primary.ConnectionString, "Password");
        string database = PrivatePostgres.Setting(primary.ConnectionString, "Database");
        string connectionString = $"Host=127.0.0.1:{primary.Port},127.0.0.1:{standby.Port};Username={user};Password={password};Database={database};Target Session Attributes=primary;Host Recheck Seconds=1";

        await using var sink = await CaptureSink.StartAsync();
        var relays = new List<RelayProcess>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                relays.Add(await RelayProcess.StartAsync(TestMessages.FreePort(), PostgresRestartTests.NodeArgs($"node-{i}", connectionString, Path.Combine(dir, $"node-{i}"), sink.Port)));
            }

            await using var load = new MailLoad(relays.Select(r => r.Port).ToList(), senders: 8);
            await load.WaitForAcceptedAsync(40, TimeSpan.FromSeconds(60));
            await using var probe = await ProbeSession.OpenAsync(relays[0].Port);
            Assert.StartsWith("250", await probe.SendAsync("before"));

            await primary.StopAsync("immediate");
            Assert.StartsWith("451 4.3.0", await probe.SendAsync("while down"));
            await load.WaitForRefusalAsync("451 4.3.0", TimeSpan.FromSeconds(20));
            int acceptedBeforeSwitch = load.Accepted;
            Assert.All(relays, r => Assert.False(r.HasExited, $"a relay exited with {(r.HasExited ? r.ExitCode : 0)} while no primary was up:\n{r.Output}"));

            await standby.PromoteAsync();
            var promotedAt = DateTime.UtcNow;
            double switchSeconds = await probe.SendUntilAcceptedAsync("after", promotedAt, "the standby was promoted");
            await load.WaitForAcceptedAsync(acceptedBeforeSwitch + 60, TimeSpan.FromSeconds(60));
            await load.StopAsync();

            string summary = await load.AssertDeliveredExactlyOnceAsync(sink, TimeSpan.FromSeconds(90));
            output.WriteLine($"failover: probe accepted again {switchSeconds:0.00} s after the promotion; {summary}");
            foreach (var relay in relays)
            {
                await relay.AssertStopsCleanlyAsync();
            }

            ProbeSession.AssertProbesDeliveredOnce(sink);
        }
        finally
        {
            await RelayProcess.DisposeAllAsync(relays);
            TempDirectory.Delete(dir);
        }
    }
}
