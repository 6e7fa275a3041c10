using System.Diagnostics;
using System.Text.Json;
using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.Host.Tests.Mime;

/// <summary>
/// The corpus README says the comparison also runs on messages outside the corpus. This test
/// generates messages from fixed seeds, has the oracle (../shared/corpus/mime/oracle.py, run
/// by python3 into a temporary directory) describe them, and compares mime-dump with it.
/// </summary>
public sealed class MimeDumpDifferentialTests
{
    private const int MessageCount = 300;
    private readonly ITestOutputHelper _output;

    public MimeDumpDifferentialTests(ITestOutputHelper output) => _output = output;

    [SharedCorpusFact("mime")]
    public void MimeDump_GeneratedMessages_AgreeWithOracle()
    {
        string oracle = Path.Combine(RepoPaths.Shared, "corpus", "mime", "oracle.py");
        string dir = Directory.CreateTempSubdirectory("mailguard-diff-").FullName;
        try
        {
            var gen = new RandomMessageGenerator(seed: 20261121);
            for (int i = 0; i < MessageCount; i++)
            {
                File.WriteAllBytes(Path.Combine(dir, $"gen{i:D4}.eml"), gen.Next());
            }

            var psi = new ProcessStartInfo("python3", [oracle, dir]) { RedirectStandardError = true, RedirectStandardOutput = true };
            Process p;
            try
            {
                p = Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception) when (!RepoPaths.IsCi)
            {
                _output.WriteLine("python3 not installed: differential comparison not run");
                return;
            }

            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "oracle.py failed: " + err);

            var failures = new List<string>();
            foreach (string file in Directory.GetFiles(dir, "*.eml").Order(StringComparer.Ordinal))
            {
                var stdout = new StringWriter();
                Assert.Equal(0, Cli.Run(["mime-dump", file], stdout, new StringWriter()));
                using var o = JsonDocument.Parse(File.ReadAllBytes(file + ".json"));
                using var ours = JsonDocument.Parse(stdout.ToString());
                var cmp = new OracleComparer();
                cmp.CompareDocument(o.RootElement, ours.RootElement);
                failures.AddRange(cmp.Failures.Select(f => Path.GetFileName(file) + ": " + f));
            }

            foreach (string f in failures)
            {
                _output.WriteLine(f);
            }

            Assert.True(failures.Count == 0, $"{failures.Count} disagreements on generated mail:\n" + string.Join("\n", failures.Take(40)));
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("MAILGUARD_KEEP_DIFF") is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
