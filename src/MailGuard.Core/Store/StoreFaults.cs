using System.Data.Common;
using System.Net.Sockets;

namespace MailGuard.Core.Store;

/// <summary>
/// The one place that decides whether an exception means "the store is unavailable right now"
/// (down, restarting, failing over, full, locked, timed out) rather than a bug. Callers back off
/// and try again on a store fault and let anything else surface. Provider-neutral: it looks at
/// <see cref="DbException"/> and I/O types, never at a driver's own exception classes, so Core keeps
/// no database driver.
/// </summary>
/// <remarks>
/// What the drivers throw was checked against a PostgreSQL 15 cluster stopped and started under
/// load (Npgsql 10): <c>PostgresException</c> 57P01 (admin shutdown) and 57P03 (starting up), and
/// <c>NpgsqlException</c> around an <see cref="IOException"/> (a pooled connection the restart broke)
/// or a <see cref="SocketException"/> (refused), all <see cref="DbException"/>s. A connection opened
/// per operation never surfaced Npgsql's "connection is not open" <see cref="InvalidOperationException"/>;
/// one thrown by a data provider (or by a store that was never opened) is still counted as a store
/// fault, while every other <see cref="InvalidOperationException"/> stays a bug.
/// </remarks>
public static class StoreFaults
{
    private const int Enospc = 28;

    // SQLite's primary result codes (sqlite3.h); SqliteException reports none of them through DbException.
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;

    /// <summary>Whether <paramref name="exception"/> says the store (its database or its disk) failed, not the code.</summary>
    public static bool IsStoreFault(Exception exception) => exception switch
    {
        DbException or IOException or TimeoutException or SocketException => true,
        // A spool or database file the service account cannot write: an operator's fix, not a bug.
        UnauthorizedAccessException => true,
        ObjectDisposedException => false,
        InvalidOperationException ioe => ioe.Source is { } source && (source.StartsWith("Npgsql", StringComparison.Ordinal) || source.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal) || source.StartsWith("MailGuard.Store", StringComparison.Ordinal)),
        _ => false,
    };

    /// <summary>
    /// Whether trying again later may succeed without anyone changing anything: a server that is
    /// restarting, failing over or unreachable, a lock, a timeout, a full disk that may be freed, a
    /// disk I/O error. An authentication failure, a missing database or table, a corrupt or read-only
    /// database file, a file that cannot be opened or written for lack of permission are not: they
    /// need an operator, and a background service that meets one stops the process (exit code 1).
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        DbException { IsTransient: true } => true,
        DbException { SqlState: { Length: 5 } state } => IsTransientSqlState(state),
        DbException db => SqliteCode(db) is SqliteBusy or SqliteLocked or SqliteIoError or SqliteFull || IsDiskFull(db),
        FileNotFoundException or DirectoryNotFoundException => false,
        IOException or TimeoutException or SocketException => true,
        // A data provider's "connection is not open / broken" state after a server restart: retried.
        InvalidOperationException => IsStoreFault(exception),
        _ => false,
    };

    /// <summary>
    /// PostgreSQL's SQLSTATEs that pass by themselves: connection exceptions (class 08), the server
    /// shutting down or starting (57P01-57P03), insufficient resources (class 53: disk full, out of
    /// memory, too many connections), serialization failure and deadlock (40001, 40P01), a lock not
    /// available (55P03), a statement timeout (57014), a primary that is read-only for the moment of
    /// a failover (25006) and system errors (class 58, I/O).
    /// </summary>
    public static bool IsTransientSqlState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal)
        || state.StartsWith("53", StringComparison.Ordinal)
        || state.StartsWith("58", StringComparison.Ordinal)
        || state is "57P01" or "57P02" or "57P03" or "40001" or "40P01" or "55P03" or "57014" or "25006";

    /// <summary>Whether the store's disk (or the database server's) is full: ENOSPC, SQLite's SQLITE_FULL, PostgreSQL's 53100.</summary>
    public static bool IsDiskFull(Exception exception) => exception switch
    {
        IOException io => (io.HResult & 0xFFFF) == Enospc,
        DbException { SqlState: "53100" } => true,
        DbException db => SqliteCode(db) == SqliteFull,
        _ => false,
    };

    // Microsoft.Data.Sqlite puts the result code on its own property only (its DbException.ErrorCode
    // is the generic E_FAIL); read by name so Core needs no reference to the driver.
    private static int? SqliteCode(DbException exception) =>
        exception.GetType().GetProperty("SqliteErrorCode")?.GetValue(exception) is int code ? code : null;
}

/// <summary>
/// What was being done when the store failed: the values of mailguard_store_errors_total's
/// operation label (a fixed set, so the series stay bounded) and of the store log events.
/// </summary>
public static class StoreOperation
{
    /// <summary>Making an accepted message durable at the end of DATA (the client gets 451/452).</summary>
    public const string Commit = "commit";

    /// <summary>The delivery worker claiming due messages.</summary>
    public const string Claim = "claim";

    /// <summary>The delivery worker recording an attempt's outcome.</summary>
    public const string Record = "record";

    public const string Expiry = "expiry";

    public const string Digest = "digest";

    public const string Purge = "purge";

    /// <summary>The dashboard's decision counts.</summary>
    public const string DecisionCounts = "decision-counts";

    /// <summary>Opening the store when the process starts.</summary>
    public const string Startup = "startup";

    /// <summary>A console page, API call or /healthz.</summary>
    public const string Console = "console";

    public static IReadOnlyList<string> All { get; } = [Commit, Claim, Record, Expiry, Digest, Purge, DecisionCounts, Startup, Console];
}
