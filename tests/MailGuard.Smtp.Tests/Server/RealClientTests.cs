using System.Diagnostics;
using System.Net.Mail;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>Third-party SMTP clients against the server over loopback.</summary>
public sealed class RealClientTests
{
    [Fact]
    public async Task SystemNetMail_PlainMessageWithDotLine_Received()
    {
        await using var server = await TestServer.StartAsync();
#pragma warning disable CS0618 // SmtpClient is obsolete for new apps, but it is a real, widely used client to test against.
        using var client = new SmtpClient("127.0.0.1", server.Port);
#pragma warning restore CS0618
        using var message = new MailMessage("sender@example.test", "rcpt@example.test", "hello", "line one\r\n.dot line\r\nend");
        message.To.Add("second@example.test");
        message.BodyTransferEncoding = System.Net.Mime.TransferEncoding.SevenBit;

        await client.SendMailAsync(message);

        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal("sender@example.test", received.From);
        Assert.Equal(["rcpt@example.test", "second@example.test"], received.To);
        Assert.Contains("Subject: hello", received.Text);
        Assert.Contains("\r\n.dot line\r\n", received.Text);
    }

    [Fact]
    public async Task SystemNetMail_RejectedRecipient_ThrowsSmtpFailedRecipientException()
    {
        await using var server = await TestServer.StartAsync();
#pragma warning disable CS0618
        using var client = new SmtpClient("127.0.0.1", server.Port);
#pragma warning restore CS0618
        using var message = new MailMessage("sender@example.test", "reject@example.test", "s", "b");

        await Assert.ThrowsAsync<SmtpFailedRecipientException>(() => client.SendMailAsync(message));
        Assert.Empty(server.Hooks.Messages);
    }

    [Fact]
    public async Task PythonSmtplib_StartTlsLoginAndUtf8_Received()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        const string script = """
import smtplib, ssl, sys
ctx = ssl._create_unverified_context()
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=10)
s.ehlo('py.test')
s.starttls(context=ctx)
s.ehlo('py.test')
s.login('alice', 's3cret')
body = 'Subject: caf\u00e9\r\n\r\n.leading dot\r\nline2\r\n'.encode('utf-8')
refused = s.sendmail('j\u00f6rg@example.test', ['zo\u00eb@example.test', 'reject@example.test'], body, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
print(sorted(refused.keys()))
s.quit()
""";

        var (exit, stdout, stderr) = await RunPythonAsync(script, server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, stderr);
        Assert.Contains("reject@example.test", stdout);
        var received = Assert.Single(server.Hooks.Messages);
        Assert.Equal("jörg@example.test", received.From);
        Assert.Equal(["zoë@example.test"], received.To);
        Assert.Equal("alice", received.AuthenticatedUser);
        Assert.True(received.Secure);
        Assert.Equal("Subject: café\r\n\r\n.leading dot\r\nline2\r\n", received.Text);
    }

    [Fact]
    public async Task PythonSmtplib_ManyMessagesPipelinedSession_AllReceived()
    {
        await using var server = await TestServer.StartAsync();
        const string script = """
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=10)
for i in range(50):
    s.sendmail('a@example.test', ['b@example.test'], ('Subject: %d\r\n\r\nbody\r\n' % i).encode())
s.quit()
""";

        var (exit, _, stderr) = await RunPythonAsync(script, server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(exit == 0, stderr);
        Assert.Equal(50, server.Hooks.Messages.Count);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunPythonAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
