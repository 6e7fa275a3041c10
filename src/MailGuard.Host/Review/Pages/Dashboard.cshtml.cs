using System.Globalization;
using MailGuard.Core.Store;
using MailGuard.Host.Delivery;

namespace MailGuard.Host.Review.Pages;

/// <summary>
/// Counts by disposition and rule over time (a server-drawn SVG chart: no script), queue depth and
/// upstream health. Days are calendar days in Console:TimeZone, as the decisions were filed
/// (<see cref="DecisionRecorder"/>), and the reviewer figures cover the same days.
/// </summary>
public sealed class DashboardModel : ConsolePageModel
{
    public const int Days = 14;
    public const int Width = 900;
    public const int Height = 260;
    public const int Left = 44;
    public const int Top = 10;
    public const int PlotHeight = 210;
    public const double Slot = (Width - Left) / (double)Days;

    private static readonly Dictionary<string, string> s_colors = new(StringComparer.Ordinal)
    {
        ["deliver"] = "#5a9e6f",
        ["tag"] = "#8fc1a0",
        ["rewrite-bcc"] = "#4f7fc4",
        ["hold"] = "#e0a030",
        ["return"] = "#c86b3c",
        ["reject"] = "#b3261e",
    };

    private readonly IMessageStore _store;
    private readonly IReviewStore _review;
    private readonly UpstreamHealth _health;
    private readonly TimeProvider _time;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;

    public DashboardModel(IMessageStore store, IReviewStore review, UpstreamHealth health, TimeProvider time, Microsoft.Extensions.Logging.ILogger<DashboardModel> logger)
    {
        _logger = logger;
        _store = store;
        _review = review;
        _health = health;
        _time = time;
    }

    /// <summary>One stacked segment; coordinates are formatted invariantly for the SVG attributes.</summary>
    public sealed record Bar(string X, string Y, string Width, string Height, string Color, string Title);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public sealed record RuleRow(string Rule, string Disposition, long Count);

    public StoreStats? Stats { get; private set; }

    public UpstreamHealthSnapshot Health { get; private set; } = null!;

    public string OldestQueued { get; private set; } = "-";

    public List<Bar> Bars { get; } = [];

    public List<string> DayLabels { get; } = [];

    public List<(string Name, string Color)> Legend { get; } = [];

    public List<RuleRow> ByRule { get; private set; } = [];

    public double MaxPerDay { get; private set; } = 1;

    /// <summary>Reviewers' decisions over the chart's days (release, release-bcc-fix, return, delete, release-approved); null when the store did not answer.</summary>
    public ReviewStats? Reviews { get; private set; }

    /// <summary>Median and mean time from hold to a reviewer's decision, over the same days ("-" when none).</summary>
    public string MedianDecision { get; private set; } = "-";

    public string MeanDecision { get; private set; } = "-";

    /// <summary>How long the oldest message still held has waited ("-" when none).</summary>
    public string OldestHeld { get; private set; } = "-";

    /// <summary>A wait in words: minutes under two hours, hours under two days, else days.</summary>
    public static string Wait(TimeSpan wait) =>
        wait.TotalHours < 2 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)wait.TotalMinutes)} min")
        : wait.TotalDays < 2 ? string.Create(CultureInfo.InvariantCulture, $"{wait.TotalHours:0.#} h")
        : string.Create(CultureInfo.InvariantCulture, $"{wait.TotalDays:0.#} days");

    public async Task OnGetAsync()
    {
        Health = _health.Snapshot();
        var now = _time.GetUtcNow();
        var today = Clock.Today;
        var first = today.AddDays(-(Days - 1));
        IReadOnlyList<DecisionCount> counts;
        try
        {
            Stats = await _store.GetStatsAsync(HttpContext.RequestAborted);
            OldestQueued = Stats.OldestQueuedReceivedAt is { } oldest ? MessagesModel.Age(now - oldest) : "-";
            counts = await _review.ListDecisionCountsAsync(first, today, HttpContext.RequestAborted);
            Reviews = await _review.GetReviewStatsAsync(Clock.StartOfDay(first), HttpContext.RequestAborted);
            if (Reviews.DecisionWaits.Count > 0)
            {
                var sorted = Reviews.DecisionWaits.Order().ToList();
                var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
                MedianDecision = Wait(median);
                MeanDecision = Wait(TimeSpan.FromTicks((long)sorted.Average(w => w.Ticks)));
            }

            OldestHeld = Reviews.OldestHeldAt is { } held ? Wait(now - held) : "-";
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // The page still shows the upstream; the cards say the store did not answer and the chart is empty.
            ConsoleErrors.LogStoreUnavailable(_logger, ex, "dashboard");
            Stats = null;
            counts = [];
        }
        ByRule = counts.GroupBy(c => (c.Rule, c.Disposition)).Select(g => new RuleRow(g.Key.Rule, g.Key.Disposition, g.Sum(c => c.Count)))
            .OrderByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal).ToList();
        var dispositions = counts.Select(c => c.Disposition).Distinct().OrderBy(Order).ThenBy(d => d, StringComparer.Ordinal).ToList();
        var perDay = counts.GroupBy(c => c.Day).ToDictionary(g => g.Key, g => g.GroupBy(c => c.Disposition).ToDictionary(x => x.Key, x => x.Sum(c => c.Count)));
        MaxPerDay = Math.Max(4, perDay.Values.Select(d => d.Values.Sum()).DefaultIfEmpty(0).Max());
        // Round the scale up to a multiple of 4 so the grid lines fall on whole numbers.
        MaxPerDay = Math.Ceiling(MaxPerDay / 4) * 4;
        for (int d = 0; d < Days; d++)
        {
            var day = first.AddDays(d);
            DayLabels.Add(day.ToString("dd MMM", CultureInfo.InvariantCulture));
            double y = Top + PlotHeight;
            if (!perDay.TryGetValue(day, out var byDisposition))
            {
                continue;
            }

            foreach (string disposition in dispositions)
            {
                if (byDisposition.TryGetValue(disposition, out long n) && n > 0)
                {
                    double h = n / MaxPerDay * PlotHeight;
                    y -= h;
                    Bars.Add(new Bar(F(Left + d * Slot + Slot * 0.15), F(y), F(Slot * 0.7), F(h), Color(disposition), string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd} {disposition}: {n:N0}")));
                }
            }
        }

        Legend.AddRange(dispositions.Select(d => (d, Color(d))));
    }

    /// <summary>An SVG text element (Razor reserves the &lt;text&gt; tag); the label is encoded.</summary>
    public static Microsoft.AspNetCore.Html.HtmlString Label(double x, double y, string anchor, string label) =>
        new(string.Create(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"#5b6474\">{System.Net.WebUtility.HtmlEncode(label)}</text>"));

    private static int Order(string disposition) => disposition.StartsWith("would-", StringComparison.Ordinal) ? 10 : disposition switch
    {
        "deliver" => 0,
        "tag" => 1,
        "rewrite-bcc" => 2,
        "hold" => 3,
        "return" => 4,
        "reject" => 5,
        _ => 9,
    };

    private static string Color(string disposition) =>
        s_colors.TryGetValue(disposition, out var c) ? c : disposition.StartsWith("would-", StringComparison.Ordinal) ? "#b08fd0" : "#9aa3b2";
}
