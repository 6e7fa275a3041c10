using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using MailGuard.Mime;

namespace MailGuard.Core.Inspection;

/// <summary>
/// S/MIME signed-data in one part (application/pkcs7-mime; smime-type=signed-data, RFC 8551
/// §3.5.2): the signed MIME entity is inside the CMS structure, and mail clients show it. The
/// signature is not checked (inspection reads content; trust is the client's business).
/// Enveloped (encrypted) data is left to the extractors, which report it unreadable.
/// </summary>
internal static class SignedContent
{
    public static bool IsOpaqueSigned(ContentType type, string? fileName)
    {
        bool pkcs7 = type.Is("application", "pkcs7-mime") || type.Is("application", "x-pkcs7-mime");
        if (!pkcs7)
        {
            return false;
        }

        string? smimeType = type.Parameters["smime-type"];
        // Without smime-type, the CMS content type decides (TryOpen tells).
        return smimeType is null || smimeType.Equals("signed-data", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The signed entity's bytes, when the part is CMS SignedData with content; false otherwise.</summary>
    public static bool TryOpen(Func<Stream> open, long maxBytes, out Stream content)
    {
        content = Stream.Null;
        byte[] der;
        using (var source = open())
        using (var copy = new MemoryStream())
        {
            var buffer = new byte[81920];
            int n;
            while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (copy.Length + n > maxBytes)
                {
                    return false;
                }

                copy.Write(buffer, 0, n);
            }

            der = copy.ToArray();
        }

        try
        {
            var cms = new SignedCms();
            cms.Decode(der);
            if (cms.Detached || cms.ContentInfo.Content.Length == 0)
            {
                return false;
            }

            content = new MemoryStream(cms.ContentInfo.Content, writable: false);
            return true;
        }
        catch (CryptographicException)
        {
            // Not SignedData (enveloped, compressed, or not CMS at all).
            return false;
        }
    }
}
