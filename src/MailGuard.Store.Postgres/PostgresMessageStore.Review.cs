using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>The review console's tables: accounts, API tokens, filtered quarantine and audit pages, daily disposition counts.</summary>
public sealed partial class PostgresMessageStore
{
    private const string SelectUser = "SELECT name, password_hash, role, created_at, disabled, sessions_from FROM console_users";
    private const string SelectToken = "SELECT id, name, secret_hash, role, created_by, created_at, revoked_at FROM api_tokens";

    public async Task<int> CountUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT COUNT(*) FROM console_users");
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public Task<bool> AddUserAsync(ConsoleUser user, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAuditedAsync("INSERT INTO console_users (name, password_hash, role, created_at, disabled) VALUES (@name, @hash, @role, @at, @disabled) ON CONFLICT (name) DO NOTHING", audit, p =>
        {
            p.AddWithValue("name", user.Name);
            p.AddWithValue("hash", user.PasswordHash);
            p.AddWithValue("role", (int)user.Role);
            p.AddWithValue("at", user.CreatedAt.ToUnixTimeMilliseconds());
            p.AddWithValue("disabled", user.Disabled ? 1 : 0);
        }, cancellationToken);
    }

    public async Task<ConsoleUser?> GetUserAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectUser + " WHERE name = @name");
        cmd.Parameters.AddWithValue("name", name);
        return (await StoreRows.ReadAllAsync(cmd, StoreRows.User, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectUser + " ORDER BY name");
        return await StoreRows.ReadAllAsync(cmd, StoreRows.User, cancellationToken);
    }

    public Task<bool> UpdateUserAsync(string name, ConsoleUserChange change, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAuditedAsync("UPDATE console_users SET password_hash = COALESCE(@hash, password_hash), role = COALESCE(@role, role), disabled = COALESCE(@disabled, disabled), sessions_from = COALESCE(@from, sessions_from) WHERE name = @name", audit, p =>
        {
            p.AddWithValue("name", name);
            p.AddWithValue("hash", NpgsqlDbType.Text, (object?)change.PasswordHash ?? DBNull.Value);
            p.AddWithValue("role", NpgsqlDbType.Integer, change.Role is { } r ? (int)r : DBNull.Value);
            p.AddWithValue("disabled", NpgsqlDbType.Integer, change.Disabled is { } d ? (d ? 1 : 0) : DBNull.Value);
            p.AddWithValue("from", NpgsqlDbType.Bigint, change.SessionsFrom is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
        }, cancellationToken);
    }

    public Task AddTokenAsync(ApiToken token, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAuditedAsync("INSERT INTO api_tokens (id, name, secret_hash, role, created_by, created_at) VALUES (@id, @name, @hash, @role, @by, @at)", audit, p =>
        {
            p.AddWithValue("id", token.Id);
            p.AddWithValue("name", token.Name);
            p.AddWithValue("hash", token.SecretHash);
            p.AddWithValue("role", (int)token.Role);
            p.AddWithValue("by", token.CreatedBy);
            p.AddWithValue("at", token.CreatedAt.ToUnixTimeMilliseconds());
        }, cancellationToken);
    }

    public async Task<ApiToken?> GetTokenAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectToken + " WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        return (await StoreRows.ReadAllAsync(cmd, StoreRows.Token, cancellationToken)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, SelectToken + " ORDER BY created_at DESC, id");
        return await StoreRows.ReadAllAsync(cmd, StoreRows.Token, cancellationToken);
    }

    public Task<bool> RevokeTokenAsync(string id, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        long now = Now();
        return ChangeAuditedAsync("UPDATE api_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", audit, p =>
        {
            p.AddWithValue("at", now);
            p.AddWithValue("id", id);
        }, cancellationToken);
    }

    public async Task<QuarantinePage> QueryQuarantineAsync(QuarantineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var c = await OpenAsync(cancellationToken);
        var filters = ReviewFilters.Quarantine(query, '@', "ILIKE");
        string where = filters.Where;
        var parameters = filters.Parameters.Select(p => new NpgsqlParameter(p.Name, p.Value)).ToList();
        long total;
        await using (var count = Command(c, null, "SELECT COUNT(*) FROM quarantine h JOIN messages m ON m.id = h.message_id" + where))
        {
            count.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
            total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        await using var cmd = Command(c, null, SelectQuarantine + where + " ORDER BY h.held_at DESC, h.message_id DESC LIMIT @n OFFSET @skip");
        cmd.Parameters.AddRange(parameters.ToArray());
        cmd.Parameters.AddWithValue("n", query.Limit);
        cmd.Parameters.AddWithValue("skip", query.Offset);
        return new QuarantinePage(await ReadQuarantineAsync(cmd, cancellationToken), total);
    }

    public async Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "");
        var filters = ReviewFilters.Audit(query, '@');
        string where = filters.Where;
        foreach (var (name, value) in filters.Parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        cmd.CommandText = "SELECT at, actor, action, message_id, reason, detail FROM audit_log" + where + " ORDER BY id DESC LIMIT @n OFFSET @skip";
        cmd.Parameters.AddWithValue("n", query.Limit);
        cmd.Parameters.AddWithValue("skip", query.Offset);
        return await StoreRows.ReadAllAsync(cmd, StoreRows.Audit, cancellationToken);
    }

    public async Task AddDecisionCountsAsync(IReadOnlyCollection<DecisionCount> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            return;
        }

        // Sorted so that two nodes flushing the same keys take row locks in one order (no deadlock).
        var rows = counts.OrderBy(r => r.Day).ThenBy(r => r.Disposition, StringComparer.Ordinal).ThenBy(r => r.Rule, StringComparer.Ordinal).ToList();
        await InTransactionAsync(async (c, t) =>
        {
            foreach (var row in rows)
            {
                await using var cmd = Command(c, t, "INSERT INTO decision_counts (day, disposition, rule, count) VALUES (@day, @disposition, @rule, @n) ON CONFLICT (day, disposition, rule) DO UPDATE SET count = decision_counts.count + excluded.count");
                cmd.Parameters.AddWithValue("day", StoreRows.Day(row.Day));
                cmd.Parameters.AddWithValue("disposition", row.Disposition);
                cmd.Parameters.AddWithValue("rule", row.Rule);
                cmd.Parameters.AddWithValue("n", row.Count);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<DecisionCount>> ListDecisionCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = Command(c, null, "SELECT day, disposition, rule, count FROM decision_counts WHERE day >= @from AND day <= @to ORDER BY day, disposition, rule");
        cmd.Parameters.AddWithValue("from", StoreRows.Day(from));
        cmd.Parameters.AddWithValue("to", StoreRows.Day(to));
        return await StoreRows.ReadAllAsync(cmd, StoreRows.Decision, cancellationToken);
    }

    /// <summary>One statement and its audit event in one transaction; false (and no audit) when it changed no row.</summary>
    private Task<bool> ChangeAuditedAsync(string sql, AuditEvent audit, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, t) =>
        {
            await using var cmd = Command(c, t, sql);
            bind(cmd.Parameters);
            if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }

            await InsertAuditAsync(c, t, audit, cancellationToken);
            return true;
        }, cancellationToken);


}
