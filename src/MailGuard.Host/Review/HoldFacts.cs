using System.Globalization;
using MailGuard.Core.Dispositions;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection;

namespace MailGuard.Host.Review;

/// <summary>How serious a hold looks to a reviewer; sorts by value (high first when descending).</summary>
public enum HoldSeverity
{
    Low = 0,
    Medium = 1,
    High = 2,
}

/// <summary>
/// What the console decides a held message's page from, worked out in one place from the record,
/// its stored inspection and the policy in force: every rule it matched, how serious it is, which
/// decisions are offered (the Bcc fix only when exposed recipients are the only reason), whether
/// releasing needs two reviewers, and, for personal data, the sentence the confirmation states
/// ("8 people's names, dates of birth and NI numbers (applicants.csv) to 4 external domains").
/// Confirmation follows the findings (any data about people leaves), the Bcc fix and four-eyes the rules.
/// </summary>
public sealed record HoldFacts(
    QuarantineRecord Record,
    IReadOnlyList<Finding> Findings,
    HoldInspection? Inspection,
    IReadOnlyList<HoldRuleMatch> Rules,
    IReadOnlyList<HoldDestination> ExternalDomains,
    HoldSeverity Severity,
    bool PersonalData,
    bool BccFixOffered,
    bool FourEyes,
    string? LeavesStatement)
{
    /// <summary>Finding kinds that are about the message, not data about people in it.</summary>
    private static readonly string[] s_notPersonal =
        [FindingKinds.ExposedRecipients, FindingKinds.Unscannable, FindingKinds.MalformedStructure, FindingKinds.TypeMismatch];

    /// <summary>People at or above this many in one table or text make a personal-data hold high severity.</summary>
    public const long HighSeverityPeople = 10;

    /// <param name="consoleFourEyes">Console:FourEyes: every release of personal data needs two reviewers.</param>
    public static HoldFacts Of(QuarantineRecord record, HoldInspection? inspection, PolicyOptions policy, bool consoleFourEyes, DomainSet internalDomains)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(policy);
        var today = DateOnly.FromDateTime(record.HeldAt.UtcDateTime);
        var findings = FindingsJson.Deserialize(record.FindingsJson).Select(f => MessageView.Masked(f, today)).ToList();
        var rules = inspection?.Rules is { Count: > 0 } stored
            ? stored
            : record.Rule is { } name ? [new HoldRuleMatch(name, "hold", false, record.Reason)] : [];
        bool personal = findings.Any(f => !s_notPersonal.Contains(f.Kind, StringComparer.Ordinal));
        bool identifiers = findings.Any(f => IdentifierKinds.IsIdentifier(f.Kind));
        bool exposed = findings.Any(f => f.Kind == FindingKinds.ExposedRecipients);
        // The Bcc fix follows the rules: offered when every rule that acted is about exposed
        // recipients alone (a rule the policy no longer has counts as such only when exposed
        // recipients are all that was found).
        bool findingsOnlyExposed = exposed && findings.All(f => f.Kind == FindingKinds.ExposedRecipients);
        var acting = rules.Where(r => !r.AuditOnly).ToList();
        bool onlyExposed = exposed && (acting.Count == 0
            ? findingsOnlyExposed
            : acting.All(r => FindRule(r.Name, policy) is { } rule ? RecipientRules.IsExposedRecipientsOnly(rule) : findingsOnlyExposed));
        bool fourEyes = (consoleFourEyes && personal) || rules.Where(r => !r.AuditOnly).Any(r => RuleWantsFourEyes(r.Name, policy, identifiers));
        long maxPeople = Math.Max(inspection?.People.Select(p => p.People).DefaultIfEmpty(0).Max() ?? 0, findings.Where(f => f.Kind == FindingKinds.PersonalData).Select(f => (long)f.Count).DefaultIfEmpty(0).Max());
        var severity = identifiers || maxPeople >= HighSeverityPeople ? HoldSeverity.High
            : personal || findings.Any(f => f.Kind is FindingKinds.Unscannable or FindingKinds.MalformedStructure) ? HoldSeverity.Medium
            : HoldSeverity.Low;
        var destinations = inspection?.ExternalDomains ?? HoldInspectionBuilder.ExternalDomains(record.Recipients, internalDomains);
        return new HoldFacts(record, findings, inspection, rules, destinations, severity, personal, onlyExposed, fourEyes, personal ? Leaves(findings, inspection, destinations) : null);
    }

    /// <summary>
    /// A rule the policy still has decides by its own setting; one it no longer has (renamed,
    /// removed) needs two reviewers when the message carries identifiers: fail closed.
    /// </summary>
    private static PolicyRule? FindRule(string name, PolicyOptions policy) =>
        policy.Rules.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    private static bool RuleWantsFourEyes(string name, PolicyOptions policy, bool identifiers) =>
        FindRule(name, policy) is { } rule
            ? IdentifierKinds.RequiresFourEyes(rule)
            : identifiers && name != "inspection-failure";

    /// <summary>"30 people's NI numbers and dates of birth (claimants.csv) to 1 external domain (example.org)".</summary>
    public static string Leaves(IReadOnlyList<Finding> findings, HoldInspection? inspection, IReadOnlyList<HoldDestination> destinations)
    {
        var what = new List<string>();
        foreach (var p in (inspection?.People ?? []).OrderByDescending(p => p.People).Take(3))
        {
            what.Add(string.Create(CultureInfo.InvariantCulture, $"{p.People:N0} {(p.People == 1 ? "person's" : "people's")} {Words(p.Kinds.Select(Plural))} ({p.Location})"));
        }

        if (what.Count == 0)
        {
            // No people counted (an older hold inspected nowhere, or identifiers without people): the findings themselves.
            foreach (var f in findings.Where(f => !s_notPersonal.Contains(f.Kind, StringComparer.Ordinal) && f.Kind != FindingKinds.PersonalData).Take(4))
            {
                what.Add(string.Create(CultureInfo.InvariantCulture, $"{f.Count:N0} {KindWords(f.Kind, f.Count)}"));
            }

            foreach (var f in findings.Where(f => f.Kind == FindingKinds.PersonalData).Take(2))
            {
                what.Add(string.Create(CultureInfo.InvariantCulture, $"personal data about {f.Count:N0} {(f.Count == 1 ? "person" : "people")} ({f.Location})"));
            }
        }

        string to = destinations.Count == 0
            ? "internal recipients only"
            : string.Create(CultureInfo.InvariantCulture, $"{destinations.Count:N0} external {(destinations.Count == 1 ? "domain" : "domains")} ({Words(destinations.Take(3).Select(d => d.Domain).Concat(destinations.Count > 3 ? [$"{destinations.Count - 3:N0} more"] : []))})");
        return (what.Count == 0 ? "personal data" : string.Join("; ", what)) + " to " + to;
    }

    /// <summary>How many people the statement covers, for sums over a bulk release.</summary>
    public long People => Math.Max(Inspection?.People.Select(p => p.People).DefaultIfEmpty(0).Max() ?? 0, Findings.Where(f => f.Kind == FindingKinds.PersonalData).Select(f => (long)f.Count).DefaultIfEmpty(0).Max());

    private static string Words(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }

    /// <summary>A kind of data about people, in the plural ("NI numbers", "dates of birth").</summary>
    public static string Plural(string kind) => kind switch
    {
        "date of birth" => "dates of birth",
        "phone" => "phone numbers",
        "gender" or "ethnicity" or "religion" or "age" or "nationality" or "health information" or "immigration status" or "location in prison" or "work location" => kind,
        _ when kind.EndsWith('s') => kind + "es",
        _ => kind + "s",
    };

    private static string KindWords(string kind, int count)
    {
        string one = kind switch
        {
            FindingKinds.UkNino => "NI number",
            FindingKinds.UkNhsNumber => "NHS number",
            FindingKinds.UkPassport => "passport number",
            FindingKinds.UkDrivingLicence => "driving licence number",
            FindingKinds.PaymentCard => "payment card number",
            FindingKinds.Iban => "IBAN",
            FindingKinds.DateOfBirth => "date of birth",
            FindingKinds.UkPostcode => "postcode",
            FindingKinds.PostalAddress => "postal address",
            FindingKinds.EmailAddress => "email address",
            FindingKinds.PhoneNumber => "phone number",
            _ => kind,
        };
        return count == 1 ? one : Plural(one);
    }
}
