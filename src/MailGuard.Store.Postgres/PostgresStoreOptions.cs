using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>Storage:ConnectionString, e.g. <c>Host=db;Username=mailguard;Password=...;Database=mailguard</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// This node's spool directory. Several nodes share one database but not their disks, so the
    /// PostgreSQL store keeps every message's bytes in the database: a message handed over without
    /// <see cref="NewMessage.InlineContent"/> is read from <c>SpoolDirectory/ID.eml</c> and stored.
    /// Null means the host must always pass the content inline.
    /// </summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Decrypts held content that was stored encrypted (for release and review); null when encryption is off.</summary>
    public ContentProtector? Protector { get; init; }
}
