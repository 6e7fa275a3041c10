using System.Globalization;
using System.Net;
using System.Text;
using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;
using Kit = MimeKit;

namespace MailGuard.Core.Notices;

/// <summary>Which notice to write.</summary>
public enum PolicyNoticeKind
{
    /// <summary>The bounce-back warning: not delivered, here is what was found and how to fix it.</summary>
    Returned,

    /// <summary>Held in quarantine for review; quote the reference to ask for release.</summary>
    Held,

    /// <summary>Delivered with external To/Cc addresses hidden.</summary>
    RecipientsHidden,

    /// <summary>To the security team: a message was held.</summary>
    SecurityAlert,

    /// <summary>A reviewer released the held message: it is on its way.</summary>
    Released,

    /// <summary>A reviewer deleted the held message: it will never be delivered.</summary>
    Deleted,

    /// <summary>The held message was not released within the retention period (returned or deleted).</summary>
    Expired,

    /// <summary>The sender's release request reached the reviewers.</summary>
    ReleaseRequestReceived,
}

/// <summary>
/// Subject templates, and the security team's alert, editable in configuration
/// (`Policy:Notifications:Templates`). Placeholders: {reference} (the short reference,
/// MG-7K3F-9Q2D), {subject}, {reason}, {findings}, {exposed}, {sender}. Every value taken from the
/// message is put in as <see cref="NoticeText.Masked"/> makes it: one line, identifiers masked like
/// evidence. The bodies of the notices to senders are MailGuard's own layout
/// (<see cref="NoticeLayout"/>); what the organisation adds goes in per rule
/// (Policy:Rules:N:SenderMessage) and in Policy:Notifications:Contact.
/// </summary>
public sealed class NoticeTemplates
{
    public string ReturnedSubject { get; set; } = "Not sent: {subject}";

    public string HeldSubject { get; set; } = "Held for review: {subject}";

    public string RecipientsHiddenSubject { get; set; } = "Recipients hidden: {subject}";

    public string SecurityAlertSubject { get; set; } = "[MailGuard] held {reference}: {reason}";

    public string SecurityAlertText { get; set; } =
        "A message from {sender} was held (reference {reference}).\nSubject: {subject}\nReason: {reason}\n\n" +
        "Findings:\n{findings}\n{exposed}\nReview it in the MailGuard console.";
}

/// <summary>What a notice is about. Findings carry masked evidence only.</summary>
/// <param name="Reference">The queue id; notices show the short reference made from it (<see cref="NoticeReference"/>).</param>
/// <param name="Reason">The rule's reason (Policy:Rules:N:Reason): never a reviewer's audit reason.</param>
/// <param name="SenderMessage">The rule's words for senders (Policy:Rules:N:SenderMessage).</param>
/// <param name="NoteToSender">A reviewer's note to the sender, for the notices that follow a decision.</param>
/// <param name="WithdrawUrl">The signed link with which the sender withdraws a held message.</param>
/// <param name="ByReviewer">A reviewer returned it (rather than the policy at once).</param>
public sealed record PolicyNoticeRequest(
    PolicyNoticeKind Kind,
    string ReportingMta,
    string Reference,
    string To,
    string? OriginalSender,
    string? OriginalSubject,
    string? Reason,
    IReadOnlyList<Finding> Findings,
    RecipientExposure? Exposure,
    IReadOnlyList<string> Recipients,
    DateTimeOffset Now,
    Stream? Original = null,
    string? ReleaseRequestUrl = null,
    string? SenderMessage = null,
    string? NoteToSender = null,
    string? WithdrawUrl = null,
    bool ByReviewer = false);

/// <summary>
/// Builds the notices MailGuard sends about its own decisions. A returned message is an RFC 3464
/// report (multipart/report; report-type=delivery-status, RFC 6522): a human part in plain text
/// and HTML, a machine-readable delivery-status part, and the original message. All notices
/// come from the null reverse-path, carry Auto-Submitted: auto-replied (RFC 3834 §5) and an
/// X-MailGuard-Notice header, so no notice ever answers a notice.
/// </summary>
public static class PolicyNotice
{
    public const string NoticeHeader = "X-MailGuard-Notice";

    /// <summary>A reviewer's note to the sender is at most this long (the console form and the API say so too).</summary>
    public const int MaxNoteToSenderChars = 2000;

    /// <summary>A subject, file name or summary as a notice quotes it (as much as the digest shows).</summary>
    private const int MaxFieldChars = 200;

    /// <summary>A reviewer's reason is at most 1,000 characters (ReviewActions); a rule's is the operator's.</summary>
    private const int MaxReasonChars = 1000;

    /// <summary>The notice's whole subject: a template with a subject of <see cref="MaxFieldChars"/> in it, and room for the operator's words.</summary>
    private const int MaxSubjectLineChars = 300;

