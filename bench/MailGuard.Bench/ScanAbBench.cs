using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace MailGuard.Bench;

/// <summary>
/// bench/scan-ab: two builds of MailGuard.Inspection scanning the same file in one process, each
/// in its own load context, pass for pass in turn (A B B A ...), so that the machine's drift (its
/// two cores differ by 1.4x here and its speed moves within minutes) falls on both alike. Prints
/// each build's best and median CPU time a scan and the median of B/A over the pairs. CPU time
/// is the process's, from clock_gettime (Linux).
/// Usage: scan-ab DIR_A DIR_B FILE [PAIRS]  (DIR = a Release output folder of this bench or of the host)
/// </summary>
internal static class ScanAbBench
{
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: scan-ab DIR_A DIR_B FILE [PAIRS]");
            return 2;
        }

        string file = args[2];
        int pairs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
        var a = new Build(args[0]);
        var b = new Build(args[1]);

        // Warm both until the JIT has tiered the hot methods (background compiles would count),
        // then scan a small file several times a pass, so that a pass takes about 0.1 s.
        double once = double.MaxValue;
        for (int i = 0; i < 8; i++)
        {
            once = Math.Min(once, a.Scan(file, 1, out _));
            once = Math.Min(once, b.Scan(file, 1, out _));
        }

        int repeat = Math.Clamp((int)Math.Ceiling(0.1 / Math.Max(once, 1e-6)), 1, 10_000);
        for (int i = 0; i < 2_000 / repeat; i++)
        {
            a.Scan(file, 1, out _);
            b.Scan(file, 1, out _);
        }

        Thread.Sleep(300);
        var ta = new List<double>();
        var tb = new List<double>();
        long peopleA = 0, peopleB = 0;
        for (int i = 0; i < pairs; i++)
        {
            // A B then B A: whichever runs second in a pair gets no systematic advantage.
            if (i % 2 == 0)
            {
                ta.Add(a.Scan(file, repeat, out peopleA));
                tb.Add(b.Scan(file, repeat, out peopleB));
            }
            else
            {
                tb.Add(b.Scan(file, repeat, out peopleB));
                ta.Add(a.Scan(file, repeat, out peopleA));
            }
        }

        var ratios = ta.Zip(tb, (x, y) => y / x).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"A best {ta.Min() * 1000:F2} ms median {Median(ta) * 1000:F2}; B best {tb.Min() * 1000:F2} ms median {Median(tb) * 1000:F2} (a scan; {repeat} a pass); B/A median {Median(ratios):F3} (pairs {pairs}, B lower in {ta.Zip(tb).Count(p => p.Second < p.First)}); people {peopleA} {peopleB}"));
        return peopleA == peopleB ? 0 : 1;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private sealed class Build
    {
        private readonly Type _analyzer;

        // The analyzer's public constructor, every parameter given its default (null): builds
        // differ in how many optional parameters it has.
        private readonly ConstructorInfo _newAnalyzer;
        private readonly MethodInfo _extract;
        private readonly ConstructorInfo _location;
        private readonly Type _limits;
        private readonly PropertyInfo _people;
        private readonly PropertyInfo _findings;

        public Build(string dir)
        {
            var context = new DirectoryLoadContext(Path.GetFullPath(dir));
            var assembly = context.LoadFromAssemblyPath(Path.Combine(Path.GetFullPath(dir), "MailGuard.Inspection.dll"));
            _analyzer = assembly.GetType("MailGuard.Inspection.Detection.ContentAnalyzer", throwOnError: true)!;
            _newAnalyzer = _analyzer.GetConstructors().Single();
            _limits = assembly.GetType("MailGuard.Inspection.Extraction.ExtractionLimits", throwOnError: true)!;
            var locationType = assembly.GetType("MailGuard.Inspection.ContentLocation", throwOnError: true)!;
            _location = locationType.GetConstructors().Single(c => c.GetParameters().Length == 7);
            _extract = assembly.GetType("MailGuard.Inspection.Extraction.ContentExtractor", throwOnError: true)!
                .GetMethods(BindingFlags.Public | BindingFlags.Static)
                .Single(m => m.Name == "Extract" && m.GetParameters()[0].ParameterType == typeof(Stream));
            _people = _analyzer.GetProperty("MaxPeopleCount")!;
            _findings = _analyzer.GetProperty("Findings")!;
        }

        // CPU seconds of one scan of file, the mean of repeat scans.
        public double Scan(string file, int repeat, out long people)
        {
            people = 0;
            double cpu0 = ProcessCpuSeconds();
            for (int r = 0; r < repeat; r++)
            {
                object analyzer = _newAnalyzer.Invoke(new object?[_newAnalyzer.GetParameters().Length]);
                string name = Path.GetFileName(file);
                using (var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan))
                {
                    var parameters = _extract.GetParameters();
                    var values = new object?[parameters.Length];
                    for (int i = 0; i < parameters.Length; i++)
                    {
                        values[i] = parameters[i].HasDefaultValue ? parameters[i].DefaultValue : null;
                    }

                    values[0] = fs;
                    values[1] = name;
                    values[3] = _location.Invoke(["/", name, null, null, null, null, null]);
                    values[4] = analyzer;
                    values[5] = Activator.CreateInstance(_limits);
                    values[6] = CancellationToken.None;
                    _extract.Invoke(null, values);
                }

                _ = _findings.GetValue(analyzer);
                people = (long)_people.GetValue(analyzer)!;
            }

            return (ProcessCpuSeconds() - cpu0) / repeat;
        }
    }

    // The process's CPU time to the nanosecond (Process.TotalProcessorTime moves in 10 ms ticks
    // here, as long as a 200 KB workbook's whole scan).
    private static double ProcessCpuSeconds()
    {
        const int ClockProcessCpuTimeId = 2;
        return clock_gettime(ClockProcessCpuTimeId, out var ts) == 0 ? ts.Seconds + (ts.Nanoseconds / 1e9) : throw new InvalidOperationException("clock_gettime");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clockId, out TimeSpec time);

    // Loads a build's own assemblies from its folder; the framework's come from the default context.
    private sealed class DirectoryLoadContext(string dir) : AssemblyLoadContext(isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(dir, name.Name + ".dll");
            return name.Name!.StartsWith("MailGuard.", StringComparison.Ordinal) && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
