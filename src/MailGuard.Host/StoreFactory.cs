using MailGuard.Core.Store;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;
using MailGuard.Host.Configuration;

namespace MailGuard.Host;

/// <summary>The store Storage:Provider names, for the relay and the CLI verbs alike. Both providers are also the quarantine.</summary>
internal static class StoreFactory
{
    public static IMessageStore Create(MailGuardOptions options, string spoolDirectory, TimeProvider time)
    {
        // Held content is encrypted by the relay; the store decrypts it to show or deliver it.
        var protector = ContentProtector.FromBase64(options.Quarantine.EncryptionKey, out _);
        return options.Storage.Provider switch
        {
            // The spool directory is where the relay spills large messages; the PostgreSQL store copies
            // them into the database at enqueue (other nodes cannot read this node's disk).
            StorageProvider.Postgres => new PostgresMessageStore(new PostgresStoreOptions { ConnectionString = options.Storage.ConnectionString!, SpoolDirectory = spoolDirectory, Protector = protector }, time),
            _ => new SqliteMessageStore(new SqliteStoreOptions { DatabasePath = DatabasePath(options), SpoolDirectory = spoolDirectory, Protector = protector }, time),
        };
    }

    /// <summary>Whether there is a store to open. A CLI verb must not create an empty SQLite file; a PostgreSQL store is always there to ask.</summary>
    public static bool Exists(MailGuardOptions options) =>
        options.Storage.Provider == StorageProvider.Postgres || File.Exists(DatabasePath(options));

    private static string DatabasePath(MailGuardOptions options) => Path.Combine(Path.GetFullPath(options.Storage.Directory), "mailguard.db");
}
