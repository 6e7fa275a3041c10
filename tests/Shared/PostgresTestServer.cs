namespace MailGuard.Testing;

/// <summary>The test server named by MAILGUARD_TEST_POSTGRES (see .ci/test-postgres), or why there is none.</summary>
internal static class PostgresTestServer
{
    public const string Variable = "MAILGUARD_TEST_POSTGRES";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    /// <summary>Null when the PostgreSQL tests must run: a server is configured, or CI=true (where a missing one fails them).</summary>
    public static string? SkipReason =>
        ConnectionString is null && !RepoPaths.IsCi
            ? $"{Variable} not set (e.g. from `.ci/test-postgres start DIR`); runs in CI"
            : null;

    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException($"{Variable} is not set: CI=true needs a PostgreSQL server (.ci/run starts one).");
}

/// <summary>
/// A fact that needs the PostgreSQL test server. Without MAILGUARD_TEST_POSTGRES it is skipped with
/// the reason shown, except under CI=true, where a missing server must fail rather than pass silently.
/// </summary>
internal sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
