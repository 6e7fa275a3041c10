using System.Diagnostics;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;

namespace MailGuard.Bench;

/// <summary>
/// bench/store: holds/s and releases/s on SQLite and (when MAILGUARD_TEST_POSTGRES names a
/// server, e.g. one started by .ci/test-postgres) PostgreSQL, in one run. 20 concurrent callers,
/// 2 KB messages, every call durable (SQLite synchronous=FULL with group commit; PostgreSQL
/// synchronous_commit=on).
/// </summary>
internal static class StoreBench
{
    private const int Messages = 2000;
    private const int Callers = 20;

    public static int Run()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mailguard-store-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Console.WriteLine($"{"provider",-10} {"holds/s",10} {"releases/s",11} {"claims+deliveries/s",20}");
            Measure("sqlite", () => new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = Path.Combine(dir, "mailguard.db"), SpoolDirectory = dir }, TimeProvider.System));
            if (Environment.GetEnvironmentVariable("MAILGUARD_TEST_POSTGRES") is { Length: > 0 } cs)
            {
                Measure("postgres", () => new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = cs, SpoolDirectory = dir }, TimeProvider.System));
            }
            else
            {
                Console.WriteLine("postgres   (skipped: set MAILGUARD_TEST_POSTGRES, e.g. from .ci/test-postgres start DIR)");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    private static void Measure(string name, Func<IMessageStore> open)
    {
        var store = open();
        store.InitializeAsync().GetAwaiter().GetResult();
        var quarantine = (IQuarantineStore)store;
        byte[] content = Encoding.ASCII.GetBytes("From: a@corp.example\r\nTo: b@ext.example\r\nSubject: s\r\n\r\n" + new string('x', 2000) + "\r\n");
        var ids = Enumerable.Range(0, Messages).Select(_ => MessageIds.New(TimeProvider.System)).ToArray();
        var details = new HoldDetails("bench", "bench", "s", null, "[]");

        double holds = Parallel(ids, id => quarantine.HoldAsync(
            new NewMessage(id, "a@corp.example", ["b@ext.example"], DateTimeOffset.UtcNow, "127.0.0.1", null, null, content.Length, InlineContent: content),
            details,
            new AuditEvent(DateTimeOffset.UtcNow, "bench", "hold", id, null)));
        double releases = Parallel(ids, id => quarantine.ReleaseAsync(id, "bench", null));
        var sw = Stopwatch.StartNew();
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

        double deliveries = done / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"{name,-10} {holds,10:F0} {releases,11:F0} {deliveries,20:F0}");
        store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static double Parallel(string[] ids, Func<string, Task> work)
    {
        int next = -1;
        var sw = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ids.Length)
            {
                await work(ids[i]);
            }
        })).ToArray();
        Task.WaitAll(tasks);
        return ids.Length / sw.Elapsed.TotalSeconds;
    }
}
