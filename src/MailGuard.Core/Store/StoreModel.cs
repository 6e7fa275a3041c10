namespace MailGuard.Core.Store;

/// <summary>Facts about a message's content the delivery side needs to choose SMTP parameters.</summary>
[Flags]
public enum MessageFlags
{
    None = 0,

    /// <summary>Received with BODY=8BITMIME (RFC 6152); sent on with it when the upstream offers it.</summary>
    EightBit = 1,

    /// <summary>Received with SMTPUTF8 (RFC 6531); the upstream must offer it.</summary>
    SmtpUtf8 = 2,
}

/// <summary>Where a stored message came from; DSNs are never answered with DSNs.</summary>
public enum MessageKind
{
    Relayed = 0,

    /// <summary>A delivery status notification MailGuard made itself (RFC 3464), sent from the null reverse-path.</summary>
    DeliveryStatusNotification = 1,
}

/// <summary>State of one recipient's queue entry. Values are stored; never renumber.</summary>
public enum QueueEntryStatus
{
    /// <summary>Waiting for (another) attempt; may be leased by a delivery worker.</summary>
    Queued = 0,

    Delivered = 1,

    /// <summary>Permanently failed or expired; a DSN was queued when the sender was not null.</summary>
    Failed = 2,
}

/// <summary>A received message and its envelope, handed to the store once its content is durable.</summary>
/// <param name="Id">Queue id (see <see cref="MessageIds"/>); also names the content in the spool.</param>
/// <param name="MailFrom">Reverse-path without brackets; empty for the null sender.</param>
/// <param name="Recipients">Forward-paths; one queue entry each.</param>
/// <param name="ClientAddress">Peer IP address as text, or null for messages MailGuard made.</param>
/// <param name="AuthIdentity">The AUTH user name, or null.</param>
/// <param name="Size">Content octets as stored (including the added trace header).</param>
/// <param name="InlineContent">
/// The content itself, for messages small enough to live in the store (committed, and synced, with
/// the queue entries in one transaction); null when it is in the spool file named by <see cref="Id"/>,
/// fsynced by the caller before this call.
/// </param>
/// <param name="ContentPrefix">
/// Header fields MailGuard adds above spooled content (a tag's verdict), kept by the store with the
/// message and delivered before the spool file's bytes; only with spooled content. <see cref="Size"/> counts them.
/// </param>
public sealed record NewMessage(
    string Id,
    string MailFrom,
    IReadOnlyList<string> Recipients,
    DateTimeOffset ReceivedAt,
    string? ClientAddress,
    string? HeloName,
    string? AuthIdentity,
    long Size,
    MessageFlags Flags = MessageFlags.None,
    MessageKind Kind = MessageKind.Relayed,
    ReadOnlyMemory<byte>? InlineContent = null,
    ReadOnlyMemory<byte>? ContentPrefix = null);

/// <summary>The stored envelope of a message.</summary>
/// <param name="ContentPrefix">Header fields to deliver above the spool file's bytes (<see cref="NewMessage.ContentPrefix"/>); null for none.</param>
public sealed record StoredMessage(
    string Id,
    string MailFrom,
    DateTimeOffset ReceivedAt,
    string? ClientAddress,
    string? HeloName,
    string? AuthIdentity,
    long Size,
    MessageFlags Flags,
    MessageKind Kind,
    bool HasInlineContent = false,
    ReadOnlyMemory<byte>? ContentPrefix = null);

/// <summary>One recipient of a claimed message.</summary>
/// <param name="Attempts">Attempts made before this one.</param>
public sealed record ClaimedRecipient(long EntryId, string Address, int Attempts);

/// <summary>Recipients of one message leased to a delivery worker until <see cref="LeaseUntil"/>.</summary>
/// <param name="InlineContent">The content when the store holds it (<see cref="StoredMessage.HasInlineContent"/>); else read the spool file.</param>
public sealed record ClaimedMessage(StoredMessage Message, IReadOnlyList<ClaimedRecipient> Recipients, DateTimeOffset LeaseUntil, ReadOnlyMemory<byte>? InlineContent = null);

/// <summary>What happened to one claimed recipient.</summary>
public enum RecipientDisposition
{
    Delivered,

    /// <summary>Retry at <see cref="RecipientOutcome.NextAttemptAt"/>; counts as an attempt.</summary>
    Deferred,

    Failed,

    /// <summary>Not attempted (e.g. circuit open, shutting down): lease dropped, attempt not counted.</summary>
    Released,
}

/// <param name="Reply">The upstream's reply or a local reason, for the queue listing and DSNs (never content).</param>
public sealed record RecipientOutcome(long EntryId, RecipientDisposition Disposition, string? Reply, DateTimeOffset? NextAttemptAt = null);

/// <summary>Result of <see cref="IMessageStore.CompleteAttemptAsync"/>.</summary>
/// <param name="MessageFinished">No recipient of the message is queued any more: its content can be removed.</param>
public readonly record struct AttemptCompletion(bool MessageFinished);

/// <summary>One queue entry as listed by operators.</summary>
public sealed record QueueEntryInfo(
    long EntryId,
    string MessageId,
    string MailFrom,
    string Recipient,
    QueueEntryStatus Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset ReceivedAt,
    long Size,
    string? LastReply,
    string? LeaseOwner,
    DateTimeOffset? LeaseUntil);

/// <summary>Filter for <see cref="IMessageStore.ListAsync"/>.</summary>
/// <param name="Statuses">Null lists every status.</param>
/// <param name="Limit">Finite by default so a listing of a large queue stays bounded.</param>
public sealed record QueueQuery(IReadOnlyCollection<QueueEntryStatus>? Statuses = null, string? MessageId = null, int Limit = 1000);

/// <summary>Result of <see cref="IMessageStore.GetStatsAsync"/>: sizes, never contents or addresses.</summary>
/// <param name="QueuedEntries">Recipients waiting for an attempt (due, deferred or leased).</param>
/// <param name="DeliveredEntries">Delivered entries not yet purged (kept for Storage:RetainFinishedHours).</param>
/// <param name="FailedEntries">Failed or expired entries not yet purged.</param>
/// <param name="OldestQueuedReceivedAt">When the oldest message with a queued entry was received; null when none is queued.</param>
/// <param name="HeldMessages">Quarantined messages still waiting for a decision.</param>
public sealed record StoreStats(long QueuedEntries, long DeliveredEntries, long FailedEntries, DateTimeOffset? OldestQueuedReceivedAt, long HeldMessages);
