using System.Net;
using System.Text;
using MailGuard.Core.Store;

namespace MailGuard.Core.Notices;

/// <summary>What the security team is told when a sender asks for a held message to be released.</summary>
/// <param name="Justification">The sender's words as the audit log keeps them (one line, identifiers masked).</param>
/// <param name="ConsolePublicUrl">Console:PublicUrl; the alert then links to the message's console page.</param>
public sealed record ReleaseRequestAlertRequest(
    string ReportingMta,
    string To,
    string AlertId,
    DateTimeOffset Now,
    QuarantineRecord Held,
    string Justification,
    string? ConsolePublicUrl);

/// <summary>
/// The alert to Policy:Notifications:SecurityTeam that a sender has asked for release: the message's
/// reference, sender, rule, masked subject and summary, the sender's (masked) justification, and a
/// link to the message in the console, where the decision is made. Never evidence, never the body.
/// </summary>
public static class ReleaseRequestAlertNotice
{
    private const int MaxSubjectChars = 200;

    /// <summary>The alert as RFC 5322 bytes (CRLF line endings), to queue from the null sender.</summary>
    public static byte[] Build(ReleaseRequestAlertRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.To);
        var held = request.Held;
        var today = DateOnly.FromDateTime(held.HeldAt.UtcDateTime);
        string subject = NoticeText.Masked(held.Subject, MaxSubjectChars, today);
        string? link = request.ConsolePublicUrl is { Length: > 0 } url ? HeldDigestNotice.ConsoleMessageLink(url, held.MessageId) : null;
        var lines = new List<(string Label, string Value)>
        {
            ("Reference", held.MessageId),
            ("Sender", held.MailFrom),
            ("Rule", held.Rule ?? "-"),
            ("Subject", subject.Length == 0 ? "(no subject)" : subject),
            ("Why held", NoticeText.Masked(held.Summary ?? held.Reason, 300, today)),
            ("Justification", request.Justification),
        };

        var text = new StringBuilder();
        text.Append("A sender has asked for a held message to be released. A reviewer decides in the MailGuard console.\n\n");
        foreach (var (label, value) in lines)
        {
            text.Append(label).Append(": ").Append(value).Append('\n');
        }

        text.Append('\n').Append(link is null ? "Open it in the MailGuard console (held messages, request marker)." : "Decide: " + link).Append('\n');

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\n<p>A sender has asked for a held message to be released. A reviewer decides in the MailGuard console.</p>\n<table style=\"border-collapse:collapse\">\n");
        foreach (var (label, value) in lines)
        {
            html.Append("<tr><th style=\"text-align:left;padding:2px 12px 2px 0\">").Append(WebUtility.HtmlEncode(label)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n<p>");
        html.Append(link is null ? "Open it in the MailGuard console." : $"<a href=\"{WebUtility.HtmlEncode(link)}\">Open the message in the console</a>");
        html.Append("</p>\n</body></html>");

        using var message = NoticeMime.NewMessage(
            "MailGuard",
            $"postmaster@{request.ReportingMta}",
            request.To,
            $"[MailGuard] release requested: {held.MessageId}",
            request.Now,
            $"{request.AlertId}.release-request@{request.ReportingMta}",
            "auto-generated",
            $"release-request-alert; message={held.MessageId}");
        message.Body = NoticeMime.Alternative(text.ToString().TrimEnd('\n'), html.ToString());
        return NoticeMime.ToBytes(message);
    }
}
