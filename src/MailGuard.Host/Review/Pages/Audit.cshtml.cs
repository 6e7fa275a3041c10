using System.Globalization;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// The audit log: filters by who, what, message and day (in Console:TimeZone), each event with the
/// subject of its message masked as everywhere else, and a CSV export of what the filters select
/// (times in UTC, ISO 8601), itself audited.
/// </summary>
public sealed partial class AuditModel : ConsolePageModel
{
    public const int PageSize = 100;

    /// <summary>Events one CSV export holds at most (newest first).</summary>
    public const int MaxExport = 50_000;

    public const string ExportAction = "audit-exported";

    private readonly IReviewStore _store;
    private readonly IQuarantineStore _quarantine;

    public AuditModel(IReviewStore store, IQuarantineStore quarantine)
    {
        _store = store;
        _quarantine = quarantine;
    }

    [BindProperty(SupportsGet = true, Name = "actor")]
    public string? ActorFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? ActionFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "message")]
    public string? MessageFilter { get; set; }

    /// <summary>First day shown (yyyy-MM-dd, in Console:TimeZone).</summary>
    [BindProperty(SupportsGet = true, Name = "from")]
    public string? FromDay { get; set; }

    /// <summary>Last day shown, inclusive.</summary>
    [BindProperty(SupportsGet = true, Name = "to")]
    public string? ToDay { get; set; }

    // Not [BindProperty]: Razor Pages route values (bound first) always carry "page", the page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    /// <summary>Masked subjects of the messages the listed events are about.</summary>
    public IReadOnlyDictionary<string, string> Subjects { get; private set; } = new Dictionary<string, string>();

    public async Task<IActionResult> OnGetAsync(string? format)
    {
        if (format == "csv")
        {
            return await ExportAsync();
        }

        // Bounded so that the offset, (page - 1) * PageSize, cannot overflow to a negative number.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        Events = await _store.QueryAuditAsync(Query((PageNumber - 1) * PageSize, PageSize), HttpContext.RequestAborted);
        Subjects = await SubjectsAsync(Events);
        return Page();
    }

    private AuditQuery Query(int offset, int limit)
    {
        DateTimeOffset? from = Day(FromDay) is { } f ? Clock.StartOfDay(f) : null;
        DateTimeOffset? to = Day(ToDay) is { } t && t < DateOnly.MaxValue ? Clock.StartOfDay(t.AddDays(1)) : null;
        return new AuditQuery(Trim(ActorFilter), Trim(ActionFilter), Trim(MessageFilter), offset, limit, from, to);
    }

    private async Task<IActionResult> ExportAsync()
    {
        var events = await _store.QueryAuditAsync(Query(0, MaxExport), HttpContext.RequestAborted);
        var subjects = await SubjectsAsync(events);
        var csv = new StringBuilder();
        csv.Append("at_utc,actor,action,message_id,subject_masked,reason,detail\r\n");
        foreach (var e in events)
        {
            csv.AppendJoin(',', new[]
            {
                e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                e.Actor,
                e.Action,
                e.MessageId ?? "",
                e.MessageId is { } id && subjects.TryGetValue(id, out var s) ? s : "",
                e.Reason ?? "",
                e.Detail ?? "",
            }.Select(Cell)).Append("\r\n");
        }

        string filters = string.Join(" ", new (string, string?)[] { ("actor", ActorFilter), ("action", ActionFilter), ("message", MessageFilter), ("from", FromDay), ("to", ToDay) }
            .Where(p => !string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1 + "=" + p.Item2!.Trim()));
        await _quarantine.AppendAuditAsync(new AuditEvent(Clock.Now, Actor, ExportAction, null, null, $"{events.Count} events{(filters.Length > 0 ? "; " + filters : "")}"), HttpContext.RequestAborted);
        LogExported(HttpContext.RequestServices.GetRequiredService<ILogger<AuditModel>>(), Actor, events.Count);
        string name = "mailguard-audit-" + Clock.Local(Clock.Now).ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture) + ".csv";
        return File(new UTF8Encoding(encoderShouldEmitUTF8Identifier: true).GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", name);
    }

    /// <summary>
    /// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a field a
    /// spreadsheet would read as a formula (=, +, -, @, tab, CR) gets a leading apostrophe.
    /// </summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private async Task<IReadOnlyDictionary<string, string>> SubjectsAsync(IReadOnlyList<AuditEvent> events)
    {
        var subjects = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string id in events.Select(e => e.MessageId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (await _quarantine.GetQuarantineAsync(id, HttpContext.RequestAborted) is { } record)
            {
                subjects[id] = record.Subject is null ? "(no subject)" : TextRedactor.Redact(record.Subject, DateOnly.FromDateTime(record.HeldAt.UtcDateTime));
            }
        }

        return subjects;
    }

    public string PageLink(int page) => Link(("page", page.ToString(CultureInfo.InvariantCulture)));

    public string CsvLink => Link(("format", "csv"));

    private string Link((string Key, string Value) extra) =>
        "/audit?" + string.Join("&", new (string Key, string? Value)[] { ("actor", ActorFilter), ("action", ActionFilter), ("message", MessageFilter), ("from", FromDay), ("to", ToDay), extra }
            .Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    private static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.AuditExported, Level = LogLevel.Information, Message = "Audit log exported as CSV by {Actor}: {Events} events")]
    private static partial void LogExported(ILogger logger, string actor, int events);
}
