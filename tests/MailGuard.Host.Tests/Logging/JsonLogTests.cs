using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MailGuard.Core.Diagnostics;
using MailGuard.Smtp;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Logging;

/// <summary>
/// `mailguard run --Logging:Format=json` as a child process: every line it writes is one JSON
/// event with an id, the ids of the dispositions and delivery attempts appear, the CLI's admin
/// actions log theirs the same way, and no line carries a subject or an address.
/// </summary>
public sealed class JsonLogTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Sender = "clerk@corp.example";

    [Fact]
    public async Task Run_JsonFormat_EveryLineAnEventWithId_NoSubjectOrAddress()
    {
        string token = "Confidential" + Guid.NewGuid().ToString("N")[..8];
        // An upstream that, like Postfix, quotes the refused address in its reply.
        await using var sink = await CaptureSink.StartAsync(recipientReply: a => a.StartsWith("unknown", StringComparison.Ordinal)
            ? new SmtpReply(550, "5.1.1", $"<{a}>: Recipient address rejected: User unknown")
            : null);
        string dir = TempDirectory.Create("jsonlog");
        string storage = Path.Combine(dir, "data");
        int port = TestMessages.FreePort();
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        var cli = new StringWriter();
        using var relay = Start(
            [
                Path.Combine(AppContext.BaseDirectory, "mailguard.dll"), "run", "--Console:Listen=",
                $"--Relay:Listen:0=127.0.0.1:{port}",
                "--Relay:ServerName=mailguard.test",
                $"--Storage:Directory={storage}",
                "--Delivery:Mode=Smtp", "--Delivery:Smtp:Host=127.0.0.1", $"--Delivery:Smtp:Port={sink.Port}", "--Delivery:Smtp:StartTls=None",
                "--Delivery:PollInterval=00:00:00.100",
                "--Policy:InternalDomains:0=corp.example",
                "--Logging:Format=json",
            ],
            lines,
            errors);
        try
        {
            await WaitForPortAsync(relay, port, errors);
            string[] partners = Enumerable.Range(0, 12).Select(i => $"partner{i}@ext{i % 4}.example").ToArray();
            var clean = await TestMessages.SendAsync(port, Sender, ["bob@ext.example"], Message($"Figures {token}", ["bob@ext.example"]));
            var flagged = await TestMessages.SendAsync(port, Sender, partners, Message($"Partner list {token}", partners));
            var refused = await TestMessages.SendAsync(port, Sender, ["unknown.person@ext.example"], Message($"Hello {token}", ["unknown.person@ext.example"]));
            Assert.StartsWith("Ok: queued as ", clean.Reply!.Value.Text, StringComparison.Ordinal);
            Assert.StartsWith("Ok: held for review as ", flagged.Reply!.Value.Text, StringComparison.Ordinal);
            string heldId = flagged.Reply.Value.Text["Ok: held for review as ".Length..];
            string refusedId = refused.Reply!.Value.Text["Ok: queued as ".Length..];

            // Delivered: the clean message, the held-notice and the DSN for the refused one.
            await WaitForAsync(() => Ids(lines).Count(id => id == LogEventIds.Delivered) >= 3 && Ids(lines).Contains(LogEventIds.DeliveryFailed), lines, errors);

            // Admin actions from the CLI log to its error writer in the same format.
            string[] common = [$"--Storage:Directory={storage}", "--Logging:Format=json"];
            Assert.Equal(0, Cli.Run(["quarantine", "release", heldId, "--reason", $"approved {token}", .. common], new StringWriter(), cli));
            Assert.Equal(1, Cli.Run(["quarantine", "delete", heldId, .. common], new StringWriter(), cli));
            Assert.Equal(0, Cli.Run(["queue", "retry", refusedId, .. common], new StringWriter(), cli));
            Assert.Equal(0, Cli.Run(["queue", "delete", refusedId, .. common], new StringWriter(), cli));
            var cliEvents = cli.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
            Assert.Equal(
                [LogEventIds.QuarantineReleased, LogEventIds.QuarantineDecisionRefused, LogEventIds.QueueRetried, LogEventIds.QueueDeleted],
                cliEvents.Select(e => e.GetProperty("EventId").GetInt32()));
            Assert.All(cliEvents, e => Assert.Equal(CliActor.Current, e.GetProperty("State").GetProperty("Actor").GetString()));

            // The released message goes out too.
            await WaitForAsync(() => Ids(lines).Count(id => id == LogEventIds.Delivered) >= 4, lines, errors);
        }
        finally
        {
            await StopAsync(relay);
            TempDirectory.Delete(dir);
        }

        output.WriteLine(string.Join('\n', lines));
        output.WriteLine(cli.ToString());
        var events = lines.Where(l => l.Length > 0).Select(Parse).ToList();
        var ids = events.Select(e => e.GetProperty("EventId").GetInt32()).ToHashSet();
        foreach (int id in new[] { LogEventIds.MessageAccepted, LogEventIds.MessageHeld, LogEventIds.PolicyNoticeQueued, LogEventIds.Verdict, LogEventIds.Delivered, LogEventIds.DeliveryFailed, LogEventIds.NoticeQueued })
        {
            Assert.True(ids.Contains(id), $"no event {id} in:\n{string.Join('\n', lines)}");
        }

        // The upstream's reply is logged with the address masked, its domain kept.
        var failedEvent = events.First(e => e.GetProperty("EventId").GetInt32() == LogEventIds.DeliveryFailed);
        Assert.Contains("u***@ext.example", failedEvent.GetProperty("Message").GetString(), StringComparison.Ordinal);

        string[] forbidden = [token, Sender, "bob@ext.example", "unknown.person@ext.example", "partner0@ext0.example", "partner11@ext3.example"];
        foreach (string line in lines.Concat(errors).Concat(cli.ToString().Split('\n')))
        {
            Assert.DoesNotContain(forbidden, f => line.Contains(f, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static byte[] Message(string subject, string[] to) => Encoding.UTF8.GetBytes(
        $"From: Clerk <{Sender}>\r\nTo: {string.Join(", ", to)}\r\nSubject: {subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <{Guid.NewGuid():N}@corp.example>\r\n\r\nPlease see the figures below.\r\n");

    /// <summary>Each line must be one JSON object with a numeric EventId.</summary>
    private static JsonElement Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("EventId").ValueKind);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"not a JSON event: {line} ({ex.Message})");
        }
    }

    /// <summary>The event ids so far (a line that is not JSON fails the test at the end, with the whole log).</summary>
    private static List<int> Ids(IEnumerable<string> lines)
    {
        var ids = new List<int>();
        foreach (string line in lines)
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                ids.Add(doc.RootElement.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : -1);
            }
            catch (JsonException)
            {
                ids.Add(-1);
            }
        }

        return ids;
    }

    private static Process Start(string[] args, ConcurrentQueue<string> stdout, ConcurrentQueue<string> stderr)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stdout.Enqueue(e.Data);
            }
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stderr.Enqueue(e.Data);
            }
        };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task WaitForPortAsync(Process relay, int port, ConcurrentQueue<string> errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            Assert.False(relay.HasExited, "mailguard run exited: " + string.Join('\n', errors));
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, ConcurrentQueue<string> lines, ConcurrentQueue<string> errors)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out; log so far:\n{string.Join('\n', lines)}\n{string.Join('\n', errors)}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, so the relay shuts down the way systemd or docker stop it and flushes its log.</summary>
    private static async Task StopAsync(Process relay)
    {
        if (!relay.HasExited)
        {
            await TestMessages.RunAsync("kill", ["-TERM", relay.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await relay.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                relay.Kill();
            }
        }

        // Let the asynchronous output readers drain.
        relay.WaitForExit();
    }
}
