using System.Net.Sockets;
using System.Text;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Deployment;

/// <summary>
/// A private Postfix instance for one test: its own config_directory, queue_directory and
/// data_directory under a temp directory, listening on loopback only, logging to a file there
/// (no syslog in a container). Started with `postfix -c DIR start`, stopped with
/// `postfix -c DIR stop` (then by pid if it lingers) on dispose, whatever the test did.
/// </summary>
/// <remarks>
/// Postfix's master must start as root (it drops to mail_owner for every daemon), so these
/// tests need root; CI runs as root. mail_owner and setgid_group are left at the package's
/// compiled-in values (Debian: postfix and postdrop). Every service runs unchrooted: a chroot
/// would need copies of /etc/services, resolv.conf and friends inside the temp queue directory.
/// </remarks>
internal sealed class PostfixInstance : IAsyncDisposable
{
    // The daemons a delivery needs (tlsmgr for smtp_tls_security_level=may); the package's master.cf.proto lists more (lmtp, pipes).
    private static readonly string[] s_baseServices =
    [
        "pickup    unix  n       -       n       60      1       pickup",
        "cleanup   unix  n       -       n       -       0       cleanup",
        "qmgr      unix  n       -       n       300     1       qmgr",
        "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
        "rewrite   unix  -       -       n       -       -       trivial-rewrite",
        "bounce    unix  -       -       n       -       0       bounce",
        "defer     unix  -       -       n       -       0       bounce",
        "trace     unix  -       -       n       -       0       bounce",
        "verify    unix  -       -       n       -       1       verify",
        "flush     unix  n       -       n       1000?   0       flush",
        "proxymap  unix  -       -       n       -       -       proxymap",
        "smtp      unix  -       -       n       -       -       smtp",
        "relay     unix  -       -       n       -       -       smtp",
        "showq     unix  n       -       n       -       -       showq",
        "error     unix  -       -       n       -       -       error",
        "retry     unix  -       -       n       -       -       error",
        "discard   unix  -       -       n       -       -       discard",
        "local     unix  -       n       n       -       -       local",
        "virtual   unix  -       n       n       -       -       virtual",
        "anvil     unix  -       -       n       -       1       anvil",
        "scache    unix  -       -       n       -       1       scache",
        "postlog   unix-dgram n  -       n       -       1       postlogd",
    ];

    private bool _started;

    private PostfixInstance(string directory, string name, int smtpPort)
    {
        Directory = directory;
        Name = name;
        SmtpPort = smtpPort;
    }

    public string Directory { get; }

    public string Name { get; }

    public string ConfigDirectory => Path.Combine(Directory, "etc");

    /// <summary>The instance's ordinary smtpd listener on 127.0.0.1.</summary>
    public int SmtpPort { get; }

    /// <summary>Maildir of a virtual mailbox user (see <see cref="Settings.Mailboxes"/>).</summary>
    public string Maildir(string user) => Path.Combine(Directory, "mailboxes", user);

    public string LogFile => Path.Combine(Directory, "maillog");

    /// <summary>Why these tests cannot run here (null when they can): Postfix missing or not root.</summary>
    public static string? Unavailable()
    {
        string[] tools = ["postfix", "postconf", "sendmail", "smtp-sink", "smtp-source"];
        var missing = tools.Where(t => Tools.Find(t) is null).ToArray();
        if (missing.Length > 0)
        {
            return $"{string.Join(", ", missing)} not installed (apt-get install postfix)";
        }

        return Environment.UserName == "root" ? null : "a Postfix master must start as root (CI runs as root)";
    }

    public sealed record Settings
    {
        /// <summary>myhostname; also tells the instances apart in a failing test's output.</summary>
        public required string Name { get; init; }

        /// <summary>Port of the ordinary smtpd listener, when another party must know it before this instance starts; a free one otherwise.</summary>
        public int? SmtpPort { get; init; }

        /// <summary>Extra main.cf lines (a admin guide recipe, routing for the test).</summary>
        public IReadOnlyList<string> MainCf { get; init; } = [];

        /// <summary>Extra master.cf lines.</summary>
        public IReadOnlyList<string> MasterCf { get; init; } = [];

