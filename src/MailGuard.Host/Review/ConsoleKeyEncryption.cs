using System.Text;
using System.Xml.Linq;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace MailGuard.Host.Review;

/// <summary>
/// With <c>Quarantine:EncryptionKey</c> set, the console's data-protection keys (which sign and
/// encrypt session cookies and antiforgery tokens) are sealed at rest with it, AES-256-GCM as for
/// held mail: a copy of the store directory or a backup then holds neither readable mail nor keys
/// to forge a session.
/// </summary>
internal sealed class ConsoleKeyEncryptor(ContentProtector protector) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        byte[] sealedKey = protector.Protect(Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)));
        var element = new XElement(
            "sealedKey",
            new XComment(" sealed with Quarantine:EncryptionKey (AES-256-GCM) "),
            new XElement("value", Convert.ToBase64String(sealedKey)));
        return new EncryptedXmlInfo(element, typeof(ConsoleKeyDecryptor));
    }
}

/// <summary>The key material for <see cref="ConsoleKeyDecryptor"/>, which data protection creates by type.</summary>
internal sealed record ConsoleKeyProtector(ContentProtector Protector);

/// <summary>Opens keys sealed by <see cref="ConsoleKeyEncryptor"/>; created by data protection through its IServiceProvider constructor.</summary>
internal sealed class ConsoleKeyDecryptor : IXmlDecryptor
{
    private readonly ContentProtector _protector;

    public ConsoleKeyDecryptor(IServiceProvider services) =>
        _protector = (services.GetService<ConsoleKeyProtector>() ?? throw new InvalidOperationException("The console's keys are sealed with Quarantine:EncryptionKey, which is not configured.")).Protector;

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        byte[] sealedKey = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        return XElement.Parse(Encoding.UTF8.GetString(_protector.Unprotect(sealedKey)));
    }
}
