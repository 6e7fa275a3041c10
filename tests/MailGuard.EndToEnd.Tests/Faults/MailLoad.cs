using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// Clients sending numbered messages (an X-Seq header) to one or more relays until stopped, each
/// message's fate kept: 250 after the final dot (must be delivered exactly once), a reply refusing
/// it (must never be delivered), or a connection lost during DATA (the RFC 5321 §6.1 window: may
/// be either). A client keeps its session after a refusal, as an MTA does.
/// </summary>
internal sealed class MailLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _senders;
    private int _nextSeq;

    public MailLoad(IReadOnlyList<int> ports, int senders)
    {
        _senders = Enumerable.Range(0, senders).Select(i => Task.Run(() => SendLoopAsync(ports[i % ports.Count]))).ToArray();
    }

    public enum Fate
    {
        Accepted,
        Refused,
        Ambiguous,
        NotSent,
    }

    public ConcurrentDictionary<int, Fate> Fates { get; } = new();

    /// <summary>Every refusal after the final dot, by code and enhanced code ("451 4.3.0").</summary>
    public ConcurrentDictionary<string, int> Refusals { get; } = new();

    public int Accepted => Fates.Count(f => f.Value == Fate.Accepted);

    public HashSet<int> Seqs(Fate fate) => Fates.Where(f => f.Value == fate).Select(f => f.Key).ToHashSet();

    public async Task WaitForAcceptedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Accepted < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Accepted} of {count} messages accepted within {timeout.TotalSeconds:0} s (refusals: {Describe(Refusals)})");
            await Task.Delay(50);
        }
    }

    public async Task WaitForRefusalAsync(string reply, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Refusals.GetValueOrDefault(reply) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no \"{reply}\" within {timeout.TotalSeconds:0} s (refusals: {Describe(Refusals)})");
            await Task.Delay(50);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_senders);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    public static string Describe(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} x{c.Value}"));

    /// <summary>How many times each X-Seq arrived among <paramref name="contents"/> (probe messages left out).</summary>
    public static Dictionary<int, int> CountSeqs(IEnumerable<byte[]> contents)
    {
        var seqs = new Dictionary<int, int>();
        foreach (var content in contents)
        {
            string text = Encoding.UTF8.GetString(content);
            if (text.Contains("\r\nX-Probe: ", StringComparison.Ordinal))
            {
                // A probe session's message, counted by the test itself.
                continue;
            }

            int at = text.IndexOf("\r\nX-Seq: ", StringComparison.Ordinal);
            Assert.True(at >= 0, "a delivered message has no X-Seq header");
            int end = text.IndexOf("\r\n", at + 2, StringComparison.Ordinal);
            int seq = int.Parse(text.AsSpan(at + 9, end - at - 9), CultureInfo.InvariantCulture);
            seqs[seq] = seqs.GetValueOrDefault(seq) + 1;
        }

        return seqs;
    }

    /// <summary>
    /// Waits until every accepted message is at the sink, then checks: none missing, none twice,
    /// none that was refused or never sent. Returns a summary line for the test output.
    /// </summary>
    public async Task<string> AssertDeliveredExactlyOnceAsync(CaptureSink sink, TimeSpan timeout)
    {
        var accepted = Seqs(Fate.Accepted);
        var deadline = DateTime.UtcNow + timeout;
        while (!accepted.All(CountSeqs(sink.Messages.Select(m => m.Content)).ContainsKey) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // A moment more, so a late duplicate would show.
        await Task.Delay(1000);
        var delivered = CountSeqs(sink.Messages.Select(m => m.Content));
        var lost = accepted.Where(s => !delivered.ContainsKey(s)).Order().ToList();
        var duplicated = delivered.Where(d => d.Value > 1).Select(d => d.Key).Order().ToList();
        var refused = Seqs(Fate.Refused);
        var notSent = Seqs(Fate.NotSent);
        var wrongly = delivered.Keys.Where(s => refused.Contains(s) || notSent.Contains(s) || !Fates.ContainsKey(s)).Order().ToList();
        string summary = $"attempted={Fates.Count} accepted(250)={accepted.Count} refused={refused.Count} ({Describe(Refusals)}) ambiguous={Seqs(Fate.Ambiguous).Count} notSent={notSent.Count}; "
            + $"at sink: distinct={delivered.Count} lost={lost.Count} duplicated={duplicated.Count} deliveredWithout250={wrongly.Count}";
        Assert.True(lost.Count == 0, $"lost: {string.Join(',', lost.Take(20))}; {summary}");
        Assert.True(duplicated.Count == 0, $"duplicated: {string.Join(',', duplicated.Take(20))}; {summary}");
        Assert.True(wrongly.Count == 0, $"delivered without a 250: {string.Join(',', wrongly.Take(20))}; {summary}");
        return summary;
    }

    private async Task SendLoopAsync(int port)
    {
        SmtpDeliveryClient? client = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                client ??= new SmtpDeliveryClient(new SmtpClientOptions { Host = "127.0.0.1", Port = port, StartTls = StartTlsMode.None, ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(30), DataTimeout = TimeSpan.FromSeconds(30), DataTerminationTimeout = TimeSpan.FromSeconds(30) });
                int seq = Interlocked.Increment(ref _nextSeq);
                byte[] message = TestMessages.Build($"fault test {seq}", bodyLines: 10, extraHeader: $"X-Seq: {seq}");
                var result = await client.SendAsync(new SmtpOutgoingMessage("sender@example.org", ["rcpt@example.com"], new MemoryStream(message)) { Has8BitContent = true });
                if (result.Outcome == DeliveryOutcome.Delivered)
                {
                    Fates[seq] = Fate.Accepted;
                    continue;
                }

                if (result.Exception is null && result.Reply is { } reply && result.Stage == SmtpStage.Data)
                {
                    // Refused at DATA or after the final dot: the session stays open for the next message.
                    Fates[seq] = Fate.Refused;
                    Refusals.AddOrUpdate($"{reply.Code} {reply.EnhancedCode}", 1, (_, n) => n + 1);
                }
                else
                {
                    Fates[seq] = result.Stage == SmtpStage.Data ? Fate.Ambiguous : Fate.NotSent;
                    await client.DisposeAsync();
                    client = null;
                }

                await Task.Delay(100, CancellationToken.None);
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
}

/// <summary>One plain SMTP session held open across a fault: each message's final reply, on the same connection.</summary>
internal sealed class ProbeSession : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private ProbeSession(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.ASCII);
    }

    public static async Task<ProbeSession> OpenAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var probe = new ProbeSession(tcp);
        Assert.StartsWith("220", await probe.ReadReplyAsync());
        Assert.StartsWith("250", await probe.CommandAsync("EHLO probe.test"));
        return probe;
    }

    /// <summary>
    /// Sends a message with <paramref name="subject"/> until it gets 250, the store being back
    /// after an outage; every other reply must be 451. Returns the seconds from <paramref name="since"/>.
    /// </summary>
    public async Task<double> SendUntilAcceptedAsync(string subject, DateTime since, string what)
    {
        while (true)
        {
            string reply = await SendAsync(subject);
            if (reply.StartsWith("250", StringComparison.Ordinal))
            {
                return (DateTime.UtcNow - since).TotalSeconds;
            }

            Assert.True(reply.StartsWith("451", StringComparison.Ordinal), reply);
            Assert.True(DateTime.UtcNow - since < TimeSpan.FromSeconds(30), $"the probe session is still refused 30 s after {what}");
            await Task.Delay(200);
        }
    }

    /// <summary>What the sink got of the probe messages: "before" and "after" once each, "while down" (refused) never.</summary>
    public static void AssertProbesDeliveredOnce(CaptureSink sink)
    {
        var probes = sink.Messages.Select(m => Encoding.UTF8.GetString(m.Content)).Where(t => t.Contains("X-Probe: ", StringComparison.Ordinal)).ToList();
        Assert.Single(probes, t => t.Contains("X-Probe: before\r\n", StringComparison.Ordinal));
        Assert.Single(probes, t => t.Contains("X-Probe: after\r\n", StringComparison.Ordinal));
        Assert.DoesNotContain(probes, t => t.Contains("X-Probe: while down\r\n", StringComparison.Ordinal));
    }

    /// <summary>Sends one message of about <paramref name="bytes"/> bytes; returns the reply to the final dot (or the first refusal before it).</summary>
    public async Task<string> SendAsync(string subject, int bytes = 2000)
    {
        foreach (var command in new[] { "MAIL FROM:<probe@example.org>", "RCPT TO:<rcpt@example.com>" })
        {
            string reply = await CommandAsync(command);
            if (!reply.StartsWith('2'))
            {
                return reply;
            }
        }

        string go = await CommandAsync("DATA");
        if (!go.StartsWith("354", StringComparison.Ordinal))
        {
            return go;
        }

        var body = new StringBuilder($"From: probe@example.org\r\nTo: rcpt@example.com\r\nSubject: {subject}\r\nX-Probe: {subject}\r\n\r\n");
        while (body.Length < bytes)
        {
            body.Append("The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
        }

        body.Append(".\r\n");
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(body.ToString()));
        return await ReadReplyAsync();
    }

    public async Task<string> CommandAsync(string command)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        return await ReadReplyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await ValueTask.CompletedTask;
    }

    private async Task<string> ReadReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        do
        {
            line = await _reader.ReadLineAsync(timeout.Token);
            Assert.True(line is not null, "the relay closed the session");
        }
        while (line!.Length > 3 && line[3] == '-');

        return line;
    }
}
