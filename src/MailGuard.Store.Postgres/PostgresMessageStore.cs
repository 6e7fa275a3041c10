using System.Data;
using Dapper;
using MailGuard.Core.Store;
using Npgsql;

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
        StoreSql.Validate(message);
        var content = ContentOf(message);
        await InTransactionAsync(
            async (c, t) =>
            {
                await InsertAsync(c, t, message, content, withQueueEntries: true, cancellationToken);
                return true;
            },
            cancellationToken,
            MessageStored(message.Id));
        DeleteSpoolFileOnceStored(message);
    }

    public Task<IReadOnlyList<ClaimedMessage>> ClaimDueAsync(string owner, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        long now = Now();
        long until = now + (long)lease.TotalMilliseconds;
        // A claim whose COMMIT reply is lost may have leased entries all the same; they would wait
        // out the lease with nobody delivering them. The lease (owner and expiry, to the
        // millisecond) names this claim's rows: if the server has them, the claim stands.
        return InTransactionAsync((c, t) => ClaimAsync(c, t, owner, maxMessages, now, until, cancellationToken), cancellationToken, LeaseTaken(owner, until));
    }

    public async Task<AttemptCompletion> CompleteAttemptAsync(string messageId, IReadOnlyList<RecipientOutcome> outcomes, NewMessage? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        ArgumentNullException.ThrowIfNull(outcomes);
        byte[]? noticeContent = null;
        if (notice is not null)
        {
            StoreSql.Validate(notice);
            noticeContent = ContentOf(notice);
        }

        var completion = await InTransactionAsync((c, t) => CompleteAsync(c, t, messageId, outcomes, notice, noticeContent, cancellationToken), cancellationToken);
        if (notice is not null)
        {
            DeleteSpoolFileOnceStored(notice);
        }

        return completion;
    }

    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.ReleaseLeases(owner), cancellationToken);

    public Task<int> RequeueAsync(string messageId, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.Requeue(messageId, _time), cancellationToken);

    public Task<bool> DeleteAsync(string messageId, CancellationToken cancellationToken = default) => WriteAsync(StoreSql.Delete(messageId), cancellationToken);

    public Task<IReadOnlyList<QueueEntryInfo>> ListAsync(QueueQuery query, CancellationToken cancellationToken = default) => ReadAsync(StoreSql.ListQueue(query), cancellationToken);

    public Task<int> PurgeFinishedAsync(DateTimeOffset receivedBefore, int maxMessages, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        // Ids sort by arrival time, so the age test is a primary-key range. SKIP LOCKED: a message
        // another node is claiming or deciding right now is purged next time, not waited for.
        return WriteAsync((c, t, ct) => c.ExecuteAsync(StoreSql.Command(
            "DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m WHERE m.id < @bound "
            + "AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.message_id = m.id AND q.status = 0) "
            + "AND NOT EXISTS (SELECT 1 FROM quarantine h WHERE h.message_id = m.id) "
            + "ORDER BY m.id LIMIT @n FOR UPDATE SKIP LOCKED)",
            new { bound = MessageIds.LowerBound(receivedBefore), n = maxMessages },
            t,
            ct)), cancellationToken);
    }

    public async Task<StoredMessage?> GetMessageAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(messageId);
        return await ReadAsync(async (c, ct) => (await StoreRows.ListAsync(c, StoreSql.Command(SelectMessage + " WHERE m.id = @id", new { id = messageId }, null, ct), ReadMessage)).FirstOrDefault(), cancellationToken);
    }

    public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) => ReadAsync(StoreSql.StatsAsync, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
            _dataSource = null;
        }
    }

    /// <summary>
    /// The bytes to store: inline content, else this node's spool file (fsynced by the caller, as
    /// for SQLite) below its content prefix. Read before the transaction opens, so no row lock waits on the disk.
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

        // Read as delivery reads it: a tag's fields, then the received bytes, in the one copy this store keeps.
        using var content = MessageSpool.OpenFile(path, message.ContentPrefix);
        var bytes = new byte[checked((int)content.Length)];
        content.ReadExactly(bytes);
        return bytes;
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
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException && ex.InnerException is null or AggregateException)
        {
            // A multi-host connection string (Host=a,b;Target Session Attributes=primary) in a
            // failover: no host reachable, or none a primary yet ("No suitable host was found").
            // Npgsql does not call that transient; it is the same outage as a server down.
            throw new NpgsqlException("no PostgreSQL server that accepts writes is reachable", new IOException(ex.Message, ex));
        }
    }

    /// <summary>
    /// Runs a read on a connection of its own. Reads are idempotent, so one that a broken pooled
    /// connection failed is run again on a fresh one (see <see cref="IsBrokenConnection"/>).
    /// </summary>
    private async Task<T> ReadAsync<T>(StoreRead<T> read, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using var c = await OpenAsync(cancellationToken);
                return await read(c, cancellationToken);
            }
            catch (Exception ex) when (IsBrokenConnection(ex))
            {
                ClearPool();
                if (attempt >= MaxAttempts)
                {
                    throw;
                }
            }
        }
    }

    private Task<T> WriteAsync<T>(StoreWrite<T> work, CancellationToken cancellationToken) => InTransactionAsync((c, t) => work(c, t, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one READ COMMITTED transaction and returns once it is committed.
    /// A deadlock or serialization failure rolls the whole transaction back, so the work (which keeps
    /// no state outside it) is run again, a bounded number of times; so is work that a broken
    /// connection interrupted before the commit was sent (the server rolled it back).
    /// </summary>
    /// <param name="committed">
    /// For work whose effect can be looked for afterwards (a message row): when the connection breaks
    /// during COMMIT, whether the server committed is unknown. Rather than have the relay answer 451
    /// for a message that is in fact stored (the client would send it again: a duplicate), the
    /// store waits for the server, up to <see cref="CommitCheckTime"/>, and looks.
    /// </param>
    private async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken, StoreRead<bool>? committed = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            bool committing = false;
            T result = default!;
            try
            {
                await using var c = await OpenAsync(cancellationToken);
                await using var t = await c.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
                result = await work(c, t);
                committing = true;
                // Not cancellable: once the work is done, a cancelled commit would leave the caller unsure.
                await t.CommitAsync(CancellationToken.None);
                return result;
            }
            catch (PostgresException ex) when (attempt < MaxAttempts && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), _time, cancellationToken);
            }
            catch (Exception ex) when (IsBrokenConnection(ex))
            {
                ClearPool();
                if (committing)
                {
                    if (committed is not null && await CommittedAfterAllAsync(committed, cancellationToken))
                    {
                        return result;
                    }

                    throw;
                }

                if (attempt >= MaxAttempts)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>How long a commit whose reply was lost waits for the server to say whether it happened: a restart or a failover's switch, well inside the 10 minutes an SMTP client waits for its reply (RFC 5321 §4.5.3.2.6).</summary>
    private static readonly TimeSpan CommitCheckTime = TimeSpan.FromSeconds(15);

    private async Task<bool> CommittedAfterAllAsync(StoreRead<bool> committed, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + CommitCheckTime;
        var wait = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await using var c = await OpenAsync(cancellationToken);
                return await committed(c, cancellationToken);
            }
            catch (Exception ex) when (IsBrokenConnection(ex) && _time.GetUtcNow() + wait < until)
            {
                ClearPool();
                await Task.Delay(wait, _time, cancellationToken);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private static StoreRead<bool> LeaseTaken(string owner, long until) => (c, ct) =>
        c.ExecuteScalarAsync<bool>(StoreSql.Command("SELECT EXISTS (SELECT 1 FROM queue WHERE lease_owner = @owner AND lease_until = @until)", new { owner, until }, null, ct));

    private static StoreRead<bool> MessageStored(string messageId) => (c, ct) =>
        c.ExecuteScalarAsync<bool>(StoreSql.Command("SELECT EXISTS (SELECT 1 FROM messages WHERE id = @id)", new { id = messageId }, null, ct));

    /// <summary>
    /// A connection the server closed or never opened: restarted (57P01 admin shutdown, 57P02 crash
    /// shutdown, 57P03 starting up), failed over, unreachable (a socket or stream error inside an
    /// NpgsqlException), or a connection-class SQLSTATE (08). Not a statement the server refused.
    /// </summary>
    private static bool IsBrokenConnection(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException || npgsql.IsTransient,
        _ => false,
    };

    /// <summary>
    /// After a restart or failover every idle pooled connection is dead, and Npgsql finds that out
    /// one use at a time (npgsql/npgsql#5073): clearing the pool at the first broken one means the
    /// next operations open fresh connections instead of failing once per pooled one.
    /// </summary>
    private void ClearPool() => _dataSource?.Clear();

    /// <summary>Tries per transaction when PostgreSQL picks it as a deadlock victim; one retry almost always succeeds.</summary>
    private const int MaxAttempts = 3;

    private async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var c = await dataSource.OpenConnectionAsync(cancellationToken);
        await MigrateAsync(c, PostgresSchema.Migrations, Now(), cancellationToken);
    }

    /// <summary>
    /// Applies every step not yet recorded in schema_migrations, lowest version first. A step is
    /// looked for by its number, not compared with the highest applied one: branches merged in
    /// any order may ship version 4 after a store has applied 6, and 4 is still applied.
    /// </summary>
    internal static async Task MigrateAsync(NpgsqlConnection c, IEnumerable<(int Version, string Sql)> migrations, long now, CancellationToken cancellationToken)
    {
        await using var t = await c.BeginTransactionAsync(cancellationToken);
        // PostgreSQL's DDL is transactional: under the lock, every pending step and its row commit
        // together, and a node starting at the same moment waits, then finds nothing left to do.
        await c.ExecuteAsync(StoreSql.Command("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresSchema.MigrationLockKey }, t, cancellationToken));
        await c.ExecuteAsync(StoreSql.Command("CREATE TABLE IF NOT EXISTS schema_migrations (version int NOT NULL PRIMARY KEY, applied_at bigint NOT NULL)", null, t, cancellationToken));
        var applied = (await c.QueryAsync<int>(StoreSql.Command("SELECT version FROM schema_migrations", null, t, cancellationToken))).ToHashSet();
        foreach (var (version, sql) in migrations.OrderBy(m => m.Version))
        {
            if (!applied.Contains(version))
            {
                await c.ExecuteAsync(StoreSql.Command(sql, null, t, cancellationToken));
                await c.ExecuteAsync(StoreSql.Command("INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)", new { v = version, at = now }, t, cancellationToken));
            }
        }

        await t.CommitAsync(cancellationToken);
    }

    private long Now() => StoreSql.UnixMs(_time);
}