    /// <summary>
    /// RFC 3834 §2 and RFC 5321 §4.5.5: never answer the null sender, automatic mail
    /// (Auto-Submitted other than "no"), list or bulk mail, or another MailGuard notice.
    /// </summary>
    public static bool MayNotifySender(string? envelopeSender, HeaderList headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (string.IsNullOrWhiteSpace(envelopeSender) || envelopeSender.Trim() == "<>")
        {
            return false;
        }

        string local = envelopeSender.Split('@')[0].ToLowerInvariant();
        if (local is "mailer-daemon" or "postmaster" or "noreply" or "no-reply")
        {
            return false;
        }

        if (headers[NoticeHeader] is not null)
        {
            return false;
        }

        if (headers["Auto-Submitted"]?.Value is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (headers["Precedence"]?.Value.Trim().ToLowerInvariant() is "bulk" or "junk" or "list")
        {
            return false;
        }

        return headers["List-Id"] is null;
    }

    /// <summary>
    /// Builds and discards a returned notice, so that MimeKit is loaded and compiled before the
    /// first message that needs a notice: that costs 0.1-0.3 s of CPU in a fresh process (measured
    /// on 2 cores; seconds of wall time when the machine is loaded), all of it before that
    /// message's 250. Call once at start, off the start-up path.
    /// </summary>
    public static void WarmUp()
    {
        var now = DateTimeOffset.UnixEpoch;
        Build(new PolicyNoticeRequest(
            PolicyNoticeKind.Returned, "warm-up.invalid", "warm-up", "sender@warm-up.invalid", "sender@warm-up.invalid", "Grüße", "warm-up",
            [], null, ["rcpt@warm-up.invalid"], now, new MemoryStream("Subject: warm-up\r\n\r\n.\r\n"u8.ToArray())));
    }

    /// <summary>The notice as RFC 5322 bytes (CRLF line endings), ready to queue from &lt;&gt;.</summary>
    public static byte[] Build(PolicyNoticeRequest request, NotificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        options ??= new NotificationOptions();
        var templates = options.Templates;
        if (string.IsNullOrWhiteSpace(request.To))
        {
            throw new ArgumentException("A notice needs a recipient; the null sender is never notified.", nameof(request));
        }

        var values = Values(request);
        string subjectTemplate = request.Kind switch
        {
            PolicyNoticeKind.Returned => templates.ReturnedSubject,
            PolicyNoticeKind.Held => templates.HeldSubject,
            PolicyNoticeKind.RecipientsHidden => templates.RecipientsHiddenSubject,
            PolicyNoticeKind.Released => "Released: {subject}",
            PolicyNoticeKind.Deleted => "Not sent, deleted by a reviewer: {subject}",
            PolicyNoticeKind.Expired => "Not sent, held too long: {subject}",
            PolicyNoticeKind.ReleaseRequestReceived => "Release requested: {subject}",
            _ => templates.SecurityAlertSubject,
        };
        // The template is the operator's; the values in it are one line already. One line again,
        // so no template can fold a second header field into the subject.
        string subject = NoticeText.OneLine(Fill(subjectTemplate, values, html: false), MaxSubjectLineChars);
        string text, html;
        if (request.Kind == PolicyNoticeKind.SecurityAlert)
        {
            text = Fill(templates.SecurityAlertText, values, html: false);
            // A line break after each <br> and paragraph keeps the HTML's lines short (8bit allows 998
            // octets) without changing how it renders.
            html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\n<p>" +
                Fill(templates.SecurityAlertText, values, html: true).Replace("\n\n", "</p><p>", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal).Replace("</p><p>", "</p>\n<p>", StringComparison.Ordinal) +
                "</p>\n</body></html>";
        }
        else
        {
            var document = SenderNotices.Compose(request, options);
            text = NoticeLayout.Text(document);
            html = NoticeLayout.Html(document);
        }

        string mta = request.ReportingMta;
        string kind = request.Kind.ToString().ToLowerInvariant();
        using var message = NoticeMime.NewMessage(
            NoticeText.OneLine(options.FromName, 100) is { Length: > 0 } name ? name : "MailGuard",
            options.FromAddress is { Length: > 0 } from ? from.Trim() : $"postmaster@{mta}",
            request.To,
            subject,
            request.Now,
            $"{request.Reference}.{kind}.{request.Now.ToUnixTimeMilliseconds()}@{mta}",
            "auto-replied",
            $"{kind}; reference={request.Reference}");
        bool attach = request.Original is not null && request.Kind is PolicyNoticeKind.Returned or PolicyNoticeKind.Held or PolicyNoticeKind.Expired;
        bool report = request.Kind == PolicyNoticeKind.Returned || (request.Kind == PolicyNoticeKind.Expired && attach);
        var body = report ? new Kit.MultipartReport("delivery-status") : new Kit.Multipart("mixed");
        body.Preamble = "This is a MIME-encapsulated message.";
        body.Add(NoticeMime.Alternative(text, html));
        if (report)
        {
            body.Add(DeliveryStatus(request));
        }

        if (attach)
        {
            body.Add(new VerbatimPart("message", "rfc822", request.Original!)
            {
                ContentDisposition = new Kit.ContentDisposition(Kit.ContentDisposition.Attachment) { FileName = "original.eml" },
            });
        }

        message.Body = body;
        return NoticeMime.ToBytes(message);
    }

    /// <summary>RFC 3464 §2.2-2.3: the per-message fields, then one group per recipient.</summary>
    private static Kit.MessageDeliveryStatus DeliveryStatus(PolicyNoticeRequest request)
    {
        var status = new Kit.MessageDeliveryStatus();
        status.StatusGroups.Add(new Kit.HeaderList
        {
            NoticeMime.StatusField("Reporting-MTA", $"dns; {request.ReportingMta}"),
            NoticeMime.StatusField("X-MailGuard-Reference", request.Reference),
        });
        foreach (string r in request.Recipients)
        {
            status.StatusGroups.Add(new Kit.HeaderList
            {
                NoticeMime.StatusField("Final-Recipient", $"rfc822; {r}"),
                NoticeMime.StatusField("Action", "failed"),
                NoticeMime.StatusField("Status", "5.7.1"),
                NoticeMime.StatusField("Diagnostic-Code", $"smtp; 550 5.7.1 held back by data-loss-prevention policy (reference {request.Reference})"),
            });
        }

        return status;
    }

    private static Dictionary<string, string> Values(PolicyNoticeRequest r)
    {
        var today = DateOnly.FromDateTime(r.Now.UtcDateTime);
        var findings = new StringBuilder();
        foreach (var f in r.Findings.Where(f => f.Kind is not (FindingKinds.ExposedRecipients or FindingKinds.TypeMismatch)).Take(20))
        {
            findings.Append(" - ").Append(Describe(f, today)).Append('\n');
        }

        if (findings.Length == 0)
        {
            findings.Append(" - (no content findings)\n");
        }

        string exposed = r.Exposure is { VisibleExternal: > 1 } e
            ? $"{e.VisibleExternal:N0} external recipients ({e.DistinctExternalDomains:N0} organisations or providers) would have seen each other's addresses in To/Cc."
            : "";
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reference"] = NoticeReference.For(r.Reference),
            ["subject"] = Or(NoticeText.Masked(r.OriginalSubject, MaxFieldChars, today), "(no subject)"),
            ["reason"] = Or(NoticeText.Masked(r.Reason, MaxReasonChars, today), "it matched a data-protection rule"),
            ["findings"] = findings.ToString().TrimEnd('\n'),
            ["exposed"] = exposed,
            // The envelope sender is the one field left unmasked: it is whom the notice is about
            // (the security team must know who sent it), and an SMTP path holds no line break.
            ["sender"] = Or(NoticeText.OneLine(r.OriginalSender, 320), "(unknown sender)"),
        };
    }

