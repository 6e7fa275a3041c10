using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailGuard.Mime;

// Times are CPU time of this process (best of several runs), like the Python side's
// time.process_time(): on a shared machine wall time measures the neighbours.
static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

// bench/mime: MailGuard.Mime parse + full decode versus Python's email package on the same
// bytes, in one run. Usage: dotnet run -c Release --project bench/MailGuard.Bench -- mime [CORPUS_DIR]
if (args.Length > 0 && args[0] == "scan")
{
    return MailGuard.Bench.ScanBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "scan-ab")
{
    return MailGuard.Bench.ScanAbBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "evaluate")
{
    return MailGuard.Bench.EvaluateBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "xlsx-read")
{
    return MailGuard.Bench.XlsxReadBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "second-reading")
{
    return MailGuard.Bench.SecondReadingBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "store")
{
    return MailGuard.Bench.StoreBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "delivery")
{
    return MailGuard.Bench.DeliveryBench.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "scan-one")
{
    return MailGuard.Bench.ScanBench.ScanOne(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
}

if (args.Length == 0 || args[0] != "mime")
{
    Console.Error.WriteLine("usage: MailGuard.Bench mime [corpus-dir] | scan [--cpu N] | scan-ab DIR_A DIR_B FILE [pairs] | evaluate DIR|FILE... | xlsx-read [rows] | second-reading [corpus-dir] | store [rounds] | delivery [rounds]");
    return 2;
}

string corpus = args.Length > 1 ? args[1] : Path.GetFullPath(Path.Combine(FindRoot(), "..", "shared", "corpus", "mime", "messages"));
string[] files = Directory.GetFiles(corpus, "*.eml").Order(StringComparer.Ordinal).ToArray();
string big = Path.Combine(Path.GetTempPath(), "mailguard-bench-50mb.eml");
MakeBigMessage(big, 50 * 1024 * 1024);
const int Repeat = 5;

byte[][] corpusBytes = files.Select(File.ReadAllBytes).ToArray();
long corpusSize = corpusBytes.Sum(b => (long)b.Length);

// Warm up the JIT on every code path before timing, long enough for tiered compilation to
// finish promoting the hot methods (their background compiles would otherwise count as CPU).
for (int w = 0; w < 40; w++)
{
    foreach (var b in corpusBytes)
    {
        ParseAndDecode(new MemoryStream(b));
    }
}

Thread.Sleep(500);

double corpusBest = double.MaxValue;
for (int i = 0; i < Repeat; i++)
{
    var cpu = Cpu();
    foreach (var b in corpusBytes)
    {
        ParseAndDecode(new MemoryStream(b));
    }

    corpusBest = Math.Min(corpusBest, (Cpu() - cpu).TotalSeconds);
}

// The 50 MB message is parsed from the file (as the relay does from its spool).
double bigBest = double.MaxValue;
long bigAllocated = long.MaxValue;
long bigSize = new FileInfo(big).Length;
for (int i = 0; i < Repeat; i++)
{
    GC.Collect();
    long before = GC.GetTotalAllocatedBytes(precise: true);
    var cpu = Cpu();
    using (var fs = new FileStream(big, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan))
    {
        ParseAndDecode(fs);
    }

    bigBest = Math.Min(bigBest, (Cpu() - cpu).TotalSeconds);
    bigAllocated = Math.Min(bigAllocated, GC.GetTotalAllocatedBytes(precise: true) - before);
}

double parseOnly = double.MaxValue;
for (int i = 0; i < Repeat; i++)
{
    var cpu = Cpu();
    using (var doc = MimeDocument.Load(big))
    {
        _ = doc.EntityCount;
    }

    parseOnly = Math.Min(parseOnly, (Cpu() - cpu).TotalSeconds);
}

double decodeOnly = double.MaxValue;
using (var doc = MimeDocument.Load(big))
{
    var leaf = doc.Message.Body.DescendantsAndSelf().Last(e => e.Kind == MimeEntityKind.Leaf);
    var buffer = new byte[128 * 1024];
    for (int i = 0; i < Repeat; i++)
    {
        var cpu = Cpu();
        using (var d = leaf.OpenDecodedContent())
        {
            while (d.Read(buffer) > 0)
            {
            }
        }

        decodeOnly = Math.Min(decodeOnly, (Cpu() - cpu).TotalSeconds);
    }
}

// Python reference, same files, same run.
var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true };
psi.ArgumentList.Add(Path.Combine(FindRoot(), "bench", "mime", "python_ref.py"));
psi.ArgumentList.Add(Repeat.ToString(CultureInfo.InvariantCulture));
foreach (string f in files)
{
    psi.ArgumentList.Add("corpus=" + f);
}

