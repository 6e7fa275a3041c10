namespace MailGuard.Core.Store;

/// <summary>
/// Messages and their per-recipient queue entries. Every mutating call returns only once its effect
/// is durable (committed and synced), which is what lets the relay answer 250. Providers batch
/// concurrent calls into one transaction (group commit); callers simply await.
/// </summary>
/// <remarks>
/// Claims are leases, not locks: a claimed entry is invisible to other claimers until its lease
/// runs out, so entries held by a worker that died are claimed again later (at-least-once). A
/// provider for a shared database claims with <c>FOR UPDATE SKIP LOCKED</c>; the contract is the
/// same. Quarantine, findings and audit records (issue 5) are further tables behind further
/// methods; nothing here assumes the queue is the only thing a message can be in.
/// </remarks>
public interface IMessageStore : IAsyncDisposable
{
    /// <summary>Opens the store and applies pending schema migrations.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a message and one queued entry per recipient, due now. Durable on return.</summary>
    Task EnqueueAsync(NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>Leases the due entries of up to <paramref name="maxMessages"/> messages to <paramref name="owner"/>.</summary>
    Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the outcome of one attempt for claimed entries of one message and, in the same
    /// transaction, queues <paramref name="notice"/> (a DSN) when given, so a failure and its
    /// notice are never recorded one without the other.
    /// </summary>
    Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default);

    /// <summary>Drops every lease held by <paramref name="owner"/> (a node starting again after a crash). Returns the number released.</summary>
    Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default);

    /// <summary>Makes the message's queued and failed entries due now (operator retry). Returns the entries affected.</summary>
    Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>Removes the message and all its entries. False when there was no such message.</summary>
    Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default);

    Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes up to <paramref name="maxMessages"/> messages received before <paramref name="receivedBefore"/>
    /// that no recipient waits for any more (delivered or failed), with their entries. Returns how many.
    /// </summary>
    Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts of queue entries by status, the oldest queued message and the messages still held, read
    /// in one statement (one snapshot). Counting only, no rows: cheap enough for every metrics scrape.
    /// </summary>
    Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
