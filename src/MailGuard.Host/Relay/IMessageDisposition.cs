using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Smtp.Server;

namespace MailGuard.Host.Relay;

/// <summary>A received message, complete but not yet accepted.</summary>
/// <param name="ContentPath">The fsynced spool file for a large message, else null.</param>
/// <param name="BufferedContent">The content of a small message (at most Storage:InlineContentBytes), else null.</param>
/// <remarks>Either way the content is MailGuard's trace header followed by the bytes as received; <see cref="OpenContent"/> reads it.</remarks>
public sealed record IngressMessage(
    string Id,
    SmtpSessionContext Session,
    SmtpEnvelope Envelope,
    string? ContentPath,
    ReadOnlyMemory<byte>? BufferedContent,
    long Size,
    DateTimeOffset ReceivedAt)
{
    public Stream OpenContent() =>
        BufferedContent is { } buffered
            ? ReadOnlyMemoryStream.Over(buffered)
            : new FileStream(ContentPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
}

public enum DispositionAction
{
    /// <summary>Queue for delivery to every envelope recipient.</summary>
    Deliver,

    /// <summary>Refuse at the end of DATA (550 5.7.1 with <see cref="MessageDecision.Reason"/>); nothing is kept.</summary>
    Reject,

    /// <summary>
    /// Accept (250) but do not deliver: only <see cref="MessageDecision.Notices"/>, the bounce-back
    /// warning with the original attached, is queued, to the sender.
    /// </summary>
    Return,

    /// <summary>Accept (250 with the quarantine id) and keep the exact bytes and envelope in quarantine for review.</summary>
    Hold,
}

/// <summary>A message MailGuard itself sends because of a decision (a notice to the sender), from the null reverse-path.</summary>
public sealed record OutgoingNotice(string To, byte[] Content);

/// <param name="ReplacementContent">When set, these bytes are queued instead of the received ones (verdict headers, hidden recipients).</param>
/// <param name="Notices">Queued in the same transaction as the message (or its quarantine record), before the reply.</param>
/// <param name="Hold">Why the message is held, for <see cref="DispositionAction.Hold"/>.</param>
/// <param name="AppliedAction">
/// The policy action a delivery carries out (tag, rewrite-bcc), for the metrics; null when no
/// policy decided or the action is the disposition itself.
/// </param>
public readonly record struct MessageDecision(DispositionAction Action, string? Reason = null, ReadOnlyMemory<byte>? ReplacementContent = null, IReadOnlyList<OutgoingNotice>? Notices = null, HoldDetails? Hold = null, PolicyAction? AppliedAction = null)
{
    public static MessageDecision Deliver { get; } = new(DispositionAction.Deliver);
}

/// <summary>
/// Decides what becomes of a received message before the client's final reply. Inspection and
/// policy (issues 4 and 5) replace the default, which delivers everything; the relay makes the
/// decision durable and answers accordingly. Runs within the client's wait after the final dot
/// (RFC 5321 §4.5.3.2.6 gives the client 10 minutes), so it must be bounded.
/// </summary>
public interface IMessageDisposition
{
    ValueTask<MessageDecision> DecideAsync(IngressMessage message, CancellationToken cancellationToken);
}

/// <summary>Until inspection lands: every message is delivered.</summary>
internal sealed class DeliverAllDisposition : IMessageDisposition
{
    public ValueTask<MessageDecision> DecideAsync(IngressMessage message, CancellationToken cancellationToken) =>
        ValueTask.FromResult(MessageDecision.Deliver);
}

/// <summary>Checks AUTH credentials. The default knows no users, so AUTH always fails until a user store is configured.</summary>
public interface IRelayAuthenticator
{
    ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken);
}

internal sealed class NoUsersAuthenticator : IRelayAuthenticator
{
    public ValueTask<bool> AuthenticateAsync(string userName, string password, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}

/// <summary>Wakes idle delivery workers when the relay queues mail, so delivery does not wait for the next poll.</summary>
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

internal static class EnvelopeFlags
{
    public static MessageFlags Of(SmtpEnvelope envelope) =>
        (envelope.BodyType == SmtpBodyType.EightBitMime ? MessageFlags.EightBit : MessageFlags.None)
        | (envelope.SmtpUtf8 ? MessageFlags.SmtpUtf8 : MessageFlags.None);
}

/// <summary>A read-only stream over content already in memory, without copying it when it is array-backed.</summary>
internal static class ReadOnlyMemoryStream
{
    public static MemoryStream Over(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
