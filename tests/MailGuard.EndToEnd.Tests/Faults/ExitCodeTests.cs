using MailGuard.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// How `mailguard run` ends: 0 only for a stop that was asked for; a background service that fails
/// for a reason no retry mends stops the process with exit code 1 (so systemd's
/// Restart=on-failure brings it back), with events 800 and 801 saying why.
/// </summary>
[Collection("process environment")]
public sealed class ExitCodeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NonTransientStoreFailureInBackground_ProcessStopsWithExitCode1()
    {
        string dir = TempDirectory.Create("exitcode");
        string data = Path.Combine(dir, "data");
        try
        {
            await using var relay = await RelayProcess.StartAsync(TestMessages.FreePort(),
            [
                $"--Storage:Directory={data}",
                $"--Delivery:PickupDirectory={Path.Combine(dir, "pickup")}",
                "--Delivery:PollInterval=00:00:00.200",
                "--Logging:Format=json",
                "--Logging:LogLevel:Default=Warning",
            ]);
            var sent = await TestMessages.SendAsync(relay.Port, "sender@example.org", ["rcpt@example.com"], TestMessages.Build("before"));
            Assert.Equal(MailGuard.Smtp.Client.DeliveryOutcome.Delivered, sent.Outcome);

            // An operator's mistake no retry mends: the queue table is gone from under the running relay.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "mailguard.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = "PRAGMA foreign_keys = OFF; DROP TABLE queue;";
                await drop.ExecuteNonQueryAsync();
            }

            int code = await relay.WaitForExitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine(string.Join('\n', relay.Lines.Where(l => l.Contains("\"EventId\":80", StringComparison.Ordinal) || l.StartsWith("mailguard run:", StringComparison.Ordinal))));
            Assert.Equal(1, code);
            Assert.Equal(1, relay.CountLines("\"EventId\":800,"));
            Assert.Equal(1, relay.CountLines("\"EventId\":801,"));
            Assert.Contains(relay.Lines, l => l.StartsWith("mailguard run: stopped unexpectedly (DeliveryWorker failed", StringComparison.Ordinal));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [PrivatePostgresFact]
    public async Task StoreUnreachableAfterStart_KeepsRunning_SigtermExits0()
    {
        // A PostgreSQL store that goes away for good (nothing listens on its port any more): the
        // process keeps running and answering (451), and a requested stop still exits 0.
        string dir = TempDirectory.Create("exitcode-pg");
        var pg = await PrivatePostgres.StartAsync();
        bool pgGone = false;
        try
        {
            await using var relay = await RelayProcess.StartAsync(TestMessages.FreePort(),
            [
                "--Storage:Provider=Postgres",
                $"--Storage:ConnectionString={pg.ConnectionString}",
                $"--Storage:Directory={dir}",
                "--Delivery:PollInterval=00:00:00.200",
                "--Logging:Format=json",
                "--Logging:LogLevel:Default=Warning",
            ]);
            await pg.DisposeAsync();
            pgGone = true;
            await using var probe = await ProbeSession.OpenAsync(relay.Port);
            Assert.StartsWith("451 4.3.0", await probe.SendAsync("no database"));
            await relay.WaitForLineAsync("\"EventId\":304,", TimeSpan.FromSeconds(20));
            // Several backoff rounds later, still running.
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.False(relay.HasExited, relay.Output);
            Assert.StartsWith("451 4.3.0", await probe.SendAsync("still no database"));
            Assert.Equal(0, await relay.TerminateAsync(TimeSpan.FromSeconds(40)));
            Assert.Equal(0, relay.CountLines("\"EventId\":801,"));
        }
        finally
        {
            if (!pgGone)
            {
                await pg.DisposeAsync();
            }

            TempDirectory.Delete(dir);
        }
    }
}
