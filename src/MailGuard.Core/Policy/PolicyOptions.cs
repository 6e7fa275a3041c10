using MailGuard.Inspection;

namespace MailGuard.Core.Policy;

/// <summary>What a rule does with a matching message.</summary>
public enum PolicyAction
{
    Deliver,
    Tag,
    RewriteBcc,
    Hold,
    Return,
    Reject,
}

public static class PolicyActionNames
{
    /// <summary>The contract spelling of an action (scan JSON, headers, logs): deliver, tag, rewrite-bcc, hold, return, reject.</summary>
    public static string Name(this PolicyAction action) =>
        action == PolicyAction.RewriteBcc ? "rewrite-bcc" : action.ToString().ToLowerInvariant();
}

/// <summary>The `Policy` configuration section.</summary>
public sealed class PolicyOptions
{
    /// <summary>
    /// Inspect and judge every message (default). False makes `mailguard run` a plain durable relay
    /// that delivers everything: for measuring the relay alone, or a staged roll-out.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Domains of the organisation; subdomains included.</summary>
    public List<string> InternalDomains { get; set; } = new();

    /// <summary>Consumer mailbox providers: mail to them is mail to a private person.</summary>
    public List<string> PersonalMailboxDomains { get; set; } = [.. DomainSet.PersonalMailboxDefaults];

    /// <summary>Record what every rule would have done but deliver everything (a roll-out mode).</summary>
    public bool AuditOnly { get; set; }

    /// <summary>What happens when inspection fails or runs out of time: fail closed by default.</summary>
    public PolicyAction OnInspectionFailure { get; set; } = PolicyAction.Hold;

    public List<PolicyRule> Rules { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    /// <summary>Every problem with the rules, all at once (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < Rules.Count; i++)
        {
            var r = Rules[i];
            string where = $"Policy:Rules:{i}";
            if (string.IsNullOrWhiteSpace(r.Name))
            {
                problems.Add($"{where}:Name is required");
            }
            else if (!names.Add(r.Name))
            {
                problems.Add($"{where}:Name '{r.Name}' is used by another rule");
            }

            foreach (string kind in r.When.FindingKinds)
            {
                if (string.IsNullOrWhiteSpace(kind))
                {
                    problems.Add($"{where}:When:FindingKinds has an empty entry");
                }
            }

            foreach (string reason in r.When.UnscannableReasons)
            {
                if (!Enum.TryParse<UnscannableReason>(reason, ignoreCase: true, out _))
                {
                    problems.Add($"{where}:When:UnscannableReasons: '{reason}' is not one of {string.Join(", ", Enum.GetNames<UnscannableReason>())}");
                }
            }

            if (r.SenderMessage is { Length: > PolicyRule.MaxSenderMessageChars })
            {
                problems.Add($"{where}:SenderMessage: at most {PolicyRule.MaxSenderMessageChars} characters");
            }

            if (r.When.IsEmpty && r.Action != PolicyAction.Deliver)
            {
                problems.Add($"{where} ('{r.Name}') has no conditions and would match every message; add a condition or set Action to deliver");
            }
        }

        Notifications.Validate(problems);
        return problems;
    }

    /// <summary>Policy:Rules:N:SenderMessage of the rule named <paramref name="rule"/>, or null when there is no such rule or it has none.</summary>
    public string? SenderMessageFor(string? rule) =>
        rule is null ? null : Rules.FirstOrDefault(r => string.Equals(r.Name, rule, StringComparison.OrdinalIgnoreCase))?.SenderMessage;
}

/// <summary>`Policy:Notifications`: who hears about decisions, and in what words.</summary>
public sealed class NotificationOptions
{
    /// <summary>Address of the security team, alerted for each hold whose rule says so; none by default.</summary>
    public string? SecurityTeam { get; set; }

    /// <summary>
    /// Base URL of the console's page where senders ask for release with a justification; the held
    /// notice links to `{ReleaseRequestUrl}/{id}/{token}` (see ReleaseRequestLinks). None by default.
    /// </summary>
    public string? ReleaseRequestUrl { get; set; }

    public MailGuard.Core.Notices.NoticeTemplates Templates { get; set; } = new();

