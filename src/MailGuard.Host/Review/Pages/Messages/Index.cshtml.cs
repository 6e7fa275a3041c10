using System.Globalization;
using MailGuard.Inspection;
using MailGuard.Inspection.Detection;
using MailGuard.Core.Policy;
using MailGuard.Core.Store;
using Microsoft.AspNetCore.Mvc;

namespace MailGuard.Host.Review.Pages;

public sealed class MessagesModel : ConsolePageModel
{
    public const int PageSize = 50;
    private readonly IReviewStore _store;
    private readonly PolicyOptions _policy;
    private readonly TimeProvider _time;

    public MessagesModel(IReviewStore store, PolicyOptions policy, TimeProvider time)
    {
        _store = store;
        _policy = policy;
        _time = time;
    }

    /// <summary>One table row: the record with what the reviewer sees of it (subject masked).</summary>
    public sealed record Row(QuarantineRecord Record, string Subject, string Summary, string VisibleExternal, string Age);

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

    public async Task<IActionResult> OnGetAsync()
    {
        // An empty ?status= binds as null.
        if (StatusName is null || !ApiEndpoints.TryStatus(StatusName, out var status))
        {
            StatusName = "held";
            status = QuarantineStatus.Held;
        }

        Status = status;
        if (!IsAdmin && MessageView.SearchRevealsIdentifier(Q, DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime)))
        {
            // Nothing is listed for a refused search: not even "no match" may answer it.
            SearchRefused = true;
            return Page();
        }

        ApiEndpoints.TryDate(From, out var from);
        ApiEndpoints.TryDate(To, out var to);
        // Bounded so that the offset, (page - 1) * PageSize, cannot overflow to a negative number.
        PageNumber = Math.Clamp(PageNumber, 1, int.MaxValue / PageSize);
        Result = await _store.QueryQuarantineAsync(
            new QuarantineQuery(status, NullIfEmpty(Rule), NullIfEmpty(Sender), from, to is { } end && end < DateTimeOffset.MaxValue.AddDays(-1) ? end.AddDays(1) : to, NullIfEmpty(Q), (PageNumber - 1) * PageSize, PageSize),
            HttpContext.RequestAborted);
        var now = _time.GetUtcNow();
        foreach (var record in Result.Items)
        {
            var findings = FindingsJson.Deserialize(record.FindingsJson);
            var exposed = findings.FirstOrDefault(f => f.Kind == FindingKinds.ExposedRecipients);
            Rows.Add(new Row(
                record,
                record.Subject is null ? "(no subject)" : TextRedactor.Redact(record.Subject, DateOnly.FromDateTime(record.HeldAt.UtcDateTime)),
                record.Summary ?? record.Reason ?? "",
                exposed?.Count.ToString("N0", CultureInfo.InvariantCulture) ?? "0",
                Age(now - record.HeldAt)));
        }

        return Page();
    }

    public string PageLink(long page) =>
        "/messages?" + string.Join("&", new (string Key, string? Value)[] { ("status", StatusName), ("rule", Rule), ("sender", Sender), ("from", From), ("to", To), ("q", Q), ("page", page.ToString(CultureInfo.InvariantCulture)) }
            .Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    public static string Age(TimeSpan age) =>
        age.TotalMinutes < 1 ? "just now" : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min" : age.TotalDays < 2 ? $"{(int)age.TotalHours} h" : $"{(int)age.TotalDays} days";

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
