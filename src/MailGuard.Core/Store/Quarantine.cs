namespace MailGuard.Core.Store;

/// <summary>Where a held message stands. Values are stored; never renumber.</summary>
public enum QuarantineStatus
{
    Held = 0,
    Released = 1,
    Returned = 2,
    Deleted = 3,
    Expired = 4,
}

/// <summary>Why a message was held, as the reviewer sees it. Findings are stored as JSON with masked evidence only.</summary>
/// <param name="InspectionJson">
/// What inspection learned, as the console shows it (<see cref="HoldInspection"/>: matched rules, people,
/// destinations, masked previews), so the message page renders without inspecting again; null for
/// holds made before it was stored.
/// </param>
public sealed record HoldDetails(string? Rule, string? Reason, string? Subject, string? Summary, string FindingsJson, string? InspectionJson = null);

/// <summary>One held message with its envelope and decision.</summary>
/// <param name="AuthIdentity">The AUTH user of the session that submitted it (the message row's), or null when it did not authenticate.</param>
/// <param name="InspectionJson">The stored <see cref="HoldInspection"/>, or null for an older hold.</param>
public sealed record QuarantineRecord(
    string MessageId,
    QuarantineStatus Status,
    string MailFrom,
    IReadOnlyList<string> Recipients,
    DateTimeOffset HeldAt,
    long Size,
    string? Rule,
    string? Reason,
    string? Subject,
    string? Summary,
    string FindingsJson,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? DecisionReason,
    string? AuthIdentity = null,
    string? InspectionJson = null);

/// <summary>One line of the append-only audit log: who did what, when, why.</summary>
public sealed record AuditEvent(DateTimeOffset At, string Actor, string Action, string? MessageId, string? Reason, string? Detail = null);

/// <summary>The result of a reviewer's action: applied, or refused because the message was no longer held.</summary>
public sealed record QuarantineDecision(bool Applied, QuarantineStatus Status);

/// <summary>
/// The quarantine, in the same database as the queue so that a release and the queue entries it
/// creates are one transaction: two reviewers clicking release at once deliver the message once.
/// </summary>
public interface IQuarantineStore
{
    /// <summary>Keeps the exact message and envelope with why it was held, and audits it. Durable on return.</summary>
    Task HoldAsync(NewMessage message, HoldDetails details, AuditEvent audit, IReadOnlyList<NewMessage>? notices = null, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<QuarantineRecord>> ListQuarantineAsync(QuarantineStatus? status, int limit, CancellationToken cancellationToken = default);

    Task<QuarantineRecord?> GetQuarantineAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>Messages still held that were held before <paramref name="heldBefore"/>, oldest first (for retention).</summary>
    Task<IReadOnlyList<QuarantineRecord>> ListHeldBeforeAsync(DateTimeOffset heldBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues the original bytes (or <paramref name="replacement"/>, e.g. the Bcc fix) for the original
    /// recipients, if (and only if) the message is still held. Encrypted content is decrypted for delivery.
    /// <paramref name="notice"/> (the sender's "released" notice) is queued in the same transaction.
    /// </summary>
    Task<QuarantineDecision> ReleaseAsync(string messageId, string actor, string? reason, byte[]? replacement = null, NewMessage? notice = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retention: marks a held message expired, drops its content, and queues <paramref name="notice"/>
    /// (a return to sender) when given; <paramref name="detail"/> says in the audit record what became of it.
    /// </summary>
    Task<QuarantineDecision> ExpireAsync(string messageId, string actor, NewMessage? notice, string? detail = null, CancellationToken cancellationToken = default);

    /// <summary>Marks a held message returned and queues the bounce-back notice in the same transaction.</summary>
    Task<QuarantineDecision> ReturnAsync(string messageId, string actor, string? reason, NewMessage? notice, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a held message deleted and removes its content; the record and audit trail stay.
    /// <paramref name="notice"/> (the sender's "deleted" notice) is queued in the same transaction.
    /// </summary>
    Task<QuarantineDecision> DeleteHeldAsync(string messageId, string actor, string? reason, NewMessage? notice = null, CancellationToken cancellationToken = default);

    Task AppendAuditAsync(AuditEvent audit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends audit events and queues notices in one transaction: all of them or none (a
    /// sender's release request, its confirmation to the sender and the security team's alert).
    /// </summary>
    Task RecordAsync(IReadOnlyList<AuditEvent> audit, IReadOnlyList<NewMessage> notices, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEvent>> ListAuditAsync(string? messageId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the inspection result of a hold made before it was kept with the hold (inspected once,
    /// on first view); leaves one already stored alone. False when there is no such hold.
    /// </summary>
    Task<bool> SaveInspectionAsync(string messageId, string inspectionJson, CancellationToken cancellationToken = default);

    /// <summary>Opens the stored bytes of a message (for review, release previews and returns).</summary>
    Task<Stream?> OpenContentAsync(string messageId, CancellationToken cancellationToken = default);
}
