using System.Text;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>`mailguard run` (Pickup mode) against real SMTP clients on loopback.</summary>
public sealed class RealClientTests
{
    [Fact]
    public async Task SystemNetMail_Send_DeliveredToPickupWithTraceHeader()
    {
        await using var relay = await TestRelay.StartAsync();
#pragma warning disable SYSLIB0014 // System.Net.Mail.SmtpClient is the client under test, not a choice for new code.
        using var client = new System.Net.Mail.SmtpClient("127.0.0.1", relay.Port);
#pragma warning restore SYSLIB0014
        using var mail = new System.Net.Mail.MailMessage("sender@example.org", "rcpt@example.com", "Hello from System.Net.Mail", "Body line one\r\nBody line two");
        mail.CC.Add("cc@example.com");

        await client.SendMailAsync(mail);

        var picked = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal("sender@example.org", picked.MailFrom);
        Assert.Equal(["rcpt@example.com", "cc@example.com"], picked.RcptTo);
        string text = Encoding.UTF8.GetString(picked.Content);
        Assert.StartsWith("Received: from ", text, StringComparison.Ordinal);
        Assert.Contains("by mailguard.test (MailGuard) with ESMTP id " + picked.Name, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\tfor <", text, StringComparison.Ordinal); // two recipients: none named in the trace
        Assert.Contains("Subject: Hello from System.Net.Mail", text, StringComparison.Ordinal);
        Assert.Contains("Body line two", text, StringComparison.Ordinal);
    }

    [RequiresToolFact("python3")]
    public async Task PythonSmtplib_Sendmail_DeliveredBytesEqualSubmitted()
    {
        await using var relay = await TestRelay.StartAsync();
        byte[] message = TestMessages.Build("from smtplib");
        string file = Path.Combine(relay.Directory, "in.eml");
        await File.WriteAllBytesAsync(file, message);
        string script = """
            import smtplib, sys
            data = open(sys.argv[3], 'rb').read()
            with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as s:
                refused = s.sendmail('sender@example.org', sys.argv[2].split(','), data)
                assert not refused, refused
            """;

        var (code, output) = await TestMessages.RunAsync(Tools.Require("python3"), ["-c", script, relay.Port.ToString(), "a@example.com,b@example.com", file]);

        Assert.True(code == 0, output);
        var picked = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal(["a@example.com", "b@example.com"], picked.RcptTo);
        Assert.Equal(message, picked.WithoutTraceHeader());
    }

    [RequiresToolFact("swaks")]
    public async Task Swaks_DataFromFile_DeliveredBytesEqualSubmitted()
    {
        await using var relay = await TestRelay.StartAsync();
        byte[] message = TestMessages.Build("from swaks");
        string file = Path.Combine(relay.Directory, "in.eml");
        await File.WriteAllBytesAsync(file, message);

        var (code, output) = await TestMessages.RunAsync(Tools.Require("swaks"), ["--server", $"127.0.0.1:{relay.Port}", "--from", "sender@example.org", "--to", "rcpt@example.com", "--data", "@" + file, "--pipeline"]);

        Assert.True(code == 0, output);
        var picked = Assert.Single(await relay.WaitForPickupAsync(1));
        Assert.Equal("sender@example.org", picked.MailFrom);
        // swaks always sends CRLF before the terminating dot, even after data that ends in CRLF,
        // so what it submitted is the file plus one CRLF.
        Assert.Equal([.. message, .. "\r\n"u8], picked.WithoutTraceHeader());
        Assert.Contains("\tfor <rcpt@example.com>;", Encoding.ASCII.GetString(picked.Content), StringComparison.Ordinal);
    }

    [RequiresToolFact("smtp-source")]
    public async Task SmtpSource_ManySessions_EveryMessageDeliveredOnce()
    {
        await using var relay = await TestRelay.StartAsync();

        // -s sessions in parallel, -m messages, -r recipients each, -l bytes of body.
        var (code, output) = await TestMessages.RunAsync(Tools.Require("smtp-source"), ["-s", "5", "-m", "100", "-r", "3", "-l", "2048", "-f", "sender@example.org", "-t", "rcpt@example.com", $"127.0.0.1:{relay.Port}"]);

        Assert.True(code == 0, output);
        var picked = await relay.WaitForPickupAsync(100);
        Assert.Equal(100, picked.Count);
        Assert.All(picked, p => Assert.Equal(3, p.RcptTo.Length));
        Assert.Equal(100, picked.Select(p => p.Name).Distinct().Count());
    }
}
