using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Inspection.Detection;

namespace MailGuard.Core.Dispositions;

/// <summary>
/// Turns an inspection and its verdict into the <see cref="HoldInspection"/> kept with a hold:
/// file and sheet names masked like the subject (files are often named after the person they are
/// about), previews already masked by the detectors, recipients reduced to external domains.
/// </summary>
public static class HoldInspectionBuilder
{
    /// <param name="result">The inspection; null when it failed (only the rules and destinations are known).</param>
    public static HoldInspection Build(InspectionResult? result, Verdict verdict, IReadOnlyList<string> recipients, DomainSet internalDomains, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        ArgumentNullException.ThrowIfNull(recipients);
        var rules = verdict.MatchedRules.Select(r => new HoldRuleMatch(r.Name, r.Action.Name(), r.AuditOnly, r.Reason)).ToList();
        if (result is null)
        {
            return new HoldInspection(rules, [], ExternalDomains(recipients, internalDomains), [], [], 0);
        }

        var people = result.Tables.Where(t => t.PeopleCount > 0 && !t.ReadAsText)
            .Select(t => new HoldPeople(Location(t.Location, today), t.PeopleCount, t.PersonalKinds.Select(DataKinds.Describe).ToList(), Table: true))
            .Concat(result.Texts.Where(t => t.PeopleCount > 0)
                .Select(t => new HoldPeople(Location(t.Location, today), t.PeopleCount, t.PersonalKinds.Select(DataKinds.Describe).ToList(), Table: false)))
            .ToList();
        var attachments = result.Attachments
            .Select(a => new HoldAttachment(Masked(a.Location, today), a.FileName is null ? null : Masked(a.FileName, today), a.DeclaredType, a.DetectedFormat, a.EncodedSize))
            .ToList();
        var previews = result.Previews
            .Select(p => new HoldPreview(Location(p.Location, today), p.Header, p.Rows, p.Sentences, p.TotalRows))
            .ToList();
        return new HoldInspection(rules, people, ExternalDomains(recipients, internalDomains), attachments, previews, result.MimeDefects);
    }

    /// <summary>The external domains of <paramref name="recipients"/> with how many recipients each, most first.</summary>
    public static IReadOnlyList<HoldDestination> ExternalDomains(IEnumerable<string> recipients, DomainSet internalDomains)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(internalDomains);
        return recipients
            .Select(r => r.LastIndexOf('@') is int at and >= 0 ? r[(at + 1)..].Trim().TrimEnd('.').ToLowerInvariant() : "")
            .Where(d => d.Length > 0 && !internalDomains.ContainsOrIsSubdomainOf(d))
            .GroupBy(d => d, StringComparer.Ordinal)
            .Select(g => new HoldDestination(g.Key, g.Count()))
            .OrderByDescending(d => d.Recipients).ThenBy(d => d.Domain, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A location as the console shows it, file and sheet names masked.</summary>
    public static string Location(ContentLocation location, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(location);
        return (location with
        {
            FileName = location.FileName is { } file ? TextRedactor.Redact(file, today) : null,
            Sheet = location.Sheet is { } sheet ? TextRedactor.Redact(sheet, today) : null,
        }).ToString();
    }

    private static string Masked(string text, DateOnly today) => TextRedactor.Redact(text, today);
}