    /// <summary>The display name notices come from. Default "MailGuard".</summary>
    public string FromName { get; set; } = "MailGuard";

    /// <summary>The address in the notices' From field; default postmaster at Relay:ServerName. Notices still go from the null reverse-path.</summary>
    public string? FromAddress { get; set; }

    /// <summary>How to reach the security team, in words shown at the foot of every notice to a sender ("the Information Governance team, ext. 4321"); none by default.</summary>
    public string? Contact { get; set; }

    public DigestOptions Digest { get; set; } = new();

    /// <summary>Whether the daily digest goes out: it is enabled and there is a security team to send it to.</summary>
    public bool DigestEnabled => Digest.Enabled && !string.IsNullOrWhiteSpace(SecurityTeam);

    internal void Validate(List<string> problems)
    {
        if (ReleaseRequestUrl is { Length: > 0 } url && !IsHttpUrl(url))
        {
            problems.Add($"Policy:Notifications:ReleaseRequestUrl: '{url}' is not an absolute http(s) URL without query or fragment");
        }

        if (SecurityTeam is { Length: > 0 } team && !IsOneAddress(team))
        {
            problems.Add($"Policy:Notifications:SecurityTeam: '{team}' is not one address (local@domain, no brackets)");
        }

        if (FromAddress is { Length: > 0 } from && !IsOneAddress(from))
        {
            problems.Add($"Policy:Notifications:FromAddress: '{from}' is not one address (local@domain, no brackets)");
        }

        if (string.IsNullOrWhiteSpace(FromName) || FromName.Length > 100 || FromName.Any(char.IsControl))
        {
            problems.Add("Policy:Notifications:FromName: a display name of 1 to 100 characters on one line is required");
        }

        if (Contact is { Length: > 500 } || (Contact?.Any(char.IsControl) ?? false))
        {
            problems.Add("Policy:Notifications:Contact: at most 500 characters on one line");
        }

        if (Digest.TimeOfDay < TimeSpan.Zero || Digest.TimeOfDay >= TimeSpan.FromDays(1))
        {
            problems.Add($"Policy:Notifications:Digest:TimeOfDay: {Digest.TimeOfDay} is not a time of day (00:00 to 23:59)");
        }

        if (Digest.FindTimeZone() is null)
        {
            problems.Add($"Policy:Notifications:Digest:TimeZone: '{Digest.TimeZone}' is not a known time zone (an IANA id such as Europe/London, or UTC)");
        }
    }

    private static bool IsOneAddress(string value)
    {
        int at = value.LastIndexOf('@');
        return value.AsSpan().IndexOfAny("<>,; \t\r\n\"") < 0 && at > 0 && at < value.Length - 1 && value.Length <= 254;
    }

    /// <summary>An absolute http or https URL with a host and no query or fragment: something a path can be appended to.</summary>
    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.Host.Length > 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0;
}

/// <summary>`Policy:Notifications:Digest`: the daily list of held mail for the security team.</summary>
public sealed class DigestOptions
{
    /// <summary>Default true: it takes effect only when Policy:Notifications:SecurityTeam is set.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When it is sent, in <see cref="TimeZone"/>. Default 07:00: in the inbox before the working day starts.</summary>
    public TimeSpan TimeOfDay { get; set; } = TimeSpan.FromHours(7);

    /// <summary>IANA (or Windows) time-zone id for <see cref="TimeOfDay"/> and the times in the digest. Default UTC.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Send a digest saying "nothing held" on days with nothing held. Default false: no mail that asks for no action.</summary>
    public bool SendWhenEmpty { get; set; }

