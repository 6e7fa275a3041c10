using System.Net;
using System.Text;

namespace MailGuard.Core.Notices;

/// <summary>The colour of a notice's banner: what the news means for the sender.</summary>
public enum NoticeTone
{
    /// <summary>Not sent (returned, deleted, expired): red.</summary>
    Stopped,

    /// <summary>Held, waiting for a reviewer: amber.</summary>
    Waiting,

    /// <summary>Released, delivered: green.</summary>
    Delivered,

    /// <summary>For information (a request received, recipients hidden, the security team's alert): blue.</summary>
    Information,
}

/// <summary>A link drawn as a button; the URL is shown as text under it too, for mail programs that drop links.</summary>
public sealed record NoticeButton(string Label, string Url);

/// <summary>
/// What a notice says, in order: the banner, the title, paragraphs, the organisation's own words
/// for the rule, the reviewer's note, what was found per file, the steps to take next with their
/// buttons, the contact and the reference. Every string is plain text (already masked where it
/// comes from the message); <see cref="NoticeLayout"/> escapes it for HTML.
/// </summary>
public sealed class NoticeDocument
{
    public required string Banner { get; set; }

    public required NoticeTone Tone { get; set; }

    public required string Title { get; set; }

    public List<string> Paragraphs { get; } = [];

    /// <summary>Policy:Rules:N:SenderMessage of the rule that matched, when the organisation wrote one.</summary>
    public string? RuleMessage { get; set; }

    /// <summary>The reviewer's note to the sender (never the audit reason).</summary>
    public string? ReviewerNote { get; set; }

    public IReadOnlyList<FileFindings> Findings { get; set; } = [];

    /// <summary>A sentence about external recipients who would see each other's addresses.</summary>
    public string? Exposure { get; set; }

    public List<string> NextSteps { get; } = [];

    public List<NoticeButton> Buttons { get; } = [];

    /// <summary>Policy:Notifications:Contact, when set.</summary>
    public string? Contact { get; set; }

    /// <summary>The short reference (MG-7K3F-9Q2D).</summary>
    public required string Reference { get; set; }

    /// <summary>The queue id, for the security team.</summary>
    public required string QueueId { get; set; }

    /// <summary>"Your original message is attached", when it is.</summary>
    public string? Footer { get; set; }
}

/// <summary>
/// Renders a <see cref="NoticeDocument"/> twice, as equivalents: HTML for mail programs (tables
/// for layout, inline styles only, no scripts, no images, no web fonts, nothing fetched: Outlook's
/// Word engine, Gmail and Apple Mail all show it alike) and plain text.
/// </summary>
public static class NoticeLayout
{
    private const string Font = "font-family:Arial,Helvetica,sans-serif;";

    public static string Html(NoticeDocument d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var h = new StringBuilder(4096);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.Append("<title>").Append(E(d.Banner)).Append("</title>\n</head>\n");
        h.Append("<body style=\"margin:0;padding:0;background-color:#f3f4f6;\">\n");
        h.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f3f4f6;\">\n<tr><td align=\"center\" style=\"padding:24px 12px;\">\n");
        h.Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:600px;max-width:600px;background-color:#ffffff;border:1px solid #d1d5db;\">\n");
        h.Append("<tr><td style=\"").Append(Font).Append("background-color:").Append(BannerColour(d.Tone))
            .Append(";color:#ffffff;padding:16px 24px;font-size:22px;line-height:28px;font-weight:bold;\">").Append(E(d.Banner)).Append("</td></tr>\n");
        h.Append("<tr><td style=\"").Append(Font).Append("padding:20px 24px 8px 24px;color:#111827;font-size:15px;line-height:22px;\">\n");
        h.Append("<p style=\"margin:0 0 12px 0;font-size:17px;line-height:24px;font-weight:bold;\">").Append(E(d.Title)).Append("</p>\n");
        foreach (string p in d.Paragraphs)
        {
            h.Append("<p style=\"margin:0 0 12px 0;\">").Append(E(p)).Append("</p>\n");
        }

        Quote(h, "From your organisation", d.RuleMessage, "#eff6ff", "#1d4ed8");
        Quote(h, "Note from the reviewer", d.ReviewerNote, "#f0fdf4", "#15803d");
        if (d.Findings.Count > 0 || d.Exposure is not null)
        {
            Heading(h, "What was found");
            foreach (var file in d.Findings)
            {
                h.Append("<p style=\"margin:8px 0 4px 0;font-weight:bold;\">").Append(E(file.Where)).Append("</p>\n<ul style=\"margin:0 0 8px 0;padding-left:22px;\">\n");
                foreach (string line in file.Lines)
                {
                    h.Append("<li style=\"margin:0 0 4px 0;\">").Append(E(line)).Append("</li>\n");
                }

                h.Append("</ul>\n");
            }

            if (d.Exposure is { } exposure)
            {
                h.Append("<p style=\"margin:8px 0 8px 0;\"><strong>Recipients:</strong> ").Append(E(exposure)).Append("</p>\n");
            }
        }

        if (d.NextSteps.Count > 0)
        {
            Heading(h, "What to do next");
            h.Append("<ol style=\"margin:0 0 8px 0;padding-left:22px;\">\n");
            foreach (string step in d.NextSteps)
            {
                h.Append("<li style=\"margin:0 0 6px 0;\">").Append(E(step)).Append("</li>\n");
            }

            h.Append("</ol>\n");
        }

