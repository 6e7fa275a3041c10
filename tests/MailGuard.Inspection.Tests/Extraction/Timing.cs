using System.Diagnostics;
using System.Reflection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Speed assertions on a machine shared with other builds: time is the process CPU time (not
/// wall time, which other processes inflate), best of several runs, with no other test of this
/// assembly running at the same time. The targets hold for an optimised build of
/// MailGuard.Core; a Debug build runs the JIT without optimisation, so its bar is lower.
/// </summary>
internal static class Timing
{
    public static bool CoreIsOptimized { get; } =
        typeof(ContentExtractor).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    public static TimeSpan BestCpuTime(int runs, Action action)
    {
        TimeSpan best = TimeSpan.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using Process process = Process.GetCurrentProcess();
            TimeSpan before = process.TotalProcessorTime;
            action();
            process.Refresh();
            TimeSpan elapsed = process.TotalProcessorTime - before;
            if (elapsed < best)
            {
                best = elapsed;
            }
        }

        return best;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}
