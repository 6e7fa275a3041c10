using MailGuard.Core.Dispositions;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;

namespace MailGuard.Host.Review;

/// <summary>The notice that tells the sender of a reviewer's decision, with the reviewer's note to them.</summary>
public sealed partial class ReviewActions
{
    /// <summary>Characters kept of a note to the sender: a few paragraphs.</summary>
    public const int MaxNoteLength = PolicyNotice.MaxNoteToSenderChars;

    /// <summary>The audit action recording what the sender was told (the note) and whether the notice went.</summary>
    public const string SenderNotifiedAction = "sender-notified";

    /// <summary>A note to the sender as it will be mailed: one line, bounded, identifiers masked; null when nothing is left.</summary>
    public string? CleanNote(string? note) =>
        NoticeText.Masked(note, MaxNoteLength, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime)) is { Length: > 0 } clean ? clean : null;

    private Task<HeldReturn> SenderNoticeAsync(QuarantineRecord record, ReviewVerb verb, string? noteToSender, string actor, CancellationToken cancellationToken)
    {
        var kind = verb switch
        {
            ReviewVerb.Return => PolicyNoticeKind.Returned,
            ReviewVerb.Delete => PolicyNoticeKind.Deleted,
            _ => PolicyNoticeKind.Released,
        };
        var notices = new HeldMessageNotices(_internalDomains, _relay.ServerName, _policy, _time);
        return notices.BuildAsync(_store, record, kind, noteToSender, attachOriginal: verb == ReviewVerb.Return, actor, cancellationToken: cancellationToken);
    }

    /// <summary>When the reviewer wrote a note, the trail shows what the sender was told (the audit reason is not mailed), or why nothing went.</summary>
    private Task AuditSenderNoticeAsync(string messageId, string actor, string? noteToSender, HeldReturn notice, CancellationToken cancellationToken)
    {
        if (noteToSender is null)
        {
            return Task.CompletedTask;
        }

        string detail = notice.Notice is not null ? "notice queued to the sender" : "no notice: " + (notice.Refusal ?? "the content was gone");
        return _store.AppendAuditAsync(new AuditEvent(_time.GetUtcNow(), actor, SenderNotifiedAction, messageId, noteToSender, detail), cancellationToken);
    }
}
