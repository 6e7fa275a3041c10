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

    public string? MessageId => MessageIdParser.ParseMessageId(Headers["Message-ID"]?.Value);

    /// <summary>The first Date field as an instant; null when absent or unreadable.</summary>
    public DateTimeOffset? Date =>
        Headers["Date"] is { } h && DateParser.TryParseDateTime(h.Value, out var d, out _) ? d : null;

    public IReadOnlyList<MailboxAddress> From => Addresses("From");

    public IReadOnlyList<MailboxAddress> To => Addresses("To");

    public IReadOnlyList<MailboxAddress> Cc => Addresses("Cc");

    public IReadOnlyList<MailboxAddress> Bcc => Addresses("Bcc");

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
