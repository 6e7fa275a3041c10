namespace MailGuard.Mime;

/// <summary>Kinds of damage the parser noticed and worked around.</summary>
public enum MimeDefectKind
{
    /// <summary>Lines that are neither fields nor continuations and no field after them: the body starts at the first such line, as if the empty line were there.</summary>
    MissingHeaderBodySeparator,

    /// <summary>The header block began with white space; that line was skipped.</summary>
    FirstHeaderLineIsContinuation,

    /// <summary>An mbox "From " line after the first line of the header block, skipped (on the first line it is expected: <see cref="MimeMessage.HasUnixFrom"/>).</summary>
    MisplacedEnvelopeHeader,

    /// <summary>A line starting with a colon (an empty field name), skipped.</summary>
    MissingHeaderName,

    /// <summary>A field line longer than <see cref="MimeParserOptions.MaxHeaderLineBytes"/>, cut there.</summary>
    HeaderLineTooLong,

    /// <summary>The header block passed <see cref="MimeParserOptions.MaxHeaderBlockBytes"/>; beyond it only structural fields are kept, within a second budget of that size.</summary>
    HeaderBlockTooLarge,

    /// <summary>More than <see cref="MimeParserOptions.MaxHeaderCount"/> fields; beyond it only up to 16 structural fields are kept.</summary>
    TooManyHeaders,

    /// <summary>A multipart without a boundary parameter; read as a leaf.</summary>
    NoBoundaryInMultipart,

    /// <summary>No delimiter line of the boundary occurred; the content up to a close delimiter, if any, is one leaf body.</summary>
    StartBoundaryNotFound,

    /// <summary>The multipart ran to the end of its enclosing content without its close delimiter; the parts found are kept.</summary>
    CloseBoundaryNotFound,

    /// <summary>A multipart declared a transfer encoding other than 7bit, 8bit or binary, which RFC 2045 §6.4 forbids; its parts are read as they stand.</summary>
    InvalidMultipartTransferEncoding,

    /// <summary>An encapsulated message declared base64 or quoted-printable, which RFC 2046 §5.2.1 forbids; kept as a leaf for consumers to decode and re-parse.</summary>
    EncodedMessageTransferEncoding,

    /// <summary>A multipart or message at <see cref="MimeParserOptions.MaxDepth"/>, read as a leaf.</summary>
    MaxDepthExceeded,

    /// <summary><see cref="MimeParserOptions.MaxParts"/> entities were reached; later parts are not parsed (their bytes stay inside the parent's body).</summary>
    MaxPartsExceeded,

    /// <summary>Reserved: the parser does not record it today (an encoded word in an unknown charset is read as Latin-1).</summary>
    UnknownCharset,

    /// <summary>A UTF-8 byte-order mark before the first field (Windows tools write one), skipped as mail clients skip it.</summary>
    ByteOrderMark,

    /// <summary>Content-Type present but not type/subtype: read as text/plain (RFC 2045 §5.2).</summary>
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
    /// <summary>True for a zero (or negative) length: a multipart without preamble, say.</summary>
    public bool IsEmpty => Length <= 0;
}

/// <summary>One defect with the byte offset where it was seen and the part it belongs to.</summary>
public sealed record MimeDefect(MimeDefectKind Kind, long Offset, string PartPath, string? Detail = null)
{
    /// <summary>"Kind at offset in path: detail"; the detail names a field, a parameter or "preamble"/"epilogue", never a value.</summary>
    public override string ToString() => $"{Kind} at {Offset} in {PartPath}{(Detail is null ? "" : ": " + Detail)}";
}
