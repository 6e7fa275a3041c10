using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailGuard.Smtp.Client;
using MailGuard.Testing;

namespace MailGuard.EndToEnd.Tests.Relay;

/// <summary>
/// A certificate from a real CA comes with intermediates (Let's Encrypt's fullchain.pem, a PFX
/// exported with its chain). A client that holds only the root can verify the relay only if the
/// handshake carries them, so the relay must send what the file holds.
/// </summary>
public sealed class CertificateChainTests
{
    [Fact]
    public async Task Tls_PemFullChain_IntermediateSentInHandshake()
    {
        string dir = TempDirectory.Create("chain");
        try
        {
            var (leaf, intermediate) = Chain();
            string certPath = Path.Combine(dir, "fullchain.pem");
            string keyPath = Path.Combine(dir, "privkey.pem");
            File.WriteAllText(certPath, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
            using (var key = leaf.GetECDsaPrivateKey()!)
            {
                File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            }

            await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Relay:Tls:CertificatePath"] = certPath, ["Relay:Tls:KeyPath"] = keyPath });

            Assert.Equal(["CN=relay.chain.test", "CN=Test Intermediate CA"], await PresentedChainAsync(relay.Port));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    [Fact]
    public async Task Tls_PfxWithChain_IntermediateSentInHandshake()
    {
        string dir = TempDirectory.Create("chain");
        try
        {
            var (leaf, intermediate) = Chain();
            string pfxPath = Path.Combine(dir, "relay.pfx");
            File.WriteAllBytes(pfxPath, new X509Certificate2Collection { leaf, intermediate }.Export(X509ContentType.Pkcs12, "pfx-password")!);

            await using var relay = await TestRelay.StartAsync(new Dictionary<string, string?> { ["Relay:Tls:CertificatePath"] = pfxPath, ["Relay:Tls:Password"] = "pfx-password" });

            Assert.Equal(["CN=relay.chain.test", "CN=Test Intermediate CA"], await PresentedChainAsync(relay.Port));
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    /// <summary>A root (kept out of the files, as a real CA's is), an intermediate it signed, and a server certificate with its key signed by that.</summary>
    private static (X509Certificate2 Leaf, X509Certificate2 Intermediate) Chain()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Test Root CA", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var intermediateRequest = new CertificateRequest("CN=Test Intermediate CA", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var intermediatePublic = intermediateRequest.Create(root, now.AddMinutes(-4), now.AddDays(1), [1, 2, 3, 4]);
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=relay.chain.test", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("relay.chain.test");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var leafPublic = leafRequest.Create(intermediate, now.AddMinutes(-3), now.AddHours(12), [5, 6, 7, 8]);
        var leaf = leafPublic.CopyWithPrivateKey(leafKey);
        return (leaf, X509CertificateLoader.LoadCertificate(intermediate.RawData));
    }

    /// <summary>The chain a client builds from what the relay sent (nothing here is in any certificate store).</summary>
    private static async Task<string[]> PresentedChainAsync(int port)
    {
        string[] subjects = [];
        await using var client = new SmtpDeliveryClient(new SmtpClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            StartTls = StartTlsMode.Required,
            CertificateValidation = (_, _, chain, _) =>
            {
                subjects = chain!.ChainElements.Select(e => e.Certificate.Subject).ToArray();
                return true;
            },
        });
        await client.SendAsync(new SmtpOutgoingMessage("sender@example.org", ["rcpt@example.com"], new MemoryStream(TestMessages.Build("chain"))));
        return subjects;
    }
}
