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

    public int Port => _port;

    /// <summary>
    /// A hot standby of <paramref name="primary"/>: pg_basebackup with -R (streaming from the
    /// primary's port), started on a port of its own. Promote it with <see cref="PromoteAsync"/>.
    /// </summary>
    public static async Task<PrivatePostgres> StartStandbyAsync(PrivatePostgres primary)
    {
        string dir = Path.Combine(Path.GetTempPath(), "mailguard-pgstandby-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        if (Environment.UserName == "root")
        {
            var (chown, chownOutput) = await TestMessages.RunAsync("chown", ["postgres:", dir]);
            Assert.True(chown == 0, chownOutput);
        }

        var (chmod, chmodOutput) = await TestMessages.RunAsync("chmod", ["700", dir]);
        Assert.True(chmod == 0, chmodOutput);
        string password = Setting(primary.ConnectionString, "Password");
        await AsPostgresAsync("pg_basebackup", ["-d", $"host=127.0.0.1 port={primary._port} user={Setting(primary.ConnectionString, "Username")} password={password}", "-D", Path.Combine(dir, "data"), "-R", "-X", "stream", "-c", "fast"]);
        int port = TestMessages.FreePort();
        var standby = new PrivatePostgres(dir, port, primary.ConnectionString.Replace($"Port={primary._port}", $"Port={port}", StringComparison.Ordinal));
        await standby.StartAgainAsync();
        return standby;
    }

    /// <summary>Makes every commit wait for the standby (synchronous_standby_names = '*') and waits until it streams in sync.</summary>
    public async Task RequireSynchronousStandbyAsync()
    {
        await PsqlAsync("ALTER SYSTEM SET synchronous_standby_names = '*'");
        await PsqlAsync("SELECT pg_reload_conf()");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((await PsqlAsync("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")).Trim() != "1")
        {
            Assert.True(DateTime.UtcNow < deadline, "the standby did not become a synchronous standby within 60 s");
            await Task.Delay(200);
        }
    }

    /// <summary>Ends recovery: the standby becomes a primary that accepts writes.</summary>
    public Task PromoteAsync() => PgCtlAsync(["-D", Path.Combine(_dir, "data"), "-w", "-t", "60", "promote"]);

    /// <summary>A value of the connection string (Username, Password, ...).</summary>
    public static string Setting(string connectionString, string key) =>
        connectionString.Split(';').Select(p => p.Split('=', 2)).Single(p => p[0] == key)[1];

    public async ValueTask DisposeAsync()
    {
        await TestMessages.RunAsync(Path.Combine(RepoPaths.Root, ".ci", "test-postgres"), ["stop", _dir], TimeSpan.FromSeconds(120));
    }

    private static Task PgCtlAsync(string[] args) => AsPostgresAsync("pg_ctl", args);

    // psql over the cluster's own socket (local connections are trusted for the package's user).
    private Task<string> PsqlAsync(string sql) =>
        AsPostgresAsync("psql", ["-h", _dir, "-p", _port.ToString(CultureInfo.InvariantCulture), "-U", Setting(ConnectionString, "Username"), "-d", "postgres", "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]);

    // A PostgreSQL program as the package's postgres user when running as root (the cluster's files are its).
    private static async Task<string> AsPostgresAsync(string program, string[] args)
    {
        string path = Path.Combine(BinDirectory!, program);
        var (code, output) = Environment.UserName == "root"
            ? await TestMessages.RunAsync("runuser", ["-u", "postgres", "--", path, .. args], TimeSpan.FromSeconds(90))
            : await TestMessages.RunAsync(path, args, TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"{program} {string.Join(' ', args.Select(a => a.Contains("password=", StringComparison.Ordinal) ? "(connection)" : a))}: {output}");
        return output;
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
