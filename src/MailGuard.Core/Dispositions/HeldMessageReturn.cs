using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Dispositions;

/// <summary>
/// What a notice about a held message would be: <see cref="Notice"/> to queue (null when there is
/// nothing to send: the content is gone), or nothing at all because the sender must not get it
/// (<see cref="Refusal"/> says why, for the reviewer).
/// </summary>
public sealed record HeldReturn(NewMessage? Notice, string? Refusal)
{
    public bool Refused => Refusal is not null;
}

/// <summary>
/// The notices that follow a decision about a held message, to its sender: returned (with the
/// original attached), released, deleted, expired (with the original when retention returns it).
/// They carry the rule's reason and words for senders and the reviewer's note to the sender,
/// never the reason a reviewer gave for the audit log.
/// </summary>
/// <param name="Policy">The rules (for Policy:Rules:N:SenderMessage) and Policy:Notifications.</param>
public sealed record HeldMessageNotices(DomainSet InternalDomains, string ServerName, PolicyOptions Policy, TimeProvider Time)
{
    /// <summary>
    /// The notice of <paramref name="kind"/>, queued from the null sender to the original sender.
    /// Refused when the sender is not verified (<see cref="VerifiedSender"/>): a held message's
    /// envelope sender may be forged, and a return would mail the guarded original to whoever it
    /// names. Refused too when RFC 3834 forbids answering it (null sender, automatic or list mail).
    /// Read before the decision: a delete drops the content the check reads.
    /// </summary>
    /// <param name="attachOriginal">Attach the held original (a return); otherwise only the masked account goes.</param>
    /// <param name="withdrawUrl">The sender's withdraw link, for a notice about a message still held.</param>
    public async Task<HeldReturn> BuildAsync(IQuarantineStore store, QuarantineRecord record, PolicyNoticeKind kind, string? noteToSender, bool attachOriginal, string actor, string? withdrawUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (HeldMessageReturn.WhyNotReturnable(record, InternalDomains) is { } refusal)
        {
            return new HeldReturn(null, refusal);
        }

        await using var content = await store.OpenContentAsync(record.MessageId, cancellationToken);
        if (content is null)
        {
            return new HeldReturn(null, null);
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        using (var doc = MimeDocument.Load(copy, leaveOpen: true))
        {
            if (!PolicyNotice.MayNotifySender(record.MailFrom, doc.Message.Headers))
            {
                return new HeldReturn(null, "it is automatic, list or bounce mail (or from a no-reply address), which MailGuard never answers (RFC 3834)");
            }
        }

        copy.Position = 0;
        var now = Time.GetUtcNow();
        byte[] bytes = PolicyNotice.Build(
            new PolicyNoticeRequest(kind, ServerName, record.MessageId, record.MailFrom, record.MailFrom, record.Subject,
                record.Reason, FindingsJson.Deserialize(record.FindingsJson), null, attachOriginal ? record.Recipients : [], now, attachOriginal ? copy : null,
                SenderMessage: Policy.SenderMessageFor(record.Rule), NoteToSender: noteToSender, WithdrawUrl: withdrawUrl, ByReviewer: kind == PolicyNoticeKind.Returned),
            Policy.Notifications);
        return new HeldReturn(new NewMessage(MessageIds.New(Time), string.Empty, [record.MailFrom], now, null, null, actor, bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes), null);
    }
}

/// <summary>Whether a held message may go back to its sender.</summary>
public static class HeldMessageReturn
{
    /// <summary>Why the held message cannot go back to its envelope sender, judged from the record alone; null when it can.</summary>
    public static string? WhyNotReturnable(QuarantineRecord record, DomainSet internalDomains)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.MailFrom.Length == 0)
        {
            return "it came from the null sender (<>), which is never answered";
        }

        return VerifiedSender.IsVerified(record.MailFrom, record.AuthIdentity, internalDomains)
            ? null
            : "its envelope sender is not in Policy:InternalDomains and the submitter did not authenticate as that address, so the sender may be forged and the original would go to whoever it names";
    }
}