        h.Append("</td></tr>\n");
        foreach (var b in d.Buttons)
        {
            h.Append("<tr><td style=\"").Append(Font).Append("padding:8px 24px 8px 24px;\">\n");
            h.Append("<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td style=\"background-color:#1d4ed8;border-radius:4px;\">");
            h.Append("<a href=\"").Append(E(b.Url)).Append("\" style=\"").Append(Font)
                .Append("display:inline-block;padding:12px 22px;color:#ffffff;font-size:15px;font-weight:bold;text-decoration:none;\">").Append(E(b.Label)).Append("</a></td></tr></table>\n");
            h.Append("<p style=\"margin:6px 0 0 0;color:#4b5563;font-size:12px;line-height:16px;word-break:break-all;\">").Append(E(b.Url)).Append("</p>\n</td></tr>\n");
        }

        h.Append("<tr><td style=\"").Append(Font).Append("padding:16px 24px 20px 24px;border-top:1px solid #e5e7eb;color:#374151;font-size:13px;line-height:19px;\">\n");
        if (d.Contact is { } contact)
        {
            h.Append("<p style=\"margin:0 0 8px 0;\"><strong>Questions?</strong> ").Append(E(contact)).Append("</p>\n");
        }

        h.Append("<p style=\"margin:0 0 8px 0;\">Reference <strong style=\"font-family:Consolas,Menlo,monospace;font-size:15px;\">").Append(E(d.Reference))
            .Append("</strong> (queue id ").Append(E(d.QueueId)).Append("). Quote it when you contact the security team.</p>\n");
        if (d.Footer is { } footer)
        {
            h.Append("<p style=\"margin:0 0 8px 0;\">").Append(E(footer)).Append("</p>\n");
        }

        h.Append("<p style=\"margin:0;color:#6b7280;\">This notice was written by MailGuard, your organisation's mail checker. Replies to it are not read.</p>\n");
        h.Append("</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n");
        return h.ToString();
    }

    public static string Text(NoticeDocument d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var t = new StringBuilder(2048);
        string banner = d.Banner.ToUpperInvariant();
        t.Append(banner).Append('\n').Append(new string('=', Math.Min(banner.Length, 70))).Append("\n\n");
        t.Append(d.Title).Append("\n\n");
        foreach (string p in d.Paragraphs)
        {
            t.Append(p).Append("\n\n");
        }

        if (d.RuleMessage is { } rule)
        {
            t.Append("From your organisation: ").Append(rule).Append("\n\n");
        }

        if (d.ReviewerNote is { } note)
        {
            t.Append("Note from the reviewer: ").Append(note).Append("\n\n");
        }

        if (d.Findings.Count > 0 || d.Exposure is not null)
        {
            t.Append("What was found\n--------------\n");
            foreach (var file in d.Findings)
            {
                t.Append(file.Where).Append('\n');
                foreach (string line in file.Lines)
                {
                    t.Append("  - ").Append(line).Append('\n');
                }
            }

            if (d.Exposure is { } exposure)
            {
                t.Append("Recipients: ").Append(exposure).Append('\n');
            }

            t.Append('\n');
        }

        if (d.NextSteps.Count > 0)
        {
            t.Append("What to do next\n---------------\n");
            for (int i = 0; i < d.NextSteps.Count; i++)
            {
                t.Append(i + 1).Append(". ").Append(d.NextSteps[i]).Append('\n');
            }

            t.Append('\n');
        }

        foreach (var b in d.Buttons)
        {
            t.Append(b.Label).Append(": ").Append(b.Url).Append('\n');
        }

        if (d.Buttons.Count > 0)
        {
            t.Append('\n');
        }

        if (d.Contact is { } contact)
        {
            t.Append("Questions? ").Append(contact).Append('\n');
        }

        t.Append("Reference ").Append(d.Reference).Append(" (queue id ").Append(d.QueueId).Append("). Quote it when you contact the security team.\n");
        if (d.Footer is { } footer)
        {
            t.Append(footer).Append('\n');
        }

        t.Append("This notice was written by MailGuard, your organisation's mail checker. Replies to it are not read.\n");
        return t.ToString();
    }

    private static void Heading(StringBuilder h, string text) =>
        h.Append("<p style=\"margin:16px 0 6px 0;font-size:16px;line-height:22px;font-weight:bold;color:#111827;\">").Append(E(text)).Append("</p>\n");

    private static void Quote(StringBuilder h, string label, string? text, string background, string border)
    {
        if (text is null)
        {
            return;
        }

        h.Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"margin:4px 0 12px 0;\"><tr><td style=\"")
            .Append(Font).Append("background-color:").Append(background).Append(";border-left:4px solid ").Append(border)
            .Append(";padding:10px 14px;font-size:15px;line-height:22px;color:#111827;\"><strong>").Append(E(label)).Append(":</strong> ").Append(E(text)).Append("</td></tr></table>\n");
    }

    private static string BannerColour(NoticeTone tone) => tone switch
    {
        NoticeTone.Stopped => "#b91c1c",
        NoticeTone.Waiting => "#b45309",
        NoticeTone.Delivered => "#15803d",
        _ => "#1d4ed8",
    };

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
