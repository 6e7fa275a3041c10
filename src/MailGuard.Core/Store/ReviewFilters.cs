using System.Text;
using Dapper;

namespace MailGuard.Core.Store;

/// <summary>
/// The WHERE clauses of the review queries, written once for both providers: each names its
/// case-insensitive LIKE (SQLite's LIKE is case-insensitive for ASCII; PostgreSQL needs ILIKE).
/// LIKE wildcards in user text are escaped, with backslash as the escape character (PostgreSQL's
/// default, declared for SQLite).
/// </summary>
internal sealed class ReviewFilters
{
    private readonly string _like;
    private readonly StringBuilder _where = new(" WHERE 1 = 1");

    private ReviewFilters(string like) => _like = like;

    public string Where => _where.ToString();

    /// <summary>The values of the clauses added; the caller adds its paging.</summary>
    public DynamicParameters Parameters { get; } = new();

    public static ReviewFilters Quarantine(QuarantineQuery query, string like)
    {
        var f = new ReviewFilters(like);
        f.Equal("h.status", "status", query.Status is { } s ? (int)s : null);
        f.Equal("h.rule", "rule", NullIfEmpty(query.Rule));
        f.Contains(["m.mail_from"], "sender", query.Sender);
        f.Compare("h.held_at", ">=", "from", query.HeldFrom?.ToUnixTimeMilliseconds());
        f.Compare("h.held_at", "<", "to", query.HeldTo?.ToUnixTimeMilliseconds());
        // A short reference a sender quotes (MG-7K3F-9Q2D) is the end of the queue id.
        f.Contains(["m.mail_from", "h.subject", "h.summary", "h.message_id"], "q", Notices.NoticeReference.TryParse(query.Search, out string idSuffix) ? idSuffix : query.Search);
        return f;
    }

    public static ReviewFilters Audit(AuditQuery query)
    {
        var f = new ReviewFilters("LIKE");
        f.Equal("actor", "actor", NullIfEmpty(query.Actor));
        f.Equal("action", "action", NullIfEmpty(query.Action));
        f.Equal("message_id", "id", NullIfEmpty(query.MessageId));
        f.Compare("at", ">=", "from", query.From?.ToUnixTimeMilliseconds());
        f.Compare("at", "<", "to", query.To?.ToUnixTimeMilliseconds());
        return f;
    }

    public static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private void Equal(string column, string name, object? value) => Compare(column, "=", name, value);

    private void Compare(string column, string op, string name, object? value)
    {
        if (value is not null)
        {
            _where.Append($" AND {column} {op} @{name}");
            Parameters.Add(name, value);
        }
    }

    private void Contains(string[] columns, string name, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            _where.Append(" AND (").AppendJoin(" OR ", columns.Select(c => $"{c} {_like} @{name} ESCAPE '\\'")).Append(')');
            Parameters.Add(name, "%" + EscapeLike(text) + "%");
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
