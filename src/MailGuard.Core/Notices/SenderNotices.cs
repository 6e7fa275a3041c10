using System.Globalization;
using MailGuard.Core.Policy;
using MailGuard.Inspection;

namespace MailGuard.Core.Notices;

/// <summary>
/// What each notice to a sender says (<see cref="NoticeDocument"/>): held, returned (by the policy
/// or a reviewer), released, deleted, expired, release request received, recipients hidden. Each
/// says what happened, what was found, and exactly what to do next; a returned message is never
/// offered a release (nothing is kept to release), a held one is offered withdrawal so that a fixed
/// copy is not followed by the original. The reviewer's note to the sender is shown; the reason a
/// reviewer gave for the audit log never reaches this class.
/// </summary>
internal static class SenderNotices
{
    private const int MaxFieldChars = 200;
    private const int MaxReasonChars = 1000;


    public static NoticeDocument Compose(PolicyNoticeRequest r, NotificationOptions options)
    {
        var today = DateOnly.FromDateTime(r.Now.UtcDateTime);
        string subject = Or(NoticeText.Masked(r.OriginalSubject, MaxFieldChars, today), "(no subject)");
        string reason = NoticeText.Masked(r.Reason, MaxReasonChars, today);
        string? ruleMessage = NullIfEmpty(NoticeText.Masked(r.SenderMessage, MaxReasonChars, today));
        string? note = NullIfEmpty(NoticeText.Masked(r.NoteToSender, PolicyNotice.MaxNoteToSenderChars, today));
        string? contact = NullIfEmpty(NoticeText.OneLine(options.Contact, 500));
        string reference = NoticeReference.For(r.Reference);
        var findings = FindingWords.ByFile(r.Findings, today);
        string? exposure = Exposure(r);
        var fixes = Fixes(r);
        string why = reason.Length == 0 ? "" : $" Why: {TrimStop(reason)}.";
        string? attached = r.Original is not null ? "Your original message is attached to this notice." : null;
        string ask = contact is null ? "the security team" : "the security team (see below)";

        NoticeDocument d;
        switch (r.Kind)
        {
            case PolicyNoticeKind.Held:
                d = New("Held for review", NoticeTone.Waiting, $"Your message \"{subject}\" has been held for review. It has not been delivered yet.");
                d.Paragraphs.Add("MailGuard checks mail leaving the organisation for personal data and for recipients who would see each other's addresses. It stopped this message until someone in the security team has looked at it." + why);
                if (r.WithdrawUrl is not null)
                {
                    d.NextSteps.Add("If you can send it without the problem: withdraw the held message first (button below), then fix it and send it again. Withdrawing makes sure the recipients do not get the old copy as well.");
                }
                else
                {
                    d.NextSteps.Add($"If you can send it without the problem, ask {ask} to delete the held message (quote the reference), then fix it and send it again, so that the recipients do not get both.");
                }

                d.NextSteps.AddRange(fixes);
                d.NextSteps.Add(r.ReleaseRequestUrl is not null
                    ? "If it must go exactly as it is: ask for release and say why (button below). A reviewer reads your reason and decides."
                    : $"If it must go exactly as it is: contact {ask}, quoting the reference, and say why.");
                d.NextSteps.Add("Otherwise there is nothing to do: a reviewer will release it, return it or delete it, and MailGuard will tell you which.");
                AddButton(d, "Ask for release", r.ReleaseRequestUrl);
                AddButton(d, "Withdraw this message", r.WithdrawUrl);
                break;

            case PolicyNoticeKind.Returned:
                d = New("Not sent", NoticeTone.Stopped, r.ByReviewer
                    ? $"Your message \"{subject}\" was not sent: a reviewer in the security team returned it to you."
                    : $"Your message \"{subject}\" was not sent. Nobody received it.");
                d.Paragraphs.Add((r.ByReviewer
                    ? "It had been held for review; it has not been delivered to anyone and is no longer held."
                    : "MailGuard checks mail leaving the organisation for personal data and for recipients who would see each other's addresses, and sent this message back to you instead.") + why);
                d.NextSteps.AddRange(fixes);
                d.NextSteps.Add("Then send it again as a new message: it is checked again like any other. Nothing is held, so there is nothing to release.");
                d.NextSteps.Add($"If you believe it must go as it is, talk to {ask} before sending it by an approved route.");
                break;

            case PolicyNoticeKind.Released:
                d = New("Released", NoticeTone.Delivered, $"Your message \"{subject}\" was released by a reviewer and is being delivered to its recipients.");
                d.Paragraphs.Add("It had been held for review." + why);
                d.NextSteps.Add("Nothing to do. If you already sent a corrected copy, its recipients will receive this one as well.");
                break;

            case PolicyNoticeKind.Deleted:
                d = New("Not sent: deleted", NoticeTone.Stopped, $"Your message \"{subject}\" was deleted by a reviewer. It was not delivered and never will be.");
                d.Paragraphs.Add("It had been held for review." + why);
                d.NextSteps.AddRange(fixes);
                d.NextSteps.Add("If it still needs to go, fix it and send it again as a new message: it is checked again like any other.");
                d.NextSteps.Add($"If you are not sure why it was deleted, contact {ask}, quoting the reference.");
                break;

            case PolicyNoticeKind.Expired:
                d = New("Not sent: expired", NoticeTone.Stopped, $"Your message \"{subject}\" was held for review and not released in time. It was not delivered and never will be.");
                d.Paragraphs.Add("Held messages are kept for the retention period your organisation set; this one's ran out before a reviewer released it." + why);
                d.NextSteps.AddRange(fixes);
                d.NextSteps.Add("If it still needs to go, fix it and send it again as a new message: it is checked again like any other.");
                d.NextSteps.Add($"If it must go as it was, contact {ask} first, quoting the reference.");
                break;

            case PolicyNoticeKind.ReleaseRequestReceived:
                d = New("Release requested", NoticeTone.Information, $"Your request to release \"{subject}\" has reached the reviewers.");
                d.Paragraphs.Add("The message stays held until a reviewer decides. You will get another notice when they release, return or delete it.");
                d.NextSteps.Add("Nothing to do now.");
                if (r.WithdrawUrl is not null)
                {
                    d.NextSteps.Add("If you would rather fix the message and send it again, withdraw the held message first (button below), so that the recipients do not get both.");
                }

                AddButton(d, "Withdraw this message", r.WithdrawUrl);
                break;

            default:
                d = New("Delivered: recipients hidden", NoticeTone.Information, $"Your message \"{subject}\" was delivered, but MailGuard moved its external recipients out of To and Cc.");
                d.Paragraphs.Add("Every recipient still received it; they can no longer see each other's addresses.");
                d.NextSteps.Add("Next time, put external recipients in Bcc.");
                break;
        }

        d.RuleMessage = r.Kind == PolicyNoticeKind.ReleaseRequestReceived ? null : ruleMessage;
        d.ReviewerNote = note;
        d.Findings = r.Kind is PolicyNoticeKind.RecipientsHidden or PolicyNoticeKind.ReleaseRequestReceived ? [] : findings;
        d.Exposure = r.Kind == PolicyNoticeKind.ReleaseRequestReceived ? null : exposure;
        d.Contact = contact;
        d.Footer = attached;
        return d;

        NoticeDocument New(string banner, NoticeTone tone, string title) =>
            new() { Banner = banner, Tone = tone, Title = title, Reference = reference, QueueId = NoticeText.OneLine(r.Reference, 100) };
    }

