using System.Globalization;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>The SMTP envelope: what the relay was actually asked to deliver.</summary>
public sealed record MessageEnvelope(string MailFrom, IReadOnlyList<string> RcptTo);

/// <summary>
/// Decides whether a domain belongs to the organisation: equal to a configured domain or a
/// subdomain of one, compared case-insensitively after IDNA normalisation (RFC 5890), so
/// "Bücher.example" and "xn--bcher-kva.example" are the same domain.
/// </summary>
public sealed class DomainSet
{
    private readonly HashSet<string> _domains;

    public DomainSet(IEnumerable<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        _domains = new HashSet<string>(domains.Select(Normalize).Where(d => d.Length > 0), StringComparer.Ordinal);
    }

    /// <summary>
    /// Providers that give mailboxes to the public (Policy:PersonalMailboxDomains unless set): an
    /// address there is a private person's, in To/Cc or in a table's e-mail column.
    /// </summary>
    public static IReadOnlyList<string> PersonalMailboxDefaults { get; } =
    [
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "live.co.uk",
        "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com",
        "aol.co.uk", "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com", "ntlworld.com",
        "protonmail.com", "proton.me", "gmx.com", "gmx.co.uk", "mail.com", "zoho.com",
        // EU nationals' own addresses.
        "web.de", "gmx.de", "t-online.de", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "yahoo.fr",
        "libero.it", "wp.pl", "o2.pl", "interia.pl", "seznam.cz",
    ];

    /// <summary>A set of <see cref="PersonalMailboxDefaults"/>.</summary>
    public static DomainSet PersonalMailboxes { get; } = new(PersonalMailboxDefaults);

    public int Count => _domains.Count;

    /// <summary>True when the domain or one of its parent domains is in the set.</summary>
    public bool ContainsOrIsSubdomainOf(string? domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return false;
        }

        string d = Normalize(domain);
        while (d.Length > 0)
        {
            if (_domains.Contains(d))
            {
                return true;
            }

            int dot = d.IndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            d = d[(dot + 1)..];
        }

        return false;
    }

    public bool Contains(string? domain) => !string.IsNullOrEmpty(domain) && _domains.Contains(Normalize(domain));

    /// <summary>
    /// <see cref="Contains(string?)"/> for the domain of an address read from content (a table's
    /// e-mail cell): ASCII domains without a string made for them.
    /// </summary>
    public bool Contains(ReadOnlySpan<char> domain) => Lookup(domain, parents: false);

    /// <summary><see cref="ContainsOrIsSubdomainOf(string?)"/> for a domain read from content, as <see cref="Contains(ReadOnlySpan{char})"/>.</summary>
    public bool ContainsOrIsSubdomainOf(ReadOnlySpan<char> domain) => Lookup(domain, parents: true);

    private bool Lookup(ReadOnlySpan<char> domain, bool parents)
    {
        domain = domain.Trim().TrimEnd('.');
        if (domain.IsEmpty || domain.Length > 253)
        {
            return false;
        }

        if (!System.Text.Ascii.IsValid(domain))
        {
            return parents ? ContainsOrIsSubdomainOf(domain.ToString()) : Contains(domain.ToString());
        }

        Span<char> lower = stackalloc char[domain.Length];
        System.Text.Ascii.ToLower(domain, lower, out _);
        var lookup = _domains.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadOnlySpan<char> d = lower;
        while (true)
        {
            if (lookup.Contains(d))
            {
                return true;
            }

            int dot = d.IndexOf('.');
            if (!parents || dot < 0)
            {
                return false;
            }

            d = d[(dot + 1)..];
        }
    }

    /// <summary>Lower-case ASCII (A-label) form without a trailing dot; "" when it is not a domain.</summary>
    public static string Normalize(string domain)
    {
        string d = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (d.StartsWith('[') || d.Length == 0)
        {
            return d;
        }

        try
        {
            return new IdnMapping().GetAscii(d);
        }
        catch (ArgumentException)
        {
            return d;
        }
    }
}

