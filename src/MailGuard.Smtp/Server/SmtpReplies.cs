using System.Net;

namespace MailGuard.Smtp.Server;

/// <summary>
/// Replies hosts commonly return from hooks, with the RFC 3463 codes mail software expects, so
/// every host answers the same way (Postfix wording where it has one).
/// </summary>
public static class SmtpReplies
{
    /// <summary>250 2.1.0: MAIL accepted (RFC 3463 X.1.0 "other address status").</summary>
    public static SmtpReply SenderOk { get; } = new(250, "2.1.0", "Ok");

    /// <summary>250 2.1.5: RCPT accepted (X.1.5 "destination address valid").</summary>
    public static SmtpReply RecipientOk { get; } = new(250, "2.1.5", "Ok");

    /// <summary>554 5.7.1: relaying refused (X.7.1 "delivery not authorized"), Postfix's "Relay access denied".</summary>
    public static SmtpReply RelayDenied { get; } = new(554, "5.7.1", "Relay access denied");

    /// <summary>451 4.3.0: a local problem (store unavailable); the client retries.</summary>
    public static SmtpReply LocalError { get; } = new(451, "4.3.0", "Local error in processing, try again later");

    /// <summary>452 4.3.1: out of spool space (X.3.1 "mail system full").</summary>
    public static SmtpReply InsufficientStorage { get; } = new(452, "4.3.1", "Insufficient system storage");

    /// <summary>250 2.0.0 with the queue id, sent after the message is durable.</summary>
    public static SmtpReply Queued(string queueId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queueId);
        return new SmtpReply(250, "2.0.0", $"Ok: queued as {queueId}");
    }

    /// <summary>550 5.7.1 refusing content by policy (X.7.1 "delivery not authorized, message refused").</summary>
    public static SmtpReply ContentRejected(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new SmtpReply(550, "5.7.1", reason);
    }

    /// <summary>
    /// The usual relay rule: an authenticated client, or a peer inside one of <paramref name="allowedNetworks"/>
    /// (Postfix permit_sasl_authenticated, permit_mynetworks).
    /// </summary>
    public static bool IsRelayAllowed(SmtpSessionContext session, IEnumerable<IPNetwork> allowedNetworks)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(allowedNetworks);
        return session.IsAuthenticated || (session.RemoteAddress is { } address && Cidr.ContainsAny(allowedNetworks, address));
    }
}
