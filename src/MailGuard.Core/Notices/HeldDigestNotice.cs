using System.Globalization;
using System.Net;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using static System.FormattableString;

namespace MailGuard.Core.Notices;

/// <summary>What the daily digest to the security team is about.</summary>
/// <param name="MessageId">The digest's own queue id (its Message-ID is made from it, so a repeat is recognisable).</param>
/// <param name="Day">The day the digest is for, in <paramref name="TimeZone"/>.</param>
/// <param name="Held">Messages still held, oldest first: all of them, or the oldest ones when <paramref name="MoreHeld"/>.</param>
/// <param name="MoreHeld">More messages are held than <paramref name="Held"/> lists (the counts then cover only those).</param>
/// <param name="ConsolePublicUrl">Console:PublicUrl; each message then links to `{url}/messages/{id}`.</param>
public sealed record HeldDigestRequest(
    string ReportingMta,
    string To,
    string MessageId,
    DateOnly Day,
    DateTimeOffset Now,
    TimeZoneInfo TimeZone,
    IReadOnlyList<QuarantineRecord> Held,
    bool MoreHeld,
    string? ConsolePublicUrl);

/// <summary>
/// The daily digest of held mail for Policy:Notifications:SecurityTeam: how many messages wait, by
/// rule, how long the oldest has waited, and one entry per message (reference, held time, sender,
/// rule, recipient count, subject, the masked finding summary and the finding kinds, and a console
/// link). It shows what the per-hold security alert already shows the same people, and no more:
/// never a finding's evidence, never the body.
/// </summary>
public static class HeldDigestNotice
{
    /// <summary>
    /// Messages listed one by one; the counts above the list cover every message read. A digest of
    /// thousands of entries is read by no one, and a mail of a few hundred stays under 200 KB.
    /// </summary>
    public const int MaxListed = 200;

    private const int MaxSubjectChars = 200;
    private const int MaxSummaryChars = 300;

