using System.Data.Common;
using Dapper;

namespace MailGuard.Core.Store;

/// <summary>The review console's tables: accounts, API tokens, filtered quarantine and audit pages, daily disposition counts.</summary>
internal static partial class StoreSql
{
    private const string SelectUser = "SELECT " + StoreRows.UserColumns + " FROM console_users";
    private const string SelectToken = "SELECT " + StoreRows.TokenColumns + " FROM api_tokens";

    public static async Task<int> CountUsersAsync(DbConnection c, CancellationToken cancellationToken) =>
        await c.ExecuteScalarAsync<int>(Command("SELECT COUNT(*) FROM console_users", null, null, cancellationToken));

    public static StoreWrite<bool> AddUser(ConsoleUser user, AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited(
            "INSERT INTO console_users (name, password_hash, role, created_at, disabled) VALUES (@name, @hash, @role, @at, @disabled) ON CONFLICT (name) DO NOTHING",
            new { name = user.Name, hash = user.PasswordHash, role = (int)user.Role, at = user.CreatedAt.ToUnixTimeMilliseconds(), disabled = user.Disabled ? 1 : 0 },
            audit);
    }

    public static StoreRead<ConsoleUser?> GetUser(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return async (c, ct) => (await StoreRows.ListAsync(c, Command(SelectUser + " WHERE name = @name", new { name }, null, ct), StoreRows.User)).FirstOrDefault();
    }

    public static async Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(DbConnection c, CancellationToken cancellationToken) =>
        await StoreRows.ListAsync(c, Command(SelectUser + " ORDER BY name", null, null, cancellationToken), StoreRows.User);

    public static StoreWrite<bool> UpdateUser(string name, ConsoleUserChange change, AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited(
            "UPDATE console_users SET password_hash = COALESCE(@hash, password_hash), role = COALESCE(@role, role), disabled = COALESCE(@disabled, disabled), sessions_from = COALESCE(@from, sessions_from) WHERE name = @name",
            new
            {
                name,
                hash = change.PasswordHash,
                role = (int?)change.Role,
                disabled = change.Disabled is { } d ? (d ? 1 : 0) : (int?)null,
                from = change.SessionsFrom?.ToUnixTimeMilliseconds(),
            },
            audit);
    }

    public static StoreWrite<bool> AddToken(ApiToken token, AuditEvent audit)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited(
            "INSERT INTO api_tokens (id, name, secret_hash, role, created_by, created_at, scope) VALUES (@id, @name, @hash, @role, @by, @at, @scope)",
            new { id = token.Id, name = token.Name, hash = token.SecretHash, role = (int)token.Role, by = token.CreatedBy, at = token.CreatedAt.ToUnixTimeMilliseconds(), scope = (int)token.Scope },
            audit);
    }

    public static StoreRead<ApiToken?> GetToken(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return async (c, ct) => (await StoreRows.ListAsync(c, Command(SelectToken + " WHERE id = @id", new { id }, null, ct), StoreRows.Token)).FirstOrDefault();
    }

    public static async Task<IReadOnlyList<ApiToken>> ListTokensAsync(DbConnection c, CancellationToken cancellationToken) =>
        await StoreRows.ListAsync(c, Command(SelectToken + " ORDER BY created_at DESC, id", null, null, cancellationToken), StoreRows.Token);

    public static StoreWrite<bool> RevokeToken(string id, AuditEvent audit, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited("UPDATE api_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", new { at = UnixMs(time), id }, audit);
    }

    /// <param name="like">The dialect's case-insensitive LIKE (see <see cref="ReviewFilters"/>).</param>
    public static StoreRead<QuarantinePage> QueryQuarantine(QuarantineQuery query, string like)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        var filters = ReviewFilters.Quarantine(query, like);
        return async (c, ct) =>
        {
            long total = await c.ExecuteScalarAsync<long>(Command("SELECT COUNT(*) FROM quarantine h JOIN messages m ON m.id = h.message_id" + filters.Where, filters.Parameters, null, ct));
            var page = new DynamicParameters(filters.Parameters);
            page.AddDynamicParams(new { n = query.Limit, skip = query.Offset });
            var items = await StoreRows.ListAsync(
                c,
                Command(SelectQuarantine + filters.Where + OrderBy(query.Order) + " LIMIT @n OFFSET @skip", page, null, ct),
                StoreRows.Quarantine);
            return new QuarantinePage(items, total);
        };
    }

    private static string OrderBy(QuarantineOrder order) => order switch
    {
        QuarantineOrder.Oldest => " ORDER BY h.held_at ASC, h.message_id ASC",
        QuarantineOrder.Sender => " ORDER BY lower(m.mail_from) ASC, h.held_at ASC, h.message_id ASC",
        _ => " ORDER BY h.held_at DESC, h.message_id DESC",
    };

    public static StoreRead<IReadOnlyList<AuditEvent>> QueryAudit(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        var filters = ReviewFilters.Audit(query);
        filters.Parameters.AddDynamicParams(new { n = query.Limit, skip = query.Offset });
        string sql = "SELECT " + StoreRows.AuditColumns + " FROM audit_log" + filters.Where + " ORDER BY id DESC LIMIT @n OFFSET @skip";
        return async (c, ct) => await StoreRows.ListAsync(c, Command(sql, filters.Parameters, null, ct), StoreRows.Audit);
    }

    /// <summary>Adds to the daily counters, one upsert per row; null when there is nothing to add.</summary>
    public static StoreWrite<bool>? AddDecisionCounts(IReadOnlyCollection<DecisionCount> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            return null;
        }

        // Sorted so that two PostgreSQL nodes flushing the same keys take row locks in one order (no deadlock).
        var rows = counts.OrderBy(r => r.Day).ThenBy(r => r.Disposition, StringComparer.Ordinal).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .Select(r => new { day = StoreRows.Day(r.Day), disposition = r.Disposition, rule = r.Rule, n = r.Count })
            .ToList();
        return async (c, t, ct) =>
        {
            await c.ExecuteAsync(Command(
                "INSERT INTO decision_counts (day, disposition, rule, count) VALUES (@day, @disposition, @rule, @n) ON CONFLICT (day, disposition, rule) DO UPDATE SET count = decision_counts.count + excluded.count",
                rows,
                t,
                ct));
            return true;
        };
    }

    public static StoreRead<IReadOnlyList<DecisionCount>> ListDecisionCounts(DateOnly from, DateOnly to) =>
        async (c, ct) => await StoreRows.ListAsync(
            c,
            Command("SELECT " + StoreRows.DecisionColumns + " FROM decision_counts WHERE day >= @from AND day <= @to ORDER BY day, disposition, rule", new { from = StoreRows.Day(from), to = StoreRows.Day(to) }, null, ct),
            StoreRows.Decision);

    /// <summary>One statement and its audit event in one transaction; false (and no audit) when it changed no row.</summary>
    private static StoreWrite<bool> ChangeAudited(string sql, object parameters, AuditEvent audit) => async (c, t, ct) =>
    {
        if (await c.ExecuteAsync(Command(sql, parameters, t, ct)) == 0)
        {
            return false;
        }

        await InsertAuditAsync(c, t, audit, ct);
        return true;
    };
}
