using Dapper;

namespace MailGuard.Core.Store;

/// <summary>The review console's summaries: the list's release-request marker and the dashboard's reviewer figures.</summary>
internal static partial class StoreSql
{
    /// <summary>The audit actions that are a reviewer's decision (or first approval) on a held message.</summary>
    public static readonly IReadOnlyList<string> ReviewerDecisionActions = ["release", "release-bcc-fix", "return", "delete", "release-approved"];

    /// <summary>Decision waits read at most; the dashboard's median and mean are over these.</summary>
    public const int MaxDecisionWaits = 10_000;

    public static StoreRead<IReadOnlySet<string>> ListRequestedHeld() => async (c, ct) =>
        (await c.QueryAsync<string>(Command(
            "SELECT DISTINCT h.message_id FROM quarantine h JOIN audit_log a ON a.message_id = h.message_id WHERE h.status = 0 AND a.action = 'release-requested'",
            null,
            null,
            ct))).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Decisions by reviewers are those not made by MailGuard itself (retention expiry is 'mailguard'
    /// and an 'expire' action, never counted). One read transaction would be ideal; three cheap
    /// statements are close enough for a dashboard.
    /// </summary>
    public static StoreRead<ReviewStats> GetReviewStats(DateTimeOffset since) => async (c, ct) =>
    {
        long from = since.ToUnixTimeMilliseconds();
        var byAction = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (action, n) in await c.QueryAsync<(string, long)>(Command(
            "SELECT action, COUNT(*) FROM audit_log WHERE at >= @from AND actor <> 'mailguard' AND action IN (" + string.Join(", ", ReviewerDecisionActions.Select(a => "'" + a + "'")) + ") GROUP BY action",
            new { from },
            null,
            ct)))
        {
            byAction[action] = n;
        }

        var waits = (await c.QueryAsync<long>(Command(
            "SELECT decided_at - held_at FROM quarantine WHERE decided_at >= @from AND status IN (1, 2, 3) AND decided_by <> 'mailguard' ORDER BY decided_at DESC LIMIT @n",
            new { from, n = MaxDecisionWaits },
            null,
            ct))).Select(ms => TimeSpan.FromMilliseconds(Math.Max(0, ms))).ToList();
        long? oldest = await c.ExecuteScalarAsync<long?>(Command("SELECT MIN(held_at) FROM quarantine WHERE status = 0", null, null, ct));
        return new ReviewStats(byAction, waits, oldest is { } o ? DateTimeOffset.FromUnixTimeMilliseconds(o) : null);
    };
}
