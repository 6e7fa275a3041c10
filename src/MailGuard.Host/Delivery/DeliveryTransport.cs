using MailGuard.Core.Store;

namespace MailGuard.Host.Delivery;

public enum RecipientAttemptStatus
{
    Delivered,

    /// <summary>4xx or no answer: retry later.</summary>
    Transient,

    /// <summary>5xx: do not retry; the sender gets a DSN.</summary>
    Permanent,
}

/// <param name="Reply">The reply as one line ("550 5.1.1 ..."), or a local description of a network failure; never content.</param>
/// <param name="EnhancedCode">RFC 3463 code from the reply, when it had one.</param>
public sealed record RecipientAttempt(string Address, RecipientAttemptStatus Status, string? Reply, string? EnhancedCode);

/// <summary>What one delivery attempt did for each recipient.</summary>
/// <param name="UpstreamFailure">
/// The upstream itself failed (connect, greeting, TLS, AUTH, network): counted by the circuit
/// breaker. A refusal of one message or recipient says nothing about the upstream's health.
/// </param>
/// <param name="RemoteMta">The host that answered, for DSNs.</param>
public sealed record TransportResult(IReadOnlyList<RecipientAttempt> Recipients, bool UpstreamFailure, string? RemoteMta);

/// <summary>One message to send: its envelope, the recipients claimed now, and its content.</summary>
/// <param name="WholeMessage">
/// True when these are all of the message's recipients on their first attempt; pickup names the
/// files by queue id then, so a repeat after a crash overwrites instead of duplicating.
/// </param>
public sealed record OutgoingDelivery(StoredMessage Message, IReadOnlyList<ClaimedRecipient> Recipients, Stream Content, bool WholeMessage);

/// <summary>Where delivered mail goes (Delivery:Mode). A session is used by one worker at a time and may hold a connection.</summary>
public interface IDeliveryTransport
{
    /// <summary>True when failures of this transport should feed the circuit breaker (a remote upstream).</summary>
    bool IsRemote { get; }

    IDeliverySession OpenSession();
}

public interface IDeliverySession : IAsyncDisposable
{
    Task<TransportResult> SendAsync(OutgoingDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Called when the worker has had nothing to do for a poll interval: release idle connections.</summary>
    Task IdleAsync();
}
