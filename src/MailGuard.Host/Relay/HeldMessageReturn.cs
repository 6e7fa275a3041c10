using MailGuard.Core.Inspection;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Mime;

namespace MailGuard.Host.Relay;

/// <summary>The bounce-back warning for a held message that a reviewer or retention sends back.</summary>
internal static class HeldMessageReturn
{
    /// <summary>
    /// The notice, queued from the null sender to the original sender, with the original attached;
    /// null when there is no content left or the sender must not be answered (RFC 3834).
    /// </summary>
    public static async Task<NewMessage?> BuildAsync(IQuarantineStore store, QuarantineRecord record, string? reason, string serverName, NoticeTemplates? templates, TimeProvider time, string actor, CancellationToken cancellationToken = default)
    {
        await using var content = await store.OpenContentAsync(record.MessageId, cancellationToken);
        if (content is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        using (var doc = MimeDocument.Load(copy, leaveOpen: true))
        {
            if (!PolicyNotice.MayNotifySender(record.MailFrom, doc.Message.Headers))
            {
                return null;
            }
        }

        copy.Position = 0;
        byte[] bytes = PolicyNotice.Build(
            new PolicyNoticeRequest(PolicyNoticeKind.Returned, serverName, record.MessageId, record.MailFrom, record.MailFrom, record.Subject,
                reason ?? record.Reason, FindingsJson.Deserialize(record.FindingsJson), null, record.Recipients, time.GetUtcNow(), copy),
            templates);
        return new NewMessage(MessageIds.New(time), string.Empty, [record.MailFrom], time.GetUtcNow(), null, null, actor, bytes.Length, MessageFlags.EightBit, MessageKind.DeliveryStatusNotification, bytes);
    }
}
