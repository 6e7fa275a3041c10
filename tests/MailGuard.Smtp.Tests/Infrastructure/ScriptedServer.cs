using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailGuard.Smtp.Tests.Infrastructure;

/// <summary>
/// A fake SMTP server that replays a transcript (MailKit's SmtpReplayStream idea, over a real socket):
/// "S: text" lines are sent, "C: prefix" lines must match what the client sends next,
/// "C: &lt;DATA&gt;" reads content up to CRLF.CRLF, and "DROP" closes the connection abruptly.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _run;

    public ScriptedServer(params string[] script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _run = RunAsync(script);
    }

    public int Port { get; }

    public List<string> Received { get; } = [];

    public string? Data { get; private set; }

    /// <summary>The first mismatch between script and client, or null.</summary>
    public string? Error { get; private set; }

    private async Task RunAsync(string[] script)
    {
        using var client = await _listener.AcceptTcpClientAsync();
        client.NoDelay = true;
        using var stream = client.GetStream();
        var pending = new List<byte>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            foreach (var step in script)
            {
                if (step.StartsWith("S: ", StringComparison.Ordinal))
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(step[3..].Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n"), cts.Token);
                }
                else if (step == "DROP")
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    return;
                }
                else if (step == "C: <DATA>")
                {
                    var data = new StringBuilder();
                    while (true)
                    {
                        var line = await ReadLineAsync(stream, pending, cts.Token);
                        if (line is null or ".")
                        {
                            break;
                        }

                        data.Append(line).Append("\r\n");
                    }

                    Data = data.ToString();
                }
                else if (step.StartsWith("C: ", StringComparison.Ordinal))
                {
                    var line = await ReadLineAsync(stream, pending, cts.Token);
                    Received.Add(line ?? "<closed>");
                    if (line is null || !line.StartsWith(step[3..], StringComparison.Ordinal))
                    {
                        Error ??= $"Expected '{step[3..]}', got '{line}'";
                        return;
                    }
                }
            }

            // Keep reading so the client's QUIT (or close) completes normally.
            while (await ReadLineAsync(stream, pending, cts.Token) is { } extra)
            {
                Received.Add(extra);
                if (extra.StartsWith("QUIT", StringComparison.Ordinal))
                {
                    await stream.WriteAsync("221 2.0.0 Bye\r\n"u8.ToArray(), cts.Token);
                    return;
                }

                if (extra.StartsWith("RSET", StringComparison.Ordinal))
                {
                    await stream.WriteAsync("250 2.0.0 Ok\r\n"u8.ToArray(), cts.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
            Error ??= ex.Message;
        }
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, List<byte> pending, CancellationToken ct)
    {
        while (true)
        {
            var lf = pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(pending.GetRange(0, lf).ToArray()).TrimEnd('\r');
                pending.RemoveRange(0, lf + 1);
                return line;
            }

            var buffer = new byte[4096];
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
            {
                return null;
            }

            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or TimeoutException)
        {
        }

        _listener.Dispose();
    }
}
