using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailGuard.Smtp.Tests.Infrastructure;

/// <summary>Self-signed certificates made at run time; nothing is read from disk.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> s_localhost = new(() => Create("localhost"));

    public static X509Certificate2 Localhost => s_localhost.Value;

    public static X509Certificate2 Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