/// <summary>What the recipients of a message can see of each other.</summary>
/// <param name="VisibleExternal">Distinct external addresses in To and Cc (all fields, groups flattened).</param>
/// <param name="VisibleInternal">Distinct internal addresses in To and Cc.</param>
/// <param name="DistinctExternalDomains">Distinct domains among the visible external addresses.</param>
/// <param name="PersonalMailboxes">Visible external addresses at personal-mailbox providers (gmail.com, ...).</param>
/// <param name="Hidden">Recipients that no other recipient sees: envelope recipients not in To/Cc (Bcc).</param>
/// <param name="ExternalRecipients">Distinct external recipients overall (envelope, or headers when there is no envelope).</param>
/// <param name="MaskedExamples">A handful of visible external addresses, masked.</param>
public sealed record RecipientExposure(
    int VisibleExternal,
    int VisibleInternal,
    int DistinctExternalDomains,
    int PersonalMailboxes,
    int Hidden,
    int ExternalRecipients,
    IReadOnlyList<string> MaskedExamples)
{
    public bool AnyExternal => ExternalRecipients > 0;
}

public static class RecipientAnalyzer
{
    /// <summary>
    /// Analyses To/Cc (and a Bcc field the relayed message still carries) against the envelope.
    /// Without an envelope (a file scanned offline) the recipients are To, Cc and Bcc, and Bcc
    /// counts as hidden.
    /// </summary>
    public static RecipientExposure Analyze(MimeMessage message, MessageEnvelope? envelope, DomainSet internalDomains, DomainSet personalMailboxDomains, int maxExamples = 5)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(internalDomains);
        ArgumentNullException.ThrowIfNull(personalMailboxDomains);

        // Relayed (an envelope), the message goes to every recipient as it is: a Bcc field left in
        // it (a script's mail merge writes one) shows its addresses to all of them, as To and Cc do.
        // A draft scanned without an envelope keeps its Bcc hidden, as its client will send it.
        var visible = new Dictionary<string, MailboxAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in envelope is null ? message.To.Concat(message.Cc) : message.To.Concat(message.Cc).Concat(message.Bcc))
        {
            if (a.Domain is not null && a.LocalPart.Length > 0)
            {
                visible.TryAdd(Key(a.LocalPart, a.Domain), a);
            }
        }

        int external = 0, internalCount = 0, personal = 0;
        var domains = new HashSet<string>(StringComparer.Ordinal);
        var examples = new List<string>(maxExamples);
        foreach (var a in visible.Values)
        {
            if (internalDomains.ContainsOrIsSubdomainOf(a.Domain))
            {
                internalCount++;
                continue;
            }

            external++;
            string d = DomainSet.Normalize(a.Domain!);
            domains.Add(d);
            if (personalMailboxDomains.Contains(d))
            {
                personal++;
            }

            if (examples.Count < maxExamples)
            {
                examples.Add(MaskAddress(a.LocalPart, a.Domain!));
            }
        }

        IEnumerable<(string Local, string Domain)> recipients;
        int hidden;
        if (envelope is not null)
        {
            var rcpts = envelope.RcptTo.Select(Split).Where(r => r.Domain.Length > 0).ToList();
            hidden = rcpts.Select(r => Key(r.Local, r.Domain)).Distinct(StringComparer.OrdinalIgnoreCase).Count(k => !visible.ContainsKey(k));
            recipients = rcpts;
        }
        else
        {
            var bcc = message.Bcc.Where(a => a.Domain is not null).Select(a => (a.LocalPart, a.Domain!)).ToList();
            hidden = bcc.Select(b => Key(b.Item1, b.Item2)).Distinct(StringComparer.OrdinalIgnoreCase).Count(k => !visible.ContainsKey(k));
            recipients = visible.Values.Select(a => (a.LocalPart, a.Domain!)).Concat(bcc);
        }

        int externalRecipients = recipients
            .Where(r => !internalDomains.ContainsOrIsSubdomainOf(r.Domain))
            .Select(r => Key(r.Local, r.Domain))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Count();

        return new RecipientExposure(external, internalCount, domains.Count, personal, hidden, externalRecipients, examples);
    }

    /// <summary>j***@example.com: the first character of the local part, the domain in full.</summary>
    public static string MaskAddress(string localPart, string domain) =>
        (localPart.Length > 0 ? localPart[..1] : "") + "***@" + domain.ToLowerInvariant();

    private static string Key(string local, string domain) => local + "@" + DomainSet.Normalize(domain);

    private static (string Local, string Domain) Split(string address)
    {
        string a = address.Trim().Trim('<', '>');
        int at = a.LastIndexOf('@');
        return at <= 0 ? (a, "") : (a[..at], a[(at + 1)..]);
    }
}
