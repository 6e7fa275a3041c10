using System.Globalization;
using System.Text;
using MailGuard.Host;

namespace MailGuard.Testing;

internal sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? this[string label] => Labels.TryGetValue(label, out var v) ? v : null;
}

internal sealed record MetricFamily(string Name, string Type, string Help, List<MetricSample> Samples);

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4, written from the format's description, for
/// checking what MailGuardMetrics writes. It refuses what a lenient scraper would let through:
/// samples before their family's HELP and TYPE, a family declared twice, samples of another family
/// in a family's block, unknown escapes, blank lines, CR, trailing spaces, locale-formatted numbers,
/// and histograms whose buckets are not cumulative, not ascending, without +Inf, or whose +Inf
/// bucket differs from _count.
/// </summary>
internal static class ExpositionParser
{
    public static Dictionary<string, MetricFamily> Parse(string text)
    {
        Assert.True(text.Length > 0, "empty exposition");
        Assert.True(text.EndsWith('\n'), "the last line must end with a line feed");
        Assert.DoesNotContain('\r', text);
        var families = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        MetricFamily? current = null;
        string? pendingHelp = null;
        string? pendingHelpName = null;
        var lines = text[..^1].Split('\n');
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n];
            string where = $"line {n + 1}: {line}";
            Assert.False(line.Length == 0, $"blank {where}");
            Assert.False(line != line.TrimEnd(), $"trailing whitespace on {where}");
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.True(pendingHelp is null, $"HELP without TYPE before {where}");
                int space = line.IndexOf(' ', 7);
                Assert.True(space > 7, $"HELP without text on {where}");
                pendingHelpName = line[7..space];
                Assert.True(IsMetricName(pendingHelpName), $"bad metric name on {where}");
                Assert.False(families.ContainsKey(pendingHelpName), $"family {pendingHelpName} declared twice ({where})");
                pendingHelp = UnescapeHelp(line[(space + 1)..], where);
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.True(parts.Length == 2, $"bad TYPE {where}");
                Assert.True(pendingHelpName == parts[0], $"TYPE not right after its HELP on {where}");
                Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                current = new MetricFamily(parts[0], parts[1], pendingHelp!, []);
                families.Add(current.Name, current);
                pendingHelp = null;
                pendingHelpName = null;
                continue;
            }

            Assert.False(line.StartsWith('#'), $"unexpected comment {where}");
            Assert.True(current is not null && pendingHelp is null, $"sample before its family's HELP and TYPE: {where}");
            var sample = ParseSample(line, where);
            Assert.True(BelongsTo(sample.Name, current!), $"sample {sample.Name} inside family {current!.Name}: {where}");
            current!.Samples.Add(sample);
        }

        Assert.True(pendingHelp is null, "HELP without TYPE at the end");
        foreach (var family in families.Values)
        {
            Assert.NotEmpty(family.Samples);
            if (family.Type == "histogram")
            {
                CheckHistogram(family);
            }
            else if (family.Type == "counter")
            {
                Assert.All(family.Samples, s => Assert.True(s.Value >= 0, $"negative counter {s.Name}"));
            }
        }

        return families;
    }

    private static bool BelongsTo(string sample, MetricFamily family) =>
        family.Type == "histogram"
            ? sample == family.Name + "_bucket" || sample == family.Name + "_sum" || sample == family.Name + "_count"
            : sample == family.Name;

    private static void CheckHistogram(MetricFamily family)
    {
        // Series are told apart by their labels other than le; MailGuard's histograms have none.
        var buckets = family.Samples.Where(s => s.Name == family.Name + "_bucket").ToList();
        var sum = Assert.Single(family.Samples, s => s.Name == family.Name + "_sum");
        var count = Assert.Single(family.Samples, s => s.Name == family.Name + "_count");
        Assert.NotEmpty(buckets);
        Assert.Equal("+Inf", buckets[^1]["le"]);
        double previousBound = double.NegativeInfinity;
        double previousCount = 0;
        foreach (var b in buckets)
        {
            string le = b["le"] ?? throw new Xunit.Sdk.XunitException($"{family.Name} bucket without le");
            double bound = ParseValue(le, $"le of {family.Name}");
            Assert.True(bound > previousBound, $"{family.Name}: le {le} not ascending");
            Assert.True(b.Value >= previousCount, $"{family.Name}: bucket le={le} ({b.Value}) below the one before ({previousCount})");
            Assert.Equal(Math.Floor(b.Value), b.Value);
            previousBound = bound;
            previousCount = b.Value;
        }

        Assert.True(buckets[^1].Value == count.Value, $"{family.Name}: +Inf bucket {buckets[^1].Value} != _count {count.Value}");
        Assert.True(count.Value > 0 || sum.Value == 0, $"{family.Name}: a sum of {sum.Value} without observations");
    }

    private static MetricSample ParseSample(string line, string where)
    {
        int i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        string name = line[..i];
        Assert.True(IsMetricName(name), $"bad metric name in {where}");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                int eq = line.IndexOf('=', i);
                Assert.True(eq > i, $"label without name in {where}");
                string label = line[i..eq];
                Assert.True(IsLabelName(label), $"bad label name '{label}' in {where}");
                Assert.True(eq + 1 < line.Length && line[eq + 1] == '"', $"label value not quoted in {where}");
                var value = new StringBuilder();
                int j = eq + 2;
                while (true)
                {
                    Assert.True(j < line.Length, $"unterminated label value in {where}");
                    char ch = line[j];
                    if (ch == '"')
                    {
                        break;
                    }

                    if (ch == '\\')
                    {
                        Assert.True(j + 1 < line.Length, $"dangling backslash in {where}");
                        value.Append(line[j + 1] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var other => throw new Xunit.Sdk.XunitException($"unknown escape \\{other} in {where}"),
                        });
                        j += 2;
                        continue;
                    }

                    value.Append(ch);
                    j++;
                }

                Assert.True(labels.TryAdd(label, value.ToString()), $"label {label} twice in {where}");
                i = j + 1;
                Assert.True(i < line.Length, $"unterminated label set in {where}");
                if (line[i] == '}')
                {
                    i++;
                    break;
                }

                Assert.True(line[i] == ',', $"expected , or }} in {where}");
                i++;
            }
        }

        Assert.True(i < line.Length && line[i] == ' ', $"no single space before the value in {where}");
        string rest = line[(i + 1)..];
        // No timestamps: MailGuard's samples are current values.
        Assert.DoesNotContain(' ', rest);
        return new MetricSample(name, labels, ParseValue(rest, where));
    }

    /// <summary>Go's float syntax as Prometheus reads it: +Inf, -Inf, NaN, or invariant digits (no group separators, '.' as decimal point).</summary>
    public static double ParseValue(string text, string where)
    {
        switch (text)
        {
            case "+Inf":
                return double.PositiveInfinity;
            case "-Inf":
                return double.NegativeInfinity;
            case "NaN":
                return double.NaN;
        }

        Assert.True(text.All(c => char.IsAsciiDigit(c) || c is '.' or '-' or '+' or 'e' or 'E'), $"'{text}' is not a Go float ({where})");
        Assert.True(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value), $"'{text}' is not a number ({where})");
        return value;
    }

    private static string UnescapeHelp(string text, string where)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                sb.Append(text[i]);
                continue;
            }

            Assert.True(i + 1 < text.Length, $"dangling backslash in {where}");
            sb.Append(text[++i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                var other => throw new Xunit.Sdk.XunitException($"unknown HELP escape \\{other} in {where}"),
            });
        }

        return sb.ToString();
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public static double Value(this Dictionary<string, MetricFamily> families, string name, params (string Label, string Value)[] labels)
    {
        var samples = families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name && labels.All(l => s[l.Label] == l.Value)).ToList();
        Assert.True(samples.Count == 1, $"{samples.Count} samples of {name} with {string.Join(",", labels.Select(l => l.Label + "=" + l.Value))}");
        return samples[0].Value;
    }
}
