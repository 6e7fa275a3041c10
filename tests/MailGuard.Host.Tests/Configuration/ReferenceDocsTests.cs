using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using MailGuard.Core.Policy;
using MailGuard.Host.Configuration;

namespace MailGuard.Host.Tests.Configuration;

/// <summary>
/// docs/reference.md's "Configuration reference" must name every key an operator can set: every property the
/// options classes bind (MailGuardOptions, PolicyOptions), every key config/mailguard.json ships,
/// and the few read straight from configuration. Keys are written in full in the first column of
/// the reference's tables (`Relay:Tls:KeyPath`); list items of objects use N (`Policy:Rules:N:Name`).
/// </summary>
public sealed partial class ReferenceDocsTests
{
    /// <summary>Read from IConfiguration directly rather than through an options class.</summary>
    private static readonly string[] s_readDirectly =
    [
        "Logging:Format", // MailGuardServices / LogSetup
        "Console:Listen", // the review console's listener; `mailguard healthcheck` checks its /healthz
    ];

    [Fact]
    public void Reference_NamesEveryBoundKey()
    {
        var documented = DocumentedKeys();
        var expected = BoundKeys().Concat(ShippedKeys()).Concat(s_readDirectly).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

        var missing = expected.Where(k => !documented.Contains(k)).ToList();

        Assert.True(missing.Count == 0, "docs/reference.md's Configuration reference does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void Reference_NamesNoKeyThatDoesNotExist()
    {
        var known = BoundKeys().Concat(ShippedKeys()).Concat(s_readDirectly).ToHashSet(StringComparer.Ordinal);

        // Logging:LogLevel takes any category name; the reference shows the pattern.
        var stale = DocumentedKeys().Where(k => !known.Contains(k) && k != "Logging:LogLevel:<category>").ToList();

        Assert.True(stale.Count == 0, "docs/reference.md's Configuration reference names keys nothing reads: " + string.Join(", ", stale));
    }

    /// <summary>The first cell of every table row in the section, each `key` in it.</summary>
    private static HashSet<string> DocumentedKeys()
    {
        string[] lines = File.ReadAllLines(Path.Combine(MailGuard.Testing.RepoPaths.Root, "docs", "reference.md"));
        int start = Array.FindIndex(lines, l => l.TrimEnd() == "## Configuration reference");
        Assert.True(start >= 0, "docs/reference.md has no '## Configuration reference' section");
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (string line in lines[(start + 1)..(end < 0 ? lines.Length : end)])
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }

            string firstCell = line.Split('|')[1];
            foreach (Match m in Backticked().Matches(firstCell))
            {
                keys.Add(m.Groups[1].Value);
            }
        }

        Assert.NotEmpty(keys);
        return keys;
    }

    private static IEnumerable<string> BoundKeys() =>
        Walk(typeof(MailGuardOptions), null).Concat(Walk(typeof(PolicyOptions), "Policy"));

    private static IEnumerable<string> Walk(Type type, string? prefix)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite))
        {
            string key = prefix is null ? p.Name : prefix + ":" + p.Name;
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (IsScalar(t) || t == typeof(List<string>))
            {
                yield return key;
            }
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
            {
                foreach (string k in Walk(t.GetGenericArguments()[0], key + ":N"))
                {
                    yield return k;
                }
            }
            else
            {
                foreach (string k in Walk(t, key))
                {
                    yield return k;
                }
            }
        }
    }

    private static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan);

    /// <summary>config/mailguard.json's keys: a list of values is one key, a list of objects gets N.</summary>
    private static IEnumerable<string> ShippedKeys()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(MailGuard.Testing.RepoPaths.Root, "config", "mailguard.json")));
        var keys = new List<string>();
        Flatten(doc.RootElement, null, keys);
        return keys;
    }

    private static void Flatten(JsonElement element, string? prefix, List<string> keys)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in element.EnumerateObject())
                {
                    Flatten(p.Value, prefix is null ? p.Name : prefix + ":" + p.Name, keys);
                }

                break;
            case JsonValueKind.Array when element.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object):
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, prefix + ":N", keys);
                }

                break;
            default:
                keys.Add(prefix!);
                break;
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();
}