    public static string ConsoleMessageLink(string publicUrl, string messageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publicUrl);
        return publicUrl.TrimEnd('/') + "/messages/" + Uri.EscapeDataString(messageId);
    }

    /// <summary>The digest as RFC 5322 bytes (CRLF line endings), to queue from the null sender.</summary>
    public static byte[] Build(HeldDigestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.To);
        var held = request.Held;
        string day = request.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string subject = held.Count == 0
            ? $"[MailGuard] digest {day}: no messages held"
            : $"[MailGuard] digest {day}: {Count(held.Count, request.MoreHeld)} held for review";

        var text = new StringBuilder(4096);
        var html = new StringBuilder(8192);
        html.Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">\n");
        if (held.Count == 0)
        {
            Paragraph(text, html, $"MailGuard digest for {day}: no messages are held for review.");
        }
        else
        {
            var oldest = held.MinBy(r => r.HeldAt)!;
            Paragraph(text, html,
                $"MailGuard digest for {day}: {Count(held.Count, request.MoreHeld)} held for review. " +
                $"The oldest has waited {Age(request.Now - oldest.HeldAt)} (held {Time(oldest.HeldAt, request.TimeZone)}).");
            if (request.MoreHeld)
            {
                Paragraph(text, html, Invariant($"More messages are held than one digest reads; the counts below cover the oldest {held.Count:N0}."));
            }

            var byRule = held.GroupBy(r => r.Rule ?? "(no rule: inspection failed)", StringComparer.Ordinal)
                .Select(g => (Rule: g.Key, Count: g.Count()))
                .OrderByDescending(g => g.Count).ThenBy(g => g.Rule, StringComparer.Ordinal)
                .ToList();
            List(text, html, "Held by rule:", byRule.Select(g => new[] { Invariant($"{NoticeText.OneLine(g.Rule, 100)}: {g.Count:N0}") }), link: null);

            var listed = held.OrderBy(r => r.HeldAt).ThenBy(r => r.MessageId, StringComparer.Ordinal).Take(MaxListed).ToList();
            List(
                text,
                html,
                held.Count > MaxListed ? Invariant($"The oldest {MaxListed} of them:") : "Held messages, oldest first:",
                listed.Select(r => Entry(r, request.TimeZone, DateOnly.FromDateTime(request.Now.UtcDateTime))),
                request.ConsolePublicUrl is { Length: > 0 } url ? i => ConsoleMessageLink(url, listed[i].MessageId) : null);
        }

        if (held.Count > 0)
        {
            Paragraph(text, html, request.ConsolePublicUrl is { Length: > 0 } console
                ? "Review them in the MailGuard console: " + console.TrimEnd('/') + "/"
                : "Review them in the MailGuard console.");
        }

        html.Append("</body></html>");

        using var message = NoticeMime.NewMessage(
            "MailGuard",
            $"postmaster@{request.ReportingMta}",
            request.To,
            subject,
            request.Now,
            $"{request.MessageId}.digest@{request.ReportingMta}",
            "auto-generated",
            $"digest; day={day}");
        message.Body = NoticeMime.Alternative(text.ToString().TrimEnd('\n'), html.ToString());
        return NoticeMime.ToBytes(message);
    }

    /// <summary>
    /// One held message. The subject and the summary (which names attachments) are the sender's
    /// text: masked as the per-hold alert masks them. The envelope sender stays readable: the team
    /// must know whose mail waits.
    /// </summary>
    private static string[] Entry(QuarantineRecord r, TimeZoneInfo zone, DateOnly today)
    {
        var kinds = Kinds(r.FindingsJson);
        return
        [
            $"{r.MessageId}, held {Time(r.HeldAt, zone)} by rule {NoticeText.OneLine(r.Rule ?? "(none: inspection failed)", 100)}",
            Invariant($"From {Or(NoticeText.OneLine(r.MailFrom, 320), "<>")} to {r.Recipients.Count:N0} recipient{(r.Recipients.Count == 1 ? "" : "s")}"),
            "Subject: " + Or(NoticeText.Masked(r.Subject, MaxSubjectChars, today), "(no subject)"),
            "Found: " + Or(NoticeText.Masked(r.Summary, MaxSummaryChars, today), "(no summary)") + (kinds.Length == 0 ? "" : $" [{kinds}]"),
        ];
    }

    /// <summary>The finding kinds with their counts ("uk-nino ×1,598, personal-data ×1,598"): never the evidence.</summary>
    private static string Kinds(string findingsJson)
    {
        IReadOnlyList<Finding> findings;
        try
        {
            findings = FindingsJson.Deserialize(findingsJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }

        return string.Join(", ", findings
            .GroupBy(f => f.Kind, StringComparer.Ordinal)
            .Select(g => $"{NoticeText.OneLine(g.Key, 40)} ×{g.Sum(f => (long)f.Count).ToString("N0", CultureInfo.InvariantCulture)}")
            .Take(8));
    }

    private static void Paragraph(StringBuilder text, StringBuilder html, string line)
    {
        text.Append(line).Append("\n\n");
        html.Append("<p>").Append(WebUtility.HtmlEncode(line)).Append("</p>\n");
    }

    /// <summary>A heading and a list; each item is one or more lines, with an optional link under it.</summary>
    private static void List(StringBuilder text, StringBuilder html, string heading, IEnumerable<string[]> items, Func<int, string?>? link)
    {
        text.Append(heading).Append('\n');
        html.Append("<p>").Append(WebUtility.HtmlEncode(heading)).Append("</p>\n<ul>\n");
        int i = 0;
        foreach (string[] lines in items)
        {
            string? href = link?.Invoke(i++);
            text.Append(" - ").Append(lines[0]).Append('\n');
            html.Append("<li>").Append(WebUtility.HtmlEncode(lines[0]));
            foreach (string line in lines.Skip(1))
            {
                text.Append("   ").Append(line).Append('\n');
                html.Append("<br>\n").Append(WebUtility.HtmlEncode(line));
            }

            if (href is not null)
            {
                text.Append("   ").Append(href).Append('\n');
                string encoded = WebUtility.HtmlEncode(href);
                html.Append("<br>\n<a href=\"").Append(encoded).Append("\">").Append(encoded).Append("</a>");
            }

            html.Append("</li>\n");
        }

        text.Append('\n');
        html.Append("</ul>\n");
    }

    private static string Count(int n, bool more) =>
        (more ? "more than " : "") + n.ToString("N0", CultureInfo.InvariantCulture) + (n == 1 && !more ? " message" : " messages");

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;

    private static string Time(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + (zone.HasSameRules(TimeZoneInfo.Utc) ? " UTC" : local.ToString(" zzz", CultureInfo.InvariantCulture));
    }

    private static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalDays >= 1
            ? Invariant($"{(int)age.TotalDays} day{((int)age.TotalDays == 1 ? "" : "s")} {age.Hours} h")
            : age.TotalHours >= 1 ? Invariant($"{(int)age.TotalHours} h {age.Minutes} min") : Invariant($"{age.Minutes} min");
    }
}
