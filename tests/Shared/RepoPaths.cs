namespace MailGuard.Testing;

/// <summary>Locates the repository and the read-only ../shared material next to it.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MailGuard.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("MailGuard.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => s_root.Value;

    /// <summary>../shared beside the checkout, or MAILGUARD_SHARED when set.</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("MAILGUARD_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string MimeCorpus => Path.Combine(Shared, "corpus", "mime", "messages");

    public static string DlpCorpus => Path.Combine(Shared, "corpus", "dlp");

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// A fact that needs ../shared/corpus. Without it the test is skipped with the reason shown,
/// except under CI=true, where a missing corpus must fail rather than pass silently.
/// </summary>
internal sealed class SharedCorpusFactAttribute : FactAttribute
{
    public SharedCorpusFactAttribute(string corpus)
    {
        string path = Path.Combine(RepoPaths.Shared, "corpus", corpus);
        if (!Directory.Exists(path) && !RepoPaths.IsCi)
        {
            Skip = $"shared corpus not found at {path} (set MAILGUARD_SHARED); runs in CI";
        }
    }
}