    /// <summary>The time zone, or null when the id is unknown on this machine.</summary>
    public TimeZoneInfo? FindTimeZone()
    {
        if (string.IsNullOrWhiteSpace(TimeZone))
        {
            return null;
        }

        if (string.Equals(TimeZone.Trim(), "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone.Trim(), out var zone) ? zone : null;
    }
}

/// <summary>One rule: conditions over findings, recipients and sender, exceptions, and an action.</summary>
public sealed class PolicyRule
{
    public const int MaxSenderMessageChars = 1000;

    public string Name { get; set; } = "";

    /// <summary>Lower numbers are considered first; the first matching rule decides.</summary>
    public int Priority { get; set; } = 100;

    public bool Enabled { get; set; } = true;

    public RuleConditions When { get; set; } = new();

    public RuleExceptions Except { get; set; } = new();

    public PolicyAction Action { get; set; } = PolicyAction.Hold;

    /// <summary>This rule only records what it would have done.</summary>
    public bool AuditOnly { get; set; }

    public bool NotifySender { get; set; }

    public bool NotifySecurityTeam { get; set; }

    /// <summary>
    /// Releasing a message this rule held needs a second, different reviewer's approval. Unset: on for
    /// identifier rules (<see cref="IdentifierKinds"/>), off for the rest.
    /// </summary>
    public bool? FourEyes { get; set; }

    /// <summary>Short reason given to senders and reviewers.</summary>
    public string? Reason { get; set; }

    /// <summary>
    /// The Outlook add-in may offer "Send anyway" when this rule is what stops a draft (the choice is
    /// recorded in the message, and the relay still applies this rule's action). Default false:
    /// the add-in asks the sender to fix the message.
    /// </summary>
    public bool AllowOverride { get; set; }

    /// <summary>
    /// The organisation's own words to senders whose mail this rule stops (what the rule is for,
    /// which route to use instead), shown in every notice about such a message. None by default.
    /// </summary>
    public string? SenderMessage { get; set; }
}

/// <summary>All set conditions must hold (an unset one is ignored).</summary>
public sealed class RuleConditions
{
    /// <summary>At least one finding of one of these kinds (see <see cref="FindingKinds"/>).</summary>
    public List<string> FindingKinds { get; set; } = new();

    /// <summary>The matching findings' counts, added up, reach this.</summary>
    public int? MinCount { get; set; }

    public Confidence? MinConfidence { get; set; }

    /// <summary>People in the largest personal-data table or text reach this.</summary>
    public int? MinPeople { get; set; }

    public int? MinVisibleExternal { get; set; }

    public int? MinDistinctExternalDomains { get; set; }

    public int? MinPersonalMailboxes { get; set; }

    public int? MinHidden { get; set; }

    /// <summary>True: at least one recipient outside InternalDomains; false: all internal.</summary>
    public bool? AnyExternalRecipient { get; set; }

    /// <summary>The sender's domain is one of these (subdomains included).</summary>
    public List<string> SenderDomains { get; set; } = new();

    /// <summary>At least one recipient's domain is one of these (subdomains included).</summary>
    public List<string> RecipientDomains { get; set; } = new();

    /// <summary>At least one attachment of these detected types or extensions ("xlsx", "zip", "pdf").</summary>
    public List<string> AttachmentTypes { get; set; } = new();

    /// <summary>
    /// There is an unscannable finding, and every unscannable finding has one of these reasons
    /// (names of UnscannableReason: "Encrypted", "PasswordProtected", ...). For exceptions such as
    /// encrypted archives to a partner, which must not also let limit hits or corrupt files through.
    /// </summary>
    public List<string> UnscannableReasons { get; set; } = new();

    /// <summary>Every recipient's domain is one of these (subdomains included).</summary>
    public List<string> AllRecipientDomains { get; set; } = new();

    internal bool IsEmpty =>
        FindingKinds.Count == 0 && MinCount is null && MinConfidence is null && MinPeople is null &&
        MinVisibleExternal is null && MinDistinctExternalDomains is null && MinPersonalMailboxes is null &&
        MinHidden is null && AnyExternalRecipient is null && SenderDomains.Count == 0 && RecipientDomains.Count == 0 &&
        AttachmentTypes.Count == 0 && UnscannableReasons.Count == 0 && AllRecipientDomains.Count == 0;
}

/// <summary>A message that matches an exception is not matched by the rule.</summary>
public sealed class RuleExceptions
{
    /// <summary>Sender addresses or domains (a newsletter system that uses Bcc properly).</summary>
    public List<string> Senders { get; set; } = new();

    /// <summary>The rule does not apply when every recipient is in these domains.</summary>
    public List<string> RecipientDomains { get; set; } = new();
}
