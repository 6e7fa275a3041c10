namespace MailGuard.Mime;

/// <summary>
/// Limits that keep the parser bounded on hostile input. Beyond a limit the parser records a
/// <see cref="MimeDefect"/> and degrades (a part becomes a leaf, a header is dropped); it never
/// throws, loops or allocates without bound.
/// </summary>
public sealed class MimeParserOptions
{
    private int _maxDepth = 32;
    private int _maxParts = 10_000;
    private int _maxHeaderBlockBytes = 1024 * 1024;
    private int _maxHeaderCount = 2_000;
    private int _maxHeaderLineBytes = 1024 * 1024;

    /// <summary>The documented defaults; safe to share, since options are immutable once built.</summary>
    public static MimeParserOptions Default { get; } = new();

    /// <summary>
    /// Nesting depth of multiparts and encapsulated messages. Default 32: real mail rarely
    /// exceeds 10 (a forwarded message inside a signed multipart inside an alternative);
    /// Thunderbird stops at 20 and MimeKit's MaxMimeDepth defaults to 1024, which is deep
    /// enough for recursion to be a stack risk, so we stay well below it.
    /// </summary>
    public int MaxDepth
    {
        get => _maxDepth;
        init => _maxDepth = Positive(value, nameof(MaxDepth));
    }

    /// <summary>
    /// Entities (parts of any kind) per message. Default 10,000: a large digest has hundreds;
    /// ten thousand parts is a denial-of-service attempt, not mail.
    /// </summary>
    public int MaxParts
    {
        get => _maxParts;
        init => _maxParts = Positive(value, nameof(MaxParts));
    }

    /// <summary>
    /// Bytes in one entity's header block. Default 1 MiB: Postfix's header_size_limit is
    /// 102,400 bytes per header; a whole block beyond a megabyte is hostile.
    /// </summary>
    public int MaxHeaderBlockBytes
    {
        get => _maxHeaderBlockBytes;
        init => _maxHeaderBlockBytes = Positive(value, nameof(MaxHeaderBlockBytes));
    }

    /// <summary>Header fields per entity. Default 2,000 (Postfix's hopcount_limit is 50 Received headers; a thousand fields is already absurd).</summary>
    public int MaxHeaderCount
    {
        get => _maxHeaderCount;
        init => _maxHeaderCount = Positive(value, nameof(MaxHeaderCount));
    }

    /// <summary>
    /// Bytes of one physical line that the parser looks at. RFC 5322 §2.1.1 caps lines at 998
    /// octets, but real mail breaks that; default 1 MiB, as much as a whole header block, so
    /// that no field line within the block limit is cut (a Content-Type padded past 64 KiB must
    /// keep its boundary). Longer body lines are kept whole (content is sliced from the source,
    /// not copied); longer header lines are truncated with a defect. The reader's buffer grows
    /// to this size only for a line that needs it.
    /// </summary>
    public int MaxHeaderLineBytes
    {
        get => _maxHeaderLineBytes;
        init => _maxHeaderLineBytes = Math.Max(1024, Positive(value, nameof(MaxHeaderLineBytes)));
    }

    /// <summary>
    /// Where a structural field (Content-Type, Content-Transfer-Encoding, Content-Disposition)
    /// or one of its parameters is given twice, take the last instead of the first. False by
    /// default (MailGuard and MimeKit take the first); inspection parses an ambiguous message a
    /// second time with this set, because other clients take the last.
    /// </summary>
    public bool LastDuplicateWins { get; init; }

    private static int Positive(int value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value, name);
        return value;
    }
}
