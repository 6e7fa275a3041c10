using System.Data.Common;
using System.Threading.Channels;
using Dapper;
using MailGuard.Core.Store;
using Microsoft.Data.Sqlite;

namespace MailGuard.Store.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a committed
/// transaction survives power loss. Every write goes through one writer connection that drains a
/// queue of operations and commits whatever has accumulated as one transaction (group commit):
/// with fifty sessions finishing DATA together there is one WAL fsync, not fifty. When one
/// operation of a batch fails, the batch is retried one operation per transaction, so a failure
/// never fails the others.
/// Reads use their own short-lived connections, which WAL lets run beside the writer.
/// <para>
/// Only batches that accept mail (enqueue, operator actions) commit with synchronous=FULL. Batches
/// holding nothing but claims and attempt outcomes commit with NORMAL: in WAL mode that still
/// survives a process crash (the WAL is written before commit returns; only the fsync is left to
/// the next FULL commit or checkpoint), and what a power cut could undo is a lease or a "delivered"
/// mark, i.e. a repeated delivery, never a lost message. That halves the fsyncs per message.
/// </para>
/// </summary>
public sealed partial class SqliteMessageStore : IMessageStore, IQuarantineStore, IAccountStore, IReviewStore
{
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly string _connectionString;
    private readonly Channel<WriteOperation> _operations = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private PreparedStatements? _writer;
    private Task? _writerLoop;

    public SqliteMessageStore(SqliteStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _time = timeProvider;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Number of write batches committed; with <see cref="CommittedOperations"/> it shows how well commits are grouped.</summary>
    public long CommittedBatches => Interlocked.Read(ref _batches);

    public long CommittedOperations => Interlocked.Read(ref _batchedOperations);

    private long _batches;
    private bool _synchronousFull = true;
    private long _batchedOperations;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is not null)
        {
            return;
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        connection.Execute("PRAGMA journal_mode=WAL;");
        Configure(connection);
        Migrate(connection);
        _writer = new PreparedStatements(connection);
        _writerLoop = Task.Factory.StartNew(WriterLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public Task EnqueueAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        StoreSql.Validate(message);
        // Only a message whose content is a spool file needs that file's directory entry synced.
        return Submit(
            async (c, t, _) =>
            {
                await InsertAsync(c, t, message);
                return true;
            },
            syncSpool: message.InlineContent is null,
            mustSync: true);
    }

    public Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return Submit((c, t, _) => ClaimAsync(c, t, owner, maxMessages, lease));
    }

    public Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (notice is not null)
        {
            StoreSql.Validate(notice);
        }