    /// <summary>
    /// A finding in plain words, on one line, for notices and the CLI: "uk-nino: 1,598 (for example
    /// AB****56C) in people.xlsx". The evidence is masked already; the summary and the location
    /// (file and sheet names come from the message) are masked here.
    /// </summary>
    public static string Describe(Finding f, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(f);
        string kind = NoticeText.OneLine(f.Kind, 40);
        string what = f.Summary is { } summary ? NoticeText.Masked(summary, MaxFieldChars, today) : $"{f.Count.ToString("N0", CultureInfo.InvariantCulture)} × {kind}";
        string examples = f.Evidence.Count == 0 ? "" : " (for example " + string.Join(", ", f.Evidence.Take(3).Select(e => NoticeText.Masked(e, 100, today))) + ")";
        return $"{kind}: {what}{examples} in {NoticeText.Masked(f.Location.ToString(), MaxFieldChars, today)}";
    }

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;

    private static string Fill(string template, Dictionary<string, string> values, bool html)
    {
        var sb = new StringBuilder(template.Length + 256);
        int i = 0;
        while (i < template.Length)
        {
            int open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(html ? WebUtility.HtmlEncode(template[i..]) : template[i..]);
                break;
            }

            sb.Append(html ? WebUtility.HtmlEncode(template[i..open]) : template[i..open]);
            int close = template.IndexOf('}', open + 1);
            string key = close > open ? template[(open + 1)..close] : "";
            if (close > open && values.TryGetValue(key, out string? value))
            {
                sb.Append(html ? WebUtility.HtmlEncode(value) : value);
                i = close + 1;
            }
            else
            {
                sb.Append('{');
                i = open + 1;
            }
        }

        return sb.ToString();
    }
}
