using System.Net;
using System.Net.Sockets;
using System.Text;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Relay;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task HealthCheck_RelayGreeting_Exit0_NothingListening_Exit1()
    {
        await using var relay = await TestRelay.StartAsync();
        var output = new StringWriter();
        Assert.Equal(0, Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{relay.Port}", "--Console:Listen="], output, new StringWriter()));
        Assert.Contains("220", output.ToString(), StringComparison.Ordinal);

        var errors = new StringWriter();
        Assert.Equal(1, Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{TestMessages.FreePort()}", "--Console:Listen="], new StringWriter(), errors));
        Assert.Contains("unhealthy", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ConsoleHealthzAnswers200_Exit0()
    {
        await using var relay = await TestRelay.StartAsync();
        await using var console = TinyHttpServer.Start(200);
        var output = new StringWriter();
        var errors = new StringWriter();

        // The wildcard form ASP.NET Core listens on is checked on loopback.
        int code = Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{relay.Port}", $"--Console:Listen=http://*:{console.Port}"], output, errors);

        Assert.True(code == 0, errors.ToString());
        Assert.Contains($"http://127.0.0.1:{console.Port}/healthz answered 200", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("GET /healthz HTTP/1.1", Assert.Single(console.RequestLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ConsoleHealthzAnswers503_Exit1()
    {
        await using var relay = await TestRelay.StartAsync();
        await using var console = TinyHttpServer.Start(503);
        var errors = new StringWriter();

        int code = Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{relay.Port}", $"--Console:Listen=http://127.0.0.1:{console.Port}"], new StringWriter(), errors);

        Assert.Equal(1, code);
        Assert.Contains("answered 503", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ConsoleNotListening_Exit1()
    {
        await using var relay = await TestRelay.StartAsync();
        var errors = new StringWriter();

        int code = Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{relay.Port}", $"--Console:Listen=http://127.0.0.1:{TestMessages.FreePort()}"], new StringWriter(), errors);

        Assert.Equal(1, code);
        Assert.Contains("unhealthy: http://127.0.0.1:", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCheck_ConsoleHealthyButRelayDown_Exit1()
    {
        await using var console = TinyHttpServer.Start(200);
        var output = new StringWriter();
        var errors = new StringWriter();

        int code = Cli.Run(["healthcheck", $"--Relay:Listen:0=127.0.0.1:{TestMessages.FreePort()}", $"--Console:Listen=http://127.0.0.1:{console.Port}"], output, errors);

        Assert.Equal(1, code);
        Assert.Contains("answered 200", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("unhealthy: 127.0.0.1:", errors.ToString(), StringComparison.Ordinal);
    }

    /// <summary>An HTTP/1.1 responder on 127.0.0.1:0 that answers every request with one status and closes.</summary>
    private sealed class TinyHttpServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _loop;
        private readonly CancellationTokenSource _stop = new();

        private TinyHttpServer(int status)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = Task.Run(() => ServeAsync(status));
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public System.Collections.Concurrent.ConcurrentQueue<string> RequestLines { get; } = new();

        public static TinyHttpServer Start(int status) => new(status);

        private async Task ServeAsync(int status)
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                using (client)
                {
                    var stream = client.GetStream();
                    var reader = new StreamReader(stream, Encoding.ASCII);
                    string? line = await reader.ReadLineAsync();
                    RequestLines.Enqueue(line ?? "");
                    while (!string.IsNullOrEmpty(line))
                    {
                        line = await reader.ReadLineAsync();
                    }

                    byte[] response = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                    await stream.WriteAsync(response);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