        /// <summary>Users of corp.example delivered by virtual(8) to Maildirs under the instance (empty: no local domain).</summary>
        public IReadOnlyList<string> Mailboxes { get; init; } = [];
    }

    public static async Task<PostfixInstance> StartAsync(Settings settings)
    {
        string dir = TempDirectory.Create("postfix-" + settings.Name);
        var instance = new PostfixInstance(dir, settings.Name, settings.SmtpPort ?? TestMessages.FreePort());
        try
        {
            await instance.ConfigureAndStartAsync(settings);
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private async Task ConfigureAndStartAsync(Settings settings)
    {
        string etc = ConfigDirectory, queue = Path.Combine(Directory, "queue"), data = Path.Combine(Directory, "data"), mailboxes = Path.Combine(Directory, "mailboxes");
        foreach (string d in new[] { etc, queue, data, mailboxes })
        {
            System.IO.Directory.CreateDirectory(d);
        }

        // The daemons run as mail_owner and must reach their queue and data directories.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var (_, ownerText) = await RunCheckedAsync(Tools.Require("postconf"), ["-dh", "mail_owner"]);
        string owner = ownerText.Trim();
        var (_, uidText) = await RunCheckedAsync("id", ["-u", owner]);
        var (_, gidText) = await RunCheckedAsync("id", ["-g", owner]);
        await RunCheckedAsync("chown", [$"{owner}:", data, mailboxes]);

        var main = new List<string>
        {
            "compatibility_level = 3.6",
            $"queue_directory = {queue}",
            $"data_directory = {data}",
            // No syslog here: Postfix 3.4's postlogd writes the log to a file (only under allowed prefixes).
            $"maillog_file_prefixes = {Directory}",
            $"maillog_file = {LogFile}",
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            $"myhostname = {settings.Name}.corp.example",
            "mydomain = corp.example",
            "myorigin = corp.example",
            "mydestination =",
            "mynetworks = 127.0.0.0/8",
            "alias_maps =",
            "alias_database =",
            "biff = no",
            // Loopback literals only: no DNS, and quick retries so one refused attempt does not stall a test.
            "smtp_dns_support_level = disabled",
            "queue_run_delay = 1s",
            "minimal_backoff_time = 1s",
            "maximal_backoff_time = 2s",
        };
        if (settings.Mailboxes.Count > 0)
        {
            main.Add("virtual_mailbox_domains = corp.example");
            main.Add($"virtual_mailbox_base = {mailboxes}");
            main.Add("virtual_mailbox_maps = inline:{ " + string.Join(", ", settings.Mailboxes.Select(u => $"{u}@corp.example={u}/")) + " }");
            main.Add($"virtual_uid_maps = static:{uidText.Trim()}");
            main.Add($"virtual_gid_maps = static:{gidText.Trim()}");
        }

        main.AddRange(settings.MainCf);
        var master = new List<string> { $"127.0.0.1:{SmtpPort} inet n - n - - smtpd" };
        master.AddRange(s_baseServices);
        master.AddRange(settings.MasterCf);
        await File.WriteAllTextAsync(Path.Combine(etc, "main.cf"), string.Join('\n', main) + "\n");
        await File.WriteAllTextAsync(Path.Combine(etc, "master.cf"), string.Join('\n', master) + "\n");

        await RunCheckedAsync(Tools.Require("postfix"), ["-c", etc, "check"]);
        _started = true;
        await RunCheckedAsync(Tools.Require("postfix"), ["-c", etc, "start"]);
        await WaitForPortAsync(SmtpPort);
    }

    /// <summary>Submits a message with Postfix's sendmail (postdrop into this instance's maildrop).</summary>
    public async Task SendmailAsync(string from, IEnumerable<string> to, string message)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Tools.Require("sendmail"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["MAIL_CONFIG"] = ConfigDirectory;
        foreach (string a in new[] { "-f", from, "--" }.Concat(to))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        await p.StandardInput.WriteAsync(message);
        p.StandardInput.Close();
        string output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(p.ExitCode == 0, $"sendmail exited with {p.ExitCode}: {output}\n{Log()}");
    }

    /// <summary>Files delivered to a virtual mailbox (new/ and cur/).</summary>
    public IReadOnlyList<string> MailboxMessages(string user)
    {
        string dir = Maildir(user);
        return new[] { "new", "cur" }
            .Select(sub => Path.Combine(dir, sub))
            .Where(System.IO.Directory.Exists)
            .SelectMany(System.IO.Directory.GetFiles)
            .Select(File.ReadAllText)
            .ToList();
    }

    /// <summary>The instance's log, for failure messages.</summary>
    public string Log() => File.Exists(LogFile) ? $"--- {Name} maillog ---\n{File.ReadAllText(LogFile)}" : $"--- {Name}: no maillog ---";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_started)
            {
                await StopAsync();
            }
        }
        finally
        {
            TempDirectory.Delete(Directory);
        }
    }

    private async Task StopAsync()
    {
        // master holds a lock on queue/pid/master.pid, which .NET's own file locking would trip over:
        // `postfix status` reports the pid instead ("... is running: PID: 1234").
        var (_, status) = await TestMessages.RunAsync(Tools.Require("postfix"), ["-c", ConfigDirectory, "status"], TimeSpan.FromSeconds(20));
        int mark = status.LastIndexOf("PID:", StringComparison.Ordinal);
        int? pid = mark >= 0 && int.TryParse(status.AsSpan(mark + 4).Trim(), System.Globalization.CultureInfo.InvariantCulture, out int p) ? p : null;
        try
        {
            await TestMessages.RunAsync(Tools.Require("postfix"), ["-c", ConfigDirectory, "stop"], TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
        }

        if (pid is null)
        {
            return;
        }

        // `postfix stop` only signals the master; wait for it to go, and kill it if it will not.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsAlive(pid.Value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        if (IsAlive(pid.Value))
        {
            await TestMessages.RunAsync("kill", ["-KILL", pid.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
    }

    private static bool IsAlive(int pid)
    {
        // A stopped master may linger as a zombie of whoever adopted it; /proc/PID/stat says Z then.
        string stat = $"/proc/{pid}/stat";
        try
        {
            string text = File.ReadAllText(stat);
            int close = text.LastIndexOf(')');
            return close > 0 && close + 2 < text.Length && text[close + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task<(int, string)> RunCheckedAsync(string program, string[] args)
    {
        var (code, output) = await TestMessages.RunAsync(program, args, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"{program} {string.Join(' ', args)} exited with {code}: {output}\n{Log()}");
        return (code, output);
    }

    private async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException ex)
            {
                throw new TimeoutException($"Postfix {Name} does not listen on 127.0.0.1:{port}: {ex.Message}\n{Log()}");
            }
        }
    }
}

/// <summary>
/// Postfix's smtp-sink as "the internet": every transaction dumped to its own file
/// (`-d DIR/%M.`: the minute plus a random suffix per message).
/// </summary>
internal sealed class SmtpSinkProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;

    private SmtpSinkProcess(System.Diagnostics.Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public static async Task<SmtpSinkProcess> StartAsync()
    {
        string dir = TempDirectory.Create("sink");
        // As root smtp-sink must drop privileges (-u); that user writes the dump files.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        }

        int port = TestMessages.FreePort();
        var psi = new System.Diagnostics.ProcessStartInfo(Tools.Require("smtp-sink")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add("nobody");
        }

        foreach (string a in new[] { "-d", Path.Combine(dir, "%M."), $"127.0.0.1:{port}", "100" })
        {
            psi.ArgumentList.Add(a);
        }

        var process = System.Diagnostics.Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var sink = new SmtpSinkProcess(process, dir, port);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return sink;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                await sink.DisposeAsync();
                throw new TimeoutException($"smtp-sink does not listen on 127.0.0.1:{port}");
            }
        }
    }

    /// <summary>Every dumped transaction (smtp-sink's X-* envelope lines, then the message).</summary>
    public IReadOnlyList<string> Messages() =>
        System.IO.Directory.GetFiles(Directory).Select(f => File.ReadAllText(f, Encoding.UTF8)).ToList();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            TempDirectory.Delete(Directory);
        }
    }
}
