using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>What a DER/BER or PEM-armoured object turned out to be.</summary>
internal enum CryptoKind
{
    None,

    /// <summary>An X.509 certificate, or a PKCS #7 certificate bag (.p7b/.p7c) with no content and no signers.</summary>
    Certificate,

    /// <summary>A detached signature: CMS SignedData without encapsulated content (.p7s), or OpenPGP signature packets.</summary>
    DetachedSignature,

    /// <summary>CMS SignedData that carries its content (S/MIME opaque signing): the content is read.</summary>
    SignedContent,

    /// <summary>CMS EnvelopedData/AuthEnvelopedData/EncryptedData, or an OpenPGP message: unreadable without the key.</summary>
    Encrypted,
}

/// <summary>
/// Tells signatures and certificates, which carry no text of the sender's and are not findings,
/// from encrypted content, which is unscannable. Each claim is checked against the structure
/// (the whole DER object parses and fills the part; OpenPGP packet headers chain to the end),
/// because a format that is waved through unread is where a sender would hide a table.
/// </summary>
internal static class CryptoFormats
{
    // PKCS #7 / CMS content types (RFC 5652 §4-§8, RFC 5083 §1).
    private const string OidData = "1.2.840.113549.1.7.1";
    private const string OidSignedData = "1.2.840.113549.1.7.2";
    private const string OidEnvelopedData = "1.2.840.113549.1.7.3";
    private const string OidSignedAndEnvelopedData = "1.2.840.113549.1.7.4";
    private const string OidEncryptedData = "1.2.840.113549.1.7.6";
    private const string OidAuthEnvelopedData = "1.2.840.113549.1.9.16.1.23";

    /// <summary>Objects larger than this are not parsed as DER: no certificate or signature is this big.</summary>
    public const int MaxDerBytes = 16 * 1024 * 1024;

    /// <summary>
    /// A SEQUENCE whose length fills the part (when the head is the whole part) and whose first
    /// element is a SEQUENCE (a certificate's tbsCertificate) or an OID (a ContentInfo). Checked
    /// in full by <see cref="ClassifyDer"/>; this only spares text that starts with '0' a full read.
    /// </summary>
    public static bool MayBeDer(ReadOnlySpan<byte> head, bool complete)
    {
        if (head.Length < 4 || head[0] != 0x30)
        {
            return false;
        }

        int lengthBytes = head[1] switch
        {
            < 0x80 => 0,
            0x80 => 0,
            >= 0x81 and <= 0x84 => head[1] - 0x80,
            _ => -1,
        };
        if (lengthBytes < 0 || head.Length < 3 + lengthBytes || head[2 + lengthBytes] is not (0x30 or 0x06))
        {
            return false;
        }

        if (head[1] == 0x80)
        {
            return true; // BER indefinite length, as some S/MIME agents write.
        }

        long length = head[1] < 0x80 ? head[1] : 0;
        for (int i = 0; i < lengthBytes; i++)
        {
            length = (length << 8) | head[2 + i];
        }

        long total = 2 + lengthBytes + length;
        return complete ? total == head.Length : total > head.Length;
    }

