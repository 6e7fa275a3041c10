using System.Globalization;
using System.Text.Json;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Inspection;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard quarantine list|show ID|release ID [--bcc-fix] [--confirm]|return ID|delete ID [--reason TEXT] [--note TEXT] [--json]`
/// against the store `run` uses. Every action is audited with the operating system user as the
/// actor. Exit 0 on success, 1 when the message is not (or no longer) held, 2 on usage errors.
/// </summary>
internal static partial class QuarantineCommand
{
    /// <summary>Messages `list` prints at most, newest first.</summary>
    private const int ListLimit = 10_000;

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// <paramref name="verb"/> is list, show, release, return or delete; <paramref name="id"/> is
    /// null for list only. <paramref name="all"/> matters to list, <paramref name="bccFix"/> to
    /// release, <paramref name="reason"/> to the three actions.
    /// </summary>
    public static int Run(string verb, string? id, string? reason, string? note, bool json, bool all, bool bccFix, bool confirm, ConfigurationArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        if (!arguments.TryLoad(out var configuration, out string? error))
        {
            stderr.WriteLine("mailguard quarantine: " + error);
            return 2;
        }

        var options = ConfigurationLoader.Bind(configuration, out var errors);
        var policy = PolicyBinding.Bind(configuration, errors);
        errors = errors.Where(e => e.StartsWith("Storage:", StringComparison.Ordinal) || e.StartsWith("Policy", StringComparison.Ordinal)).ToList();
        if (errors.Count > 0)
        {
            errors.ForEach(e => stderr.WriteLine("mailguard quarantine: " + e));
            return 2;
        }

        if (id is not null && !MessageIds.IsValid(id))
        {
            stderr.WriteLine($"mailguard quarantine: '{id}' is not a message id");
            return 2;
        }

        using var logging = Logging.LogSetup.ForCli(configuration, stderr);
        var logger = logging.CreateLogger(typeof(QuarantineCommand).FullName!);
        return RunAsync(verb, id, reason, note, json, all, bccFix, confirm, options, policy, logger, stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string verb, string? id, string? reason, string? note, bool json, bool all, bool bccFix, bool confirm, MailGuardOptions options, PolicyOptions policy, ILogger logger, TextWriter stdout, TextWriter stderr)
    {
        string directory = Path.GetFullPath(options.Storage.Directory);
        if (!StoreFactory.Exists(options))
        {
            stderr.WriteLine($"mailguard quarantine: no store in {directory}");
            return 2;
        }

        var spool = new MessageSpool(directory);
        await using var owned = StoreFactory.Create(options, spool.Directory, TimeProvider.System);
        var store = (IQuarantineStore)owned;
        await owned.InitializeAsync();
        string actor = CliActor.Current;
        switch (verb)
        {
            case "list":
                var records = await store.ListQuarantineAsync(all ? null : QuarantineStatus.Held, ListLimit);
                if (records.Count == ListLimit)
                {
                    // Never a silent cut: the console and the API page through the rest.
                    stderr.WriteLine($"mailguard quarantine: the newest {ListLimit} are listed; there are more (the console and GET /api/messages page through all)");
                }

                foreach (var q in records)
                {
                    if (json)
                    {
                        stdout.WriteLine(JsonSerializer.Serialize(Review.ApiEndpoints.Summary(q), s_json));
                    }
                    else
                    {
                        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{q.MessageId}  {q.Status.ToString().ToLowerInvariant(),-8} {q.HeldAt:yyyy-MM-dd HH:mm}  {q.MailFrom,-30} {q.Recipients.Count,4} rcpt  {q.Rule ?? "-",-24} {q.Summary}"));
                    }
                }

                if (!json)
                {
                    stdout.WriteLine($"{records.Count} message(s)");
                }

                return 0;
            case "show":
                var record = await store.GetQuarantineAsync(id!);
                if (record is null)
                {
                    stderr.WriteLine($"mailguard quarantine: {id} is not in quarantine");
                    return 1;
                }

                var audit = await store.ListAuditAsync(id, 1000);
                if (json)
                {
                    stdout.WriteLine(JsonSerializer.Serialize(new
                    {
                        message = Review.ApiEndpoints.Summary(record),
                        findings = FindingsJson.Deserialize(record.FindingsJson).Select(f => new { kind = f.Kind, count = f.Count, confidence = f.Confidence.ToString().ToLowerInvariant(), location = f.Location.ToString(), evidence = f.Evidence, summary = f.Summary }),
                        audit = audit.Select(a => new { at = a.At, actor = a.Actor, action = a.Action, reason = a.Reason, detail = a.Detail }),
                    }, s_json));
                }
                else
                {
                    stdout.WriteLine($"{record.MessageId} {record.Status.ToString().ToLowerInvariant()}, held {record.HeldAt:u} by rule {record.Rule ?? "-"}");
                    // Masked as in the JSON form and the console: the subject is the sender's text.
                    stdout.WriteLine($"  from {record.MailFrom} to {record.Recipients.Count} recipient(s); subject: {NoticeText.Masked(record.Subject, 200, DateOnly.FromDateTime(record.HeldAt.UtcDateTime))}");
                    stdout.WriteLine($"  reason: {record.Reason}");
                    foreach (var f in FindingsJson.Deserialize(record.FindingsJson))
                    {
                        stdout.WriteLine("  - " + PolicyNotice.Describe(f, DateOnly.FromDateTime(record.HeldAt.UtcDateTime)));
                    }

                    foreach (var a in audit.Reverse())
                    {
                        stdout.WriteLine($"  {a.At:u} {a.Actor} {a.Action}{(a.Reason is null ? "" : ": " + a.Reason)}{(a.Detail is null ? "" : " (" + a.Detail + ")")}");
                    }
                }

                return 0;
            default:
                // The same rules as the console and the API (four-eyes included), through ReviewActions.
                var actions = new Review.ReviewActions(store, Microsoft.Extensions.Options.Options.Create(options.Console), Microsoft.Extensions.Options.Options.Create(options.Relay), policy, signal: null, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Review.ReviewActions>.Instance);
                var reviewVerb = verb switch
                {
                    "release" => bccFix ? Review.ReviewVerb.ReleaseBccFix : Review.ReviewVerb.Release,
                    "delete" => Review.ReviewVerb.Delete,
                    _ => Review.ReviewVerb.Return,
                };
                var result = await actions.ApplyAsync(id!, reviewVerb, actor, reason, reasonRequired: false, noteToSender: note, confirmed: confirm);
                string status = result.Outcome switch
                {
                    Review.ReviewOutcome.AwaitingSecondReviewer => "awaiting-second-reviewer",
                    Review.ReviewOutcome.SecondReviewerRequired => "second-reviewer-required",
                    Review.ReviewOutcome.NotFound => "not-in-quarantine",
                    Review.ReviewOutcome.ReturnRefused => "return-refused",
                    Review.ReviewOutcome.ConfirmationRequired => "confirmation-required",
                    Review.ReviewOutcome.BccFixNotOffered => "bcc-fix-not-offered",
                    _ => result.Status?.ToString().ToLowerInvariant() ?? "unknown",
                };
                bool applied = result.Outcome == Review.ReviewOutcome.Applied;
                // The event names the message and the actor; the reason stays in the audit log (free text may quote the mail).
                if (!applied)
                {
                    LogDecisionRefused(logger, verb, id!, actor, status);
                }
                else if (verb == "release")
                {
                    LogReleased(logger, id!, actor, bccFix);
                }
                else if (verb == "delete")
                {
                    LogDeleted(logger, id!, actor);
                }
                else
                {
                    LogReturned(logger, id!, actor);
                }

                if (result.Outcome == Review.ReviewOutcome.ConfirmationRequired)
                {
                    stderr.WriteLine($"mailguard quarantine: {id}: releasing sends {result.Detail}; run again with --confirm to release it");
                }
                else if (result.Outcome == Review.ReviewOutcome.BccFixNotOffered)
                {
                    stderr.WriteLine($"mailguard quarantine: {id}: {result.Detail}");
                }

                if (result.Outcome == Review.ReviewOutcome.ReturnRefused)
                {
                    // Said on standard error whatever the output format: the operator must see it.
                    stderr.WriteLine($"mailguard quarantine: {id}: {result.Detail} (mailguard quarantine delete {id})");
                }

                if (json)
                {
                    stdout.WriteLine(result.Detail is { } detail
                        ? JsonSerializer.Serialize(new { id, action = verb, applied, status, message = detail }, s_json)
                        : JsonSerializer.Serialize(new { id, action = verb, applied, status }, s_json));
                }
                else
                {
                    stdout.WriteLine(result.Outcome switch
                    {
                        Review.ReviewOutcome.Applied => $"{id}: {status}",
                        Review.ReviewOutcome.AwaitingSecondReviewer => $"{id}: approval recorded; a second reviewer must release it (Console:FourEyes)",
                        Review.ReviewOutcome.SecondReviewerRequired => $"{id}: you approved it already; a second reviewer must release it (Console:FourEyes)",
                        Review.ReviewOutcome.NotFound => $"{id}: not in quarantine",
                        Review.ReviewOutcome.ReturnRefused => $"{id}: not returned; still held",
                        _ => $"{id}: not held (already {status})",
                    });
                }

                return applied || result.Outcome == Review.ReviewOutcome.AwaitingSecondReviewer ? 0 : 1;
        }
    }
}
