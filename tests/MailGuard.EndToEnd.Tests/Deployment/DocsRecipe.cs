using Microsoft.Extensions.Configuration;

namespace MailGuard.EndToEnd.Tests.Deployment;

/// <summary>
/// Configuration recipes as the administrator guide (docs/admin.md) prints them. A recipe is the fenced block after a
/// `&lt;!-- recipe: NAME --&gt;` line; the tests run exactly those lines (with test ports put in
/// place of the documented ones), so the guide cannot drift from what was proved.
/// </summary>
internal static class DocsRecipe
{
    public static string Text(string name)
    {
        string[] lines = File.ReadAllLines(Path.Combine(MailGuard.Testing.RepoPaths.Root, "docs", "admin.md"));
        string marker = $"<!-- recipe: {name} -->";
        int at = Array.FindIndex(lines, l => l.Trim() == marker);
        Assert.True(at >= 0, $"docs/admin.md has no recipe '{name}' ({marker})");
        int open = at + 1;
        Assert.True(open < lines.Length && lines[open].StartsWith("```", StringComparison.Ordinal), $"docs/admin.md: recipe '{name}' is not followed by a fenced block");
        int close = Array.FindIndex(lines, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.True(close > open, $"docs/admin.md: recipe '{name}' has no closing fence");
        return string.Join('\n', lines[(open + 1)..close]);
    }

    /// <summary>The recipe's lines with each documented value replaced; every one must occur, so a changed guide fails here rather than testing something else.</summary>
    public static List<string> Lines(string name, params (string Documented, string Actual)[] substitutions)
    {
        string text = Text(name);
        foreach (var (documented, actual) in substitutions)
        {
            Assert.True(text.Contains(documented, StringComparison.Ordinal), $"docs/admin.md recipe '{name}' no longer contains '{documented}'");
            text = text.Replace(documented, actual, StringComparison.Ordinal);
        }

        return text.Split('\n').ToList();
    }

    /// <summary>A JSON recipe (a mailguard.json fragment) as flat configuration keys.</summary>
    public static Dictionary<string, string?> Settings(string name)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Text(name)));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        return configuration.AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }
}
