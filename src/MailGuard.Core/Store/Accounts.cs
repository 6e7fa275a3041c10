namespace MailGuard.Core.Store;

/// <summary>What a console user or API token may do. Values are stored; never renumber.</summary>
public enum ConsoleRole
{
    /// <summary>Sees held mail masked and acts on it (release, return, delete).</summary>
    Reviewer = 0,

    /// <summary>Also opens unmasked originals (audited) and manages users and tokens.</summary>
    Admin = 1,
}

/// <summary>A console account. <see cref="PasswordHash"/> is ASP.NET Core Identity's PasswordHasher format; the password itself is never stored.</summary>
/// <param name="SessionsFrom">Sessions started before this (a logout) are no longer accepted; null: no logout yet.</param>
public sealed record ConsoleUser(string Name, string PasswordHash, ConsoleRole Role, DateTimeOffset CreatedAt, bool Disabled = false, DateTimeOffset? SessionsFrom = null);

/// <summary>Where a bearer token is accepted. Values are stored; never renumber.</summary>
public enum TokenScope
{
    /// <summary>The review API (and /metrics), with the token's role.</summary>
    Api = 0,

    /// <summary>Only `POST /api/v1/check` (the Outlook add-in's): refused everywhere else, role or not.</summary>
    Check = 1,
}

/// <summary>An API bearer token: only a hash of its secret is stored, the secret is shown once at creation.</summary>
/// <param name="Scope">Where it is accepted; a check token's <see cref="Role"/> means nothing (stored as reviewer).</param>
public sealed record ApiToken(string Id, string Name, string SecretHash, ConsoleRole Role, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null, TokenScope Scope = TokenScope.Api);

/// <summary>Changes to one account; null members stay as they are.</summary>
public sealed record ConsoleUserChange(string? PasswordHash = null, ConsoleRole? Role = null, bool? Disabled = null, DateTimeOffset? SessionsFrom = null);

/// <summary>
/// Console accounts and API tokens, in the same database as the quarantine so that every node of
/// a shared store sees the same users. Each change is committed with its audit event.
/// </summary>
public interface IAccountStore
{
    Task<int> CountUsersAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds the account; false when the name is taken.</summary>
    Task<bool> AddUserAsync(ConsoleUser user, AuditEvent audit, CancellationToken cancellationToken = default);

    Task<ConsoleUser?> GetUserAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ConsoleUser>> ListUsersAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies <paramref name="change"/>; false when there is no such account.</summary>
    Task<bool> UpdateUserAsync(string name, ConsoleUserChange change, AuditEvent audit, CancellationToken cancellationToken = default);

    Task AddTokenAsync(ApiToken token, AuditEvent audit, CancellationToken cancellationToken = default);

    Task<ApiToken?> GetTokenAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ApiToken>> ListTokensAsync(CancellationToken cancellationToken = default);

    /// <summary>Marks the token revoked; false when there is no such token or it was already revoked.</summary>
    Task<bool> RevokeTokenAsync(string id, AuditEvent audit, CancellationToken cancellationToken = default);
}

/// <summary>How many messages got one disposition under one rule on one (UTC) day.</summary>
public sealed record DecisionCount(DateOnly Day, string Disposition, string Rule, long Count);

/// <summary>Filter and page for the quarantine list. Text filters match case-insensitively.</summary>
/// <param name="Search">Matched against sender, subject, summary and the message id.</param>
public sealed record QuarantineQuery(
    QuarantineStatus? Status = QuarantineStatus.Held,
    string? Rule = null,
    string? Sender = null,
    DateTimeOffset? HeldFrom = null,
    DateTimeOffset? HeldTo = null,
    string? Search = null,
    int Offset = 0,
    int Limit = 50,
    QuarantineOrder Order = QuarantineOrder.Newest);

/// <summary>The order the store pages the quarantine list in (ties by message id).</summary>
public enum QuarantineOrder
{
    Newest,
    Oldest,
    Sender,
}

/// <summary>One page of the quarantine list (newest first) and how many records match in all.</summary>
public sealed record QuarantinePage(IReadOnlyList<QuarantineRecord> Items, long Total);

/// <summary>Filter and page for the audit log (newest first).</summary>
/// <param name="From">Events at or after this time; null: from the start.</param>
/// <param name="To">Events before this time; null: to now.</param>
public sealed record AuditQuery(string? Actor = null, string? Action = null, string? MessageId = null, int Offset = 0, int Limit = 100, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>
/// How reviewers have been deciding since a point in time, for the dashboard: their decisions by
/// action, how long held messages waited for one, and the oldest message still waiting.
/// </summary>
/// <param name="DecisionsByAction">Audit events of reviewers' decisions (release, release-bcc-fix, return, delete, release-approved) by action.</param>
/// <param name="DecisionWaits">For each message decided by a reviewer since then, decided_at minus held_at (at most the newest 10,000).</param>
/// <param name="OldestHeldAt">When the oldest message still held was held; null when nothing is held.</param>
public sealed record ReviewStats(IReadOnlyDictionary<string, long> DecisionsByAction, IReadOnlyList<TimeSpan> DecisionWaits, DateTimeOffset? OldestHeldAt);

/// <summary>What the review console reads beyond <see cref="IQuarantineStore"/>: filtered pages and daily counts for the dashboard.</summary>
public interface IReviewStore
{
    Task<QuarantinePage> QueryQuarantineAsync(QuarantineQuery query, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEvent>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>The held messages whose sender has asked for release (a release-requested audit event): the list's request marker.</summary>
    Task<IReadOnlySet<string>> ListRequestedHeldAsync(CancellationToken cancellationToken = default);

    /// <summary>Reviewers' decisions since <paramref name="since"/>, the waits for them, and the oldest held message.</summary>
    Task<ReviewStats> GetReviewStatsAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Adds to the daily disposition counters (one upsert per row).</summary>
    Task AddDecisionCountsAsync(IReadOnlyCollection<DecisionCount> counts, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DecisionCount>> ListDecisionCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);
}
