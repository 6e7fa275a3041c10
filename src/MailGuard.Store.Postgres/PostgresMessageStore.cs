using System.Data;
using Npgsql;
using MailGuard.Core.Store;

namespace MailGuard.Store.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database that several MailGuard nodes use at once. Every
/// mutating call is one transaction, committed before the call returns; the connection asks for
/// synchronous_commit=on whatever the server's default, so a commit is on the server's disk (and
/// on a synchronous standby, where one is configured) before the relay answers 250.
/// <para>
/// Unlike the SQLite store there is no group-commit writer: PostgreSQL already runs concurrent
/// transactions side by side and groups their WAL flushes itself (commit_delay/commit_siblings
/// tune that), and a single writer per node would serialise nodes' work that the server can do in
/// parallel. Claims lock message rows with <c>FOR NO KEY UPDATE SKIP LOCKED</c>, so two nodes never
/// lease the same message; quarantine decisions are conditional updates on status = held, so of two
/// reviewers on two nodes exactly one is applied.
/// </para>
/// <para>
/// Message bytes always live in the database (bytea): a queue entry may be delivered by a node
/// that never saw the message's spool file. See <see cref="PostgresStoreOptions.SpoolDirectory"/>.
/// </para>
/// </summary>
public sealed partial class PostgresMessageStore : IMessageStore, IQuarantineStore, IAccountStore, IReviewStore
{
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _time;
    private NpgsqlDataSource? _dataSource;

    public PostgresMessageStore(PostgresStoreOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _time = timeProvider;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_dataSource is not null)
        {
            return;
        }

        var builder = new NpgsqlDataSourceBuilder(_options.ConnectionString);
        // A server or role configured with synchronous_commit=off would let a 250 outrun the disk.
        builder.ConnectionStringBuilder.Options = (builder.ConnectionStringBuilder.Options + " -c synchronous_commit=on").Trim();
        var dataSource = builder.Build();
        try
        {
            await MigrateAsync(dataSource, cancellationToken);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }

