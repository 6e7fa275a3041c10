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

    /// <summary>Lines that were neither fields nor continuations were skipped because fields followed them.</summary>
    InvalidHeaderLineSkipped,

    /// <summary>White space between a field name and its colon (RFC 5322 §4.5 obs-optional).</summary>
    WhiteSpaceBeforeColon,

    /// <summary>Content-Type, Content-Transfer-Encoding or Content-Disposition given twice with different values.</summary>
    DuplicateStructuralField,

    /// <summary>A boundary, charset, name or filename parameter given twice with different values.</summary>
    DuplicateParameter,

    /// <summary>A multipart inside another uses the enclosing one's boundary.</summary>
    ReusedBoundary,

    /// <summary>MIME-looking lines (delimiters, Content-Type fields) in a preamble or epilogue.</summary>
    ContentOutsideParts,

    /// <summary>The boundary as written never occurred; another reading of it (quotes removed, another charset, a duplicate's value) did.</summary>
    BoundaryRecovered,

    /// <summary>Parameters followed the media type without the ';' that separates them.</summary>
    MissingParameterSeparator,

    /// <summary>More defects than the document keeps; the rest were not recorded.</summary>
    TooManyDefects,
}

/// <summary>A range of the source: an offset and a length in bytes.</summary>
public readonly record struct MimeRange(long Offset, long Length)
{
    public bool IsEmpty => Length <= 0;
}

/// <summary>One defect with the byte offset where it was seen and the part it belongs to.</summary>
public sealed record MimeDefect(MimeDefectKind Kind, long Offset, string PartPath, string? Detail = null)
{
    public override string ToString() => $"{Kind} at {Offset} in {PartPath}{(Detail is null ? "" : ": " + Detail)}";
}
