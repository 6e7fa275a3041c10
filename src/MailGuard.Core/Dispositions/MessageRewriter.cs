using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Dispositions;

/// <summary>What a Bcc fix changed, for the notice to the sender.</summary>
public sealed record BccRewrite(int ExternalRemoved, int InternalKept, string NewTo);

/// <summary>
/// The two edits MailGuard makes to a message it delivers. Both go through
/// <see cref="MimeWriter"/>, so every byte other than the edited fields is unchanged; a DKIM
/// signature covering To/Cc no longer verifies and is re-signed by the upstream MTA.
/// </summary>
public static class MessageRewriter
{
    /// <summary>
    /// RewriteBcc: To and Cc keep only internal addresses; the external ones are delivered as
    /// before (the envelope is untouched) but no recipient sees them. When nothing is left in To,
    /// it becomes "undisclosed-recipients:;" (RFC 5322 §A.1.3's empty group). A Bcc field in the
    /// message goes (RFC 5322 §3.6.3 lets it be removed entirely).
    /// </summary>
    public static BccRewrite HideExternalRecipients(MimeDocument document, Stream output, DomainSet internalDomains, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(internalDomains);
        var message = document.Message;
        var keptTo = message.To.Where(a => internalDomains.ContainsOrIsSubdomainOf(a.Domain)).ToList();
        var keptCc = message.Cc.Where(a => internalDomains.ContainsOrIsSubdomainOf(a.Domain)).ToList();
        int removed = message.To.Concat(message.Cc).Concat(message.Bcc).Count(a => !internalDomains.ContainsOrIsSubdomainOf(a.Domain));
        string newTo = keptTo.Count > 0 ? Format(keptTo) : "undisclosed-recipients:;";

        // A Bcc field left in the message would show every address in it to every recipient;
        // the envelope, not the field, says who gets the message.
        var edits = new HeaderEdits().Set("To", newTo).Remove("Bcc");
        if (keptCc.Count > 0)
        {
            edits.Set("Cc", Format(keptCc));
        }
        else
        {
            edits.Remove("Cc");
        }

        foreach (var (name, value) in extraHeaders ?? [])
        {
            edits.Set(name, value);
        }

        MimeWriter.Write(document, output, edits);
        return new BccRewrite(removed, keptTo.Count + keptCc.Count, newTo);
    }

    /// <summary>The X-MailGuard-* fields that name a verdict (Tag, and every delivered message in audit mode).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> VerdictHeaders(Verdict verdict, string reference, IReadOnlyList<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var kinds = findings.Where(f => f.Kind != FindingKinds.TypeMismatch)
            .GroupBy(f => f.Kind)
            .Select(g => $"{g.Key}={g.Sum(f => (long)f.Count)}");
        var headers = new List<KeyValuePair<string, string>>
        {
            new("X-MailGuard-Verdict", verdict.AuditOnly ? $"{verdict.Action.Name()}; audit-only; would-have={verdict.WouldHaveAction.Name()}" : verdict.Action.Name()),
            new("X-MailGuard-Reference", reference),
        };
        if (verdict.Rule is not null)
        {
            headers.Add(new("X-MailGuard-Rule", verdict.Rule));
        }

        string summary = string.Join(", ", kinds);
        if (summary.Length > 0)
        {
            headers.Add(new("X-MailGuard-Findings", summary));
        }

        return headers;
    }

    /// <summary>The names of the verdict fields, which only MailGuard may write.</summary>
    public static IReadOnlyList<string> VerdictFieldNames { get; } = ["X-MailGuard-Verdict", "X-MailGuard-Reference", "X-MailGuard-Rule", "X-MailGuard-Findings"];

    /// <summary>
    /// The verdict fields as lines to deliver above the message as received (see
    /// <see cref="MessageDecision.HeaderPrefix"/>), so tagging costs no copy of the message; null when
    /// the message already carries one of them (forged upstream, or a loop), which
    /// <see cref="AddVerdictHeaders"/> must remove by rewriting.
    /// </summary>
    public static byte[]? VerdictPrefix(MimeDocument document, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(document);
        foreach (string name in VerdictFieldNames)
        {
            if (document.Message.Headers[name] is not null)
            {
                return null;
            }
        }

        return MimeWriter.FieldsAbove(document, headers);
    }

    /// <summary>
    /// Re-emits the message with the verdict fields at the top, as <see cref="VerdictPrefix"/> puts
    /// them, and every earlier X-MailGuard-* verdict field removed, so none can be forged upstream.
    /// </summary>
    public static void AddVerdictHeaders(MimeDocument document, Stream output, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(MimeWriter.FieldsAbove(document, headers));
        var edits = new HeaderEdits();
        foreach (string name in VerdictFieldNames)
        {
            edits.Remove(name);
        }

        MimeWriter.Write(document, output, edits);
    }

    private static string Format(IEnumerable<MailboxAddress> addresses) =>
        string.Join(", ", addresses.Select(a => a.Name is null ? a.Address : $"\"{a.Name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\" <{a.Address}>"));
}
