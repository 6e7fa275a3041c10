using System.Net;
using System.Net.Sockets;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailGuard.Store.Tests;

/// <summary>
/// StoreFaults classifies what the drivers and the file system really throw: each exception here
/// comes from a real SQLite file, a real PostgreSQL server, a closed port or /dev/full; only the
/// "bug" cases at the end are built by hand.
/// </summary>
public sealed class StoreFaultsTests
{
    [Fact]
    public async Task SqliteMissingTable_IsAStoreFault_NotTransient()
    {
        string dir = Directory.CreateTempSubdirectory("mg-faults-").FullName;
        try
        {
            await using var c = new SqliteConnection($"Data Source={Path.Combine(dir, "x.db")};Pooling=False");
            await c.OpenAsync();
            var ex = await Assert.ThrowsAsync<SqliteException>(() => Execute(c, "SELECT * FROM no_such_table"));

            Assert.True(StoreFaults.IsStoreFault(ex));
            Assert.False(StoreFaults.IsTransient(ex));
            Assert.False(StoreFaults.IsDiskFull(ex));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task SqliteBusy_IsTransient()
    {
        string dir = Directory.CreateTempSubdirectory("mg-faults-").FullName;
        try
        {
            string cs = $"Data Source={Path.Combine(dir, "x.db")};Pooling=False;Default Timeout=1";
            await using var holder = new SqliteConnection(cs);
            await holder.OpenAsync();
            await Execute(holder, "CREATE TABLE t (x INTEGER); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);");
            await using var other = new SqliteConnection(cs);
            await other.OpenAsync();
            await Execute(other, "PRAGMA busy_timeout = 0");
            var ex = await Assert.ThrowsAsync<SqliteException>(() => Execute(other, "INSERT INTO t VALUES (2)"));

            Assert.Equal(5, ex.SqliteErrorCode); // SQLITE_BUSY
            Assert.True(StoreFaults.IsStoreFault(ex));
            Assert.True(StoreFaults.IsTransient(ex));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task PostgresServerNotListening_IsTransient()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var c = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=x;Password=y;Database=z;Timeout=5;Pooling=false");
        var ex = await Assert.ThrowsAnyAsync<NpgsqlException>(() => c.OpenAsync());

        Assert.True(StoreFaults.IsStoreFault(ex));
        Assert.True(StoreFaults.IsTransient(ex));
    }

    [PostgresFact]
    public async Task PostgresUndefinedTable_IsAStoreFault_NotTransient()
    {
        await using var c = new NpgsqlConnection(PostgresTestServer.RequireConnectionString());
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT * FROM no_such_table_here", c);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());

        Assert.Equal("42P01", ex.SqlState);
        Assert.True(StoreFaults.IsStoreFault(ex));
        Assert.False(StoreFaults.IsTransient(ex));
    }

    [PostgresFact]
    public async Task PostgresSessionTerminatedByAdmin_IsTransient()
    {
        // What a restart does to an open session: 57P01, admin shutdown.
        await using var victim = new NpgsqlConnection(PostgresTestServer.RequireConnectionString() + ";Pooling=false");
        await victim.OpenAsync();
        int pid = victim.ProcessID;
        await using (var admin = new NpgsqlConnection(PostgresTestServer.RequireConnectionString() + ";Pooling=false"))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", admin);
            await kill.ExecuteScalarAsync();
        }

        await using var cmd = new NpgsqlCommand("SELECT 1", victim);
        var ex = await Assert.ThrowsAnyAsync<NpgsqlException>(() => cmd.ExecuteScalarAsync());

        Assert.True(StoreFaults.IsStoreFault(ex));
        Assert.True(StoreFaults.IsTransient(ex), $"{ex.GetType().Name} {(ex as PostgresException)?.SqlState}: {ex.Message}");
    }

    [Fact]
    public void DiskFullAndOtherIoErrors()
    {
        // /dev/full answers every write with ENOSPC, as a full file system does.
        var full = Assert.Throws<IOException>(() =>
        {
            using var fs = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            fs.Write(new byte[4096]);
        });
        Assert.True(StoreFaults.IsDiskFull(full), $"HResult {full.HResult:x8}: {full.Message}");
        Assert.True(StoreFaults.IsTransient(full));
        var missing = Assert.Throws<FileNotFoundException>(() => File.OpenRead(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
        Assert.True(StoreFaults.IsStoreFault(missing));
        Assert.False(StoreFaults.IsTransient(missing));
        Assert.False(StoreFaults.IsStoreFault(new InvalidOperationException("a bug")));
        Assert.False(StoreFaults.IsStoreFault(new NullReferenceException()));
    }

    private static async Task Execute(SqliteConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
