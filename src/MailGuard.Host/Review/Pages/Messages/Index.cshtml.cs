using System.Globalization;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using MailGuard.Inspection.Detection;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed partial class MessagesModel : ConsolePageModel
{
    public const int PageSize = 50;

    /// <summary>Records read to sort by something other than time (severity, destination): the sort covers the newest this many.</summary>
    public const int SortWindow = 1000;

    private readonly IReviewStore _store;
    private readonly PolicyOptions _policy;
    private readonly ReviewActions _actions;
    private readonly TimeProvider _time;

    public MessagesModel(IReviewStore store, PolicyOptions policy, ReviewActions actions, TimeProvider time)
    {
        _store = store;
        _policy = policy;
        _actions = actions;
        _time = time;
    }

    /// <summary>One table row: the record with what the reviewer sees of it (subject masked, destination, severity, request marker).</summary>
    public sealed record Row(QuarantineRecord Record, string Subject, string Summary, string Destination, HoldSeverity Severity, bool ReleaseRequested, string Age, IReadOnlyList<string> Rules);

    [BindProperty(SupportsGet = true, Name = "status")]
    public string StatusName { get; set; } = "held";

    [BindProperty(SupportsGet = true)]
    public string? Rule { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sender { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    /// <summary>newest (default), oldest, severity, destination, sender.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Sort { get; set; }

    // Not [BindProperty]: Razor Pages route values (bound first) always carry "page", the page's own path.
    [FromQuery(Name = "page")]
    public int PageNumber { get; set; } = 1;

    public QuarantineStatus? Status { get; private set; }

    /// <summary>The search looked like an identifier and was ignored (reviewers only).</summary>
    public bool SearchRefused { get; private set; }

    public QuarantinePage Result { get; private set; } = new([], 0);

    public List<Row> Rows { get; } = [];

    public IReadOnlyList<string> Rules => _policy.Rules.Select(r => r.Name).Where(n => n.Length > 0).Distinct().ToList();

    public long PageCount => Math.Max(1, (Result.Total + PageSize - 1) / PageSize);

    public static IReadOnlyList<(string Key, string Label)> Sorts { get; } =
        [("newest", "newest first"), ("oldest", "oldest first"), ("severity", "severity"), ("destination", "most external domains"), ("sender", "sender")];

    public async Task<IActionResult> OnGetAsync()
    {
        await ListAsync();
        return Page();
    }

    private async Task ListAsync()
    {
        // An empty ?status= binds as null.
        if (StatusName is null || !ApiEndpoints.TryStatus(StatusName, out var status))
        {
            StatusName = "held";
            status = QuarantineStatus.Held;
        }

        Status = status;
        Sort = Sorts.Any(s => s.Key == Sort) ? Sort : "newest";
        if (!IsAdmin && MessageView.SearchRevealsIdentifier(Q, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime)))
        {
            // Nothing is listed for a refused search: not even "no match" may answer it.
            SearchRefused = true;
            return;
        }

        // Dates are days in the console's time zone.
        DateTimeOffset? from = DateOnly.TryParseExact(From, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fromDay) ? Clock.StartOfDay(fromDay) : null;
        DateTimeOffset? to = DateOnly.TryParseExact(To, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var toDay) && toDay < DateOnly.MaxValue ? Clock.StartOfDay(toDay.AddDays(1)) : null;
        // Bounded so that the offset, (page - 1) * PageSize, cannot overflow to a negative number.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        // Time and sender orders are the store's: every page of every match. Severity and
        // destination come from each hold's stored inspection, so they order the newest
        // SortWindow matches, and the page says so when there are more.
        QuarantineOrder? stored = Sort switch
        {
            "newest" => QuarantineOrder.Newest,
            "oldest" => QuarantineOrder.Oldest,
            "sender" => QuarantineOrder.Sender,
            _ => null,
        };
        var query = stored is { } order
            ? new QuarantineQuery(status, NullIfEmpty(Rule), NullIfEmpty(Sender), from, to, NullIfEmpty(Q), (PageNumber - 1) * PageSize, PageSize, order)
            : new QuarantineQuery(status, NullIfEmpty(Rule), NullIfEmpty(Sender), from, to, NullIfEmpty(Q), 0, SortWindow);
        Result = await _store.QueryQuarantineAsync(query, HttpContext.RequestAborted);
        var requested = await _store.ListRequestedHeldAsync(HttpContext.RequestAborted);
        var now = _time.GetUtcNow();
        var rows = Result.Items.Select(record => ToRow(record, requested.Contains(record.MessageId), now));
        Matches = Result.Total;
        if (stored is not null)
        {
            Rows.AddRange(rows);
            return;
        }

        rows = Sort switch
        {
            "severity" => rows.OrderByDescending(r => r.Severity).ThenBy(r => r.Record.HeldAt),
            _ => rows.OrderByDescending(r => _actions.Inspections.Facts(r.Record).ExternalDomains.Count).ThenBy(r => r.Record.HeldAt),
        };
        Rows.AddRange(rows.Skip((PageNumber - 1) * PageSize).Take(PageSize));
        SortedAmong = Result.Total > SortWindow ? SortWindow : null;
        Result = Result with { Total = Math.Min(Result.Total, SortWindow) };
    }

    /// <summary>How many messages match in all (the list's pages may cover fewer; see <see cref="SortedAmong"/>).</summary>
    public long Matches { get; private set; }

    /// <summary>Set when a computed sort (severity, destination) covers only the newest this many of more matches.</summary>
    public int? SortedAmong { get; private set; }

    private Row ToRow(QuarantineRecord record, bool requested, DateTimeOffset now)
    {
        var facts = _actions.Inspections.Facts(record);
        var d = facts.ExternalDomains;
        string destination = d.Count == 0
            ? "internal only"
            : string.Create(CultureInfo.InvariantCulture, $"{d.Count} {(d.Count == 1 ? "domain" : "domains")}: ") + string.Join(", ", d.Take(3).Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Domain} ({x.Recipients})"))) + (d.Count > 3 ? ", …" : "");
        return new Row(
            record,
            record.Subject is null ? "(no subject)" : TextRedactor.Redact(record.Subject, DateOnly.FromDateTime(record.HeldAt.UtcDateTime)),
            record.Summary ?? record.Reason ?? "",
            destination,
            facts.Severity,
            requested && record.Status == QuarantineStatus.Held,
            Age(now - record.HeldAt),
            facts.Rules.Where(r => !r.AuditOnly).Select(r => r.Name).ToList());
    }

    public string PageLink(long page) => Link(Sort, page);

    public string SortLink(string sort) => Link(sort, 1);

    private string Link(string? sort, long page) =>
        "/messages?" + string.Join("&", new (string Key, string? Value)[] { ("status", StatusName), ("rule", Rule), ("sender", Sender), ("from", From), ("to", To), ("q", Q), ("sort", sort == "newest" ? null : sort), ("page", page.ToString(CultureInfo.InvariantCulture)) }
            .Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    public static string Age(TimeSpan age) =>
        age.TotalMinutes < 1 ? "just now" : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min" : age.TotalDays < 2 ? $"{(int)age.TotalHours} h" : $"{(int)age.TotalDays} days";

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
