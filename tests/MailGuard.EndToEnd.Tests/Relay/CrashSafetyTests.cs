using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>
/// `mailguard run` as a child process, SIGKILLed at random moments while clients send, then
/// restarted: every clean message that got 250 must reach the pickup directory, every flagged one
/// (a fifth of them expose twelve external recipients) must be in quarantine and never delivered,
/// and nothing whose transaction failed before the end of DATA may be either.
/// </summary>
[Collection("process environment")]
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private enum Fate
    {
        /// <summary>250 after the final dot: must be delivered.</summary>
        Accepted,

        /// <summary>The connection failed during DATA or while waiting for its reply: the relay may or may not have committed (RFC 5321 §6.1's duplicate window).</summary>
        Ambiguous,

        /// <summary>Failed before DATA (connect, MAIL, RCPT refused or cut): must not be delivered.</summary>
        NotSent,
    }

    [Fact]
    public async Task Sigkill_DuringLoad_EveryAcceptedMessageDeliveredNothingElse()
    {
        string dir = TempDirectory.Create("crash");
        int port = TestMessages.FreePort();
        string dll = Path.Combine(AppContext.BaseDirectory, "mailguard.dll");
        string pickup = Path.Combine(dir, "pickup");
        string[] args =
        [
            dll, "run", "--Console:Listen=",
            $"--Relay:Listen:0=127.0.0.1:{port}",
            $"--Storage:Directory={Path.Combine(dir, "data")}",
            $"--Delivery:PickupDirectory={pickup}",
            "--Delivery:PollInterval=00:00:00.100",
            "--Delivery:NodeName=crash-test",
            "--Relay:ServerName=mailguard.test",
            "--Logging:LogLevel:Default=Warning",
            // The test sender's domain: only an internal sender may get its message back (Return).
            "--Policy:InternalDomains:0=example.org",
            // The shipped exposure rule (hold) and a rule that returns mail with hidden recipients.
            "--Policy:Rules:0:Name=exposed-recipients", "--Policy:Rules:0:Priority=10", "--Policy:Rules:0:When:MinVisibleExternal=10",
            "--Policy:Rules:0:Action=Hold", "--Policy:Rules:0:NotifySender=true",
            "--Policy:Rules:1:Name=return-hidden", "--Policy:Rules:1:Priority=20", "--Policy:Rules:1:When:MinHidden=3", "--Policy:Rules:1:Action=Return",
        ];
        var fates = new ConcurrentDictionary<int, Fate>();
        int nextSeq = 0;
        var random = new Random(Environment.TickCount);
        Process? relay = null;
        try
        {
            relay = await StartAsync(args, port);
            using var stopSending = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(_ => Task.Run(() => SendLoopAsync(port, () => Interlocked.Increment(ref nextSeq), fates, stopSending.Token))).ToArray();
            int kills = 0;
            var restartTimes = new List<double>();
            for (int round = 0; round < 4; round++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(800, 2500)));
                // Kill only once this round has had real load (3 in 5 messages are plain ones, which
                // the check below counts): a slow or busy machine accepts fewer
                // messages per second, and the test must still exercise (and then check) as many.
                int target = (round + 1) * 90;
                var loadDeadline = DateTime.UtcNow.AddSeconds(60);
                while (fates.Count(f => f.Value == Fate.Accepted) < target && DateTime.UtcNow < loadDeadline)
                {
                    await Task.Delay(50);
                }

                relay.Kill(); // SIGKILL: no shutdown code runs
                await relay.WaitForExitAsync();
                relay.Dispose();
                kills++;
                await Task.Delay(random.Next(0, 300));
                var sw = Stopwatch.StartNew();
                relay = await StartAsync(args, port);
                restartTimes.Add(sw.Elapsed.TotalSeconds);
            }

            await Task.Delay(1000);
            stopSending.Cancel();
            await Task.WhenAll(senders);

            var acceptedAll = fates.Where(f => f.Value == Fate.Accepted).Select(f => f.Key).ToHashSet();
            var accepted = acceptedAll.Where(s => !IsFlagged(s) && !IsReturned(s)).ToHashSet();
            var acceptedReturned = acceptedAll.Where(IsReturned).ToHashSet();
            var acceptedFlagged = acceptedAll.Where(IsFlagged).ToHashSet();
            var ambiguous = fates.Where(f => f.Value == Fate.Ambiguous).Select(f => f.Key).ToHashSet();
            var notSent = fates.Where(f => f.Value == Fate.NotSent).Select(f => f.Key).ToHashSet();

            // Wait for the queue to drain into the pickup directory.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            Dictionary<int, int> delivered;
            while (true)
            {
                delivered = ReadDeliveredSeqs(pickup);
                if ((accepted.All(delivered.ContainsKey) && acceptedReturned.All(ReadReturnedSeqs(pickup).Contains)) || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(200);
            }

            await Task.Delay(500);
            delivered = ReadDeliveredSeqs(pickup);
            var lost = accepted.Where(s => !delivered.ContainsKey(s)).ToList();
            var wrongly = delivered.Keys.Where(s => notSent.Contains(s) || IsFlagged(s) || IsReturned(s)).ToList();
            var returned = ReadReturnedSeqs(pickup);
            var returnMissing = acceptedReturned.Where(s => !returned.Contains(s)).ToList();
            var held = ReadHeldSeqs(Path.Combine(dir, "data"));
            var heldMissing = acceptedFlagged.Where(s => !held.Contains(s)).ToList();
            var fromAmbiguous = delivered.Keys.Count(ambiguous.Contains);
            int duplicates = delivered.Values.Sum(n => n - 1);
            output.WriteLine($"kills={kills} restarts(s)=[{string.Join(", ", restartTimes.Select(t => t.ToString("0.00")))}] attempted={fates.Count} accepted(250)={accepted.Count} ambiguous={ambiguous.Count} notSent={notSent.Count}");
            output.WriteLine($"delivered distinct={delivered.Count} lost={lost.Count} duplicates={duplicates} deliveredWithout250(ambiguous window)={fromAmbiguous} deliveredAfterFailureBeforeDataOrFlagged={wrongly.Count}");
            output.WriteLine($"flagged accepted(250)={acceptedFlagged.Count} held={held.Count} heldMissing={heldMissing.Count}");
            output.WriteLine($"to-return accepted(250)={acceptedReturned.Count} returned={returned.Count} returnMissing={returnMissing.Count}");

            Assert.True(accepted.Count >= 200, $"only {accepted.Count} messages accepted; the test did not exercise enough load");
            Assert.Empty(lost);
            Assert.Empty(wrongly);
            Assert.Empty(heldMissing);
            Assert.Empty(returnMissing);
            Assert.True(acceptedReturned.Count >= 20, $"only {acceptedReturned.Count} to-return messages accepted");
            Assert.True(acceptedFlagged.Count >= 20, $"only {acceptedFlagged.Count} flagged messages accepted");
            Assert.Equal(0, delivered.Keys.Count(k => !fates.ContainsKey(k)));

            // The queue is empty afterwards: every entry delivered (checked through the CLI).
            var stdout = new StringWriter();
            Assert.Equal(0, Cli.Run(["queue", "list", "--json", $"--Storage:Directory={Path.Combine(dir, "data")}"], stdout, new StringWriter()));
            Assert.Equal(string.Empty, stdout.ToString().Trim());

            // And a normal stop: SIGTERM ends `mailguard run` gracefully with exit code 0.
            using (var kill = Process.Start("kill", ["-TERM", relay.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await relay.WaitForExitAsync(exited.Token);
            Assert.Equal(0, relay.ExitCode);
        }
        finally
        {
            if (relay is { HasExited: false })
            {
                relay.Kill();
                await relay.WaitForExitAsync();
            }

            relay?.Dispose();
            TempDirectory.Delete(dir);
        }
    }

    private static async Task<Process> StartAsync(string[] args, int port)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(p.HasExited, $"mailguard run exited with {(p.HasExited ? p.ExitCode : 0)}");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return p;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        p.Kill();
        throw new TimeoutException("mailguard run did not start listening");
    }

    private static async Task SendLoopAsync(int port, Func<int> nextSeq, ConcurrentDictionary<int, Fate> fates, CancellationToken stop)
    {
        SmtpDeliveryClient? client = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                client ??= new SmtpDeliveryClient(new SmtpClientOptions { Host = "127.0.0.1", Port = port, StartTls = StartTlsMode.None, ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(10), DataTimeout = TimeSpan.FromSeconds(10), DataTerminationTimeout = TimeSpan.FromSeconds(10) });
                int seq = nextSeq();
                // Every tenth message (about 300 KB) is over Storage:InlineContentBytes and goes through a spool file.
                // Every fifth message exposes twelve external recipients in To and must be held.
                string exposing = IsFlagged(seq) ? "\r\nTo: " + string.Join(", ", Enumerable.Range(0, 12).Select(i => $"p{i}@ext{i}.example")) : "";
                byte[] message = TestMessages.Build($"crash test {seq}", bodyLines: seq % 10 == 0 ? 5000 : 10, extraHeader: $"X-Seq: {seq}" + exposing);
                // Every fifth message (another residue) has three hidden recipients and must be returned.
                string[] rcpts = IsReturned(seq) ? ["rcpt@example.com", "h1@ext1.example", "h2@ext2.example", "h3@ext3.example"] : ["rcpt@example.com"];
                var result = await client.SendAsync(new SmtpOutgoingMessage("sender@example.org", rcpts, new MemoryStream(message)));
                fates[seq] = result.Outcome == DeliveryOutcome.Delivered ? Fate.Accepted
                    : result.Stage == SmtpStage.Data ? Fate.Ambiguous
                    : Fate.NotSent;
                if (result.Outcome != DeliveryOutcome.Delivered)
                {
                    await client.DisposeAsync();
                    client = null;
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static bool IsFlagged(int seq) => seq % 5 == 1;

    private static bool IsReturned(int seq) => seq % 5 == 3;

    // The X-Seq of every original that came back inside a return notice (from the null sender).
    private static HashSet<int> ReadReturnedSeqs(string pickup)
    {
        var seqs = new HashSet<int>();
        foreach (var json in Directory.Exists(pickup) ? Directory.GetFiles(pickup, "*.json") : [])
        {
            if (!File.ReadAllText(json).Contains("\"mailFrom\":\"\"", StringComparison.Ordinal))
            {
                continue;
            }

            string text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.ChangeExtension(json, ".eml")));
            int at = text.IndexOf("\r\nX-Seq: ", StringComparison.Ordinal);
            if (at >= 0)
            {
                int end = text.IndexOf("\r\n", at + 2, StringComparison.Ordinal);
                seqs.Add(int.Parse(text.AsSpan(at + 9, end - at - 9), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return seqs;
    }

    // The X-Seq of every message in quarantine, read through the CLI and the stored bytes.
    private static HashSet<int> ReadHeldSeqs(string storage)
    {
        var list = new StringWriter();
        Assert.Equal(0, Cli.Run(["quarantine", "list", "--json", $"--Storage:Directory={storage}"], list, new StringWriter()));
        var seqs = new HashSet<int>();
        foreach (string line in list.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string id = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!;
            string subject = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("subject").GetString()!;
            seqs.Add(int.Parse(subject["crash test ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            _ = id;
        }

        return seqs;
    }

    private static Dictionary<int, int> ReadDeliveredSeqs(string pickup)
    {
        var seqs = new Dictionary<int, int>();
        if (!Directory.Exists(pickup))
        {
            return seqs;
        }

        foreach (var json in Directory.GetFiles(pickup, "*.json"))
        {
            if (File.ReadAllText(json).Contains("\"mailFrom\":\"\"", StringComparison.Ordinal))
            {
                // A notice from the null sender (the held-notice to the sender), not a relayed message.
                continue;
            }

            string eml = Path.ChangeExtension(json, ".eml");
            string text = Encoding.UTF8.GetString(File.ReadAllBytes(eml));
            int at = text.IndexOf("\r\nX-Seq: ", StringComparison.Ordinal);
            Assert.True(at >= 0, $"{eml} has no X-Seq header");
            int end = text.IndexOf("\r\n", at + 2, StringComparison.Ordinal);
            int seq = int.Parse(text.AsSpan(at + 9, end - at - 9), System.Globalization.CultureInfo.InvariantCulture);
            seqs[seq] = seqs.GetValueOrDefault(seq) + 1;
        }

        return seqs;
    }
}
