namespace MailGuard.Core.Inspection.Extraction;

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
}

/// <summary>
/// A message found inside an archive (.eml member). The caller owns MIME parsing, so it gets
/// the bytes back; <paramref name="depth"/> is the nesting depth of the member, to continue
/// counting against <see cref="ExtractionLimits.MaxNestingDepth"/>. The stream is only valid during the call.
/// </summary>
public delegate void EmbeddedMessageHandler(Stream message, ContentLocation location, int depth, CancellationToken cancellationToken);
