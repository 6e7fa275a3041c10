namespace MailGuard.Inspection.Extraction;

/// <summary>What the bytes are, judged from their content (magic numbers, structure), never from the name.</summary>
public enum ContentFormat
{
    Unknown,
    Empty,
    PlainText,
    Html,
    Csv,
    VCard,
    Calendar,
    Rtf,
    Pdf,
    Zip,
    Gzip,
    Tar,
    Xlsx,
    Docx,
    OtherOoxml,
    Ods,
    Odt,
    OtherOpenDocument,
    Xls,
    Doc,
    EncryptedOoxml,
    OtherCompoundFile,
    MailMessage,
    Image,
    SevenZip,
    Rar,

    /// <summary>Outlook's Transport Neutral Encapsulation Format (winmail.dat).</summary>
    Tnef,

    /// <summary>A yEnc-encoded file (Usenet's binary encoding) in a text body.</summary>
    YEnc,

    Bzip2,
    Xz,

    /// <summary>X.509 certificates (DER or PEM), PKCS #7 certificate bags, OpenPGP public keys.</summary>
    Certificate,

    /// <summary>Detached signatures: S/MIME .p7s (CMS SignedData without content) and OpenPGP signatures.</summary>
    Signature,

    /// <summary>S/MIME enveloped data (.p7m) and OpenPGP messages: unscannable without the recipient's key.</summary>
    EncryptedMessage,

    /// <summary>S/MIME opaque-signed data (.p7m with its content inside): the content is read.</summary>
    SignedMessage,
    Audio,
    Video,
    Executable,
    Font,

    /// <summary>JSON (RFC 8259), one document or one per line: its records are read as tables.</summary>
    Json,

    /// <summary>XML other than (X)HTML: its repeated elements are read as tables.</summary>
    Xml,

    /// <summary>An Outlook item saved as a file (.msg, [MS-OXMSG]): a message with its attachments.</summary>
    OutlookMessage,

    /// <summary>
    /// A vector picture (EMF, WMF, LibreOffice's SVM): what Office pastes a range of cells as, and
    /// the preview LibreOffice keeps of a table or an object. Its text is drawn by text records,
    /// read as strings.
    /// </summary>
    Metafile,
}

/// <summary>
/// A message found inside an archive (.eml member). The caller owns MIME parsing, so it gets
/// the bytes back; <paramref name="depth"/> is the nesting depth of the member, to continue
/// counting against <see cref="ExtractionLimits.MaxNestingDepth"/>. The stream is only valid during the call.
/// </summary>
public delegate void EmbeddedMessageHandler(Stream message, ContentLocation location, int depth, CancellationToken cancellationToken);
