using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using MailGuard.Core.Store;

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
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _writer;
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
        Execute(connection, null, "PRAGMA journal_mode=WAL;");
        Configure(connection);
        Migrate(connection);
        _writer = connection;
        _writerLoop = Task.Factory.StartNew(WriterLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public Task EnqueueAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Validate(message);
        // Only a message whose content is a spool file needs that file's directory entry synced.
        return Submit(syncSpool: message.InlineContent is null, (c, t) =>
        {
            Insert(c, t, message);
            return true;
        }, mustSync: true);
    }

    public Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return Submit<IReadOnlyList<ClaimedMessage>>(syncSpool: false, (c, t) => Claim(c, t, owner, maxMessages, lease));
    }

    public Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (notice is not null)
        {
            Validate(notice);
        }

        return Submit(syncSpool: notice is { InlineContent: null }, (c, t) => Complete(c, t, messageId, outcomes, notice));
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return Submit(syncSpool: false, (c, t) =>
        {
            var cmd = Command(c, t, "UPDATE queue SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = $owner AND status = 0");
            cmd.Parameters.AddWithValue("$owner", owner);
            return cmd.ExecuteNonQuery();
        });
    }

    public Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return Submit(syncSpool: false, mustSync: true, work: (c, t) =>
        {
            // Only entries still queued: a finished message's content is gone, so failed entries cannot be retried.
            var cmd = Command(c, t, "UPDATE queue SET next_attempt_at = $now, lease_owner = NULL, lease_until = 0, updated_at = $now WHERE message_id = $id AND status = 0");
            cmd.Parameters.AddWithValue("$now", Now());
            cmd.Parameters.AddWithValue("$id", messageId);
            return cmd.ExecuteNonQuery();
        });
    }

    public Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return Submit(syncSpool: false, mustSync: true, work: (c, t) =>
        {
            var cmd = Command(c, t, "DELETE FROM messages WHERE id = $id");
            cmd.Parameters.AddWithValue("$id", messageId);
            return cmd.ExecuteNonQuery() > 0;
        });
    }

    public async Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await OpenReaderAsync(cancellationToken);
        using var cmd = connection.CreateCommand();
        var where = new List<string>();
        if (query.MessageId is not null)
        {
            where.Add("q.message_id = $id");
            cmd.Parameters.AddWithValue("$id", query.MessageId);
        }

        if (query.Statuses is { Count: > 0 } statuses)
        {
            where.Add("q.status IN (" + string.Join(',', statuses.Select(s => ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")");
        }

        cmd.CommandText = "SELECT q.id, q.message_id, m.mail_from, q.recipient, q.status, q.attempts, q.next_attempt_at, m.received_at, m.size, q.last_reply, q.lease_owner, q.lease_until "
            + "FROM queue q JOIN messages m ON m.id = q.message_id"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
            + " ORDER BY q.id LIMIT $limit";
        cmd.Parameters.AddWithValue("$limit", query.Limit);
        return StoreRows.ReadAll(cmd, StoreRows.QueueEntry);
    }

    public Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        return Submit(syncSpool: false, (c, t) =>
        {
            // Ids sort by arrival time, so the age test is a primary-key range, not a table scan.
            var cmd = Command(c, t, "DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m WHERE m.id < $bound AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id AND q.status = 0) AND NOT EXISTS (SELECT 1 FROM quarantine h WHERE h.message_id = m.id) LIMIT $n)");
            cmd.Parameters.AddWithValue("$bound", MessageIds.LowerBound(receivedBefore));
            cmd.Parameters.AddWithValue("$n", maxMessages);
            return cmd.ExecuteNonQuery();
        });
    }

    public async Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var connection = await OpenReaderAsync(cancellationToken);
        return ReadMessage(connection, null, messageId);
    }

    public async ValueTask DisposeAsync()
    {
        _operations.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop;
        }

        foreach (var cmd in _commands.Values)
        {
            cmd.Dispose();
        }

        _commands.Clear();
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
            _writer = null;
        }

        SqliteConnection.ClearAllPools();
    }

    private static void Validate(NewMessage message)
    {
        if (!MessageIds.IsValid(message.Id))
        {
            throw new ArgumentException($"'{message.Id}' is not a queue id.", nameof(message));
        }

        if (message.Recipients.Count == 0)
        {
            throw new ArgumentException("A message needs at least one recipient.", nameof(message));
        }
    }

    private Task<T> Submit<T>(bool syncSpool, Func<SqliteConnection, SqliteTransaction, T> work, bool mustSync = false)
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

            RunBatch(batch);
        }
    }

    private void RunBatch(List<WriteOperation> batch)
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
                Execute(_writer!, null, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                _synchronousFull = full;
            }

            if (!TryCommit(batch) && batch.Count > 1)
            {
                // One operation failed (a duplicate id, a bug): the batch was rolled back whole, so
                // each operation runs again alone and fails or succeeds on its own. Rare, so the
                // common path carries no per-operation SAVEPOINT.
                foreach (var op in batch)
                {
                    op.Error = null;
                    TryCommit([op]);
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
    private bool TryCommit(List<WriteOperation> batch)
    {
        var connection = _writer!;
        using var transaction = connection.BeginTransaction();
        foreach (var op in batch)
        {
            try
            {
                op.Run(connection, transaction);
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
        Execute(connection, null, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; PRAGMA secure_delete=FAST;");
    }

    private static void Migrate(SqliteConnection connection)
    {
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)");
        foreach (var (version, sql) in SqliteSchema.Migrations)
        {
            // IMMEDIATE takes the write lock first, so two processes starting together apply each step once.
            using var transaction = connection.BeginTransaction(deferred: false);
            using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT COUNT(*) FROM schema_migrations WHERE version = $v";
            check.Parameters.AddWithValue("$v", version);
            if ((long)check.ExecuteScalar()! > 0)
            {
                transaction.Commit();
                continue;
            }

            Execute(connection, transaction, sql);
            using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_migrations (version, applied_at) VALUES ($v, $t)";
            record.Parameters.AddWithValue("$v", version);
            record.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            record.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        Execute(connection, null, "PRAGMA busy_timeout=30000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>A prepared command kept for the writer connection's lifetime, parameters cleared.</summary>
    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            _commands[sql] = cmd;
        }

        cmd.Transaction = transaction;
        cmd.Parameters.Clear();
        return cmd;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
