using MailGuard.Core.Policy;
using MailGuard.Core.Store;

namespace MailGuard.Core.Dispositions;

public enum DispositionAction
{
    /// <summary>Queue for delivery to every envelope recipient.</summary>
    Deliver,

    /// <summary>Refuse at the end of DATA with <see cref="MessageDecision.Reason"/>; nothing is kept.</summary>
    Reject,

    /// <summary>
    /// Accept but do not deliver: only <see cref="MessageDecision.Notices"/>, the bounce-back
    /// warning with the original attached, is queued, to the sender.
    /// </summary>
    Return,

    /// <summary>Accept with the quarantine id and keep the exact bytes and envelope in quarantine for review.</summary>
    Hold,
}

/// <summary>A message MailGuard itself sends because of a decision (a notice to the sender), from the null reverse-path.</summary>
public sealed record OutgoingNotice(string To, byte[] Content);

/// <param name="ReplacementContent">When set, these bytes are queued instead of the received ones (verdict headers, hidden recipients).</param>
/// <param name="HeaderPrefix">
/// When set, header fields delivered above the received bytes (the verdict of a tag): the store
/// keeps them with the message and the spooled content is neither copied nor written again.
/// </param>
/// <param name="Notices">Queued in the same transaction as the message (or its quarantine record), before the reply.</param>
/// <param name="Hold">Why the message is held, for <see cref="DispositionAction.Hold"/>.</param>
/// <param name="AppliedAction">
/// The policy action a delivery carries out (tag, rewrite-bcc), for the metrics; null when no
/// policy decided or the action is the disposition itself.
/// </param>
public readonly record struct MessageDecision(DispositionAction Action, string? Reason = null, ReadOnlyMemory<byte>? ReplacementContent = null, IReadOnlyList<OutgoingNotice>? Notices = null, HoldDetails? Hold = null, PolicyAction? AppliedAction = null, ReadOnlyMemory<byte>? HeaderPrefix = null)
{
    public static MessageDecision Deliver { get; } = new(DispositionAction.Deliver);
}

/// <summary>
/// Decides what becomes of a received message before the client's final reply: inspection and
/// policy (<see cref="InspectingDisposition"/>), or the default that delivers everything.
/// <see cref="DispositionExecutor"/> then makes the decision durable. Runs within the client's wait
/// after the final dot (RFC 5321 §4.5.3.2.6 gives the client 10 minutes), so it must be bounded.
/// </summary>
public interface IMessageDisposition
{
    ValueTask<MessageDecision> DecideAsync(ReceivedMessage message, CancellationToken cancellationToken);
}

/// <summary>Without a policy: every message is delivered.</summary>
public sealed class DeliverAllDisposition : IMessageDisposition
{
    public ValueTask<MessageDecision> DecideAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
        ValueTask.FromResult(MessageDecision.Deliver);
}

/// <summary>Wakes idle delivery workers when mail is queued, so delivery does not wait for the next poll.</summary>
public sealed class DeliverySignal
{
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitAsync() => Volatile.Read(ref _pulse).Task;

    public void Notify()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _pulse, next).TrySetResult();
    }
}

/// <summary>What decisions the dashboard counts (per day, disposition and rule); the console's recorder implements it.</summary>
public interface IDecisionLog
{
    /// <param name="disposition">The action's name, or "would-" and the name in audit-only mode.</param>
    void Record(string disposition, string? rule);
}

/// <summary>The counts dispositions report: decisions, scan time, findings (the metrics implement it).</summary>
public interface IDispositionMetrics
{
    void MessageDecided(PolicyAction disposition);

    void ScanCompleted(TimeSpan elapsed);

    void FindingReported(string kind);

    /// <summary>Counts a store fault during <paramref name="operation"/> (a <see cref="Store.StoreOperation"/> value).</summary>
    void StoreFaulted(string operation)
    {
    }
}
