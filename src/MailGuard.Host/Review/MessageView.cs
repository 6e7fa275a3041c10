using System.Net;
using System.Text;
using MailGuard.Inspection;
using MailGuard.Inspection.Detection;
using MailGuard.Mime;

namespace MailGuard.Host.Review;

/// <summary>One header line as the console shows it.</summary>
public sealed record HeaderLine(string Name, string Value);

/// <summary>
/// What the message page shows of a held message: the main headers, the text of the body and
/// the attachments with their detected types. For reviewers (<c>masked</c>) every identifier the
/// detectors know is masked in the subject, the body and the file names, and recipient addresses
/// are masked; HTML is never rendered, only its text is shown (as text, so markup stays inert).
/// </summary>
public sealed record MessageView(IReadOnlyList<HeaderLine> Headers, string BodyText, string BodySource, bool BodyTruncated, IReadOnlyList<AttachmentInfo> Attachments, int MimeDefects)
{
    public const int MaxBodyChars = 100_000;

    /// <summary>
    /// Whether a reviewer's search could reveal a masked value. Searches run over the stored,
    /// unmasked subjects, so searching for a number, even part of one, would tell whether a held
    /// message carries it, and a value could be recovered a character at a time. Every identifier
    /// the detectors mask holds a digit (NI, NHS, card, account, passport numbers, dates, postcodes,
    /// phone numbers) or an '@' (addresses), so reviewers may search for words only, or for a
    /// message's reference; admins may search for anything, as they may open originals.
    /// </summary>
    public static bool SearchRevealsIdentifier(string? search, DateOnly today) =>
        !string.IsNullOrWhiteSpace(search)
        && !Core.Store.MessageIds.IsValid(search.Trim())
        && (search.Any(c => char.IsDigit(c) || c == '@') || TextRedactor.Redact(search, today) != search);

    /// <param name="storedAttachments">
    /// The attachments as the hold's stored inspection lists them (masked already): the message is
    /// then only read for its headers and body, never inspected again. Null inspects it for them.
    /// </param>
    public static MessageView Build(Stream content, bool masked, DomainSet internalDomains, DateOnly today, CancellationToken cancellationToken = default, IReadOnlyList<AttachmentInfo>? storedAttachments = null)
    {
        using var document = MimeDocument.Load(content, leaveOpen: true);
        var message = document.Message;
        string Clean(string? text) => text is null ? "" : masked ? TextRedactor.Redact(text, today) : text;
        string Addresses(IReadOnlyList<MailboxAddress> list) => string.Join(", ", list.Select(a =>
            masked ? RecipientAnalyzer.MaskAddress(a.LocalPart, a.Domain ?? "") : (a.Name is { Length: > 0 } n ? $"{n} <{a.Address}>" : a.Address)));
        var headers = new List<HeaderLine>
        {
            new("From", string.Join(", ", message.From.Select(a => a.Address))),
            new("To", Addresses(message.To)),
            new("Cc", Addresses(message.Cc)),
            new("Subject", Clean(message.Subject)),
            new("Date", message.Date?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? message.Headers.GetValue("Date") ?? ""),
            new("Message-ID", message.MessageId ?? ""),
        };
        headers.RemoveAll(h => h.Value.Length == 0 && h.Name is "Cc");

        var (text, source, truncated) = BodyOf(message.Body, cancellationToken);
        var attachments = storedAttachments ?? new MessageInspector(new InspectionOptions { TimeBudget = TimeSpan.FromSeconds(10) }, internalDomains, new DomainSet([]))
            .Inspect(document, null, cancellationToken).Attachments
            .Select(a => a with { Location = Clean(a.Location), FileName = a.FileName is null ? null : Clean(a.FileName) })
            .ToList();
        return new MessageView(headers, Clean(text), source, truncated, attachments, document.Defects.Count);
    }

    /// <summary>
    /// A finding as a reviewer sees it: the file and sheet names of its location masked like the
    /// subject, since files are often named after the person they are about (evidence is masked already).
    /// </summary>
    /// <summary>A (masked) finding as the JSON APIs give it: GET /api/messages/{id} and the check API.</summary>
    public static object Json(Finding finding) => new
    {
        kind = finding.Kind,
        count = finding.Count,
        confidence = finding.Confidence.ToString().ToLowerInvariant(),
        location = finding.Location.ToString(),
        evidence = finding.Evidence,
        summary = finding.Summary,
    };

