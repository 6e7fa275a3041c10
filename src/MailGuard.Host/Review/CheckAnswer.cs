using System.Globalization;
using MailGuard.Core.Policy;
using MailGuard.Inspection;

namespace MailGuard.Host.Review;

/// <summary>
/// The check API's answer to one draft: the verdict the relay would reach (action, every matched
/// rule, masked findings, people counts), plain sentences for the sender, and suggested fixes the
/// add-in can carry out (move-to-bcc, remove-attachment, remove-recipients). Addresses and file
/// names in fixes and sentences are the caller's own, from the draft it sent; findings are masked
/// as the console masks them.
/// </summary>
internal static class CheckAnswer
{
    public static object Build(MessageEvaluation evaluation, PolicyOptions policy, DateOnly today)
    {
        var verdict = evaluation.Verdict;
        var rules = policy.Rules.ToDictionary(r => r.Name, StringComparer.OrdinalIgnoreCase);
        var personalDomains = new DomainSet(policy.PersonalMailboxDomains);
        var internalDomains = new DomainSet(policy.InternalDomains);
        var message = evaluation.Document?.Message;
        // The rules that would stop the message (not deliver, not only tag), whatever audit mode says.
        var stopping = verdict.MatchedRules.Where(m => m.Action is not (PolicyAction.Deliver or PolicyAction.Tag)).ToList();
        bool stops = verdict.Action is not (PolicyAction.Deliver or PolicyAction.Tag);
        var fixes = new List<object>();
        var sentences = new List<object>();

        var visibleExternal = message is null ? [] : message.To.Concat(message.Cc)
            .Where(a => a.Domain is not null && !internalDomains.ContainsOrIsSubdomainOf(a.Domain))
            .Select(a => a.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var allRecipients = message is null ? [] : message.To.Concat(message.Cc).Concat(message.Bcc)
            .Where(a => a.Domain is not null).Select(a => a.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        bool movedToBcc = false, removedPersonal = false;
        var removedFiles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var matched in stopping)
        {
            rules.TryGetValue(matched.Name, out var rule);
            if (rule is not null && AboutExposure(rule) && !movedToBcc && visibleExternal.Count > 0)
            {
                movedToBcc = true;
                fixes.Add(new { type = "move-to-bcc", rule = rule.Name, addresses = visibleExternal });
            }

            if (rule is not null && AboutPersonalMailboxes(rule, personalDomains) && !removedPersonal)
            {
                var personal = allRecipients.Where(a => personalDomains.Contains(DomainOf(a)) || new DomainSet(rule.When.RecipientDomains).ContainsOrIsSubdomainOf(DomainOf(a))).ToList();
                if (personal.Count > 0)
                {
                    removedPersonal = true;
                    fixes.Add(new { type = "remove-recipients", rule = rule.Name, addresses = personal });
                }
            }

            var relevant = rule is null ? evaluation.Findings : Relevant(rule, evaluation.Findings);
            if (rule is not null && AboutContent(rule))
            {
                var files = relevant.Select(f => TopLevelFile(f.Location)).OfType<string>().Concat(OfType(rule, evaluation));
                foreach (string file in files.Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    if (removedFiles.Add(file))
                    {
                        fixes.Add(new { type = "remove-attachment", rule = rule.Name, file_name = file });
                    }
                }
            }

            sentences.Add(new
            {
                rule = matched.Name,
                text = Sentence(rule, relevant, evaluation),
                reason = matched.Reason,
                allow_override = rule?.AllowOverride ?? false,
            });
        }

        var exposure = evaluation.Exposure;
        return new
        {
            action = verdict.Action.Name(),
            would_have_action = verdict.WouldHaveAction.Name(),
            stops,
            audit_only = verdict.AuditOnly,
            rule = verdict.Rule,
            reason = verdict.Reason,
            override_allowed = stops && stopping.Count > 0 && stopping.All(m => rules.TryGetValue(m.Name, out var r) && r.AllowOverride),
            rules = verdict.MatchedRules.Select(m => new
            {
                name = m.Name,
                action = m.Action.Name(),
                audit_only = m.AuditOnly,
                reason = m.Reason,
                allow_override = rules.TryGetValue(m.Name, out var r) && r.AllowOverride,
            }),
            findings = evaluation.Findings.Select(f => MessageView.Masked(f, today)).Select(MessageView.Json),
            people = new
            {
                max_people = evaluation.MaxPeople,
                visible_external = exposure?.VisibleExternal ?? 0,
                visible_internal = exposure?.VisibleInternal ?? 0,
                external_domains = exposure?.DistinctExternalDomains ?? 0,
                personal_mailboxes = exposure?.PersonalMailboxes ?? 0,
                hidden = exposure?.Hidden ?? 0,
                external_recipients = exposure?.ExternalRecipients ?? 0,
            },
            messages = sentences,
            fixes,
        };
    }

    /// <summary>A rule that looks at who can see whom: moving the visible external addresses to Bcc answers it.</summary>
    private static bool AboutExposure(PolicyRule rule) =>
        rule.When.MinVisibleExternal is not null || rule.When.MinDistinctExternalDomains is not null ||
        rule.When.FindingKinds.Contains(FindingKinds.ExposedRecipients, StringComparer.OrdinalIgnoreCase);

