using System.Globalization;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// Multi-select: one action and one reason for the messages ticked in the list. Each message goes
/// through <see cref="ReviewActions"/> on its own, so four-eyes, the Bcc-fix rule and the audit
/// trail are exactly as for one message; a release that includes personal data first shows what
/// every ticked message would send, and acts only once that is confirmed.
/// </summary>
public sealed partial class MessagesModel
{
    /// <summary>Messages one bulk action takes at most (two pages of the list).</summary>
    public const int MaxBulk = 2 * PageSize;

    /// <summary>A bulk release waiting for confirmation: what each ticked message would send.</summary>
    public IReadOnlyList<(string Id, string Subject, string Leaves)> BulkConfirm { get; private set; } = [];

    public IReadOnlyList<string> BulkIds { get; private set; } = [];

    public string BulkVerb { get; private set; } = "release";

    public string? BulkReason { get; private set; }

    public async Task<IActionResult> OnPostAsync(string[]? ids, string? verb, string? reason, string? confirmed)
    {
        var selected = (ids ?? []).Where(id => MessageIds.IsValid(id)).Distinct(StringComparer.Ordinal).ToList();
        if (!ReviewActions.TryParseVerb(verb, out var parsed) || parsed == ReviewVerb.ReleaseBccFix)
        {
            return BadRequest();
        }

        if (selected.Count == 0 || selected.Count > MaxBulk)
        {
            FlashError = selected.Count == 0 ? "Tick the messages to act on." : $"At most {MaxBulk} messages at once.";
            return Redirect("/messages");
        }

        if (_actions.CleanReason(reason) is null)
        {
            FlashError = "Give a reason: it is recorded in the audit log for every message.";
            return Redirect("/messages");
        }

        if (parsed == ReviewVerb.Release && confirmed != "yes")
        {
            var statements = new List<(string, string, string)>();
            foreach (string id in selected)
            {
                if (await HttpContext.RequestServices.GetRequiredService<IQuarantineStore>().GetQuarantineAsync(id, HttpContext.RequestAborted) is { Status: QuarantineStatus.Held } record
                    && await _actions.Inspections.FactsAsync(record, HttpContext.RequestAborted) is { PersonalData: true, LeavesStatement: { } leaves })
                {
                    statements.Add((id, ToRow(record, false, _time.GetUtcNow()).Subject, leaves));
                }
            }

            if (statements.Count > 0)
            {
                // Nothing done yet: the list again, with what would leave and the form to confirm it.
                BulkConfirm = statements;
                BulkIds = selected;
                BulkVerb = ReviewActions.Name(parsed);
                BulkReason = reason;
                await ListAsync();
                return Page();
            }
        }

        int applied = 0, awaiting = 0, refused = 0;
        foreach (string id in selected)
        {
            var result = await _actions.ApplyAsync(id, parsed, Actor, reason, confirmed: parsed == ReviewVerb.Release && confirmed == "yes", cancellationToken: HttpContext.RequestAborted);
            switch (result.Outcome)
            {
                case ReviewOutcome.Applied:
                    applied++;
                    break;
                case ReviewOutcome.AwaitingSecondReviewer:
                    awaiting++;
                    break;
                default:
                    refused++;
                    break;
            }
        }

        LogBulk(HttpContext.RequestServices.GetRequiredService<ILogger<MessagesModel>>(), ReviewActions.Name(parsed), Actor, selected.Count, applied, awaiting, refused);
        string summary = string.Create(CultureInfo.InvariantCulture, $"{ReviewActions.Name(parsed)} of {selected.Count} messages: {applied} done");
        if (awaiting > 0)
        {
            summary += string.Create(CultureInfo.InvariantCulture, $", {awaiting} approved and waiting for a second reviewer (four-eyes)");
        }

        if (refused > 0)
        {
            summary += string.Create(CultureInfo.InvariantCulture, $", {refused} not done (no longer held, already approved by you, or not returnable; see each message)");
        }

        Flash = summary + ".";
        return Redirect("/messages");
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.BulkReviewAction, Level = LogLevel.Information, Message = "Bulk {Action} by {Actor}: {Selected} messages, {Applied} applied, {Awaiting} awaiting a second reviewer, {Refused} refused")]
    private static partial void LogBulk(ILogger logger, string action, string actor, int selected, int applied, int awaiting, int refused);
}
