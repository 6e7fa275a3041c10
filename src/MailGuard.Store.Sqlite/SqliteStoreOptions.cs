using MailGuard.Core.Store;

namespace MailGuard.Store.Sqlite;

public sealed class SqliteStoreOptions
{
    /// <summary>The database file, e.g. Storage:Directory/mailguard.db.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The spool directory whose entries are fsynced before a batch that adds messages commits; null when content lives elsewhere.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>Most operations per transaction. 512 keeps one batch's commit well under a millisecond's worth of rows on a slow disk while absorbing bursts.</summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>Decrypts held content that was stored encrypted (for release and review); null when encryption is off.</summary>
    public ContentProtector? Protector { get; init; }
}
