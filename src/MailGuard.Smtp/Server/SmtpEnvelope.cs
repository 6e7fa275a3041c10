namespace MailGuard.Smtp.Server;

/// <summary>Body type from MAIL BODY= (RFC 6152 8BITMIME); BINARYMIME is not offered.</summary>
public enum SmtpBodyType
{
    /// <summary>No BODY parameter given; RFC 5321 §2.4 content is 7-bit, but 8-bit bytes are received as-is.</summary>
    Unspecified,

    /// <summary>BODY=7BIT.</summary>
    SevenBit,

    /// <summary>BODY=8BITMIME (RFC 6152).</summary>
    EightBitMime,
}

/// <summary>One accepted RCPT TO forward-path.</summary>
/// <param name="Address">Mailbox without angle brackets, as received (local part case kept, RFC 5321 §2.4).</param>
/// <param name="Parameters">RCPT parameters (keywords upper-cased).</param>
public sealed record SmtpRecipient(string Address, IReadOnlyDictionary<string, string?> Parameters);

/// <summary>
/// The current mail transaction (RFC 5321 §3.3): reverse-path, parameters, recipients, and facts
/// about the received content. A new instance is made on MAIL; it is dropped on RSET, HELO/EHLO,
/// STARTTLS and after the end of DATA or BDAT LAST, so no state leaks between messages.
/// </summary>
public sealed class SmtpEnvelope
{
    private readonly List<SmtpRecipient> _recipients = [];

    internal SmtpEnvelope(string reversePath, IReadOnlyDictionary<string, string?> parameters)
    {
        ReversePath = reversePath;
        Parameters = parameters;
    }

    /// <summary>Sender mailbox without angle brackets; empty for the null reverse-path "&lt;&gt;" (bounces, RFC 5321 §4.5.5).</summary>
    public string ReversePath { get; }

    /// <summary>MAIL FROM parameters, keywords upper-cased, values as received (null when the keyword had no value).</summary>
    public IReadOnlyDictionary<string, string?> Parameters { get; }

    /// <summary>Size claimed with SIZE= (RFC 1870), or null.</summary>
    public long? DeclaredSize { get; internal set; }

    /// <summary>Body type from BODY=; <see cref="SmtpBodyType.Unspecified"/> when MAIL carried none.</summary>
    public SmtpBodyType BodyType { get; internal set; }

    /// <summary>True when MAIL carried SMTPUTF8 (RFC 6531 §3.4): addresses and headers may be UTF-8.</summary>
    public bool SmtpUtf8 { get; internal set; }

    /// <summary>Recipients accepted so far, in order.</summary>
    public IReadOnlyList<SmtpRecipient> Recipients => _recipients;

    /// <summary>True when the content arrived with BDAT (RFC 3030) rather than DATA.</summary>
    public bool UsedChunking { get; internal set; }

    /// <summary>Content octets received so far (after dot-unstuffing); final when the writer is committed.</summary>
    public long MessageBytes { get; internal set; }

    /// <summary>
    /// Lines longer than 998 octets before CRLF (RFC 5321 §4.5.3.1.6 limit). They are received whole,
    /// never truncated; the count lets the host decide (for example re-encode before relaying).
    /// </summary>
    public int LongLineCount { get; internal set; }

    /// <summary>
    /// Lines in DATA that ended in a bare LF. They were normalized to CRLF in the stored content
    /// (see <c>DataFramer</c>); this count tells the host the client was non-conforming.
    /// </summary>
    public int BareLineFeedCount { get; internal set; }

    internal void AddRecipient(SmtpRecipient recipient) => _recipients.Add(recipient);
}