        _dataSource = dataSource;
    }

    public async Task EnqueueAsync(NewMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Validate(message);
        var content = ContentOf(message);
        await InTransactionAsync(async (c, t) =>
        {
            await InsertAsync(c, t, message, content, withQueueEntries: true, cancellationToken);
            return true;
        }, cancellationToken);
        DeleteSpoolFileOnceStored(message);
    }

    public Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return InTransactionAsync<IReadOnlyList<ClaimedMessage>>((c, t) => ClaimAsync(c, t, owner, maxMessages, lease, cancellationToken), cancellationToken);
    }

    public async Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentNullException.ThrowIfNull(outcomes);
        byte[]? noticeContent = null;
        if (notice is not null)
        {
            Validate(notice);
            noticeContent = ContentOf(notice);
        }

        var completion = await InTransactionAsync((c, t) => CompleteAsync(c, t, messageId, outcomes, notice, noticeContent, cancellationToken), cancellationToken);
        if (notice is not null)
        {
            DeleteSpoolFileOnceStored(notice);
        }

        return completion;
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return InTransactionAsync(async (c, t) =>
        {
            await using var cmd = Command(c, t, "UPDATE queue SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = @owner AND status = 0");
            cmd.Parameters.AddWithValue("owner", owner);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return InTransactionAsync(async (c, t) =>
        {
            // Only entries still queued: a finished message's content is gone, so failed entries cannot be retried.
            await using var cmd = Command(c, t, "UPDATE queue SET next_attempt_at = @now, lease_owner = NULL, lease_until = 0, updated_at = @now WHERE message_id = @id AND status = 0");
            cmd.Parameters.AddWithValue("now", Now());
            cmd.Parameters.AddWithValue("id", messageId);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return InTransactionAsync(async (c, t) =>
        {
            await using var cmd = Command(c, t, "DELETE FROM messages WHERE id = @id");
            cmd.Parameters.AddWithValue("id", messageId);
            return await cmd.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var c = await OpenAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        var where = new List<string>();
        if (query.MessageId is not null)
        {
            where.Add("q.message_id = @id");
            cmd.Parameters.AddWithValue("id", query.MessageId);
        }

        if (query.Statuses is { Count: > 0 } statuses)
        {
            where.Add("q.status = ANY(@statuses)");
            cmd.Parameters.AddWithValue("statuses", statuses.Select(s => (int)s).ToArray());
        }

        cmd.CommandText = "SELECT q.id, q.message_id, m.mail_from, q.recipient, q.status, q.attempts, q.next_attempt_at, m.received_at, m.size, q.last_reply, q.lease_owner, q.lease_until "
            + "FROM queue q JOIN messages m ON m.id = q.message_id"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
            + " ORDER BY q.id LIMIT @limit";
        cmd.Parameters.AddWithValue("limit", query.Limit);
        return await StoreRows.ReadAllAsync(cmd, StoreRows.QueueEntry, cancellationToken);
    }

    public Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        return InTransactionAsync(async (c, t) =>
        {
            // Ids sort by arrival time, so the age test is a primary-key range. SKIP LOCKED: a message
            // another node is claiming or deciding right now is purged next time, not waited for.
            await using var cmd = Command(c, t,
                "DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m WHERE m.id < @bound "
                + "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id AND q.status = 0) "
                + "AND NOT EXISTS (SELECT 1 FROM quarantine h WHERE h.message_id = m.id) "
                + "ORDER BY m.id LIMIT @n FOR UPDATE SKIP LOCKED)");
            cmd.Parameters.AddWithValue("bound", MessageIds.LowerBound(receivedBefore));
            cmd.Parameters.AddWithValue("n", maxMessages);
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        await using var c = await OpenAsync(cancellationToken);
        return await ReadMessageAsync(c, null, messageId, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            _dataSource = null;
        }
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

    /// <summary>
    /// The bytes to store: inline content, else this node's spool file (fsynced by the caller, as
    /// for SQLite). Read before the transaction opens, so no row lock waits on the disk.
    /// </summary>
    private byte[] ContentOf(NewMessage message)
    {
        if (message.InlineContent is { } inline)
        {
            return inline.ToArray();
        }

        string? path = MessageSpool.PathIn(_options.SpoolDirectory, message.Id);
        if (path is null || !File.Exists(path))
        {
            throw new ArgumentException(
                $"Message {message.Id} has no inline content and no spool file{(path is null ? " (no SpoolDirectory configured)" : " at " + path)}; the PostgreSQL store keeps every message's bytes in the database.",
                nameof(message));
        }

        return File.ReadAllBytes(path);
    }

    // The database copy is the message from now on: a spool file left behind would be read by no one
    // (other nodes cannot see it) and would keep personal data on this node's disk. Only after the
    // commit, so a failed transaction leaves the relay's file for the client's retry.
    private void DeleteSpoolFileOnceStored(NewMessage message)
    {
        if (message.InlineContent is null && MessageSpool.PathIn(_options.SpoolDirectory, message.Id) is { } path)
        {
            File.Delete(path);
        }
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var dataSource = _dataSource ?? throw new InvalidOperationException("InitializeAsync has not been called.");
        return await dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction and returns once it is committed.
    /// A deadlock or serialization failure rolls the whole transaction back, so the work (which keeps
    /// no state outside it) is run again, a bounded number of times.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var c = await OpenAsync(cancellationToken);
                await using var t = await c.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                T result = await work(c, t);
                // Not cancellable: once the work is done, a cancelled commit would leave the caller unsure.
                await t.CommitAsync(CancellationToken.None);
                return result;
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), _time, cancellationToken);
            }
        }
    }

    /// <summary>Tries per transaction when PostgreSQL picks it as a deadlock victim; one retry almost always succeeds.</summary>
    private const int MaxAttempts = 3;

    private static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var c = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var t = await c.BeginTransactionAsync(cancellationToken);
        // PostgreSQL's DDL is transactional: under the lock, every pending step and its row commit
        // together, and a node starting at the same moment waits, then finds nothing left to do.
        await using (var lockCmd = Command(c, t, "SELECT pg_advisory_xact_lock(@key)"))
        {
            lockCmd.Parameters.AddWithValue("key", PostgresSchema.MigrationLockKey);
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var create = Command(c, t, "CREATE TABLE IF NOT EXISTS schema_migrations (version int NOT NULL PRIMARY KEY, applied_at bigint NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new HashSet<int>();
        await using (var read = Command(c, t, "SELECT version FROM schema_migrations"))
        await using (var r = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                applied.Add(r.GetInt32(0));
            }
        }

        foreach (var (version, sql) in PostgresSchema.Migrations)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await using (var step = Command(c, t, sql))
            {
                await step.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var record = Command(c, t, "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)");
            record.Parameters.AddWithValue("v", version);
            record.Parameters.AddWithValue("at", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await t.CommitAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(NpgsqlConnection c, NpgsqlTransaction? t, string sql) => new(sql, c, t);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
