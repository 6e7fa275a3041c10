using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>The review console's tables: accounts, API tokens, filtered quarantine and audit pages, daily disposition counts.</summary>
public sealed partial class PostgresMessageStore
{
    public Task<int> CountUsersAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.CountUsersAsync, cancellationToken);

    public Task<bool> AddUserAsync(ConsoleUser user, AuditEvent audit, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.AddUser(user, audit), cancellationToken);

    public Task<ConsoleUser?> GetUserAsync(string name, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetUser(name), cancellationToken);

    public Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListUsersAsync, cancellationToken);

    public Task<bool> UpdateUserAsync(string name, ConsoleUserChange change, AuditEvent audit, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreSql.UpdateUser(name, change, audit), cancellationToken);

    public Task AddTokenAsync(ApiToken token, AuditEvent audit, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.AddToken(token, audit), cancellationToken);

    public Task<ApiToken?> GetTokenAsync(string id, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetToken(id), cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListTokensAsync, cancellationToken);

    public Task<bool> RevokeTokenAsync(string id, AuditEvent audit, CancellationToken cancellationToken = default) =>
        WriteAsync(StoreSql.RevokeToken(id, audit, _time), cancellationToken);

    public Task<QuarantinePage> QueryQuarantineAsync(QuarantineQuery query, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.QueryQuarantine(query, like: "ILIKE"), cancellationToken);

    public Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.QueryAudit(query), cancellationToken);

    public Task AddDecisionCountsAsync(IReadOnlyCollection<DecisionCount> counts, CancellationToken cancellationToken = default) =>
        StoreSql.AddDecisionCounts(counts) is { } add ? WriteAsync(add, cancellationToken) : Task.CompletedTask;

    public Task<IReadOnlyList<DecisionCount>> ListDecisionCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListDecisionCounts(from, to), cancellationToken);

    public Task<IReadOnlySet<string>> ListRequestedHeldAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListRequestedHeld(), cancellationToken);

    public Task<ReviewStats> GetReviewStatsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetReviewStats(since), cancellationToken);
}