psi.ArgumentList.Add("big=" + big);
var py = Process.Start(psi)!;
var pyTimes = new Dictionary<string, double>();
while (py.StandardOutput.ReadLine() is { } line)
{
    var parts = line.Split(' ');
    pyTimes[parts[0]] = double.Parse(parts[2], CultureInfo.InvariantCulture);
}

py.WaitForExit();

static double Mbps(long bytes, double s) => bytes / s / 1e6;
Console.WriteLine("MB/s of CPU time, best of 5 (MailGuard: process CPU; Python: time.process_time)");
Console.WriteLine($"{"input",-12} {"bytes",12} {"MailGuard MB/s",15} {"Python MB/s",12} {"ratio",8}");
Console.WriteLine($"{"corpus",-12} {corpusSize,12} {Mbps(corpusSize, corpusBest),15:F1} {Mbps(corpusSize, pyTimes["corpus"]),12:F1} {pyTimes["corpus"] / corpusBest,7:F1}x");
Console.WriteLine($"{"50MB-base64",-12} {bigSize,12} {Mbps(bigSize, bigBest),15:F1} {Mbps(bigSize, pyTimes["big"]),12:F1} {pyTimes["big"] / bigBest,7:F1}x");
Console.WriteLine($"50 MB message: parse only {Mbps(bigSize, parseOnly):F1} MB/s, decode of the attachment only {Mbps(bigSize, decodeOnly):F1} MB/s");
Console.WriteLine($"50 MB message: {bigAllocated / 1024.0 / 1024.0:F2} MB managed allocation in total (parse + full decode)");
return 0;

static void ParseAndDecode(Stream s)
{
    using var doc = MimeDocument.Load(s);
    var buffer = ReadBuffer.Shared;
    foreach (var e in doc.Message.Body.DescendantsAndSelf())
    {
        if (e.Kind == MimeEntityKind.Leaf)
        {
            using var d = e.OpenDecodedContent();
            while (d.Read(buffer) > 0)
            {
            }
        }
    }
}

static void MakeBigMessage(string path, int attachmentBytes)
{
    if (File.Exists(path))
    {
        return;
    }

    var rng = new Random(42);
    using var fs = File.Create(path);
    using var w = new StreamWriter(fs, new UTF8Encoding(false)) { NewLine = "\r\n" };
    w.WriteLine("From: Bench <bench@example.com>");
    w.WriteLine("To: someone@example.org");
    w.WriteLine("Subject: 50 MB attachment");
    w.WriteLine("MIME-Version: 1.0");
    w.WriteLine("Content-Type: multipart/mixed; boundary=\"=_bench\"");
    w.WriteLine();
    w.WriteLine("--=_bench");
    w.WriteLine("Content-Type: text/plain; charset=utf-8");
    w.WriteLine();
    w.WriteLine("See attached.");
    w.WriteLine("--=_bench");
    w.WriteLine("Content-Type: application/octet-stream; name=\"data.bin\"");
    w.WriteLine("Content-Disposition: attachment; filename=\"data.bin\"");
    w.WriteLine("Content-Transfer-Encoding: base64");
    w.WriteLine();
    var chunk = new byte[57 * 1000];
    for (int written = 0; written < attachmentBytes; written += chunk.Length)
    {
        rng.NextBytes(chunk);
        string b64 = Convert.ToBase64String(chunk, Base64FormattingOptions.InsertLineBreaks);
        w.WriteLine(b64);
    }

    w.WriteLine("--=_bench--");
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MailGuard.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? Directory.GetCurrentDirectory();
}

internal static class ReadBuffer
{
    // The harness's own read buffer, reused: Python's loop allocates no 128 KiB buffer either.
    public static readonly byte[] Shared = new byte[128 * 1024];
}
