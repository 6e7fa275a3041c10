using System.Text;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>
/// The header fields whose values inspection reads as text: the subject and every field it does
/// not know (rows of a table can be put into X- fields as easily as into a body). Fields read
/// elsewhere or made by machines are left out: addresses (recipient exposure reads them), trace
/// and authentication fields, identifiers, dates and the MIME structure.
/// </summary>
internal static class HeaderFieldText
{
    /// <summary>Characters of header text read per message: a header block is bounded, this bounds them all.</summary>
    public const int MaxChars = 2 * 1024 * 1024;

    private static readonly HashSet<string> s_skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        // Addresses.
        "From", "To", "Cc", "Bcc", "Reply-To", "Sender", "Return-Path", "Delivered-To", "Envelope-To", "X-Original-To",
        "Disposition-Notification-To", "Return-Receipt-To", "Errors-To",
        // Trace, authentication and transport.
        "Received", "Received-SPF", "Authentication-Results", "DKIM-Signature", "DomainKey-Signature", "X-Google-DKIM-Signature",
        // Identifiers and dates.
        "Message-ID", "In-Reply-To", "References", "Date", "Thread-Index", "Content-ID", "Resent-Message-ID",
        // MIME structure (read by the parser).
        "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-Length",
    };

    private static readonly string[] s_skippedPrefixes = ["ARC-", "Resent-", "List-", "X-MailGuard-"];

    /// <summary>The values of the fields read as text, and the parts' file names, one per line, encoded words decoded; empty when none.</summary>
    public static string Collect(MimeEntity root)
    {
        var sb = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        // One value a line, each once; false once the next would pass MaxChars (the text is complete).
        bool Add(string? raw)
        {
            string value = raw is null ? string.Empty : EncodedWords.DecodeUnstructured(raw).Trim();
            if (value.Length == 0 || !seen.Add(value))
            {
                return true;
            }

            if (sb.Length + value.Length + 1 > MaxChars)
            {
                return false;
            }

            sb.Append(value).Append('\n');
            return true;
        }

        foreach (var entity in root.DescendantsAndSelf())
        {
            foreach (var header in entity.Headers)
            {
                if (IsRead(header.Name) && !Add(header.Value))
                {
                    return sb.ToString();
                }
            }

            // A part's file name, which every client shows beside it (the structural fields
            // themselves are the parser's): twenty files named "Jane Doe DOB 01-02-1990.pdf" list
            // twenty people whatever they hold.
            if (!Add(entity.ContentDisposition?.FileName) || !Add(entity.ContentType.Name))
            {
                return sb.ToString();
            }
        }

        return sb.ToString();
    }

    private static bool IsRead(string name)
    {
        if (s_skipped.Contains(name))
        {
            return false;
        }

        foreach (string prefix in s_skippedPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
