using MailGuard.Inspection;

namespace MailGuard.Core.Policy;

/// <summary>
/// The one definition of which finding kinds are identifiers: numbers that single out a person or
/// an account on their own (NI, NHS, passport and driving licence numbers, payment cards, IBANs). A rule that looks
/// for any of them is an identifier rule, and releasing what it held needs two reviewers unless
/// the rule says otherwise (<see cref="PolicyRule.FourEyes"/>).
/// </summary>
public static class IdentifierKinds
{
    public static IReadOnlyList<string> All { get; } =
        [FindingKinds.UkNino, FindingKinds.UkNhsNumber, FindingKinds.UkPassport, FindingKinds.UkDrivingLicence, FindingKinds.PaymentCard, FindingKinds.Iban];

    public static bool IsIdentifier(string? kind) => kind is not null && All.Contains(kind, StringComparer.OrdinalIgnoreCase);

    /// <summary>The rule's conditions name at least one identifier kind.</summary>
    public static bool IsIdentifierRule(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.When.FindingKinds.Any(IsIdentifier);
    }

    /// <summary>Whether releasing what the rule held needs two reviewers: as configured, else on for identifier rules.</summary>
    public static bool RequiresFourEyes(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.FourEyes ?? IsIdentifierRule(rule);
    }
}

/// <summary>Which rules are about exposed recipients alone, the one case the Bcc fix answers.</summary>
public static class RecipientRules
{
    /// <summary>
    /// The rule looks at recipients and nothing else: its finding kinds, if any, are only
    /// exposed-recipients, and it has no condition on people, counts of other findings,
    /// attachments or unreadable parts. Hiding the addresses (the Bcc fix) removes its reason.
    /// </summary>
    public static bool IsExposedRecipientsOnly(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var w = rule.When;
        bool kindsOnlyExposed = w.FindingKinds.All(k => string.Equals(k, FindingKinds.ExposedRecipients, StringComparison.OrdinalIgnoreCase));
        bool aboutRecipients = w.FindingKinds.Count > 0 || w.MinVisibleExternal is not null || w.MinDistinctExternalDomains is not null || w.MinPersonalMailboxes is not null;
        return kindsOnlyExposed && aboutRecipients && w.MinPeople is null && w.AttachmentTypes.Count == 0 && w.UnscannableReasons.Count == 0
            && (w.FindingKinds.Count > 0 || (w.MinCount is null && w.MinConfidence is null));
    }
}
