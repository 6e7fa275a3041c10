namespace MailGuard.Mime;

/// <summary>Kinds of damage the parser noticed and worked around.</summary>
public enum MimeDefectKind
{
    MissingHeaderBodySeparator,
    FirstHeaderLineIsContinuation,
    MisplacedEnvelopeHeader,
    MissingHeaderName,
    HeaderLineTooLong,
    HeaderBlockTooLarge,
    TooManyHeaders,
    NoBoundaryInMultipart,
    StartBoundaryNotFound,
    CloseBoundaryNotFound,
    InvalidMultipartTransferEncoding,
    EncodedMessageTransferEncoding,
    MaxDepthExceeded,
    MaxPartsExceeded,
    UnknownCharset,
    ByteOrderMark,
    InvalidContentType,
}

/// <summary>One defect with the byte offset where it was seen and the part it belongs to.</summary>
public sealed record MimeDefect(MimeDefectKind Kind, long Offset, string PartPath, string? Detail = null)
{
    public override string ToString() => $"{Kind} at {Offset} in {PartPath}{(Detail is null ? "" : ": " + Detail)}";
}
