using System.Diagnostics;
using System.Text;
using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.Mime.Tests;

/// <summary>
/// A seeded mutator over the corpus (bit flips, byte runs, delimiter and header-line
/// duplication, truncation, line-ending swaps, deep splices). For a bounded time every mutant is
/// parsed and fully walked: headers decoded, every body decoded. Asserts no exception, no
/// hang (each parse within a deadline) and allocation bounded by the input size.
/// </summary>
public sealed class MimeFuzzTests
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(20);
    private readonly ITestOutputHelper _output;

    public MimeFuzzTests(ITestOutputHelper output) => _output = output;

    [SharedCorpusFact("mime")]
    public void Parse_MutatedCorpus_NeverThrowsHangsOrOverAllocates()
    {
        var seeds = Directory.GetFiles(RepoPaths.MimeCorpus, "*.eml").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        var rng = new Random(5322);
        var clock = Stopwatch.StartNew();
        int iterations = 0;
        long worstRatio = 0;
        while (clock.Elapsed < s_budget)
        {
            byte[] input = Mutate(seeds[rng.Next(seeds.Length)], seeds[rng.Next(seeds.Length)], rng);
            var perCase = Stopwatch.StartNew();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Walk(input);
            }
            catch (Exception ex)
            {
                File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"mailguard-fuzz-{iterations}.eml"), input);
                throw new Xunit.Sdk.XunitException($"iteration {iterations}: {ex}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // Fixed costs (64 KiB line buffer, decoder buffers per part) plus a linear multiple of the
            // input: decoding every header (addresses, encoded words) makes strings in proportion to it.
            long bound = (32L * input.Length) + (1024L * 1024) + (100L * 1024 * CountParts(input));
            if (allocated >= bound)
            {
                // One-off process costs (a lazily created encoding table, a JIT tier-up) can land
                // in any iteration; a real leak repeats, so measure the same input again.
                long again = GC.GetAllocatedBytesForCurrentThread();
                Walk(input);
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - again);
            }

            if (allocated >= bound)
            {
                string dump = Path.Combine(Path.GetTempPath(), $"mailguard-fuzz-{iterations}.eml");
                File.WriteAllBytes(dump, input);
                Assert.Fail($"iteration {iterations}: {allocated} bytes allocated for {input.Length} bytes of input (saved as {dump})");
            }

            Assert.True(perCase.Elapsed < TimeSpan.FromSeconds(5), $"iteration {iterations}: took {perCase.Elapsed}");
            // Relative to input plus one 64 KiB buffer, so tiny inputs' fixed costs do not dominate.
            worstRatio = Math.Max(worstRatio, allocated / (input.Length + (64 * 1024)));
            iterations++;
        }

        _output.WriteLine($"{iterations} mutants in {clock.Elapsed.TotalSeconds:F1}s; worst allocation {worstRatio} bytes per (input byte + 64 KiB)");
        Assert.True(iterations > 100);
    }

    // Part delimiters may follow LF, CRLF or a bare CR.
    private static int CountParts(byte[] input) => 1 + input.AsSpan().Count("\n--"u8) + input.AsSpan().Count("\r--"u8);

    private static void Walk(byte[] input)
    {
        using var doc = MimeDocument.Load(input);
        var buffer = new byte[8192];
        foreach (var e in doc.Message.Body.DescendantsAndSelf())
        {
            _ = e.ContentType.MimeType;
            _ = e.ContentType.Charset;
            _ = e.FileName;
            _ = e.TransferEncoding;
            _ = e.ContentDisposition?.Disposition;
            if (e.Message is { } m)
            {
                TouchHeaders(m);
            }

            if (e.Kind == MimeEntityKind.Leaf)
            {
                using var s = e.OpenDecodedContent();
                while (s.Read(buffer) > 0)
                {
                }
            }
        }

        TouchHeaders(doc.Message);
        MimeWriter.Write(doc, Stream.Null, new HeaderEdits().Set("To", "undisclosed-recipients:;").Remove("Cc"));
    }

    private static void TouchHeaders(MimeMessage m)
    {
        _ = m.From;
        _ = m.To;
        _ = m.Cc;
        _ = m.Bcc;
        _ = m.ReplyTo;
        _ = m.Subject;
        _ = m.MessageId;
        _ = m.Date;
    }

    private static byte[] Mutate(byte[] a, byte[] b, Random rng)
    {
        var data = new List<byte>(a);
        int rounds = 1 + rng.Next(8);
        for (int r = 0; r < rounds && data.Count > 0; r++)
        {
            int pos = rng.Next(data.Count);
            switch (rng.Next(9))
            {
                case 0:
                    data[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1:
                    data.InsertRange(pos, Enumerable.Repeat((byte)"\r\n-=:;\"<>(\\ ?"[rng.Next(13)], 1 + rng.Next(64)));
                    break;
                case 2:
                    data.RemoveRange(pos, Math.Min(data.Count - pos, 1 + rng.Next(256)));
                    break;
                case 3:
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 4:
                    {
                        // Duplicate a line (delimiters and headers alike) many times.
                        int start = data.LastIndexOf((byte)'\n', pos) + 1;
                        int end = data.IndexOf((byte)'\n', pos);
                        if (end > start)
                        {
                            var line = data.GetRange(start, end - start + 1);
                            for (int i = 0, n = rng.Next(1, 200); i < n; i++)
                            {
                                data.InsertRange(start, line);
                            }
                        }

                        break;
                    }

                case 5:
                    for (int i = 0; i < data.Count; i++)
                    {
                        if (data[i] == (byte)'\r' && rng.Next(4) == 0)
                        {
                            data.RemoveAt(i);
                        }
                    }

                    break;
                case 6:
                    {
                        // Splice a piece of another message in (nested structures, foreign boundaries).
                        int from = rng.Next(b.Length);
                        data.InsertRange(pos, b.AsSpan(from, Math.Min(b.Length - from, rng.Next(4096))).ToArray());
                        break;
                    }

                case 7:
                    data.InsertRange(pos, Encoding.ASCII.GetBytes("\nContent-Type: multipart/mixed; boundary=\"" + new string('-', rng.Next(3)) + "\"\n\n--\n"));
                    break;
                default:
                    data.InsertRange(pos, Encoding.ASCII.GetBytes("=?utf-8?b?" + new string('=', rng.Next(5)) + "?= =?x?q?=F?=" + new string('(', rng.Next(50))));
                    break;
            }
        }

        return data.ToArray();
    }
}
