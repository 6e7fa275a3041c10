using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

public sealed class SmtpTlsAuthTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static async Task<RawClient> ConnectTlsAsync(TestServer server)
    {
        var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        Assert.StartsWith("220 2.0.0", await client.CommandAsync("STARTTLS"));
        await client.StartTlsAsync();
        return client;
    }

    [Fact]
    public async Task StartTls_Handshake_RequiresEhloAgainAndAdvertisesAuth()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await ConnectTlsAsync(server);

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<a@example.test>"));
        var ehlo = await client.CommandAsync("EHLO client.test");
        Assert.Contains("AUTH PLAIN LOGIN", ehlo);
        Assert.DoesNotContain("STARTTLS", ehlo);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("STARTTLS"));
    }

    [Fact]
    public async Task StartTls_PipelinedCommandsAfterStartTls_AreDiscarded()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        // CVE-2011-0411: clear-text commands injected behind STARTTLS must not run inside TLS.
        await client.SendAsync("STARTTLS\r\nEHLO evil.test\r\nMAIL FROM:<evil@example.test>\r\n");
        Assert.StartsWith("220 2.0.0", await client.ReadReplyAsync());
        await client.StartTlsAsync();

        // Had the injected EHLO/MAIL run, this RCPT would be accepted (or their replies would appear first).
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<b@example.test>"));
        Assert.DoesNotContain(server.Hooks.Events, e => e.Contains("evil", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartTls_EnvelopeBeforeHandshake_Cleared()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        await client.CommandAsync("RSET");

        await client.CommandAsync("STARTTLS");
        await client.StartTlsAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<b@example.test>"));
    }

    [Fact]
    public async Task Auth_BeforeTls_Refused530()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("530 5.7.0", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("AUTH LOGIN"));
        Assert.DoesNotContain(server.Hooks.Events, e => e.StartsWith("auth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthPlain_AfterTls_InitialResponse_Authenticates()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await ConnectTlsAsync(server);
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("235 2.7.0", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("AUTH PLAIN " + B64("\0alice\0s3cret")));
    }

    [Fact]
    public async Task AuthPlain_AfterTls_ChallengeAndWrongPassword_Replies535()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        await using var client = await ConnectTlsAsync(server);
        await client.CommandAsync("EHLO client.test");

        Assert.Equal("334 ", await client.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("535 5.7.8", await client.CommandAsync(B64("\0alice\0wrong")));
        Assert.Equal("334 ", await client.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("501 5.7.0", await client.CommandAsync("*"));
        Assert.Equal("334 ", await client.CommandAsync("AUTH PLAIN"));
        Assert.StartsWith("235 2.7.0", await client.CommandAsync(B64("\0alice\0s3cret")));
    }

    [Fact]
    public async Task AuthLogin_AfterTls_Authenticates_AndRelaysFromAnyNetwork()
    {
        var hooks = new TestHooks();
        hooks.AllowedNetworks.Clear();
        await using var server = await TestServer.StartAsync(tls: true, hooks: hooks);
        await using var client = await ConnectTlsAsync(server);
        await client.CommandAsync("EHLO client.test");
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        Assert.StartsWith("554 5.7.1", await client.CommandAsync("RCPT TO:<b@example.test>"));
        await client.CommandAsync("RSET");

        Assert.Equal("334 VXNlcm5hbWU6", await client.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await client.CommandAsync(B64("alice")));
        Assert.StartsWith("235 2.7.0", await client.CommandAsync(B64("s3cret")));
        await client.CommandAsync("MAIL FROM:<a@example.test>");
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<b@example.test>"));
        await client.CommandAsync("DATA");
        await client.CommandAsync("x\r\n.");

        var message = Assert.Single(server.Hooks.Messages);
        Assert.Equal("alice", message.AuthenticatedUser);
        Assert.True(message.Secure);
    }

    [Fact]
    public async Task RequireAuth_MailWithoutAuth_Replies530()
    {
        await using var server = await TestServer.StartAsync(o => o.RequireAuth = true, tls: true);
        await using var client = await server.ConnectAsync();
        await client.CommandAsync("EHLO client.test");

        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<a@example.test>"));
    }

    [Fact]
    public async Task ImplicitTls_Connect_GreetsInsideTls()
    {
        await using var server = await TestServer.StartAsync(implicitTls: true);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, server.ImplicitTlsPort);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        using var reader = new StreamReader(ssl, Encoding.ASCII);

        var greeting = await reader.ReadLineAsync();

        Assert.StartsWith("220 mx.test", greeting);
        await ssl.WriteAsync("EHLO c\r\n"u8.ToArray());
        string? line;
        var lines = new List<string>();
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            lines.Add(line);
            if (line[3] == ' ')
            {
                break;
            }
        }

        Assert.Contains(lines, l => l.EndsWith("AUTH PLAIN LOGIN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerCertificate_ReplacedAtRunTime_NextHandshakeUsesNewOne()
    {
        await using var server = await TestServer.StartAsync(tls: true);
        var replacement = TestCertificates.Create("localhost");
        server.Options.ServerCertificate = replacement;

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();
        var buffer = new byte[1024];
        var text = string.Empty;
        while (!text.Contains("220 mx.test", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            text += Encoding.ASCII.GetString(buffer, 0, n);
        }

        await stream.WriteAsync("EHLO c\r\nSTARTTLS\r\n"u8.ToArray());
        text = string.Empty;
        while (!text.Contains("220 2.0.0", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer);
            text += Encoding.ASCII.GetString(buffer, 0, n);
        }

        System.Security.Cryptography.X509Certificates.X509Certificate? seen = null;
        await using var ssl = new SslStream(stream, false, (_, cert, _, _) => { seen = cert; return true; });
        await ssl.AuthenticateAsClientAsync("localhost");

        Assert.Equal(replacement.Thumbprint, new System.Security.Cryptography.X509Certificates.X509Certificate2(seen!).Thumbprint);
    }
}
