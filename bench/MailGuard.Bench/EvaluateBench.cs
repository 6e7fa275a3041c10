using System.Diagnostics;
using System.Globalization;
using MailGuard.Core.Policy;

namespace MailGuard.Bench;

/// <summary>
/// The relay's whole inspection of each message (parse, walk, extract, analyse, decide), as
/// MessageEvaluator does it for a session, without SMTP or the store: CPU per message, best of
/// the rounds. Usage: evaluate DIR|FILE... [--rounds N] (default 20).
/// </summary>
internal static class EvaluateBench
{
    public static int Run(ReadOnlySpan<string> args)
    {
        int rounds = 20;
        bool allocations = false;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--allocations")
            {
                allocations = true;
            }
            else if (args[i] == "--rounds")
            {
                rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (Directory.Exists(args[i]))
            {
                files.AddRange(Directory.GetFiles(args[i], "*.eml").Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(args[i]);
            }
        }

        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: MailGuard.Bench evaluate DIR|FILE... [--rounds N]");
            return 2;
        }

        using var ticks = allocations ? new AllocationTicks() : null;
        long allocated0 = GC.GetTotalAllocatedBytes(precise: true);
        int gen2 = GC.CollectionCount(2);
        var evaluator = new MessageEvaluator(new PolicyOptions { InternalDomains = ["internal.invalid"] }, null, TimeProvider.System);
        byte[][] messages = files.Select(File.ReadAllBytes).ToArray();
        using var self = Process.GetCurrentProcess();
        var best = new double[messages.Length];
        Array.Fill(best, double.MaxValue);
        // The mean over the second half of the rounds, warm: it includes the garbage collections
        // that a best-of figure leaves out.
        TimeSpan secondHalf = TimeSpan.Zero;
        for (int round = 0; round < rounds; round++)
        {
            if (round == rounds / 2)
            {
                self.Refresh();
                secondHalf = self.TotalProcessorTime;
            }

            for (int m = 0; m < messages.Length; m++)
            {
                self.Refresh();
                TimeSpan cpu0 = self.TotalProcessorTime;
                byte[] bytes = messages[m];
                using (var evaluation = evaluator.Evaluate(() => new MemoryStream(bytes, writable: false), null, CancellationToken.None))
                {
                    if (evaluation.Failure is { } failure)
                    {
                        Console.Error.WriteLine($"{files[m]}: {failure.Message}");
                        return 1;
                    }
                }

                self.Refresh();
                best[m] = Math.Min(best[m], (self.TotalProcessorTime - cpu0).TotalMilliseconds);
            }
        }

        for (int m = 0; m < messages.Length; m++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(files[m]),-40} {messages[m].Length,10} bytes  {best[m],8:F2} ms CPU"));
        }

        self.Refresh();
        double mean = (self.TotalProcessorTime - secondHalf).TotalMilliseconds / ((rounds - (rounds / 2)) * messages.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {best.Order().ElementAt(best.Length / 2):F2} ms CPU per message (best of {rounds} rounds each); mean over the last {rounds - (rounds / 2)} rounds {mean:F2} ms"));
        if (ticks is not null)
        {
            long perMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocated0) / (rounds * messages.Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocated {perMessage / 1024.0:F0} KiB per message; gen2 collections {GC.CollectionCount(2) - gen2}"));
            Console.WriteLine("sampled allocations (about one per 100 KB allocated), by heap and type:");
            foreach (var (key, count) in ticks.Counts.OrderByDescending(p => p.Value).Take(15))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,6}  {key}"));
            }
        }

        return 0;
    }
}

/// <summary>The runtime's allocation ticks (one about every 100 KB allocated), counted by heap and type.</summary>
internal sealed class AllocationTicks : System.Diagnostics.Tracing.EventListener
{
    public Dictionary<string, int> Counts { get; } = [];

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }

        int kind = e.PayloadNames.IndexOf("AllocationKind");
        int type = e.PayloadNames.IndexOf("TypeName");
        // AllocationKind 1 is the large object heap.
        string heap = kind >= 0 && Convert.ToInt32(e.Payload![kind], CultureInfo.InvariantCulture) == 1 ? "LOH" : "SOH";
        string key = heap + " " + (type >= 0 ? e.Payload![type] as string : "?");
        lock (Counts)
        {
            Counts[key] = Counts.GetValueOrDefault(key) + 1;
        }
    }
}
