using MailGuard.Host;

namespace MailGuard.Testing;

/// <summary>Finds external programs the end-to-end tests drive (swaks, Postfix's smtp-source/smtp-sink, python3, chromium).</summary>
internal static class Tools
{
    private static readonly string[] s_extraDirectories = ["/usr/sbin", "/usr/local/sbin", "/sbin"];

    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(s_extraDirectories))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The Debian package that installs a tool (what .ci/run installs).</summary>
    public static string Package(string tool) => tool switch
    {
        "smtp-source" or "smtp-sink" => "postfix",
        "chromedriver" => "chromium-driver",
        _ => tool,
    };

    public static string Require(string name) =>
        Find(name) ?? throw new InvalidOperationException($"{name} is not installed (.ci/run installs it)");
}

/// <summary>
/// A fact that needs an external program. Without it the test is skipped with the reason shown,
/// except under CI=true, where a missing program must fail rather than pass silently.
/// </summary>
internal sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => Tools.Find(t) is null).ToArray();
        if (missing.Length > 0 && !MailGuard.Testing.RepoPaths.IsCi)
        {
            Skip = $"{string.Join(", ", missing)} not installed (apt-get install {string.Join(" ", missing.Select(Tools.Package).Distinct())}); runs in CI";
        }
    }
}
