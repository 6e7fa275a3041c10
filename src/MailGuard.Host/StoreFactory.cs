using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Store.Postgres;
using MailGuard.Store.Sqlite;

namespace MailGuard.Host;

/// <summary>The store Storage:Provider names, for the relay and the CLI verbs alike. Both providers are also the quarantine.</summary>
internal static class StoreFactory
{
    /// <summary>The host's store: the configured provider registered once, as each of the store contracts.</summary>
    public static IServiceCollection AddConfiguredStore(this IServiceCollection services, MailGuardOptions options) =>
        options.Storage.Provider switch
        {
            StorageProvider.Postgres => services.AddMailGuardPostgresStore(sp => PostgresOptions(options, sp.GetRequiredService<MessageSpool>().Directory)),
            _ => services.AddMailGuardSqliteStore(sp => SqliteOptions(options, sp.GetRequiredService<MessageSpool>().Directory)),
        };

    /// <summary>A store of its own, for a CLI verb that opens, uses and disposes it.</summary>
    public static IMessageStore Create(MailGuardOptions options, string spoolDirectory, TimeProvider time) =>
        options.Storage.Provider switch
        {
            StorageProvider.Postgres => new PostgresMessageStore(PostgresOptions(options, spoolDirectory), time),
            _ => new SqliteMessageStore(SqliteOptions(options, spoolDirectory), time),
        };

    /// <summary>Whether there is a store to open. A CLI verb must not create an empty SQLite file; a PostgreSQL store is always there to ask.</summary>
    public static bool Exists(MailGuardOptions options) =>
        options.Storage.Provider == StorageProvider.Postgres || File.Exists(DatabasePath(options));

    // The spool directory is where the relay spills large messages; the PostgreSQL store copies
    // them into the database at enqueue (other nodes cannot read this node's disk).
    private static PostgresStoreOptions PostgresOptions(MailGuardOptions options, string spoolDirectory) =>
        new() { ConnectionString = options.Storage.ConnectionString!, SpoolDirectory = spoolDirectory, Protector = Protector(options) };

    private static SqliteStoreOptions SqliteOptions(MailGuardOptions options, string spoolDirectory) =>
        new() { DatabasePath = DatabasePath(options), SpoolDirectory = spoolDirectory, Protector = Protector(options) };

    // Held content is encrypted by the relay; the store decrypts it to show or deliver it.
    private static ContentProtector? Protector(MailGuardOptions options) => ContentProtector.FromBase64(options.Quarantine.EncryptionKey, out _);

    private static string DatabasePath(MailGuardOptions options) => Path.Combine(Path.GetFullPath(options.Storage.Directory), "mailguard.db");
}
