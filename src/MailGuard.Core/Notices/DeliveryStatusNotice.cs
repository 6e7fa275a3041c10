using System.Globalization;
using System.Text;
using MimeKit;

namespace MailGuard.Core.Notices;

/// <summary>One recipient that could not be delivered, for a DSN.</summary>
/// <param name="Status">RFC 3463 code, e.g. "5.1.1"; "4.4.7" for expiry (RFC 3463 "delivery time expired").</param>
/// <param name="Diagnostic">The upstream reply text ("550 5.1.1 no such user"), or null when none was had.</param>
/// <param name="RemoteMta">The smart host's name, when a reply came from one.</param>
public sealed record FailedRecipient(string Address, string Status, string? Diagnostic, string? RemoteMta);

/// <summary>Everything a non-delivery report says.</summary>
/// <param name="ReportingMta">This relay's name (Relay:ServerName).</param>
/// <param name="QueueId">The original message's queue id, for the sender to quote.</param>
/// <param name="OriginalHeaders">The original header section (up to the blank line), returned instead of the whole message.</param>
public sealed record DeliveryStatusRequest(
    string ReportingMta,
    string QueueId,
    string Sender,
    DateTimeOffset ArrivalDate,
    IReadOnlyList<FailedRecipient> Recipients,
    ReadOnlyMemory<byte> OriginalHeaders,
    DateTimeOffset Now);

/// <summary>
/// Builds RFC 3464 delivery status notifications: multipart/report with report-type=delivery-status
/// (RFC 6522), a plain-text part for people, a message/delivery-status part for software, and the
/// original headers as text/rfc822-headers. Only the headers go back, not the body: a DLP relay
/// must not mail the content it was guarding to anyone again, and RFC 3464 §2 allows headers only.
/// The notice goes from the null reverse-path (RFC 5321 §4.5.5) and is marked Auto-Submitted
/// (RFC 3834 §5), so it is never answered by another notice.
/// </summary>
public static class DeliveryStatusNotice
{
    /// <summary>Largest original header section returned; longer ones are cut at a line boundary.</summary>
    public const int MaxReturnedHeaderBytes = 64 * 1024;

    public static byte[] Build(DeliveryStatusRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Sender.Length == 0)
        {
            throw new ArgumentException("A DSN is never sent to the null reverse-path (RFC 5321 §4.5.5).", nameof(request));
        }

        if (request.Recipients.Count == 0)
        {
            throw new ArgumentException("A DSN needs at least one recipient to report.", nameof(request));
        }

        bool expired = request.Recipients.All(r => r.Status == "4.4.7");
        string mta = request.ReportingMta;
        using var message = NoticeMime.NewMessage(
            "Mail Delivery System",
            $"MAILER-DAEMON@{mta}",
            request.Sender,
            "Undelivered Mail Returned to Sender",
            request.Now,
            $"{request.QueueId}.dsn.{request.Now.ToUnixTimeMilliseconds()}@{mta}",
            "auto-replied",
            noticeMarker: null);

        var text = new StringBuilder(1024);
        text.Append($"This is the mail system at host {mta}.\n\n");
        text.Append(expired
            ? "Your message could not be delivered in the time allowed, so it has been returned.\n"
            : "Your message could not be delivered to one or more recipients. It has been returned.\n");
        text.Append($"Its reference is {request.QueueId}. The original headers are attached; the body was not returned.\n\n");
        foreach (var r in request.Recipients)
        {
            text.Append($"<{r.Address}>: {(r.Diagnostic is { Length: > 0 } d ? Sanitize(d) : "delivery time expired")}\n");
        }

        var notification = NoticeMime.Text("plain", text.ToString());
        notification.ContentDescription = "Notification";

        var status = new MessageDeliveryStatus { ContentDescription = "Delivery report" };
        status.StatusGroups.Add(new HeaderList
        {
            NoticeMime.StatusField("Reporting-MTA", $"dns; {mta}"),
            NoticeMime.StatusField("X-MailGuard-Queue-ID", request.QueueId),
            NoticeMime.StatusField("Original-Envelope-Id", request.QueueId),
            NoticeMime.StatusField("Arrival-Date", FormatDate(request.ArrivalDate)),
        });
        foreach (var r in request.Recipients)
        {
            // RFC 6533 §3: "utf-8" address type for internationalized addresses.
            var group = new HeaderList
            {
                NoticeMime.StatusField("Final-Recipient", $"{(Ascii.IsValid(r.Address) ? "rfc822" : "utf-8")}; {r.Address}"),
                NoticeMime.StatusField("Action", "failed"),
                NoticeMime.StatusField("Status", r.Status),
            };
            if (r.RemoteMta is { Length: > 0 } remote)
            {
                group.Add(NoticeMime.StatusField("Remote-MTA", $"dns; {remote}"));
            }

            if (r.Diagnostic is { Length: > 0 } diagnostic)
            {
                group.Add(NoticeMime.StatusField("Diagnostic-Code", "smtp; " + Sanitize(diagnostic)));
            }

            group.Add(NoticeMime.StatusField("Last-Attempt-Date", FormatDate(request.Now)));
            status.StatusGroups.Add(group);
        }

        var headers = new VerbatimPart("text", "rfc822-headers", new MemoryStream(TrimHeaders(request.OriginalHeaders.Span).ToArray(), writable: false));
        headers.Headers.Add("Content-Description", "Undelivered Message Headers");

        var report = new MultipartReport("delivery-status") { notification, status, headers };
        report.Preamble = "This is a MIME-encapsulated message.";
        message.Body = report;
        return NoticeMime.ToBytes(message);
    }

    /// <summary>Reads the header section of a stored message (through the blank line, bounded).</summary>
    public static byte[] ReadHeaderSection(Stream message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new byte[MaxReturnedHeaderBytes];
        int length = 0;
        int n;
        while (length < buffer.Length && (n = message.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += n;
            int end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                return buffer.AsSpan(0, end + 2).ToArray();
            }
        }

        return buffer.AsSpan(0, length).ToArray();
    }

    private static ReadOnlySpan<byte> TrimHeaders(ReadOnlySpan<byte> headers)
    {
        if (headers.Length > MaxReturnedHeaderBytes)
        {
            headers = headers[..MaxReturnedHeaderBytes];
        }

        // End on a complete line so the part's closing boundary starts a line of its own.
        int last = headers.LastIndexOf("\r\n"u8);
        return last < 0 ? [] : headers[..(last + 2)];
    }

    /// <summary>
    /// The upstream's reply, on one line (no CR, LF, U+2028/U+2029 or bidirectional controls) and
    /// bounded. It is the smart host's text, not the message's, and software reads it
    /// (Diagnostic-Code), so it is not masked; the recipient it names is in the report anyway.
    /// </summary>
    private static string Sanitize(string text) => NoticeText.OneLine(text, 1000);

    /// <summary>RFC 5322 §3.3 date-time.</summary>
    public static string FormatDate(DateTimeOffset value) =>
        value.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + value.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", string.Empty, StringComparison.Ordinal);
}
