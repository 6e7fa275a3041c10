using System.Text;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>Hostile byte streams must end in replies or a clean close, never in a session fault.</summary>
public sealed class SmtpGarbageInputTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public async Task Session_RandomCommandsAndBytes_NoFault(int seed)
    {
        var random = new Random(seed);
        await using var server = await TestServer.StartAsync(o => o.MaxErrors = 1000, tls: true);
        await using var client = await server.ConnectAsync();
        var fragments = new[]
        {
            "EHLO x\r\n", "HELO x\r\n", "MAIL FROM:<a@b.c>\r\n", "MAIL FROM:<>\r\n", "RCPT TO:<d@e.f>\r\n", "DATA\r\n", ".\r\n",
            "BDAT 5\r\n", "BDAT 0 LAST\r\n", "BDAT x\r\n", "RSET\r\n", "NOOP\r\n", "AUTH PLAIN\r\n", "AUTH LOGIN\r\n", "*\r\n",
            "\r\n", "\n", "\r", ".", "..", "\0", "\u00ff\u00fe", "MAIL FROM:<\u00e9@x>\r\n", "RCPT TO:<\"\\\r\n",
            "MAIL FROM:<a@b> SIZE=99999999999999999999\r\n", "BDAT 99999999999999999999\r\n", "VRFY\r\n", "HELP me\r\n",
        };
        var sb = new StringBuilder();
        for (var i = 0; i < 400; i++)
        {
            sb.Append(fragments[random.Next(fragments.Length)]);
            if (random.Next(20) == 0)
            {
                sb.Append(new string('A', random.Next(2000)));
            }
        }

        // The tail ends any DATA or short BDAT chunk left open, then probes and quits.
        await client.SendAsync(Encoding.UTF8.GetBytes(sb.ToString()));
        await client.SendAsync("\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n");

        string? line;
        string? last = null;
        while ((line = await client.ReadLineAsync()) is not null)
        {
            Assert.Matches(@"^[2-5]\d\d([ -]|$)", line);
            last = line;
        }

        Assert.Equal("221 2.0.0 Bye", last);
    }
}
