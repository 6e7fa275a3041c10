using System.Globalization;
using System.Security.Claims;
using System.Text.Json.Serialization;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review;

/// <summary>
/// The API of ARCHITECTURE.md ("HTTP"): `GET /api/messages?status=held`, `GET /api/messages/{id}`,
/// `POST /api/messages/{id}/release|return|delete` with `{"reason": "..."}` (release also takes
/// `"bcc_fix": true`). Bearer tokens only; errors are RFC 9457 problem details; every action goes
/// through <see cref="ReviewActions"/> and so lands in the audit log.
/// </summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization(ReviewConsole.ApiPolicy);
        api.MapGet("/messages", ListAsync);
        api.MapGet("/messages/{id}", GetAsync);
        api.MapPost("/messages/{id}/{action}", ActAsync);
    }

    /// <param name="Reason">For the audit log; never mailed.</param>
    /// <param name="NoteToSender">Mailed to the sender in the notice of the decision.</param>
    public sealed record ActionRequest(
        [property: JsonPropertyName("reason")] string? Reason,
        [property: JsonPropertyName("bcc_fix")] bool BccFix = false,
        [property: JsonPropertyName("note_to_sender")] string? NoteToSender = null,
        [property: JsonPropertyName("confirm")] bool Confirm = false);

    private static async Task<IResult> ListAsync(HttpContext context, [FromServices] IReviewStore store, string? status, string? rule, string? sender, string? q, string? from, string? to, int? offset, int? limit)
    {
        if (!TryStatus(status ?? "held", out var parsed))
        {
            return Problem(400, "Bad request", "status must be held, released, returned, deleted, expired or all");
        }

        if (!TryDate(from, out var heldFrom) || !TryDate(to, out var heldTo))
        {
            return Problem(400, "Bad request", "from and to are ISO 8601 dates or times");
        }

        if (!context.User.IsInRole("admin") && MessageView.SearchRevealsIdentifier(q, DateOnly.FromDateTime(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime)))
        {
            return Problem(403, "Forbidden", "reviewer tokens search for words or a message reference: digits and '@' need an admin token, as searching for (part of) a number or address would tell whether a held message carries it");
        }

        int take = Math.Clamp(limit ?? 100, 1, 1000);
        int skip = Math.Max(offset ?? 0, 0);
        var page = await store.QueryQuarantineAsync(new QuarantineQuery(parsed, rule, sender, heldFrom, heldTo, q, skip, take), context.RequestAborted);
        return Results.Json(new { total = page.Total, offset = skip, items = page.Items.Select(Summary) });
    }

    private static async Task<IResult> GetAsync(HttpContext context, [FromServices] IQuarantineStore store, [FromServices] ReviewActions actions, string id)
    {
        if (!MessageIds.IsValid(id))
        {
            return Problem(404, "Not found", "no such message");
        }

        var record = await store.GetQuarantineAsync(id, context.RequestAborted);
        if (record is null)
        {
            return Problem(404, "Not found", "no such message in quarantine");
        }

        var audit = await store.ListAuditAsync(id, 1000, context.RequestAborted);
        // What the console's message page decides from (rules, severity, confirmation, four-eyes), worked out by the same code.
        var facts = await actions.Inspections.FactsAsync(record, context.RequestAborted);
        bool held = record.Status == QuarantineStatus.Held;
        return Results.Json(new
        {
            message = Summary(record),
            recipients_masked = record.Recipients.Select(MaskRecipient),
            rules = facts.Rules.Select(r => new { name = r.Name, action = r.Action, audit_only = r.AuditOnly, reason = r.Reason }),
            severity = facts.Severity.ToString().ToLowerInvariant(),
            release_confirmation = held && facts.PersonalData ? facts.LeavesStatement : null,
            four_eyes = held && facts.FourEyes,
            bcc_fix_offered = held && facts.BccFixOffered,
            findings = facts.Findings.Select(MessageView.Json),
            release_requests = audit.Where(a => a.Action == "release-requested").Select(a => new { at = a.At, actor = a.Actor, justification = a.Reason }),
            audit = audit.Select(a => new { at = a.At, actor = a.Actor, action = a.Action, reason = a.Reason, detail = a.Detail }),
        });
    }

    private static async Task<IResult> ActAsync(HttpContext context, [FromServices] ReviewActions actions, string id, string action)
    {
        if (action is not ("release" or "return" or "delete"))
        {
            return Problem(404, "Not found", "actions are release, return and delete");
        }

        if (!MessageIds.IsValid(id))
        {
            return Problem(404, "Not found", "no such message");
        }

        ActionRequest? body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<ActionRequest>(context.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(413, "Request too large", "the body is larger than the console accepts");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return Problem(400, "Bad request", "the body must be JSON: {\"reason\": \"...\"}");
        }

        var verb = action switch
        {
            "release" => body?.BccFix == true ? ReviewVerb.ReleaseBccFix : ReviewVerb.Release,
            "return" => ReviewVerb.Return,
            _ => ReviewVerb.Delete,
        };
        string actor = context.User.FindFirstValue(ClaimTypes.Name)!;
        var result = await actions.ApplyAsync(id, verb, actor, body?.Reason, noteToSender: body?.NoteToSender, confirmed: body?.Confirm == true, cancellationToken: context.RequestAborted);
        return result.Outcome switch
        {
            ReviewOutcome.Applied => Results.Json(new { id, action = ReviewActions.Name(verb), applied = true, status = Status(result.Status) }),
            ReviewOutcome.AwaitingSecondReviewer => Results.Json(new { id, action = ReviewActions.Name(verb), applied = false, status = "awaiting-second-reviewer" }, statusCode: 202),
            ReviewOutcome.SecondReviewerRequired => Problem(409, "Second reviewer required", "four-eyes: this message needs a release by a reviewer other than the one who approved it"),
            ReviewOutcome.ReasonRequired => Problem(400, "Reason required", "every action needs a reason: {\"reason\": \"...\"}"),
            ReviewOutcome.NotFound => Problem(404, "Not found", "no such message in quarantine"),
            ReviewOutcome.ReturnRefused => Problem(409, "Cannot return to sender", result.Detail ?? "the message cannot be returned to its sender; delete it instead"),
            ReviewOutcome.ConfirmationRequired => Problem(409, "Confirmation required", $"releasing sends {result.Detail}; repeat with \"confirm\": true"),
            ReviewOutcome.BccFixNotOffered => Problem(409, "Bcc fix not offered", result.Detail ?? "the Bcc fix is only for messages held for exposed recipients alone"),
            _ => Problem(409, "Not held", $"the message is no longer held (it was {Status(result.Status)})"),
        };
    }

    public static object Summary(QuarantineRecord q) => new
    {
        id = q.MessageId,
        reference = Core.Notices.NoticeReference.For(q.MessageId),
        status = Status(q.Status),
        held_at = q.HeldAt,
        mail_from = q.MailFrom,
        recipients = q.Recipients.Count,
        rule = q.Rule,
        reason = q.Reason,
        subject = q.Subject is null ? null : MailGuard.Inspection.Detection.TextRedactor.Redact(q.Subject, DateOnly.FromDateTime(q.HeldAt.UtcDateTime)),
        summary = q.Summary,
        decided_at = q.DecidedAt,
        decided_by = q.DecidedBy,
        decision_reason = q.DecisionReason,
    };

    public static string MaskRecipient(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? RecipientAnalyzer.MaskAddress(address, "") : RecipientAnalyzer.MaskAddress(address[..at], address[(at + 1)..]);
    }

    public static string Status(QuarantineStatus? status) => status?.ToString().ToLowerInvariant() ?? "unknown";

    public static bool TryStatus(string text, out QuarantineStatus? status)
    {
        status = null;
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (Enum.TryParse<QuarantineStatus>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !text.All(char.IsAsciiDigit))
        {
            status = parsed;
            return true;
        }

        return false;
    }

    public static bool TryDate(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}");
}