    /// <summary>
    /// Classifies a complete DER/BER object. <paramref name="content"/> is the encapsulated
    /// content of an opaque-signed object. None when the bytes are not one well-formed object
    /// of a known kind with nothing after it.
    /// </summary>
    public static CryptoKind ClassifyDer(ReadOnlyMemory<byte> data, out byte[]? content)
    {
        content = null;
        try
        {
            var reader = new AsnReader(data, AsnEncodingRules.BER);
            AsnReader outer = reader.ReadSequence();
            if (reader.HasData)
            {
                return CryptoKind.None;
            }

            if (outer.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
            {
                return ClassifyContentInfo(outer, out content);
            }

            return IsCertificate(outer) ? CryptoKind.Certificate : CryptoKind.None;
        }
        catch (AsnContentException)
        {
            return CryptoKind.None;
        }
    }

    /// <summary>Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING } (RFC 5280 §4.1).</summary>
    private static bool IsCertificate(AsnReader certificate)
    {
        AsnReader tbs = certificate.ReadSequence();
        certificate.ReadSequence();
        certificate.ReadBitString(out _);
        if (certificate.HasData)
        {
            return false;
        }

        // tbsCertificate: [0] version (optional), serialNumber INTEGER, signature SEQUENCE, issuer, validity, subject, ...
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
        {
            tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        }

        tbs.ReadIntegerBytes();
        tbs.ReadSequence();
        tbs.ReadSequence();
        tbs.ReadSequence();
        tbs.ReadSequence();
        return true;
    }

    /// <summary>ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } (RFC 5652 §3).</summary>
    private static CryptoKind ClassifyContentInfo(AsnReader contentInfo, out byte[]? content)
    {
        content = null;
        string type = contentInfo.ReadObjectIdentifier();
        switch (type)
        {
            case OidEnvelopedData or OidAuthEnvelopedData or OidEncryptedData or OidSignedAndEnvelopedData:
                return CryptoKind.Encrypted;
            case OidSignedData:
                break;
            default:
                return CryptoKind.None;
        }

        AsnReader explicitContent = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        AsnReader signedData = explicitContent.ReadSequence();

        // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, [0] certificates, [1] crls, signerInfos SET }
        signedData.ReadInteger();
        signedData.ReadSetOf();
        AsnReader encap = signedData.ReadSequence();
        encap.ReadObjectIdentifier();
        if (encap.HasData)
        {
            AsnReader eContent = encap.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            content = eContent.ReadOctetString();
        }

        while (signedData.HasData && signedData.PeekTag().TagClass == TagClass.ContextSpecific)
        {
            signedData.ReadEncodedValue();
        }

        AsnReader signers = signedData.ReadSetOf();
        if (content is { Length: > 0 })
        {
            return CryptoKind.SignedContent;
        }

        content = null;
        return signers.HasData ? CryptoKind.DetachedSignature : CryptoKind.Certificate;
    }

    /// <summary>
    /// An ASCII-armoured object at the start of a text part (RFC 4880 §6.2, RFC 7468). Only the
    /// label is read here; PKCS #7 and CMS blocks are decoded and classified as DER.
    /// </summary>
    public static CryptoKind ClassifyArmor(string text)
    {
        ReadOnlySpan<char> t = text.AsSpan().TrimStart();
        if (!t.StartsWith("-----BEGIN ", StringComparison.Ordinal))
        {
            return t.IndexOf("-----BEGIN PGP MESSAGE-----", StringComparison.Ordinal) >= 0 ? CryptoKind.Encrypted : CryptoKind.None;
        }

        int end = t.IndexOf('\n');
        ReadOnlySpan<char> label = (end >= 0 ? t[..end] : t).TrimEnd();
        return label switch
        {
            "-----BEGIN PGP MESSAGE-----" => CryptoKind.Encrypted,
            "-----BEGIN PGP SIGNATURE-----" => CryptoKind.DetachedSignature,
            "-----BEGIN CERTIFICATE-----" or "-----BEGIN X509 CERTIFICATE-----" or "-----BEGIN TRUSTED CERTIFICATE-----"
                or "-----BEGIN PGP PUBLIC KEY BLOCK-----" => CryptoKind.Certificate,
            "-----BEGIN PKCS7-----" or "-----BEGIN CMS-----" => ClassifyPemDer(t, label.Length),
            _ => text.Contains("-----BEGIN PGP MESSAGE-----", StringComparison.Ordinal) ? CryptoKind.Encrypted : CryptoKind.None,
        };
    }

    private static CryptoKind ClassifyPemDer(ReadOnlySpan<char> text, int labelLength)
    {
        int stop = text.IndexOf("-----END ", StringComparison.Ordinal);
        if (stop < 0)
        {
            return CryptoKind.None;
        }

        var base64 = new StringBuilder(stop);
        foreach (char c in text[labelLength..stop])
        {
            if (!char.IsWhiteSpace(c))
            {
                base64.Append(c);
            }
        }

        try
        {
            CryptoKind kind = ClassifyDer(Convert.FromBase64String(base64.ToString()), out _);
            // Opaque-signed content inside PEM is rare; its content is not unpacked here, so it cannot pass as read.
            return kind == CryptoKind.SignedContent ? CryptoKind.None : kind;
        }
        catch (FormatException)
        {
            return CryptoKind.None;
        }
    }

    /// <summary>
    /// OpenPGP binary packets (RFC 4880 §4.2): a message starting with a session-key packet
    /// (tag 1 or 3) is encrypted; a run of signature packets (tag 2) that ends exactly at the
    /// end of the part is a detached signature; public-key packets (tag 6) are a key, reported
    /// like a certificate. With <paramref name="complete"/> false the answer is "consistent so
    /// far" and the caller must check the whole part.
    /// </summary>
    public static CryptoKind ClassifyPgpBinary(ReadOnlySpan<byte> data, bool complete)
    {
        CryptoKind kind = CryptoKind.None;
        int pos = 0;
        while (pos < data.Length)
        {
            if (!TryReadPacketHeader(data[pos..], out int tag, out int headerLength, out long bodyLength))
            {
                return CryptoKind.None;
            }

            if (pos == 0)
            {
                byte version = data.Length > headerLength ? data[headerLength] : (byte)0;
                kind = tag switch
                {
                    1 when version is 3 or 6 => CryptoKind.Encrypted,
                    3 when version is 4 or 5 or 6 => CryptoKind.Encrypted,
                    2 when version is 3 or 4 or 5 or 6 => CryptoKind.DetachedSignature,
                    6 when version is 3 or 4 or 5 or 6 => CryptoKind.Certificate,
                    _ => CryptoKind.None,
                };
                if (kind is CryptoKind.None or CryptoKind.Encrypted)
                {
                    // The session key packet is enough: the rest is ciphertext whatever it claims.
                    return kind;
                }
            }
            else if (kind == CryptoKind.DetachedSignature ? tag != 2 : tag is not (2 or 6 or 13 or 14 or 17 or 12))
            {
                // Anything but more signatures (or, for a key, its user ids, subkeys and their signatures).
                return CryptoKind.None;
            }

            long next = pos + headerLength + bodyLength;
            if (next > data.Length)
            {
                return complete ? CryptoKind.None : kind;
            }

            pos = (int)next;
        }

        // The packets end exactly at the end (or, for an incomplete head, are consistent so far).
        return kind;
    }

    private static bool TryReadPacketHeader(ReadOnlySpan<byte> p, out int tag, out int headerLength, out long bodyLength)
    {
        tag = 0;
        headerLength = 0;
        bodyLength = 0;
        if (p.Length < 2 || (p[0] & 0x80) == 0)
        {
            return false;
        }

        if ((p[0] & 0x40) == 0)
        {
            // Old format: tag in bits 5-2, length type in bits 1-0 (3, indeterminate, is not accepted).
            tag = (p[0] >> 2) & 0x0F;
            switch (p[0] & 0x03)
            {
                case 0:
                    headerLength = 2;
                    bodyLength = p[1];
                    return true;
                case 1 when p.Length >= 3:
                    headerLength = 3;
                    bodyLength = BinaryPrimitives.ReadUInt16BigEndian(p[1..]);
                    return true;
                case 2 when p.Length >= 5:
                    headerLength = 5;
                    bodyLength = BinaryPrimitives.ReadUInt32BigEndian(p[1..]);
                    return true;
                default:
                    return false;
            }
        }

        // New format: tag in bits 5-0; one-, two- or five-octet lengths (partial lengths are not accepted).
        tag = p[0] & 0x3F;
        byte first = p[1];
        if (first < 192)
        {
            headerLength = 2;
            bodyLength = first;
            return true;
        }

        if (first < 224 && p.Length >= 3)
        {
            headerLength = 3;
            bodyLength = ((first - 192) << 8) + p[2] + 192;
            return true;
        }

        if (first == 255 && p.Length >= 6)
        {
            headerLength = 6;
            bodyLength = BinaryPrimitives.ReadUInt32BigEndian(p[2..]);
            return true;
        }

        return false;
    }
}