    public static Finding Masked(Finding finding, DateOnly today) => finding with
    {
        Summary = finding.Summary is { } summary ? TextRedactor.Redact(summary, today) : null,
        Location = finding.Location with
        {
            FileName = finding.Location.FileName is { } file ? TextRedactor.Redact(file, today) : null,
            Sheet = finding.Location.Sheet is { } sheet ? TextRedactor.Redact(sheet, today) : null,
        },
    };

    /// <summary>The first text/plain part that is not an attachment, else the first text/html one as text.</summary>
    private static (string Text, string Source, bool Truncated) BodyOf(MimeEntity root, CancellationToken cancellationToken)
    {
        MimeEntity? plain = null, html = null;
        foreach (var entity in root.DescendantsAndSelf())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entity.Kind != MimeEntityKind.Leaf || entity.IsAttachment)
            {
                continue;
            }

            if (plain is null && entity.ContentType.MimeType == "text/plain")
            {
                plain = entity;
            }
            else if (html is null && entity.ContentType.MimeType == "text/html")
            {
                html = entity;
            }
        }

        if (plain is not null)
        {
            var (text, truncated) = Read(plain);
            return (text, "text/plain", truncated);
        }

        if (html is not null)
        {
            var (text, truncated) = Read(html);
            return (HtmlToText(text), "text/html, shown as text", truncated);
        }

        return ("", "no text part", false);
    }

    private static (string Text, bool Truncated) Read(MimeEntity entity)
    {
        // The parser's charset table: aliases, UTF-7 (which .NET no longer decodes by name), and
        // UTF-8 for a name nobody knows.
        Encoding encoding = MimeCharsets.Resolve(entity.ContentType.Charset) ?? Encoding.UTF8;

        using var reader = new StreamReader(entity.OpenDecodedContent(), encoding, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[MaxBodyChars + 1];
        int n = reader.ReadBlock(buffer, 0, buffer.Length);
        return (new string(buffer, 0, Math.Min(n, MaxBodyChars)), n > MaxBodyChars);
    }

    /// <summary>Text of an HTML body: tags dropped (script and style with their content), block ends as line breaks, entities decoded.</summary>
    public static string HtmlToText(string html)
    {
        var text = new StringBuilder(html.Length / 2);
        int i = 0;
        while (i < html.Length)
        {
            char c = html[i];
            if (c != '<')
            {
                int next = html.IndexOf('<', i);
                if (next < 0)
                {
                    next = html.Length;
                }

                text.Append(WebUtility.HtmlDecode(html[i..next]));
                i = next;
                continue;
            }

            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                int end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
                continue;
            }

            int close = html.IndexOf('>', i + 1);
            if (close < 0)
            {
                break;
            }

            string tag = TagName(html, i + 1, close);
            i = close + 1;
            if (tag is "script" or "style" or "head" or "title")
            {
                int end = html.IndexOf("</" + tag, i, StringComparison.OrdinalIgnoreCase);
                i = end < 0 ? html.Length : Math.Max(i, html.IndexOf('>', end) + 1);
                if (i == 0)
                {
                    i = html.Length;
                }
            }
            else if (tag is "br" or "p" or "/p" or "div" or "/div" or "tr" or "/tr" or "li" or "h1" or "h2" or "h3" or "/h1" or "/h2" or "/h3" or "table" or "/table")
            {
                text.Append('\n');
            }
            else if (tag is "td" or "th")
            {
                text.Append('\t');
            }
        }

        // Collapse the blank lines markup leaves behind.
        var lines = text.ToString().Split('\n').Select(l => l.TrimEnd());
        var result = new StringBuilder();
        int blank = 0;
        foreach (string line in lines)
        {
            blank = line.Length == 0 ? blank + 1 : 0;
            if (blank < 2)
            {
                result.Append(line).Append('\n');
            }
        }

        return result.ToString().Trim();
    }

    private static string TagName(string html, int start, int end)
    {
        int i = start;
        if (i < end && html[i] == '/')
        {
            i++;
        }

        int nameEnd = i;
        while (nameEnd < end && char.IsAsciiLetterOrDigit(html[nameEnd]))
        {
            nameEnd++;
        }

        return (html[start] == '/' ? "/" : "") + html[i..nameEnd].ToLowerInvariant();
    }
}
