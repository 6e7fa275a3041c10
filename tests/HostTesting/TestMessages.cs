using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailGuard.Host;
using MailGuard.Smtp.Client;

namespace MailGuard.Testing;

internal static class TestMessages
{
    /// <summary>A message with CRLF line ends, 8-bit text, a long-ish body and a line starting with a dot (stuffing must round-trip).</summary>
    public static byte[] Build(string subject, int bodyLines = 20, string? extraHeader = null)
    {
        var sb = new StringBuilder();
        sb.Append("From: Sender <sender@example.org>\r\n");
        sb.Append("To: Rcpt <rcpt@example.com>\r\n");
        sb.Append("Subject: ").Append(subject).Append("\r\n");
        sb.Append("Date: Sun, 22 Nov 2026 00:00:00 +0000\r\n");
        sb.Append("Message-ID: <").Append(Guid.NewGuid().ToString("N")).Append("@example.org>\r\n");
        if (extraHeader is not null)
        {
            sb.Append(extraHeader).Append("\r\n");
        }

        sb.Append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        for (int i = 0; i < bodyLines; i++)
        {
            sb.Append("Line ").Append(i).Append(": Grüße, the quick brown fox jumps over the lazy dog.\r\n");
        }

        sb.Append(".a line that starts with a dot\r\n..and two\r\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static async Task<DeliveryResult> SendAsync(int port, string from, string[] to, byte[] content)
    {
        await using var client = new SmtpDeliveryClient(new SmtpClientOptions { Host = "127.0.0.1", Port = port, StartTls = StartTlsMode.None });
        return await client.SendAsync(new SmtpOutgoingMessage(from, to, new MemoryStream(content)) { Has8BitContent = true });
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static X509Certificate2 Certificate(string name = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Writes a certificate and its key as PEM files (what Relay:Tls:CertificatePath/KeyPath read).</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Runs a program to completion with a time limit; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }

        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time: {await stdout}{await stderr}");
        }

        return (p.ExitCode, await stdout + await stderr);
    }
}
