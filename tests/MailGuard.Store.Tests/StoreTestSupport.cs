using MailGuard.Core.Store;
using MailGuard.Testing;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MailGuard.Store.Tests;

/// <summary>Marks a test class whose store is PostgreSQL, so inherited <see cref="StoreFactAttribute"/> tests skip without a server.</summary>
public interface IPostgresStoreTests;

/// <summary>
/// A fact in a provider-neutral base class. An attribute cannot see which subclass it is run for,
/// so the skip decision is made per test case: cases of a class implementing
/// <see cref="IPostgresStoreTests"/> skip as <see cref="PostgresFactAttribute"/> does.
/// </summary>
[XunitTestCaseDiscoverer("MailGuard.Store.Tests.StoreFactDiscoverer", "MailGuard.Store.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new StoreTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}

public sealed class StoreTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes", error: true)]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay methodDisplay, TestMethodDisplayOptions methodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, methodDisplay, methodDisplayOptions, testMethod)
    {
    }

    // Recomputed after de-serialization too: it depends only on the class and the environment.
    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        base.GetSkipReason(factAttribute)
        ?? (typeof(IPostgresStoreTests).IsAssignableFrom(TestMethod.TestClass.Class.ToRuntimeType()) ? PostgresTestServer.SkipReason! : null!);
}

/// <summary>
/// A fresh database per test class (random name, dropped afterwards), and a fresh schema per test
/// inside it: the store's SQL is unqualified, so a schema on the search path is a whole store.
/// Does nothing without a server, so skipped classes need none.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private string? _database;
    private string? _connectionString;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.ConnectionString is not { } server)
        {
            return;
        }

        _database = "mailguard_t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(server, $"CREATE DATABASE {_database}");
        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ToString();
    }

    public async Task DisposeAsync()
    {
        if (_database is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(PostgresTestServer.RequireConnectionString(), $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    /// <summary>A connection string for a new, empty schema of this class's database.</summary>
    public async Task<string> NewSchemaAsync()
    {
        string database = _connectionString ?? PostgresTestServer.RequireConnectionString();
        string schema = "s_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync(database, $"CREATE SCHEMA {schema}");
        return new NpgsqlConnectionStringBuilder(database) { SearchPath = schema }.ToString();
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync();
    }
}

public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }
}

/// <summary>
/// One store per test over a database of its own and a temporary spool directory: the lifecycle
/// every provider-neutral store test class shares. Subclasses say how to open their provider.
/// </summary>
public abstract class StoreTestBase<TStore> : IAsyncLifetime
    where TStore : class, IMessageStore
{
    private readonly string _directory;

    protected StoreTestBase(string prefix) => _directory = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    protected string Directory => _directory;

    protected TStore Store { get; private set; } = null!;

    /// <summary>A new store instance over this test's database (a restart, or a second node).</summary>
    protected abstract TStore Open();

    protected virtual Task CreateDatabaseAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(_directory);
        await CreateDatabaseAsync();
        Store = Open();
        await Store.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = Open();
        await Store.InitializeAsync();
    }
}
