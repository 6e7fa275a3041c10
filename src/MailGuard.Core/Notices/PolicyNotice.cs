using System.Globalization;
using System.Net;
using System.Text;
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
}

/// <summary>
/// Subject and body templates, editable in configuration (`Policy:Notifications:Templates`).
/// Placeholders: {reference}, {subject}, {reason}, {findings}, {exposed}, {fix}, {release}, {sender}.
/// Every value taken from the message (subject, reason, finding summaries, file and sheet names) is
/// put in as <see cref="NoticeText.Masked"/> makes it: one line, identifiers masked like evidence.
/// HTML bodies are escaped.
/// </summary>
public sealed class NoticeTemplates
{
    public string ReturnedSubject { get; set; } = "Not sent: {subject}";

    public string ReturnedText { get; set; } =
        "Your message \"{subject}\" was NOT sent. MailGuard stopped it because: {reason}\n\n" +
        "What was found:\n{findings}\n{exposed}\n" +
        "How to fix it:\n{fix}\n\n" +
        "If the message must go as it is, ask the security team to release it, quoting reference {reference}. {release}\n" +
        "Your original message is attached to this notice.";

    public string HeldSubject { get; set; } = "Held for review: {subject}";

    public string HeldText { get; set; } =
        "Your message \"{subject}\" has been held for review and has not been delivered yet. Reason: {reason}\n\n" +
        "What was found:\n{findings}\n{exposed}\n" +
        "The security team will release or return it. If it is urgent, contact them quoting reference {reference}. {release}\n\n" +
        "To send it now instead:\n{fix}";

    public string RecipientsHiddenSubject { get; set; } = "Recipients hidden: {subject}";

    public string RecipientsHiddenText { get; set; } =
        "Your message \"{subject}\" was delivered, but MailGuard moved its external recipients out of To/Cc " +
        "so that they cannot see each other's addresses. {exposed}\nEvery recipient still received it. Next time, put " +
        "external recipients in Bcc. Reference: {reference}.";

    public string SecurityAlertSubject { get; set; } = "[MailGuard] held {reference}: {reason}";

    public string SecurityAlertText { get; set; } =
        "A message from {sender} was held (reference {reference}).\nSubject: {subject}\nReason: {reason}\n\n" +
        "Findings:\n{findings}\n{exposed}\nReview it in the MailGuard console.";
}

/// <summary>What a notice is about. Findings carry masked evidence only.</summary>
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
    string? ReleaseRequestUrl = null);

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
    public static byte[] Build(PolicyNoticeRequest request, NoticeTemplates? templates = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        templates ??= new NoticeTemplates();
        if (string.IsNullOrWhiteSpace(request.To))
        {
            throw new ArgumentException("A notice needs a recipient; the null sender is never notified.", nameof(request));
        }

        var values = Values(request);
        (string subjectTemplate, string textTemplate) = request.Kind switch
        {
            PolicyNoticeKind.Returned => (templates.ReturnedSubject, templates.ReturnedText),
            PolicyNoticeKind.Held => (templates.HeldSubject, templates.HeldText),
            PolicyNoticeKind.RecipientsHidden => (templates.RecipientsHiddenSubject, templates.RecipientsHiddenText),
            _ => (templates.SecurityAlertSubject, templates.SecurityAlertText),
        };
        // The template is the operator's; the values in it are one line already. One line again,
        // so no template can fold a second header field into the subject.
        string subject = NoticeText.OneLine(Fill(subjectTemplate, values, html: false), MaxSubjectLineChars);
        string text = Fill(textTemplate, values, html: false);
        // A line break after each <br> and paragraph keeps the HTML's lines short (8bit allows 998
        // octets) without changing how it renders.
        string html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\n<p>" +
            Fill(textTemplate, values, html: true).Replace("\n\n", "</p><p>", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal).Replace("</p><p>", "</p>\n<p>", StringComparison.Ordinal) +
            "</p>\n</body></html>";

        string mta = request.ReportingMta;
        string kind = request.Kind.ToString().ToLowerInvariant();
        using var message = NoticeMime.NewMessage(
            "MailGuard",
            $"postmaster@{mta}",
            request.To,
            subject,
            request.Now,
            $"{request.Reference}.{kind}.{request.Now.ToUnixTimeMilliseconds()}@{mta}",
            "auto-replied",
            $"{kind}; reference={request.Reference}");
        bool report = request.Kind == PolicyNoticeKind.Returned;
        var body = report ? new Kit.MultipartReport("delivery-status") : new Kit.Multipart("mixed");
        body.Preamble = "This is a MIME-encapsulated message.";
        body.Add(NoticeMime.Alternative(text, html));
        if (report)
        {
            body.Add(DeliveryStatus(request));
        }

        if (request.Original is not null && request.Kind is PolicyNoticeKind.Returned or PolicyNoticeKind.Held)
        {
            body.Add(new VerbatimPart("message", "rfc822", request.Original)
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
        var fix = new List<string>();
        if (r.Exposure is { VisibleExternal: > 1 })
        {
            fix.Add(" - Move the external recipients from To/Cc to Bcc, and send it again.");
        }

        if (r.Findings.Any(f => f.Kind is not (FindingKinds.ExposedRecipients or FindingKinds.Unscannable or FindingKinds.TypeMismatch)))
        {
            fix.Add(" - Remove the personal data, or send only what the recipient needs; if they must have it, use an approved secure transfer route.");
        }

        if (r.Findings.Any(f => f.Kind == FindingKinds.Unscannable))
        {
            fix.Add(" - Attach the file in a form MailGuard can read, or agree the transfer with the security team.");
        }

        if (fix.Count == 0)
        {
            fix.Add(" - Ask the security team for advice.");
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reference"] = NoticeText.OneLine(r.Reference, 100),
            ["subject"] = Or(NoticeText.Masked(r.OriginalSubject, MaxFieldChars, today), "(no subject)"),
            ["reason"] = Or(NoticeText.Masked(r.Reason, MaxReasonChars, today), "it matched a data-protection rule"),
            ["findings"] = findings.ToString().TrimEnd('\n'),
            ["exposed"] = exposed,
            ["fix"] = string.Join("\n", fix),
            ["release"] = r.ReleaseRequestUrl is null ? "" : "You can ask for release with a justification here: " + NoticeText.OneLine(r.ReleaseRequestUrl, 2000),
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
