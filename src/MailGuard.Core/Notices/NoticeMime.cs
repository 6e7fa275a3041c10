using System.Text;
using MimeKit;

namespace MailGuard.Core.Notices;

/// <summary>
/// What every message MailGuard writes itself shares, on MimeKit: the header fields, the text
/// parts, the verbatim parts for bytes that must go out exactly as received, and the writing
/// (CRLF line ends, as SMTP needs; MimeKit's default on Linux is LF).
/// </summary>
internal static class NoticeMime
{
    // RFC 2047 §2: an encoded word is at most 75 characters, and a line holding encoded words at
    // most 76. "=?utf-8?B?" and "?=" take 12 of them.
    private const int MaxEncodedWordChars = 75;
    private const int MaxEncodedLineChars = 76;
    private const int EncodedWordOverhead = 12;

    private static readonly FormatOptions s_format = CreateFormat();

    /// <summary>
    /// A message with the fields every notice has: From, To, Subject, Date, Message-ID,
    /// Auto-Submitted (RFC 3834 §5: auto-replied for an answer to a message, auto-generated for a
    /// periodic report) and, when <paramref name="noticeMarker"/> is given, the notice marker field.
    /// </summary>
    public static MimeMessage NewMessage(
        string fromName, string fromAddress, string to, string subject, DateTimeOffset date, string messageId, string autoSubmitted, string? noticeMarker)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(fromName, fromAddress));
        AddRecipient(message, to);
        SetSubject(message, subject);
        message.Date = date;
        message.MessageId = messageId;
        message.Headers.Add("Auto-Submitted", autoSubmitted);
        if (noticeMarker is not null)
        {
            message.Headers.Add(PolicyNotice.NoticeHeader, noticeMarker);
        }

        return message;
    }

    /// <summary>multipart/alternative with the text part first and the HTML part second (RFC 2046 §5.1.4: the preferred form last).</summary>
    public static MultipartAlternative Alternative(string text, string html) => [Text("plain", text), Text("html", html)];

    /// <summary>
    /// A UTF-8 text part. Its transfer encoding is the plainest that is valid: none (7bit) for
    /// ASCII, 8bit for UTF-8, and quoted-printable or base64 only when a line would pass RFC 5322's
    /// 998 octets, which 8bit does not allow (RFC 2045 §2.8).
    /// </summary>
    public static TextPart Text(string subtype, string content)
    {
        var part = new TextPart(subtype);
        part.SetText(Encoding.UTF8, content);
        part.Prepare(EncodingConstraint.EightBit, 998);
        return part;
    }

    /// <summary>
    /// A delivery-status field (RFC 3464 §2.1: header syntax) written as given, folded at spaces
    /// to keep lines within 78 characters where the words allow. Never an RFC 2047 encoded word,
    /// which MimeKit writes for a long word or for UTF-8 (an internationalized address, RFC 6533
    /// §3, or a reply under SMTPUTF8): DSN readers take these values literally.
    /// </summary>
    public static Header StatusField(string name, string value)
    {
        var raw = new StringBuilder(value.Length + 8);
        int lineLength = name.Length + 1;
        foreach (string word in value.Split(' '))
        {
            if (lineLength + 1 + word.Length > 78 && lineLength > name.Length + 1)
            {
                raw.Append("\r\n");
                lineLength = 0;
            }

            raw.Append(' ').Append(word);
            lineLength += 1 + word.Length;
        }

        var field = new Header(name, value);
        field.SetRawValue(Encoding.UTF8.GetBytes(raw.Append("\r\n").ToString()));
        return field;
    }

    /// <summary>The message as RFC 5322 bytes with CRLF line ends.</summary>
    public static byte[] ToBytes(MimeMessage message)
    {
        using var output = new MemoryStream();
        message.WriteTo(s_format, output);
        return output.ToArray();
    }

    /// <summary>
    /// The raw value of a Subject holding <paramref name="subject"/> as RFC 2047 B-encoded UTF-8:
    /// words of at most 75 characters, never a character split between two (§5), one to a line,
    /// every line within 76 characters, "Subject: " included. MimeKit's own encoder (4.18.2)
    /// writes words of up to 124 characters for such text.
    /// </summary>
    internal static string EncodeSubject(string subject)
    {
        var words = new List<string>();
        var chunk = new StringBuilder();
        int bytes = 0;
        int room = MaxEncodedLineChars - "Subject: ".Length;
        foreach (var rune in subject.EnumerateRunes())
        {
            // Base64 turns each 3 bytes into 4 characters.
            if (bytes + rune.Utf8SequenceLength > (room - EncodedWordOverhead) / 4 * 3)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
                bytes = 0;
                room = MaxEncodedWordChars;
            }

            chunk.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        words.Add(Word(chunk.ToString()));
        return " " + string.Join("\r\n ", words) + "\r\n";

        static string Word(string text) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";
    }

    private static void SetSubject(MimeMessage message, string subject)
    {
        message.Subject = subject;
        if (!Ascii.IsValid(subject))
        {
            message.Headers.First(h => h.Id == HeaderId.Subject).SetRawValue(Encoding.ASCII.GetBytes(EncodeSubject(subject)));
        }
    }

    /// <summary>
    /// The notice's one recipient, as MimeKit writes a mailbox; an envelope address MimeKit's
    /// stricter parser refuses (it is still a valid SMTP path) goes in as "&lt;address&gt;", as given.
    /// </summary>
    private static void AddRecipient(MimeMessage message, string to)
    {
        try
        {
            message.To.Add(new MailboxAddress(string.Empty, to));
        }
        catch (ParseException)
        {
            message.Headers.Add(HeaderId.To, "x");
            message.Headers.First(h => h.Id == HeaderId.To).SetRawValue(Encoding.UTF8.GetBytes($" <{to}>\r\n"));
        }
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}

/// <summary>
/// A leaf whose content goes out byte for byte: the original message of a returned notice
/// (message/rfc822), the original header section of a DSN (text/rfc822-headers). MimeKit's
/// MimePart passes content through its line-ending filter and MessagePart writes a message out
/// again, and either changes an original with a bare LF or without a final line break; the
/// attachment must be what was received.
/// </summary>
internal sealed class VerbatimPart : MimeEntity
{
    private readonly Stream _content;

    /// <param name="content">Read once, from its position to its end, when the message is written; not disposed.</param>
    public VerbatimPart(string mediaType, string mediaSubtype, Stream content)
        : base(mediaType, mediaSubtype)
    {
        ArgumentNullException.ThrowIfNull(content);
        _content = content;
    }

    public override void WriteTo(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        base.WriteTo(options, stream, contentOnly, cancellationToken);
        _content.CopyTo(stream);
    }

    public override async Task WriteToAsync(FormatOptions options, Stream stream, bool contentOnly, CancellationToken cancellationToken = default)
    {
        await base.WriteToAsync(options, stream, contentOnly, cancellationToken);
        await _content.CopyToAsync(stream, cancellationToken);
    }

    /// <summary>Nothing to do: verbatim content is never re-encoded.</summary>
    public override void Prepare(EncodingConstraint constraint, int maxLineLength = 78)
    {
    }
}
