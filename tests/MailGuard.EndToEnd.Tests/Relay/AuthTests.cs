using MailGuard.Host.Relay;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>Relay access by AUTH (Relay:Users) for clients outside Relay:AllowedNetworks, over STARTTLS and implicit TLS (RFC 8314).</summary>
public sealed class AuthTests
{
    private const string Script = """
        import smtplib, ssl, sys
        port, implicit, user, password = int(sys.argv[1]), sys.argv[2] == 'implicit', sys.argv[3], sys.argv[4]
        ctx = ssl._create_unverified_context()
        s = smtplib.SMTP_SSL('127.0.0.1', port, context=ctx, timeout=20) if implicit else smtplib.SMTP('127.0.0.1', port, timeout=20)
        if not implicit:
            s.starttls(context=ctx)
        if user:
            try:
                s.login(user, password)
            except smtplib.SMTPAuthenticationError as e:
                print('auth-failed', e.smtp_code); sys.exit(3)
        try:
            s.sendmail('sender@example.org', ['rcpt@example.net'], b'Subject: auth\r\n\r\nbody\r\n')
        except smtplib.SMTPRecipientsRefused as e:
            print('refused', list(e.recipients.values())[0][0]); sys.exit(4)
        s.quit()
        """;

    [RequiresToolFact("python3")]
    public async Task Auth_OutsideAllowedNetworks_OnlyAuthenticatedClientsRelay()
    {
        string dir = TempDirectory.Create("auth");
        try
        {
            string cert = Path.Combine(dir, "cert.pem");
            string key = Path.Combine(dir, "key.pem");
            TestMessages.WritePem(TestMessages.Certificate(), cert, key);
            await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?>
            {
                ["Relay:AllowedNetworks:0"] = "192.0.2.0/24", // loopback clients must authenticate
                ["Relay:ImplicitTlsListen:0"] = "127.0.0.1:0",
                ["Relay:Tls:CertificatePath"] = cert,
                ["Relay:Tls:KeyPath"] = key,
                ["Relay:Users:0"] = "alice:" + MailGuard.Host.Security.Passwords.Hash("correct horse", iterations: 1000),
            });
            int implicitPort = relay.Services.GetService(typeof(RelayService)) is RelayService s ? s.ImplicitTlsEndPoints[0].Port : 0;
            string python = Tools.Require("python3");

            var starttls = await TestMessages.RunAsync(python, ["-c", Script, relay.Port.ToString(), "starttls", "alice", "correct horse"]);
            var implicitTls = await TestMessages.RunAsync(python, ["-c", Script, implicitPort.ToString(), "implicit", "alice", "correct horse"]);
            var wrongPassword = await TestMessages.RunAsync(python, ["-c", Script, relay.Port.ToString(), "starttls", "alice", "wrong"]);
            var unknownUser = await TestMessages.RunAsync(python, ["-c", Script, relay.Port.ToString(), "starttls", "mallory", "correct horse"]);
            var anonymous = await TestMessages.RunAsync(python, ["-c", Script, relay.Port.ToString(), "starttls", string.Empty, string.Empty]);

            Assert.True(starttls.ExitCode == 0, starttls.Output);
            Assert.True(implicitTls.ExitCode == 0, implicitTls.Output);
            Assert.Equal(3, wrongPassword.ExitCode);
            Assert.Contains("535", wrongPassword.Output, StringComparison.Ordinal);
            Assert.Equal(3, unknownUser.ExitCode);
            Assert.Equal(4, anonymous.ExitCode);
            Assert.Contains("554", anonymous.Output, StringComparison.Ordinal);
            var picked = await relay.WaitForPickupAsync(2);
            Assert.Equal(2, picked.Count);
            Assert.All(picked, p => Assert.Contains(" with ESMTPSA id ", System.Text.Encoding.ASCII.GetString(p.Content), StringComparison.Ordinal));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public void HashPassword_FromStdin_VerifiesAndRejectsOthers()
    {
        var stdout = new StringWriter();

        Assert.Equal(0, Cli.Run(["hash-password", "--iterations", "1000"], new StringReader("s3cret\n"), stdout, new StringWriter()));

        string hash = stdout.ToString().Trim();
        Assert.True(MailGuard.Host.Security.Passwords.IsHash(hash));
        Assert.NotEqual(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed, MailGuard.Host.Security.Passwords.Verify(hash, "s3cret"));
        Assert.Equal(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed, MailGuard.Host.Security.Passwords.Verify(hash, "s3cret "));
    }
}