    private static void AddButton(NoticeDocument d, string label, string? url)
    {
        if (url is not null)
        {
            d.Buttons.Add(new NoticeButton(label, NoticeText.OneLine(url, 2000)));
        }
    }

    /// <summary>How to fix the message, from what was found.</summary>
    private static List<string> Fixes(PolicyNoticeRequest r)
    {
        var fixes = new List<string>();
        if (VisibleExternal(r) > 1)
        {
            fixes.Add("Move the external recipients from To and Cc to Bcc.");
        }

        if (r.Findings.Any(f => f.Kind is not (FindingKinds.ExposedRecipients or FindingKinds.Unscannable or FindingKinds.TypeMismatch or FindingKinds.MalformedStructure)))
        {
            fixes.Add("Remove the personal data, or send only what the recipients need (fewer rows or columns). If they must have it, use your organisation's approved secure transfer route.");
        }

        if (r.Findings.Any(f => f.Kind is FindingKinds.Unscannable or FindingKinds.TypeMismatch or FindingKinds.MalformedStructure))
        {
            fixes.Add("Attach files in a form MailGuard can read (not encrypted or password-protected, named for what they are), or agree the transfer with the security team.");
        }

        return fixes;
    }

    private static int VisibleExternal(PolicyNoticeRequest r) =>
        r.Exposure?.VisibleExternal ?? r.Findings.FirstOrDefault(f => f.Kind == FindingKinds.ExposedRecipients)?.Count ?? 0;

    private static string? Exposure(PolicyNoticeRequest r)
    {
        if (r.Exposure is { VisibleExternal: > 1 } e)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{e.VisibleExternal:N0} external recipients ({e.DistinctExternalDomains:N0} organisations or providers) would have seen each other's addresses in To/Cc.");
        }

        int visible = VisibleExternal(r);
        return visible > 1 ? string.Create(CultureInfo.InvariantCulture, $"{visible:N0} external recipients would have seen each other's addresses in To/Cc.") : null;
    }

    private static string TrimStop(string text) => text.TrimEnd('.', ' ');

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
