using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// `mailguard run` as a child process (the built mailguard.dll under `dotnet`), its standard output
/// and error kept line by line so a test can wait for a log event; stopped by signal or SIGKILL.
/// </summary>
internal sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private RelayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Every line written so far to standard output and error.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    /// <summary>Starts `mailguard run` listening on 127.0.0.1:<paramref name="port"/> with <paramref name="args"/> (each `--Section:Key=value`); returns once it accepts connections.</summary>
    public static async Task<RelayProcess> StartAsync(int port, IEnumerable<string> args, TimeSpan? startTimeout = null)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailguard.dll"));
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add("--Console:Listen=");
        psi.ArgumentList.Add($"--Relay:Listen:0=127.0.0.1:{port}");
        psi.ArgumentList.Add("--Relay:ServerName=mailguard.test");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var relay = new RelayProcess(Process.Start(psi)!, port);
        relay._process.OutputDataReceived += (_, e) => relay.Keep(e.Data);
        relay._process.ErrorDataReceived += (_, e) => relay.Keep(e.Data);
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + (startTimeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (relay._process.HasExited)
            {
                await relay._process.WaitForExitAsync();
                Assert.Fail($"mailguard run exited with {relay._process.ExitCode} before listening:\n{relay.Output}");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return relay;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await relay.DisposeAsync();
        throw new TimeoutException("mailguard run did not start listening:\n" + relay.Output);
    }

    /// <summary>Waits until a line containing <paramref name="text"/> is written, or fails with the output so far.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no line with \"{text}\" within {timeout.TotalSeconds:0} s:\n{Output}");
            await Task.Delay(50);
        }
    }

    public int CountLines(string text) => _lines.Count(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Disposes every node (killing any still running), for a test's finally block.</summary>
    public static async Task DisposeAllAsync(IEnumerable<RelayProcess> relays)
    {
        foreach (var relay in relays)
        {
            await relay.DisposeAsync();
        }
    }

    /// <summary>The node never stopped itself on a store fault (event 800) and SIGTERM ends it with exit code 0.</summary>
    public async Task AssertStopsCleanlyAsync()
    {
        Assert.Equal(0, CountLines("\"EventId\":800,"));
        Assert.Equal(0, await TerminateAsync(TimeSpan.FromSeconds(40)));
    }

    /// <summary>Sends SIGTERM (systemd's stop) and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var (code, output) = await TestMessages.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(code == 0, output);
        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"mailguard run still running after {timeout.TotalSeconds:0} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
