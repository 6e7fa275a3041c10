using System.Text.RegularExpressions;
using MailGuard.Host.Relay;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>
/// AUTH guessing with a real client (Python's smtplib over STARTTLS): the same guesser against a
/// relay without the throttle and with it, counting the passwords the relay actually checked.
/// </summary>
public sealed partial class AuthThrottleTests(ITestOutputHelper output)
{
    // AUTH PLAIN by hand (smtplib's login() would try a second mechanism after each 535) for a
    // number of seconds, reconnecting when the server closes; prints the count of each reply code.
    private const string Guesser = """
        import base64, smtplib, ssl, sys, time
        port, user, seconds, source, password = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
        ctx = ssl._create_unverified_context()
        def connect():
            s = smtplib.SMTP('127.0.0.1', port, timeout=60, source_address=(source, 0))
            s.starttls(context=ctx)
            s.ehlo()
            return s
        codes = {}
        s = connect()
        i = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            i += 1
            secret = password or ('guess-%d' % i)
            token = base64.b64encode(b'\0' + user.encode() + b'\0' + secret.encode()).decode()
            try:
                code, _ = s.docmd('AUTH', 'PLAIN ' + token)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                code = 'closed'
                s = connect()
            codes[str(code)] = codes.get(str(code), 0) + 1
            if password:
                break
        print(' '.join('%s=%d' % kv for kv in sorted(codes.items())))
        """;

    private static Dictionary<string, int> Parse(string output) =>
        CodeCount().Matches(output).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    [RequiresToolFact("python3")]
    public async Task Guessing_Throttled_ChecksCollapseTo_MaxAuthFailures_Then454()
    {
        string dir = TempDirectory.Create("auth-throttle");
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            TestMessages.WritePem(TestMessages.Certificate(), cert, key);
            string python = Tools.Require("python3");
            Dictionary<string, string?> Settings(int maxFailures, string delay) => new()
            {
                ["Relay:Tls:CertificatePath"] = cert,
                ["Relay:Tls:KeyPath"] = key,
                ["Relay:Users:0"] = "alice:" + MailGuard.Host.Security.Passwords.Hash("correct horse", iterations: 1000),
                ["Relay:Users:1"] = "bob:" + MailGuard.Host.Security.Passwords.Hash("battery staple", iterations: 1000),
                ["Relay:MaxAuthFailures"] = maxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Relay:AuthFailureDelay"] = delay,
                ["Relay:AuthLockout"] = "00:10:00",
                ["Relay:MaxErrors"] = "1000",
            };

            // Without the throttle (a limit no guesser reaches, no delay): what a guesser gets.
            var open = new CountingAuthenticator();
            double openRate;
            await using (var relay = await TestRelay.StartAsync(Settings(1_000_000, "00:00:00"), s => s.AddSingleton<IRelayAuthenticator>(open)))
            {
                var run = await TestMessages.RunAsync(python, ["-c", Guesser, relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "alice", "3", "127.0.0.2", ""]);
                Assert.True(run.ExitCode == 0, run.Output);
                openRate = open.Checks / 3.0;
                output.WriteLine($"no throttle: {run.Output.Trim()}; {open.Checks} passwords checked, {openRate:F1}/s");
            }

            // The throttle: 5 failures, 50 ms doubling, then 454 4.7.0 unchecked.
            var log = new LogCapture();
            var throttled = new CountingAuthenticator();
            await using (var relay = await TestRelay.StartAsync(Settings(5, "00:00:00.050"), s =>
            {
                s.AddSingleton<IRelayAuthenticator>(throttled);
                s.AddSingleton<ILoggerProvider>(log);
            }))
            {
                string port = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var run = await TestMessages.RunAsync(python, ["-c", Guesser, port, "alice", "5", "127.0.0.2", ""]);
                Assert.True(run.ExitCode == 0, run.Output);
                var codes = Parse(run.Output);
                double rate = throttled.Checks / 5.0;
                output.WriteLine($"throttled: {run.Output.Trim()}; {throttled.Checks} passwords checked, {rate:F1}/s");

                Assert.Equal(5, throttled.Checks);
                Assert.Equal(5, codes.GetValueOrDefault("535"));
                Assert.True(codes.GetValueOrDefault("454") >= 1, run.Output);
                Assert.True(openRate >= 10 * rate, $"guessing went from {openRate:F1}/s to {rate:F1}/s");

                // Alice's name is locked for every client, her right password included, unchecked;
                // bob from another address is not affected.
                var alice = await TestMessages.RunAsync(python, ["-c", Guesser, port, "alice", "5", "127.0.0.3", "correct horse"]);
                var bob = await TestMessages.RunAsync(python, ["-c", Guesser, port, "bob", "5", "127.0.0.3", "battery staple"]);
                Assert.Equal("454=1", alice.Output.Trim());
                Assert.Equal("235=1", bob.Output.Trim());
                Assert.Equal(6, throttled.Checks);

                // Logged as events without the user name or any password.
                Assert.Equal(5, log.Entries.Count(e => e.EventId == MailGuard.Core.Diagnostics.LogEventIds.AuthFailed));
                Assert.Contains(log.Entries, e => e.EventId == MailGuard.Core.Diagnostics.LogEventIds.AuthThrottled && e.Message.Contains("127.0.0.2", StringComparison.Ordinal));
                Assert.DoesNotContain("alice", log.Text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("guess-", log.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("correct horse", log.Text, StringComparison.Ordinal);
            }
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [GeneratedRegex(@"(\w+)=(\d+)")]
    private static partial Regex CodeCount();

    /// <summary>The relay's password check with a count of how often it ran.</summary>
    private sealed class CountingAuthenticator : IRelayAuthenticator
    {
        private int _checks;

        public int Checks => Volatile.Read(ref _checks);

        public ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checks);
            return ValueTask.FromResult((userName, password) is ("alice", "correct horse") or ("bob", "battery staple"));
        }
    }
}
