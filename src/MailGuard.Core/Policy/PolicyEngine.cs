using MailGuard.Inspection;

namespace MailGuard.Core.Policy;

/// <summary>What the policy needs to know about a message.</summary>
public sealed record PolicyInput(
    string? Sender,
    IReadOnlyList<string> Recipients,
    RecipientExposure Exposure,
    IReadOnlyList<Finding> Findings,
    long MaxPeople,
    IReadOnlyList<string> AttachmentTypes);

public sealed record MatchedRule(string Name, PolicyAction Action, bool AuditOnly, string? Reason);

/// <summary>
/// The decision. <see cref="Action"/> is what happens; <see cref="WouldHaveAction"/> what the
/// deciding rule asked for (they differ in audit-only mode). Every matching rule is listed.
/// </summary>
public sealed record Verdict(
    PolicyAction Action,
    PolicyAction WouldHaveAction,
    string? Rule,
    bool AuditOnly,
    bool NotifySender,
    bool NotifySecurityTeam,
    string? Reason,
    IReadOnlyList<MatchedRule> MatchedRules)
{
    /// <summary>The message was caught: the deciding rule asked for more than delivery with tags.</summary>
    public bool Flagged => WouldHaveAction is not (PolicyAction.Deliver or PolicyAction.Tag);

    public static Verdict DeliverUnmatched { get; } = new(PolicyAction.Deliver, PolicyAction.Deliver, null, false, false, false, null, Array.Empty<MatchedRule>());
}

/// <summary>Turns findings and recipients into a verdict: first matching rule by priority wins.</summary>
public sealed class PolicyEngine
{
    private readonly PolicyOptions _options;
    private readonly List<CompiledRule> _rules;
    private readonly DomainSet _internal;

    // The domain lists of a rule, turned into sets once rather than on every message.
    private sealed record CompiledRule(PolicyRule Rule, DomainSet Senders, DomainSet Recipients, DomainSet AllRecipients, DomainSet ExceptSenderDomains, HashSet<string> ExceptSenderAddresses, DomainSet ExceptRecipients)
    {
        public static CompiledRule Of(PolicyRule r) => new(
            r,
            new DomainSet(r.When.SenderDomains),
            new DomainSet(r.When.RecipientDomains),
            new DomainSet(r.When.AllRecipientDomains),
            new DomainSet(r.Except.Senders.Where(s => !s.Contains('@'))),
            new HashSet<string>(r.Except.Senders.Where(s => s.Contains('@')), StringComparer.OrdinalIgnoreCase),
            new DomainSet(r.Except.RecipientDomains));
    }

    public PolicyEngine(PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _rules = options.Rules.Where(r => r.Enabled).OrderBy(r => r.Priority).Select(CompiledRule.Of).ToList();
        _internal = new DomainSet(options.InternalDomains);
        InternalDomains = _internal;
        PersonalMailboxDomains = new DomainSet(options.PersonalMailboxDomains);
    }

    public DomainSet InternalDomains { get; }

    public DomainSet PersonalMailboxDomains { get; }

