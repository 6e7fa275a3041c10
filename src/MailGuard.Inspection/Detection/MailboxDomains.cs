namespace MailGuard.Inspection.Detection;

/// <summary>Whose mailbox an address found in content is, judged by its domain.</summary>
public enum MailboxKind
{
    /// <summary>Nothing known: a company's, a small provider's, anyone's.</summary>
    Unknown,

    /// <summary>At a provider that serves the public (gmail.com): a private person's own.</summary>
    Personal,

    /// <summary>At the sending organisation's own domains, or at one issued only to organisations (gov.uk): a work address.</summary>
    Work,
}

/// <summary>
/// The domains that tell whose an address in a table or a text is: the providers whose mailboxes
/// are private people's (Policy:PersonalMailboxDomains), the organisation's own domains
/// (Policy:InternalDomains) and the domains only organisations are given (Words/organisation-domains.txt).
/// </summary>
public sealed class MailboxDomains
{
    private static readonly DomainSet s_organisationOnly = new(WordLists.Load("organisation-domains.txt")[string.Empty]);

    private readonly DomainSet _personal;
    private readonly DomainSet? _internal;

    /// <param name="personal">Providers whose addresses are private people's own.</param>
    /// <param name="internalDomains">The sending organisation's domains (their subdomains included); null: none known.</param>
    public MailboxDomains(DomainSet personal, DomainSet? internalDomains = null)
    {
        ArgumentNullException.ThrowIfNull(personal);
        _personal = personal;
        _internal = internalDomains;
    }

    /// <summary>The built-in personal providers, no organisation's own domains.</summary>
    public static MailboxDomains Default { get; } = new(DomainSet.PersonalMailboxes);

    /// <summary>Whose an address at <paramref name="domain"/> is; the organisation's own domains first.</summary>
    public MailboxKind KindOf(ReadOnlySpan<char> domain)
    {
        if (_internal is not null && _internal.ContainsOrIsSubdomainOf(domain))
        {
            return MailboxKind.Work;
        }

        if (_personal.Contains(domain))
        {
            return MailboxKind.Personal;
        }

        return s_organisationOnly.ContainsOrIsSubdomainOf(domain) ? MailboxKind.Work : MailboxKind.Unknown;
    }
}
