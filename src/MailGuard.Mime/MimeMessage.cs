namespace MailGuard.Mime;

/// <summary>
/// A message (the top-level one or an encapsulated one): the header fields of RFC 5322 read
/// from the same header block as its <see cref="Body"/> entity, decoded on first access.
/// </summary>
public sealed class MimeMessage
{
    private string? _subject;
    private Dictionary<string, IReadOnlyList<MailboxAddress>>? _addresses;
    private bool _subjectDone;

    internal MimeMessage(MimeEntity body)
    {
        Body = body;
    }

    /// <summary>The entity made of the message's own header block and content.</summary>
    public MimeEntity Body { get; }

    /// <summary>The same list as <see cref="MimeEntity.Headers"/> of <see cref="Body"/>: a message's fields and its body's MIME fields share one block.</summary>
    public HeaderList Headers => Body.Headers;

    /// <summary>The input began with an mbox "From " line, which is not a header and was skipped.</summary>
    public bool HasUnixFrom { get; internal set; }

    /// <summary>The first Subject field, unfolded, encoded words decoded, leading white space removed.</summary>
    public string? Subject
    {
        get
        {
            if (!_subjectDone)
            {
                var h = Headers["Subject"];
                _subject = h is null ? null : EncodedWords.DecodeUnstructured(h.Value).TrimStart();
                _subjectDone = true;
            }

            return _subject;
        }
    }

    /// <summary>The first Message-ID's msg-id without angle brackets or folding white space (the trimmed value when it has no brackets); null when absent.</summary>
    public string? MessageId => MessageIdParser.ParseMessageId(Headers["Message-ID"]?.Value);

    /// <summary>The first Date field as an instant; null when absent or unreadable.</summary>
    public DateTimeOffset? Date =>
        Headers["Date"] is { } h && DateParser.TryParseDateTime(h.Value, out var d, out _) ? d : null;

    /// <summary>Mailboxes of every From field: RFC 5322 §3.6 allows one, but all are read. Empty, never null, when absent.</summary>
    public IReadOnlyList<MailboxAddress> From => Addresses("From");

    /// <summary>Mailboxes of every To field, groups flattened; empty when absent.</summary>
    public IReadOnlyList<MailboxAddress> To => Addresses("To");

    /// <summary>Mailboxes of every Cc field, groups flattened; empty when absent.</summary>
    public IReadOnlyList<MailboxAddress> Cc => Addresses("Cc");

    /// <summary>Mailboxes of every Bcc field; empty when absent, as it should be in mail as sent (RFC 5322 §3.6.3).</summary>
    public IReadOnlyList<MailboxAddress> Bcc => Addresses("Bcc");

    /// <summary>Mailboxes of every Reply-To field; empty when absent.</summary>
    public IReadOnlyList<MailboxAddress> ReplyTo => Addresses("Reply-To");

    /// <summary>Every mailbox of every occurrence of the field, in order (groups flattened); parsed once per field.</summary>
    public IReadOnlyList<MailboxAddress> Addresses(string fieldName)
    {
        ArgumentException.ThrowIfNullOrEmpty(fieldName);
        _addresses ??= new Dictionary<string, IReadOnlyList<MailboxAddress>>(StringComparer.OrdinalIgnoreCase);
        if (!_addresses.TryGetValue(fieldName, out var parsed))
        {
            parsed = ParseAddresses(fieldName);
            _addresses[fieldName] = parsed;
        }

        return parsed;
    }

    private IReadOnlyList<MailboxAddress> ParseAddresses(string fieldName)
    {
        List<MailboxAddress>? list = null;
        foreach (var h in Headers.GetAll(fieldName))
        {
            list ??= new List<MailboxAddress>();
            list.AddRange(AddressParser.ParseAddressList(h.Value).Mailboxes);
        }

        return list ?? (IReadOnlyList<MailboxAddress>)Array.Empty<MailboxAddress>();
    }
}
