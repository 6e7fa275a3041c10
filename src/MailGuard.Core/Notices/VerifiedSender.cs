using MailGuard.Inspection;

namespace MailGuard.Core.Notices;

/// <summary>
/// Whether MailGuard may write to a message's envelope sender about that message (held, returned
/// and recipients-hidden notices, a reviewer's or retention's return with the original attached,
/// DSNs). The envelope sender is whatever the client typed after MAIL FROM: answering a forged one
/// is backscatter, and a return would mail the guarded content to whoever was named there.
/// </summary>
/// <remarks>
/// A sender counts as verified when
/// <list type="bullet">
/// <item>its domain is one of Policy:InternalDomains (subdomains included). The relay takes mail
/// only from Relay:AllowedNetworks or from an authenticated session, so such mail came from one of
/// our own systems or users; or</item>
/// <item>the SMTP session authenticated (AUTH) as exactly that address, whatever its domain (a
/// contractor's account named after their own address).</item>
/// </list>
/// An authenticated session does not vouch for any other external address it puts in MAIL FROM:
/// an account is not proof of owning every address it types. The null sender is never verified.
/// </remarks>
public static class VerifiedSender
{
    public static bool IsVerified(string? envelopeSender, string? authenticatedUser, DomainSet internalDomains)
    {
        ArgumentNullException.ThrowIfNull(internalDomains);
        string sender = envelopeSender?.Trim() ?? "";
        int at = sender.LastIndexOf('@');
        if (at <= 0 || at == sender.Length - 1)
        {
            return false;
        }

        if (internalDomains.ContainsOrIsSubdomainOf(sender[(at + 1)..]))
        {
            return true;
        }

        // Domains are case-insensitive (RFC 5321 §2.4), and local parts are in practice: providers
        // deliver Alice@ and alice@ to one mailbox.
        return authenticatedUser is { Length: > 0 } user && string.Equals(user.Trim(), sender, StringComparison.OrdinalIgnoreCase);
    }
}