    /// <summary>The verdict on an inspected message; an inspection that ran out of time fails closed.</summary>
    public Verdict Decide(InspectionResult result, string? sender, IReadOnlyList<string> recipients)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.TimedOut
            ? InspectionFailed("inspection time budget exceeded")
            : Decide(new PolicyInput(sender, recipients, result.Exposure, result.Findings, result.MaxPeople, result.AttachmentTypes));
    }

    public Verdict Decide(PolicyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var matched = new List<MatchedRule>();
        PolicyRule? deciding = null;
        foreach (var compiled in _rules)
        {
            var rule = compiled.Rule;
            if (!Matches(compiled, input))
            {
                continue;
            }

            matched.Add(new MatchedRule(rule.Name, rule.Action, rule.AuditOnly || _options.AuditOnly, rule.Reason));
            if (deciding is null)
            {
                deciding = rule;
            }
        }

        if (deciding is null)
        {
            return Verdict.DeliverUnmatched;
        }

        bool audit = _options.AuditOnly || deciding.AuditOnly;
        // Audit mode delivers; a Tag still adds its headers, so reviewers can find what would have happened.
        var action = audit ? PolicyAction.Tag : deciding.Action;
        return new Verdict(action, deciding.Action, deciding.Name, audit, deciding.NotifySender && !audit, deciding.NotifySecurityTeam && !audit, deciding.Reason, matched);
    }

    /// <summary>The verdict when inspection failed or ran out of time (fail closed unless configured otherwise).</summary>
    public Verdict InspectionFailed(string reason) =>
        new(_options.AuditOnly ? PolicyAction.Tag : _options.OnInspectionFailure, _options.OnInspectionFailure, "inspection-failure", _options.AuditOnly, false, !_options.AuditOnly, reason,
            [new MatchedRule("inspection-failure", _options.OnInspectionFailure, _options.AuditOnly, reason)]);

    private static bool Matches(CompiledRule rule, PolicyInput input)
    {
        var w = rule.Rule.When;
        if (w.FindingKinds.Count > 0 || w.MinCount is not null || w.MinConfidence is not null)
        {
            var relevant = input.Findings.Where(f =>
                (w.FindingKinds.Count == 0 || w.FindingKinds.Contains(f.Kind, StringComparer.OrdinalIgnoreCase)) &&
                (w.MinConfidence is null || f.Confidence >= w.MinConfidence)).ToList();
            if (relevant.Count == 0 || (w.MinCount is { } min && relevant.Sum(f => (long)f.Count) < min))
            {
                return false;
            }
        }

        var e = input.Exposure;
        if ((w.MinPeople is { } people && input.MaxPeople < people) ||
            (w.MinVisibleExternal is { } ve && e.VisibleExternal < ve) ||
            (w.MinDistinctExternalDomains is { } dd && e.DistinctExternalDomains < dd) ||
            (w.MinPersonalMailboxes is { } pm && e.PersonalMailboxes < pm) ||
            (w.MinHidden is { } h && e.Hidden < h) ||
            (w.AnyExternalRecipient is { } ext && e.AnyExternal != ext))
        {
            return false;
        }

        if (rule.Senders.Count > 0 && !rule.Senders.ContainsOrIsSubdomainOf(DomainOf(input.Sender)))
        {
            return false;
        }

        if (rule.Recipients.Count > 0 && !input.Recipients.Any(r => rule.Recipients.ContainsOrIsSubdomainOf(DomainOf(r))))
        {
            return false;
        }

        if (w.AttachmentTypes.Count > 0 && !input.AttachmentTypes.Any(t => w.AttachmentTypes.Contains(t, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (rule.AllRecipients.Count > 0 && (input.Recipients.Count == 0 || !input.Recipients.All(r => rule.AllRecipients.ContainsOrIsSubdomainOf(DomainOf(r)))))
        {
            return false;
        }

        if (w.UnscannableReasons.Count > 0)
        {
            var unscannable = input.Findings.Where(f => f.Kind == FindingKinds.Unscannable).ToList();
            if (unscannable.Count == 0 || !unscannable.All(f => f.Reason is not null && w.UnscannableReasons.Contains(f.Reason, StringComparer.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return !IsExcepted(rule, input);
    }

    private static bool IsExcepted(CompiledRule rule, PolicyInput input)
    {
        if (input.Sender is { Length: > 0 } sender &&
            (rule.ExceptSenderAddresses.Contains(sender) || rule.ExceptSenderDomains.ContainsOrIsSubdomainOf(DomainOf(sender))))
        {
            return true;
        }

        return rule.ExceptRecipients.Count > 0 && input.Recipients.Count > 0 &&
            input.Recipients.All(r => rule.ExceptRecipients.ContainsOrIsSubdomainOf(DomainOf(r)));
    }

    private static string? DomainOf(string? address)
    {
        if (address is null)
        {
            return null;
        }

        int at = address.LastIndexOf('@');
        return at < 0 ? null : address[(at + 1)..].Trim('>', ' ');
    }
}
