using System.Globalization;
using Microsoft.Data.Sqlite;
using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

/// <summary>The review console's tables: accounts, API tokens, filtered quarantine and audit pages, daily disposition counts.</summary>
public sealed partial class SqliteMessageStore
{
    private const string SelectUser = "SELECT name, password_hash, role, created_at, disabled, sessions_from FROM console_users";
    private const string SelectToken = "SELECT id, name, secret_hash, role, created_by, created_at, revoked_at FROM api_tokens";

    public async Task<int> CountUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM console_users";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public Task<bool> AddUserAsync(ConsoleUser user, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited("INSERT INTO console_users (name, password_hash, role, created_at, disabled) VALUES ($name, $hash, $role, $at, $disabled) ON CONFLICT(name) DO NOTHING", audit, p =>
        {
            p.AddWithValue("$name", user.Name);
            p.AddWithValue("$hash", user.PasswordHash);
            p.AddWithValue("$role", (int)user.Role);
            p.AddWithValue("$at", user.CreatedAt.ToUnixTimeMilliseconds());
            p.AddWithValue("$disabled", user.Disabled ? 1 : 0);
        });
    }

    public async Task<ConsoleUser?> GetUserAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectUser + " WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        return StoreRows.ReadAll(cmd, StoreRows.User).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectUser + " ORDER BY name";
        return StoreRows.ReadAll(cmd, StoreRows.User);
    }

    public Task<bool> UpdateUserAsync(string name, ConsoleUserChange change, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited("UPDATE console_users SET password_hash = COALESCE($hash, password_hash), role = COALESCE($role, role), disabled = COALESCE($disabled, disabled), sessions_from = COALESCE($from, sessions_from) WHERE name = $name", audit, p =>
        {
            p.AddWithValue("$name", name);
            p.AddWithValue("$hash", (object?)change.PasswordHash ?? DBNull.Value);
            p.AddWithValue("$role", change.Role is { } r ? (int)r : DBNull.Value);
            p.AddWithValue("$disabled", change.Disabled is { } d ? (d ? 1 : 0) : DBNull.Value);
            p.AddWithValue("$from", change.SessionsFrom is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
        });
    }

    public Task AddTokenAsync(ApiToken token, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audit);
        return ChangeAudited("INSERT INTO api_tokens (id, name, secret_hash, role, created_by, created_at) VALUES ($id, $name, $hash, $role, $by, $at)", audit, p =>
        {
            p.AddWithValue("$id", token.Id);
            p.AddWithValue("$name", token.Name);
            p.AddWithValue("$hash", token.SecretHash);
            p.AddWithValue("$role", (int)token.Role);
            p.AddWithValue("$by", token.CreatedBy);
            p.AddWithValue("$at", token.CreatedAt.ToUnixTimeMilliseconds());
        });
    }

    public async Task<ApiToken?> GetTokenAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectToken + " WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return StoreRows.ReadAll(cmd, StoreRows.Token).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = SelectToken + " ORDER BY created_at DESC, id";
        return StoreRows.ReadAll(cmd, StoreRows.Token);
    }

    public Task<bool> RevokeTokenAsync(string id, AuditEvent audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(audit);
        long now = Now();
        return ChangeAudited("UPDATE api_tokens SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL", audit, p =>
        {
            p.AddWithValue("$at", now);
            p.AddWithValue("$id", id);
        });
    }

    public async Task<QuarantinePage> QueryQuarantineAsync(QuarantineQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        var filters = ReviewFilters.Quarantine(query, '$', "LIKE");
        string where = filters.Where;
        foreach (var (name, value) in filters.Parameters)
        {
            cmd.Parameters.AddWithValue("$" + name, value);
        }

        cmd.CommandText = "SELECT COUNT(*) FROM quarantine h JOIN messages m ON m.id = h.message_id" + where;
        long total = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        cmd.CommandText = SelectQuarantine + where + " ORDER BY h.held_at DESC, h.message_id DESC LIMIT $n OFFSET $skip";
        cmd.Parameters.AddWithValue("$n", query.Limit);
        cmd.Parameters.AddWithValue("$skip", query.Offset);
        return new QuarantinePage(ReadQuarantine(cmd), total);
    }

    public async Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        var filters = ReviewFilters.Audit(query, '$');
        string where = filters.Where;
        foreach (var (name, value) in filters.Parameters)
        {
            cmd.Parameters.AddWithValue("$" + name, value);
        }

        cmd.CommandText = "SELECT at, actor, action, message_id, reason, detail FROM audit_log" + where + " ORDER BY id DESC LIMIT $n OFFSET $skip";
        cmd.Parameters.AddWithValue("$n", query.Limit);
        cmd.Parameters.AddWithValue("$skip", query.Offset);
        return StoreRows.ReadAll(cmd, StoreRows.Audit);
    }

    public Task AddDecisionCountsAsync(IReadOnlyCollection<DecisionCount> counts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Submit(syncSpool: false, work: (c, t) =>
        {
            foreach (var row in counts)
            {
                var cmd = Command(c, t, "INSERT INTO decision_counts (day, disposition, rule, count) VALUES ($day, $disposition, $rule, $n) ON CONFLICT(day, disposition, rule) DO UPDATE SET count = count + excluded.count");
                cmd.Parameters.AddWithValue("$day", StoreRows.Day(row.Day));
                cmd.Parameters.AddWithValue("$disposition", row.Disposition);
                cmd.Parameters.AddWithValue("$rule", row.Rule);
                cmd.Parameters.AddWithValue("$n", row.Count);
                cmd.ExecuteNonQuery();
            }

            return true;
        });
    }

    public async Task<IReadOnlyList<DecisionCount>> ListDecisionCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT day, disposition, rule, count FROM decision_counts WHERE day >= $from AND day <= $to ORDER BY day, disposition, rule";
        cmd.Parameters.AddWithValue("$from", StoreRows.Day(from));
        cmd.Parameters.AddWithValue("$to", StoreRows.Day(to));
        return StoreRows.ReadAll(cmd, StoreRows.Decision);
    }

    /// <summary>One statement and its audit event in one transaction; false (and no audit) when it changed no row.</summary>
    private Task<bool> ChangeAudited(string sql, AuditEvent audit, Action<SqliteParameterCollection> bind) =>
        Submit(syncSpool: false, mustSync: true, work: (c, t) =>
        {
            var cmd = Command(c, t, sql);
            bind(cmd.Parameters);
            if (cmd.ExecuteNonQuery() == 0)
            {
                return false;
            }

            InsertAudit(c, t, audit);
            return true;
        });


}
