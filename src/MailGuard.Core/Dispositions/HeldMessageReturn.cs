using MailGuard.Inspection;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Mime;

namespace MailGuard.Core.Dispositions;

/// <summary>
/// What returning a held message would do: queue <see cref="Notice"/> (null when the content is
/// gone and there is nothing to attach), or nothing at all because the sender must not get it
/// (<see cref="Refusal"/> says why, for the reviewer).
/// </summary>
public sealed record HeldReturn(NewMessage? Notice, string? Refusal)
{
    public bool Refused => Refusal is not null;
}

/// <summary>The bounce-back warning for a held message that a reviewer or retention sends back.</summary>
public static class HeldMessageReturn
{
    /// <summary>
    /// The notice, queued from the null sender to the original sender, with the original attached.
    /// Refused when the sender is not verified (<see cref="VerifiedSender"/>): a held message's
    /// envelope sender may be forged, and the return would mail the guarded original to whoever
    /// it names. Refused too when RFC 3834 forbids answering it (null sender, automatic or list
    /// mail): a "return" that sends nothing would only be a delete under another name.
    /// </summary>
    public static async Task<HeldReturn> BuildAsync(IQuarantineStore store, QuarantineRecord record, DomainSet internalDomains, string? reason, string serverName, NoticeTemplates? templates, TimeProvider time, string actor, CancellationToken cancellationToken = default)
    {
        if (WhyNotReturnable(record, internalDomains) is { } refusal)
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
        byte[] bytes = PolicyNotice.Build(
            new PolicyNoticeRequest(PolicyNoticeKind.Returned, serverName, record.MessageId, record.MailFrom, record.MailFrom, record.Subject,
                reason ?? record.Reason, FindingsJson.Deserialize(record.FindingsJson), null, record.Recipients, time.GetUtcNow(), copy),
            templates);
        return new HeldReturn(new NewMessage(MessageIds.New(time), string.Empty, [record.MailFrom], time.GetUtcNow(), null, null, actor, bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes), null);
    }

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
