using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using Npgsql;

namespace MailGuard.Bench;

/// <summary>
/// bench/store: holds/s and releases/s on SQLite and (when MAILGUARD_TEST_POSTGRES names a
/// server, e.g. one started by .ci/test-postgres) PostgreSQL, in one run. 20 concurrent callers,
/// 2 KB messages, every call durable (SQLite synchronous=FULL with group commit; PostgreSQL
/// synchronous_commit=on). Usage: <c>store [ROUNDS]</c> (default 1). Each round starts on an empty
/// SQLite file and an empty PostgreSQL schema (dropped at the end, so a run leaves nothing behind);
/// the first round also pays start-up (JIT, first use of each statement), later rounds show the
/// steady state. Beside each rate, this process's CPU time per operation (µs): on a shared
/// machine the rates move with the neighbours' load, the CPU time much less (PostgreSQL's own work
/// is not in it).
/// </summary>
internal static class StoreBench
{
    private const int Messages = 2000;
    private const int Callers = 20;

    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
        string? postgres = Environment.GetEnvironmentVariable("MAILGUARD_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;
        // One file name and one schema name for the whole run, emptied between rounds: a relay keeps
        // one connection string for its lifetime, and what is cached per connection string (Dapper's
        // statement plans) is warm after the first round, as it would be in production.
        string dir = Path.Combine(Path.GetTempPath(), "mailguard-store-bench-" + Guid.NewGuid().ToString("N"));
        string database = Path.Combine(dir, "mailguard.db");
        string schema = "bench_" + Guid.NewGuid().ToString("N")[..16];
        string? inSchema = postgres is null ? null : new NpgsqlConnectionStringBuilder(postgres) { SearchPath = schema }.ToString();
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"{"provider",-10} {"holds/s",10} {"releases/s",11} {"claims+deliveries/s",20}   cpu µs/op: {"hold",6} {"release",8} {"claim+deliver",14}");
            for (int round = 1; round <= rounds; round++)
            {
                string suffix = rounds > 1 ? "#" + round.ToString(CultureInfo.InvariantCulture) : string.Empty;
                Measure("sqlite" + suffix, () => new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = database, SpoolDirectory = dir }, TimeProvider.System));
                foreach (string file in Directory.GetFiles(dir, "mailguard.db*"))
                {
                    File.Delete(file);
                }

                if (postgres is not null)
                {
                    Execute(postgres, $"CREATE SCHEMA {schema}");
                    try
                    {
                        Measure("postgres" + suffix, () => new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = inSchema!, SpoolDirectory = dir }, TimeProvider.System));
                    }
                    finally
                    {
                        Execute(postgres, $"DROP SCHEMA {schema} CASCADE");
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        if (postgres is null)
        {
            Console.WriteLine("postgres   (skipped: set MAILGUARD_TEST_POSTGRES, e.g. from .ci/test-postgres start DIR)");
        }

        return 0;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }

    private static void Measure(string name, Func<IMessageStore> open)
    {
        var store = open();
        store.InitializeAsync().GetAwaiter().GetResult();
        var quarantine = (IQuarantineStore)store;
        byte[] content = Encoding.ASCII.GetBytes("From: a@corp.example\r\nTo: b@ext.example\r\nSubject: s\r\n\r\n" + new string('x', 2000) + "\r\n");
        var ids = Enumerable.Range(0, Messages).Select(_ => MessageIds.New(TimeProvider.System)).ToArray();
        var details = new HoldDetails("bench", "bench", "s", null, "[]");

        var holds = Phase(() => Parallel(ids, id => quarantine.HoldAsync(
            new NewMessage(id, "a@corp.example", ["b@ext.example"], DateTimeOffset.UtcNow, "127.0.0.1", null, null, content.Length, InlineContent: content),
            details,
            new AuditEvent(DateTimeOffset.UtcNow, "bench", "hold", id, null))));
        var releases = Phase(() => Parallel(ids, id => quarantine.ReleaseAsync(id, "bench", null)));
        var deliveries = Phase(() =>
        {
            int done = 0;
            while (done < Messages)
            {
                var claimed = store.ClaimDueAsync("bench", 100, TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
                if (claimed.Count == 0)
                {
                    break;
                }

                foreach (var c in claimed)
                {
                    store.CompleteAttemptAsync(c.Message.Id, c.Recipients.Select(r => new RecipientOutcome(r.EntryId, RecipientDisposition.Delivered, "250 ok")).ToList()).GetAwaiter().GetResult();
                    done++;
                }
            }

            return done;
        });

        Console.WriteLine($"{name,-10} {holds.Rate,10:F0} {releases.Rate,11:F0} {deliveries.Rate,20:F0}              {holds.CpuMicroseconds,6:F0} {releases.CpuMicroseconds,8:F0} {deliveries.CpuMicroseconds,14:F0}");
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Runs one phase; its operations per second of wall time and this process's CPU microseconds per operation.</summary>
    private static (double Rate, double CpuMicroseconds) Phase(Func<int> run)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        int operations = run();
        double seconds = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return (operations / seconds, (process.TotalProcessorTime - cpu).TotalMicroseconds / operations);
    }

    private static int Parallel(string[] ids, Func<string, Task> work)
    {
        int next = -1;
        var tasks = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ids.Length)
            {
                await work(ids[i]);
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return ids.Length;
    }
}
