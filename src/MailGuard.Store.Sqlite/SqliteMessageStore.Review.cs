using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

/// <summary>The review console's tables: accounts, API tokens, filtered quarantine and audit pages, daily disposition counts.</summary>
public sealed partial class SqliteMessageStore
{
    public Task<int> CountUsersAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.CountUsersAsync, cancellationToken);

    public Task<bool> AddUserAsync(ConsoleUser user, AuditEvent audit, CancellationToken cancellationToken = default) => Submit(StoreSql.AddUser(user, audit), mustSync: true);

    public Task<ConsoleUser?> GetUserAsync(string name, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetUser(name), cancellationToken);

    public Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListUsersAsync, cancellationToken);

    public Task<bool> UpdateUserAsync(string name, ConsoleUserChange change, AuditEvent audit, CancellationToken cancellationToken = default) =>
        Submit(StoreSql.UpdateUser(name, change, audit), mustSync: true);

    public Task AddTokenAsync(ApiToken token, AuditEvent audit, CancellationToken cancellationToken = default) => Submit(StoreSql.AddToken(token, audit), mustSync: true);

    public Task<ApiToken?> GetTokenAsync(string id, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetToken(id), cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListTokensAsync, cancellationToken);

    public Task<bool> RevokeTokenAsync(string id, AuditEvent audit, CancellationToken cancellationToken = default) => Submit(StoreSql.RevokeToken(id, audit, _time), mustSync: true);

    public Task<QuarantinePage> QueryQuarantineAsync(QuarantineQuery query, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.QueryQuarantine(query, like: "LIKE"), cancellationToken);

    public Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.QueryAudit(query), cancellationToken);

    public Task AddDecisionCountsAsync(IReadOnlyCollection<DecisionCount> counts, CancellationToken cancellationToken = default) =>
        StoreSql.AddDecisionCounts(counts) is { } add ? Submit(add) : Task.CompletedTask;

    public Task<IReadOnlyList<DecisionCount>> ListDecisionCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        ReadAsync(StoreSql.ListDecisionCounts(from, to), cancellationToken);

    public Task<IReadOnlySet<string>> ListRequestedHeldAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListRequestedHeld(), cancellationToken);

    public Task<ReviewStats> GetReviewStatsAsync(DateTimeOffset since, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.GetReviewStats(since), cancellationToken);
}
