using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailGuard.Inspection;
using MailGuard.Mime;

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
        string html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>" +
            Fill(textTemplate, values, html: true).Replace("\n\n", "</p><p>", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal) +
            "</p></body></html>";

        string mta = request.ReportingMta;
        string outer = Boundary();
        string alt = Boundary();
        var sb = new StringBuilder(8192);
        AppendHeaders(sb, mta, request.To, subject, request.Now, $"{request.Reference}.{request.Kind.ToString().ToLowerInvariant()}.{request.Now.ToUnixTimeMilliseconds()}@{mta}",
            "auto-replied", $"{request.Kind.ToString().ToLowerInvariant()}; reference={request.Reference}");
        bool report = request.Kind == PolicyNoticeKind.Returned;
        if (report)
        {
            Line(sb, $"Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{outer}\"");
        }
        else
        {
            Line(sb, $"Content-Type: multipart/mixed; boundary=\"{outer}\"");
        }

        Line(sb, "");
        Line(sb, "This is a MIME-encapsulated message.");
        Line(sb, "");
        Line(sb, "--" + outer);
        AppendAlternative(sb, alt, text, html);
        if (report)
        {
            // RFC 3464 §2.2-2.3: per-message fields, then one block per recipient.
            Line(sb, "--" + outer);
            Line(sb, "Content-Type: message/delivery-status");
            Line(sb, "");
            Line(sb, $"Reporting-MTA: dns; {mta}");
            Line(sb, $"X-MailGuard-Reference: {request.Reference}");
            foreach (string r in request.Recipients)
            {
                Line(sb, "");
                Line(sb, $"Final-Recipient: rfc822; {r}");
                Line(sb, "Action: failed");
                Line(sb, "Status: 5.7.1");
                Line(sb, $"Diagnostic-Code: smtp; 550 5.7.1 held back by data-loss-prevention policy (reference {request.Reference})");
            }
        }

        using var output = new MemoryStream();
        byte[] head = Encoding.UTF8.GetBytes(sb.ToString());
        output.Write(head);
        if (request.Original is not null && request.Kind is PolicyNoticeKind.Returned or PolicyNoticeKind.Held)
        {
            output.Write(Encoding.ASCII.GetBytes($"--{outer}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"original.eml\"\r\n\r\n"));
            request.Original.CopyTo(output);
            output.Write("\r\n"u8);
        }

        output.Write(Encoding.ASCII.GetBytes($"--{outer}--\r\n"));
        return output.ToArray();
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

    /// <summary>
    /// The header fields every MailGuard notice has, through MIME-Version (the caller adds
    /// Content-Type): from postmaster at the reporting MTA, Auto-Submitted (RFC 3834 §5: auto-replied
    /// for an answer to a message, auto-generated for a periodic report) and the notice marker.
    /// </summary>
    internal static void AppendHeaders(StringBuilder sb, string mta, string to, string subject, DateTimeOffset date, string messageId, string autoSubmitted, string notice)
    {
        Line(sb, $"From: MailGuard <postmaster@{mta}>");
        Line(sb, $"To: <{to}>");
        Line(sb, "Subject: " + EncodeHeader(subject));
        Line(sb, "Date: " + date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
        Line(sb, $"Message-ID: <{messageId}>");
        Line(sb, "Auto-Submitted: " + autoSubmitted);
        Line(sb, $"{NoticeHeader}: {notice}");
        Line(sb, "MIME-Version: 1.0");
    }

    /// <summary>A multipart/alternative entity (its header and body) with a UTF-8 text part and an HTML part.</summary>
    internal static void AppendAlternative(StringBuilder sb, string boundary, string text, string html)
    {
        Line(sb, $"Content-Type: multipart/alternative; boundary=\"{boundary}\"");
        Line(sb, "");
        Line(sb, "--" + boundary);
        Line(sb, "Content-Type: text/plain; charset=utf-8");
        Line(sb, "Content-Transfer-Encoding: 8bit");
        Line(sb, "");
        Line(sb, text.ReplaceLineEndings("\r\n"));
        Line(sb, "--" + boundary);
        Line(sb, "Content-Type: text/html; charset=utf-8");
        Line(sb, "Content-Transfer-Encoding: 8bit");
        Line(sb, "");
        Line(sb, html.ReplaceLineEndings("\r\n"));
        Line(sb, "--" + boundary + "--");
    }

    /// <summary>
    /// Printable ASCII as it is; anything else as RFC 2047 encoded words of at most 75 characters
    /// (§2), 45 bytes of UTF-8 each and never a character split between two (§5), one to a folded
    /// line, so that no line of the header passes RFC 5322's 998 characters.
    /// </summary>
    private static string EncodeHeader(string value)
    {
        if (value.All(c => c is >= ' ' and < (char)127))
        {
            return value;
        }

        const int MaxBytes = 45;
        var words = new List<string>();
        var chunk = new StringBuilder();
        int bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes)
            {
                words.Add(Word(chunk.ToString()));
                chunk.Clear();
                bytes = 0;
            }

            chunk.Append(rune.ToString());
            bytes += rune.Utf8SequenceLength;
        }

        words.Add(Word(chunk.ToString()));
        return string.Join("\r\n ", words);

        static string Word(string text) => "=?utf-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) + "?=";
    }

    internal static string Boundary() => "=_mg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static void Line(StringBuilder sb, string text) => sb.Append(text).Append("\r\n");
}