        return Submit((c, t, _) => CompleteAsync(c, t, messageId, outcomes, notice), syncSpool: notice is { InlineContent: null });
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default) => Submit(StoreSql.ReleaseLeases(owner));

    public Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default) => Submit(StoreSql.Requeue(messageId, _time), mustSync: true);

    public Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default) => Submit(StoreSql.Delete(messageId), mustSync: true);

    public Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListQueue(query), cancellationToken);

    public Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        // Ids sort by arrival time, so the age test is a primary-key range, not a table scan.
        return Submit((c, t, ct) => c.ExecuteAsync(StoreSql.Command(
            "DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m WHERE m.id < @bound "
            + "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id AND q.status = 0) "
            + "AND NOT EXISTS (SELECT 1 FROM quarantine h WHERE h.message_id = m.id) LIMIT @n)",
            new { bound = MessageIds.LowerBound(receivedBefore), n = maxMessages },
            t,
            ct)));
    }

    public async Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await ReadMessageAsync(connection, null, messageId);
    }

    public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.StatsAsync, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _operations.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop;
        }

        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>
    /// Queues <paramref name="work"/> for the writer, which runs it in the next batch's transaction
    /// and completes the task once that batch is committed. Once queued it runs to the end: the
    /// work gets no cancellation token, since a cancelled operation would fail its whole batch.
    /// </summary>
    private Task<T> Submit<T>(StoreWrite<T> work, bool syncSpool = false, bool mustSync = false)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException("InitializeAsync has not been called.");
        }

        var op = new WriteOperation<T>(work, syncSpool) { MustSync = mustSync };
        if (!_operations.Writer.TryWrite(op))
        {
            throw new ObjectDisposedException(nameof(SqliteMessageStore));
        }

        return op.Task;
    }

    private async Task<T> ReadAsync<T>(StoreRead<T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await read(connection, cancellationToken);
    }

    // Operations are awaited one after another, so a batch is still one run of statements on one
    // connection; Microsoft.Data.Sqlite completes its async methods synchronously, so none of them
    // even leaves the thread.
    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteOperation>(_options.MaxBatchSize);
        var reader = _operations.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var op))
            {
                batch.Add(op);
            }

            await RunBatchAsync(batch);
        }
    }

    private async Task RunBatchAsync(List<WriteOperation> batch)
    {
        try
        {
            if (_options.SpoolDirectory is { } spool && batch.Exists(o => o.SyncsSpool))
            {
                // The content files were fsynced by their writers; their directory entries are synced
                // here once for the whole batch, before the rows that point at them are committed.
                FileSync.SyncDirectory(spool);
            }

            bool full = batch.Exists(o => o.MustSync);
            if (full != _synchronousFull)
            {
                _writer!.Execute(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                _synchronousFull = full;
            }

            if (!await TryCommitAsync(batch) && batch.Count > 1)
            {
                // One operation failed (a duplicate id, a bug): the batch was rolled back whole, so
                // each operation runs again alone and fails or succeeds on its own. Rare, so the
                // common path carries no per-operation SAVEPOINT.
                foreach (var op in batch)
                {
                    op.Error = null;
                    await TryCommitAsync([op]);
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var op in batch)
            {
                op.Fail(ex);
            }

            return;
        }

        foreach (var op in batch)
        {
            op.Finish();
        }
    }

    /// <summary>Runs the operations in one transaction. False (rolled back, errors recorded) when one of them failed.</summary>
    private async Task<bool> TryCommitAsync(List<WriteOperation> batch)
    {
        var connection = _writer!;
        using var transaction = connection.Inner.BeginTransaction();
        foreach (var op in batch)
        {
            try
            {
                await op.RunAsync(connection, transaction);
            }
            catch (Exception ex) when (ex is SqliteException or ArgumentException or InvalidOperationException)
            {
                op.Error = ex;
                transaction.Rollback();
                return false;
            }
        }

        transaction.Commit();
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _batchedOperations, batch.Count);
        return true;
    }

    private static void Configure(SqliteConnection connection)
    {
        // FULL: the WAL is synced at every commit, so a 250 is never sent for a commit a power cut can undo.
        // secure_delete=FAST: content that is deleted (delivered, returned, expired) is zeroed where
        // that costs no extra I/O, so personal data does not linger in free pages of the file.
        connection.Execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA secure_delete=FAST;");
    }

    private void Migrate(SqliteConnection connection) => Migrate(connection, SqliteSchema.Migrations, Now());

    /// <summary>
    /// Applies every step not yet recorded in schema_migrations, lowest version first. A step is
    /// looked for by its number, not compared with the highest applied one: branches merged in
    /// any order may ship version 5 after a store has applied 7, and 5 is still applied.
    /// </summary>
    internal static void Migrate(SqliteConnection connection, IEnumerable<(int Version, string Sql)> migrations, long now)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
        foreach (var (version, sql) in migrations.OrderBy(m => m.Version))
        {
            // IMMEDIATE takes the write lock first, so two processes starting together apply each step once.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (connection.ExecuteScalar<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = @v", new { v = version }, transaction) == 0)
            {
                connection.Execute(sql, transaction: transaction);
                connection.Execute("INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)", new { v = version, at = now }, transaction);
            }

            transaction.Commit();
        }
    }

    private async Task<PreparedStatements> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        connection.Execute("PRAGMA busy_timeout=30000;");
        return new PreparedStatements(connection);
    }

    private long Now() => StoreSql.UnixMs(_time);

    private abstract class WriteOperation(bool syncsSpool)
    {
        public bool SyncsSpool { get; } = syncsSpool;

        /// <summary>The caller will tell a client its mail is safe (or an operator acted): commit with synchronous=FULL.</summary>
        public bool MustSync { get; init; }

        public Exception? Error { get; set; }

        public abstract Task RunAsync(DbConnection connection, DbTransaction transaction);

        /// <summary>Called after the batch committed: publish the result, or the operation's own error.</summary>
        public abstract void Finish();

        public abstract void Fail(Exception exception);
    }

    private sealed class WriteOperation<T>(StoreWrite<T> work, bool syncsSpool) : WriteOperation(syncsSpool)
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override async Task RunAsync(DbConnection connection, DbTransaction transaction) => _result = await work(connection, transaction, CancellationToken.None);

        public override void Finish()
        {
            if (Error is not null)
            {
                _completion.TrySetException(Error);
            }
            else
            {
                _completion.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