    /// <summary>A rule about mail to private people's mailboxes: leaving them out answers it.</summary>
    private static bool AboutPersonalMailboxes(PolicyRule rule, DomainSet personalDomains) =>
        rule.When.MinPersonalMailboxes is not null || rule.When.RecipientDomains.Any(d => personalDomains.Contains(d));

    /// <summary>A rule about what the message contains: removing the attachment that carries it answers it.</summary>
    private static bool AboutContent(PolicyRule rule) =>
        rule.When.MinPeople is not null || rule.When.FindingKinds.Any(k => !k.Equals(FindingKinds.ExposedRecipients, StringComparison.OrdinalIgnoreCase)) || rule.When.AttachmentTypes.Count > 0;

    /// <summary>The findings a rule looked at: its kinds, or personal data for a rule on people alone.</summary>
    private static List<Finding> Relevant(PolicyRule rule, IReadOnlyList<Finding> findings) => findings.Where(f =>
        !f.Kind.Equals(FindingKinds.ExposedRecipients, StringComparison.Ordinal) &&
        (rule.When.FindingKinds.Count == 0
            ? rule.When.MinPeople is not null && f.Kind == FindingKinds.PersonalData
            : rule.When.FindingKinds.Contains(f.Kind, StringComparer.OrdinalIgnoreCase)) &&
        (rule.When.MinConfidence is null || f.Confidence >= rule.When.MinConfidence)).ToList();

    /// <summary>The draft's attachments of a type a rule on attachment types names (by detected format or extension).</summary>
    private static IEnumerable<string> OfType(PolicyRule rule, MessageEvaluation evaluation) =>
        rule.When.AttachmentTypes.Count == 0 || evaluation.Inspection is null
            ? []
            : evaluation.Inspection.Attachments
                .Where(a => a.FileName is not null && (rule.When.AttachmentTypes.Contains(a.DetectedFormat, StringComparer.OrdinalIgnoreCase) ||
                    (Path.GetExtension(a.FileName) is { Length: > 1 } ext && rule.When.AttachmentTypes.Contains(ext[1..], StringComparer.OrdinalIgnoreCase))))
                .Select(a => TopLevelFile(new ContentLocation("/", a.FileName)) ?? a.FileName!);

    /// <summary>The attachment of the draft a finding is in (an archive, not its member); null for the message text.</summary>
    private static string? TopLevelFile(ContentLocation location) =>
        location.FileName is { Length: > 0 } name ? name.Split(" > ", 2)[0] : null;

    /// <summary>What the rule found, in words for the sender: "National Insurance numbers of 30 people in claimants.csv".</summary>
    private static string Sentence(PolicyRule? rule, IReadOnlyList<Finding> relevant, MessageEvaluation evaluation)
    {
        var inv = CultureInfo.InvariantCulture;
        if (rule is null)
        {
            return "MailGuard could not read this message, so the relay will hold it for review.";
        }

        if (AboutExposure(rule) && evaluation.Exposure is { } exposure)
        {
            return string.Create(inv, $"{exposure.VisibleExternal} people outside the organisation will see each other's addresses.");
        }

        var parts = relevant
            .GroupBy(f => (f.Kind, File: TopLevelFile(f.Location)))
            .Select(g => string.Create(inv, $"{KindWords(g.Key.Kind)} of {g.Max(f => f.Count)} {(g.Max(f => f.Count) == 1 ? "person" : "people")} in {(g.Key.File is { } file ? file : "the message text")}"))
            .Distinct(StringComparer.Ordinal)
            .Take(5)
            .ToList();
        if (parts.Count > 0)
        {
            return string.Join("; ", parts) + ".";
        }

        if (OfType(rule, evaluation).Distinct(StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } typed)
        {
            return "Attachments of a type the organisation checks before they go out: " + string.Join(", ", typed) + ".";
        }

        if (AboutPersonalMailboxes(rule, new DomainSet([])) && evaluation.Exposure is { } e)
        {
            return string.Create(inv, $"{e.PersonalMailboxes} recipients are private mailboxes outside the organisation.");
        }

        // The rule's own Reason goes beside this sentence (messages[].reason), so it is not repeated here.
        return "This message matches the organisation's rule " + rule.Name + ".";
    }

    private static string KindWords(string kind) => kind switch
    {
        FindingKinds.PersonalData => "Personal details",
        FindingKinds.UkNino => "National Insurance numbers",
        FindingKinds.UkNhsNumber => "NHS numbers",
        FindingKinds.DateOfBirth => "Dates of birth",
        FindingKinds.UkPostcode => "Postcodes",
        FindingKinds.PostalAddress => "Postal addresses",
        FindingKinds.EmailAddress => "Email addresses",
        FindingKinds.PhoneNumber => "Phone numbers",
        FindingKinds.PaymentCard => "Payment card numbers",
        FindingKinds.Iban => "Bank account numbers (IBAN)",
        FindingKinds.UkPassport => "Passport numbers",
        FindingKinds.UkDrivingLicence => "Driving licence numbers",
        FindingKinds.Unscannable => "Content MailGuard cannot read",
        FindingKinds.MalformedStructure => "Ambiguous message structure",
        _ => kind,
    };

    private static string DomainOf(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? "" : address[(at + 1)..];
    }
}
