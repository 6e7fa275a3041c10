using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Issue 11 §2, "be exact about what is unscannable": signatures, certificates, audio, video,
/// executables and fonts are reported by type and are not findings; encrypted S/MIME and
/// OpenPGP content is; a magic number in front of a table hides nothing.
/// </summary>
public sealed class TypeExactnessTests
{
    private static readonly byte[] s_csv = Fixtures.Bytes("people.csv");

    private static (ContentFormat Format, RecordingSink Sink) Run(byte[] bytes, string? name, string? contentType = null)
    {
        var sink = new RecordingSink();
        ContentFormat format = ContentExtractor.Extract(new ForwardOnlyStream(new MemoryStream(bytes)), name, contentType, Extract.Root, sink, new ExtractionLimits(), CancellationToken.None);
        return (format, sink);
    }

    private static X509Certificate2 Certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Alice Marsh, E=alice@example.org", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>A CMS ContentInfo of SignedData (RFC 5652 §5.1), detached or with its content, with one placeholder SignerInfo.</summary>
    private static byte[] SignedData(byte[]? content, bool withSigner = true)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier("1.2.840.113549.1.7.2");
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (w.PushSequence())
            {
                w.WriteInteger(1);
                using (w.PushSetOf())
                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                }

                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                    if (content is not null)
                    {
                        using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                        {
                            w.WriteOctetString(content);
                        }
                    }
                }

                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    using var cert = Certificate();
                    w.WriteEncodedValue(cert.RawData);
                }

                using (w.PushSetOf())
                {
                    if (withSigner)
                    {
                        using (w.PushSequence())
                        {
                            w.WriteInteger(1);
                            w.WriteOctetString(new byte[20]);
                        }
                    }
                }
            }
        }

        return w.Encode();
    }

    /// <summary>ContentInfo of EnvelopedData (RFC 5652 §6.1), reduced to the fields the sniffer reads.</summary>
    private static byte[] EnvelopedData()
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier("1.2.840.113549.1.7.3");
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (w.PushSequence())
            {
                w.WriteInteger(0);
                using (w.PushSetOf())
                {
                }

                using (w.PushSequence())
                {
                    w.WriteObjectIdentifier("1.2.840.113549.1.7.1");
                    w.WriteOctetString(RandomNumberGenerator.GetBytes(512), new Asn1Tag(TagClass.ContextSpecific, 0));
                }
            }
        }

        return w.Encode();
    }

    private static void AssertReportedByTypeOnly(ContentFormat expected, (ContentFormat Format, RecordingSink Sink) result)
    {
        Assert.Equal(expected, result.Format);
        Assert.Empty(result.Sink.Unscannable);
        Assert.Empty(result.Sink.Mismatches);
    }

    [Fact]
    public void Extract_DerCertificate_IsCertificateNotUnscannable()
    {
        using var cert = Certificate();
        AssertReportedByTypeOnly(ContentFormat.Certificate, Run(cert.RawData, "alice.cer", "application/pkix-cert"));
    }

    [Fact]
    public void Extract_PemCertificate_IsCertificateNotUnscannable()
    {
        using var cert = Certificate();
        AssertReportedByTypeOnly(ContentFormat.Certificate, Run(Encoding.ASCII.GetBytes(cert.ExportCertificatePem()), "alice.pem"));
    }

    [Fact]
    public void Extract_SmimeDetachedSignature_IsSignatureNotUnscannable()
    {
        AssertReportedByTypeOnly(ContentFormat.Signature, Run(SignedData(null), "smime.p7s", "application/pkcs7-signature; name=smime.p7s"));
    }

    [Fact]
    public void Extract_CertificateBagWithoutSigners_IsCertificate()
    {
        AssertReportedByTypeOnly(ContentFormat.Certificate, Run(SignedData(null, withSigner: false), "chain.p7b"));
    }

    [Fact]
    public void Extract_SmimeOpaqueSigned_ReadsTheSignedContent()
    {
        byte[] entity = [.. "Content-Type: text/csv\r\n\r\n"u8, .. s_csv];
        var (format, sink) = Run(SignedData(entity), "smime.p7m", "application/pkcs7-mime; smime-type=signed-data");
        Assert.Equal(ContentFormat.SignedMessage, format);
        Assert.True(sink.Unscannable.Count == 0, string.Join("; ", sink.Unscannable.Select(u => u.Detail)));
        Assert.Contains(Assert.Single(sink.Tables).Rows, r => r.Cells.Any(c => c.Text == "AB123456C"));
        Assert.Equal("attachment > signed content", sink.Tables[0].Location.FileName);
    }

    [Fact]
    public void Extract_SmimeEnvelopedData_IsEncrypted()
    {
        var (format, sink) = Run(EnvelopedData(), "smime.p7m", "application/pkcs7-mime; smime-type=enveloped-data");
        Assert.Equal(ContentFormat.EncryptedMessage, format);
        Assert.Equal(UnscannableReason.Encrypted, Assert.Single(sink.Unscannable).Reason);
        Assert.Empty(sink.Mismatches);
    }

    [Fact]
    public void Extract_BerIndefiniteLengthEnvelopedData_IsEncrypted()
    {
        // 30 80 (OID envelopedData) A0 80 (SEQUENCE { INTEGER 0 }) 00 00 00 00: BER as some S/MIME agents write it.
        byte[] ber = [0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03, 0xA0, 0x80, 0x30, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
        var (format, sink) = Run(ber, "smime.p7m");
        Assert.Equal(ContentFormat.EncryptedMessage, format);
        Assert.Equal(UnscannableReason.Encrypted, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_PgpArmouredMessage_IsEncryptedAndSurroundingTextIsRead()
    {
        string text = "Hi, the list is below.\n\n-----BEGIN PGP MESSAGE-----\n\nhQEMA1234567890ABAQf/eW91IGNhbm5vdCByZWFkIHRoaXM=\n=abcd\n-----END PGP MESSAGE-----\n";
        var (format, sink) = Run(Encoding.ASCII.GetBytes(text), null, "text/plain");
        Assert.Equal(ContentFormat.EncryptedMessage, format);
        Assert.Equal(UnscannableReason.Encrypted, Assert.Single(sink.Unscannable).Reason);
        Assert.Contains("the list is below", sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_PgpBinaryMessage_IsEncrypted()
    {
        // Old-format packet tag 1 (public-key encrypted session key), two-octet length, version 3, then ciphertext.
        byte[] packet = [0x85, 0x01, 0x0C, 0x03, .. RandomNumberGenerator.GetBytes(268 + 200)];
        var (format, sink) = Run(packet, "message.gpg", "application/octet-stream");
        Assert.Equal(ContentFormat.EncryptedMessage, format);
        Assert.Equal(UnscannableReason.Encrypted, Assert.Single(sink.Unscannable).Reason);
    }

    [Fact]
    public void Extract_PgpArmouredSignature_IsSignatureNotUnscannable()
    {
        string sig = "-----BEGIN PGP SIGNATURE-----\n\niHUEARYKAB0WIQTeSt1nGf0aBcDeFgHiJkLmNoPqRsTuVwXyZ0AKCRA=\n=wxyz\n-----END PGP SIGNATURE-----\n";
        AssertReportedByTypeOnly(ContentFormat.Signature, Run(Encoding.ASCII.GetBytes(sig), "signature.asc", "application/pgp-signature; name=signature.asc"));
    }

    [Fact]
    public void Extract_PgpBinarySignature_IsSignatureNotUnscannable()
    {
        // New-format packet tag 2 (signature), one-octet length 40, version 4, and the rest of the packet.
        byte[] packet = [0xC2, 40, 0x04, .. RandomNumberGenerator.GetBytes(39)];
        AssertReportedByTypeOnly(ContentFormat.Signature, Run(packet, "report.pdf.sig"));
    }

    [Fact]
    public void Extract_PgpSignatureWithTrailingData_IsNotWavedThrough()
    {
        byte[] packet = [0xC2, 40, 0x04, .. RandomNumberGenerator.GetBytes(39), .. s_csv];
        var (format, sink) = Run(packet, "report.sig");
        Assert.NotEqual(ContentFormat.Signature, format);
        Assert.True(sink.Unscannable.Count > 0 || sink.AllText.Contains("AB123456C", StringComparison.Ordinal) || sink.Tables.Count > 0, $"{format}: {sink.AllText}");
    }

    public static TheoryData<string, string, ContentFormat> Media => new()
    {
        { "ID3 tag (MP3)", "song.mp3", ContentFormat.Audio },
        { "MPEG layer III frame", "song.mp3", ContentFormat.Audio },
        { "RIFF WAVE", "sound.wav", ContentFormat.Audio },
        { "Ogg", "sound.ogg", ContentFormat.Audio },
        { "ftyp M4A", "sound.m4a", ContentFormat.Audio },
        { "ftyp isom (MP4)", "clip.mp4", ContentFormat.Video },
        { "EBML (Matroska/WebM)", "clip.webm", ContentFormat.Video },
        { "RIFF AVI", "clip.avi", ContentFormat.Video },
        { "ELF", "tool", ContentFormat.Executable },
        { "PE", "setup.exe", ContentFormat.Executable },
        { "Mach-O 64", "tool", ContentFormat.Executable },
        { "OpenType CFF", "font.otf", ContentFormat.Font },
        { "TrueType", "font.ttf", ContentFormat.Font },
        { "WOFF2", "font.woff2", ContentFormat.Font },
        { "Embedded OpenType", "font1.fntdata", ContentFormat.Font },
        { "EMF", "picture.emf", ContentFormat.Metafile },
        { "WMF placeable", "picture.wmf", ContentFormat.Metafile },
        { "WMF", "picture.wmf", ContentFormat.Metafile },
        { "SVM", "TablePreview1.svm", ContentFormat.Metafile },
    };

    private static byte[] Header(string kind)
    {
        byte[] h = new byte[512];
        new Random(7).NextBytes(h);
        void Put(int at, ReadOnlySpan<byte> bytes) => bytes.CopyTo(h.AsSpan(at));
        switch (kind)
        {
            case "ID3 tag (MP3)": Put(0, [(byte)'I', (byte)'D', (byte)'3', 4, 0, 0, 0, 0, 0x10, 0]); break;
            case "MPEG layer III frame": Put(0, [0xFF, 0xFB, 0x90, 0x64]); break;
            case "RIFF WAVE": Put(0, "RIFF\0\x10\0\0WAVEfmt "u8); break;
            case "Ogg": Put(0, "OggS\0\x02"u8); break;
            case "ftyp M4A": Put(0, "\0\0\0 ftypM4A \0\0\0\0"u8); break;
            case "ftyp isom (MP4)": Put(0, "\0\0\0 ftypisom\0\0\x02\0"u8); break;
            case "EBML (Matroska/WebM)": Put(0, [0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81]); break;
            case "RIFF AVI": Put(0, "RIFF\0\x10\0\0AVI LIST"u8); break;
            case "ELF": Put(0, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]); break;
            case "PE": Put(0, "MZ"u8); Put(0x3C, [0x80, 0, 0, 0]); Put(0x80, "PE\0\0"u8); break;
            case "Mach-O 64": Put(0, [0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1]); break;
            case "OpenType CFF": Put(0, "OTTO\0\x0A"u8); break;
            case "TrueType": Put(0, [0, 1, 0, 0, 0, 0x10, 0, 0x80]); break;
            case "WOFF2": Put(0, "wOF2"u8); break;
            case "Embedded OpenType": Put(8, [0x00, 0x00, 0x01, 0x00]); Put(34, [0x4C, 0x50]); break;
            case "EMF": Put(0, [1, 0, 0, 0]); Put(40, " EMF"u8); break;
            case "WMF placeable": Put(0, [0xD7, 0xCD, 0xC6, 0x9A]); break;
            case "WMF": Put(0, [1, 0, 9, 0, 0, 3]); break;
            case "SVM": Put(0, "VCLMTF"u8); break;
        }

        return h;
    }

    [Theory]
    [MemberData(nameof(Media))]
    public void Extract_MediaExecutableOrFont_IsReportedByTypeNotUnscannable(string kind, string name, ContentFormat expected)
    {
        AssertReportedByTypeOnly(expected, Run(Header(kind), name));
    }

    [Theory]
    [MemberData(nameof(Media))]
    public void Extract_TableBehindAMagicNumber_IsStillRead(string kind, string name, ContentFormat expected)
    {
        byte[] bytes = [.. Header(kind), .. s_csv];
        var (format, sink) = Run(bytes, name);
        Assert.Equal(expected, format);
        ArchiveLimitFindingsTests.AssertPeopleFound(ArchiveLimitFindingsTests.Findings(bytes, name));
        Assert.Contains("Alice Marsh,1987-03-14,AB123456C,LS6 3QT", sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_Utf16TableInAnExecutable_IsStillRead()
    {
        byte[] bytes = [.. Header("PE"), .. Encoding.Unicode.GetBytes(Encoding.ASCII.GetString(s_csv))];
        Assert.Contains("Chloe Patel,1992-07-28,HJ246813B,B15 2TT", Run(bytes, "setup.exe").Sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ExecutableWithAppendedZip_IsUnscannable()
    {
        byte[] bytes = [.. Header("PE"), .. Fixtures.Bytes("people.zip")];
        var (format, sink) = Run(bytes, "setup.exe");
        Assert.Equal(ContentFormat.Executable, format);
        var (_, reason, detail) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.UnsupportedFormat, reason);
        Assert.Contains("embedded zip archive", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_ExecutableNamedJpg_ReportsMismatch()
    {
        var (_, sink) = Run(Header("ELF"), "holiday.jpg");
        Assert.Equal((".jpg", "executable"), (sink.Mismatches[0].Declared, sink.Mismatches[0].Detected));
    }

    [Fact]
    public void Extract_MzWithoutPeHeader_IsNotAnExecutable()
    {
        byte[] bytes = [.. "MZ"u8, .. s_csv];
        var (format, _) = Run(bytes, "data.csv");
        Assert.NotEqual(ContentFormat.Executable, format);
    }
}
