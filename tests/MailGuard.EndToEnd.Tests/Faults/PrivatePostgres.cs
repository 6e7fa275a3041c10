using System.Globalization;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Faults;

/// <summary>
/// A PostgreSQL cluster of the test's own (.ci/test-postgres in a temp directory, its own port),
/// so the test can stop and start it under running relays without disturbing the shared test server.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _port;

    private PrivatePostgres(string dir, int port, string connectionString)
    {
        _dir = dir;
        _port = port;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    /// <summary>Null when the test can make a cluster: Debian's PostgreSQL is installed (CI installs it).</summary>
    public static string? SkipReason =>
        BinDirectory is null && !RepoPaths.IsCi ? "no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql); runs in CI" : null;

    private static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;

    public static async Task<PrivatePostgres> StartAsync()
    {
        Assert.True(BinDirectory is not null, "CI=true needs Debian's PostgreSQL (.ci/run installs it)");
        string dir = Path.Combine(Path.GetTempPath(), "mailguard-pgfault-" + Guid.NewGuid().ToString("N")[..12]);
        var (code, output) = await TestMessages.RunAsync(Path.Combine(RepoPaths.Root, ".ci", "test-postgres"), ["start", dir], TimeSpan.FromSeconds(120));
        Assert.True(code == 0, "test-postgres start: " + output);
        string line = output.Split('\n').Single(l => l.StartsWith("MAILGUARD_TEST_POSTGRES=", StringComparison.Ordinal)).Trim();
        string connectionString = line["MAILGUARD_TEST_POSTGRES=".Length..];
        int port = int.Parse(connectionString.Split(';').Single(p => p.StartsWith("Port=", StringComparison.Ordinal))["Port=".Length..], CultureInfo.InvariantCulture);
        return new PrivatePostgres(dir, port, connectionString);
    }

    /// <summary>Stops the server: "fast" (a routine restart: sessions are ended, a clean shutdown) or "immediate" (as if it crashed).</summary>
    public Task StopAsync(string mode = "fast") =>
        PgCtlAsync(["-D", Path.Combine(_dir, "data"), "-m", mode, "-w", "-t", "60", "stop"]);

    /// <summary>Starts it again on the same port with the options .ci/test-postgres used.</summary>
    public Task StartAgainAsync() =>
        PgCtlAsync(["-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_dir} -c fsync=off -c full_page_writes=off -c max_connections=200"]);

    public async ValueTask DisposeAsync()
    {
        await TestMessages.RunAsync(Path.Combine(RepoPaths.Root, ".ci", "test-postgres"), ["stop", _dir], TimeSpan.FromSeconds(120));
    }

    private static async Task PgCtlAsync(string[] args)
    {
        string pgCtl = Path.Combine(BinDirectory!, "pg_ctl");
        var (code, output) = Environment.UserName == "root"
            ? await TestMessages.RunAsync("runuser", ["-u", "postgres", "--", pgCtl, .. args], TimeSpan.FromSeconds(90))
            : await TestMessages.RunAsync(pgCtl, args, TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"pg_ctl {string.Join(' ', args)}: {output}");
    }
}

/// <summary>A fact that makes its own PostgreSQL cluster; skipped with the reason where PostgreSQL is not installed, failed under CI=true.</summary>
internal sealed class PrivatePostgresFactAttribute : FactAttribute
{
    public PrivatePostgresFactAttribute()
    {
        if (PrivatePostgres.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
