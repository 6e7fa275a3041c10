using System.Globalization;
using System.Text;

namespace MailGuard.Host.Metrics;

internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>
/// Prometheus text exposition format 0.0.4 (prometheus/docs, "Exposition formats"): per family one
/// <c># HELP</c> and one <c># TYPE</c> line, then its samples, each family once. HELP text escapes
/// <c>\</c> and line feed; label values escape <c>\</c>, <c>"</c> and line feed. Values use Go's
/// float syntax, so they are written invariant, with <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c>.
/// </summary>
internal sealed class PrometheusTextWriter(StringBuilder output)
{
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    public void Family(string name, MetricType type, string help)
    {
        CheckName(name, allowColon: true);
        if (!_families.Add(name))
        {
            // Two families of one name would make the scrape fail as a whole.
            throw new InvalidOperationException($"Metric family {name} written twice.");
        }

        output.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(help, escapeQuote: false);
        output.Append('\n');
        output.Append("# TYPE ").Append(name).Append(' ').Append(type switch
        {
            MetricType.Counter => "counter",
            MetricType.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
    }

    public void Sample(string name, double value) => Sample(name, [], Format(value));

    public void Sample(string name, long value) => Sample(name, [], Format(value));

    public void Sample(string name, string label, string labelValue, double value) => Sample(name, [(label, labelValue)], Format(value));

    public void Sample(string name, string label, string labelValue, long value) => Sample(name, [(label, labelValue)], Format(value));

    public void Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, string value)
    {
        output.Append(name);
        if (labels.Length > 0)
        {
            output.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                CheckName(labels[i].Name, allowColon: false);
                if (i > 0)
                {
                    output.Append(',');
                }

                output.Append(labels[i].Name).Append("=\"");
                AppendEscaped(labels[i].Value, escapeQuote: true);
                output.Append('"');
            }

            output.Append('}');
        }

        output.Append(' ').Append(value).Append('\n');
    }

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Shortest round-trip digits ("0.005", "1", "1E-07"), which Go's ParseFloat reads back exactly.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void AppendEscaped(string text, bool escapeQuote)
    {
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '\\':
                    output.Append(@"\\");
                    break;
                case '\n':
                    output.Append(@"\n");
                    break;
                case '"' when escapeQuote:
                    output.Append("\\\"");
                    break;
                default:
                    output.Append(ch);
                    break;
            }
        }
    }

    // Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names the same without ':'. Names are constants
    // in our code, so a bad one is a bug, caught by the first scrape in any test.
    private static void CheckName(string name, bool allowColon)
    {
        bool ok = name.Length > 0 && !char.IsAsciiDigit(name[0]);
        foreach (char ch in name)
        {
            ok &= char.IsAsciiLetterOrDigit(ch) || ch == '_' || (allowColon && ch == ':');
        }

        if (!ok)
        {
            throw new ArgumentException($"'{name}' is not a valid Prometheus {(allowColon ? "metric" : "label")} name.", nameof(name));
        }
    }
}
