using System.Text.Json.Serialization;
using MimeKit;

namespace MailGuard.Host.Review;

/// <summary>One attachment of a JSON draft: its file name, media type and content in base64.</summary>
public sealed record CheckAttachment(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("content")] string? Content);

/// <summary>
/// A draft as the Outlook add-in reads it (Office.js gives fields, not MIME): sender, recipients,
/// subject, body as text and/or HTML, attachments. <see cref="ToMime"/> writes it as the message
/// Outlook would send, so it takes the same road to a verdict as a message the relay receives.
/// </summary>
public sealed record CheckDraft(
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] IReadOnlyList<string>? To,
    [property: JsonPropertyName("cc")] IReadOnlyList<string>? Cc,
    [property: JsonPropertyName("bcc")] IReadOnlyList<string>? Bcc,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("body_text")] string? BodyText,
    [property: JsonPropertyName("body_html")] string? BodyHtml,
    [property: JsonPropertyName("attachments")] IReadOnlyList<CheckAttachment>? Attachments)
{
    /// <summary>Most recipients a draft may name, as Relay:MaxRecipients' default.</summary>
    public const int MaxRecipients = 1000;

    /// <summary>The draft as MIME bytes, or null with the problem (a field the caller got wrong, never its value).</summary>
    public byte[]? ToMime(out string? problem)
    {
        var message = new MimeMessage();
        if (!AddAddresses(message.From, From is null ? [] : [From], "from", out problem) ||
            !AddAddresses(message.To, To ?? [], "to", out problem) ||
            !AddAddresses(message.Cc, Cc ?? [], "cc", out problem) ||
            !AddAddresses(message.Bcc, Bcc ?? [], "bcc", out problem))
        {
            return null;
        }

        if (message.To.Count + message.Cc.Count + message.Bcc.Count > MaxRecipients)
        {
            problem = $"at most {MaxRecipients} recipients";
            return null;
        }

        message.Subject = Subject ?? "";
        var body = new BodyBuilder { TextBody = BodyText, HtmlBody = BodyHtml };
        int index = 0;
        foreach (var attachment in Attachments ?? [])
        {
            byte[] content;
            try
            {
                content = Convert.FromBase64String(attachment.Content ?? "");
            }
            catch (FormatException)
            {
                problem = $"attachments[{index}].content is not base64";
                return null;
            }

            if (!ContentType.TryParse(string.IsNullOrWhiteSpace(attachment.Type) ? "application/octet-stream" : attachment.Type, out var type))
            {
                type = new ContentType("application", "octet-stream");
            }

            body.Attachments.Add(string.IsNullOrWhiteSpace(attachment.Name) ? $"attachment{index + 1}" : attachment.Name, content, type);
            index++;
        }

        message.Body = body.ToMessageBody();
        using var output = new MemoryStream();
        message.WriteTo(FormatOptions.Default, output);
        problem = null;
        return output.ToArray();
    }

    private static bool AddAddresses(InternetAddressList list, IReadOnlyList<string> addresses, string field, out string? problem)
    {
        for (int i = 0; i < addresses.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(addresses[i]) || !MailboxAddress.TryParse(addresses[i], out var mailbox) || !mailbox.Address.Contains('@', StringComparison.Ordinal))
            {
                problem = field == "from" ? "from is not an address" : $"{field}[{i}] is not an address";
                return false;
            }

            list.Add(mailbox);
        }

        problem = null;
        return true;
    }
}
