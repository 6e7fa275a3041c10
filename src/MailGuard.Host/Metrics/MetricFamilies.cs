namespace MailGuard.Host.Metrics;

/// <summary>
/// A counter with one label whose values are fixed when it is made, so its series are bounded
/// and all present (at 0) from the first scrape. A value outside the set counts under
/// <c>other</c> when the counter has that slot: a label never carries arbitrary text.
/// </summary>
internal sealed class LabelledCounter
{
    public const string Other = "other";

    private readonly string _name;
    private readonly string _help;
    private readonly string _label;
    private readonly string[] _values;
    private readonly Dictionary<string, int> _index;
    private readonly long[] _counts;
    private readonly int _other;

    public LabelledCounter(string name, string help, string label, IEnumerable<string> values, bool foldUnknownIntoOther = false)
    {
        _name = name;
        _help = help;
        _label = label;
        var list = values.Distinct(StringComparer.Ordinal).ToList();
        _other = -1;
        if (foldUnknownIntoOther)
        {
            _other = list.IndexOf(Other);
            if (_other < 0)
            {
                _other = list.Count;
                list.Add(Other);
            }
        }

        _values = [.. list];
        _index = _values.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i, StringComparer.Ordinal);
        _counts = new long[_values.Length];
    }

    public void Increment(int index, long by = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(by);
        Interlocked.Add(ref _counts[index], by);
    }

    public void Increment(string value, long by = 1)
    {
        if (_index.TryGetValue(value, out int index))
        {
            Increment(index, by);
        }
        else if (_other >= 0)
        {
            Increment(_other, by);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"'{value}' is not a value of {_name}'s {_label} label.");
        }
    }

    public long this[string value] => _index.TryGetValue(value, out int index) ? Interlocked.Read(ref _counts[index]) : 0;

    public void WriteTo(PrometheusTextWriter writer)
    {
        writer.Family(_name, MetricType.Counter, _help);
        for (int i = 0; i < _values.Length; i++)
        {
            writer.Sample(_name, _label, _values[i], Interlocked.Read(ref _counts[i]));
        }
    }
}

/// <summary>
/// A histogram with fixed bucket bounds. Each observation increments one bucket (its own, not
/// every bucket above it), so recording is one Interlocked.Increment plus a compare-and-swap on the
/// sum; the scrape adds the buckets up. The count written is the sum of the buckets read, so
/// <c>le="+Inf"</c> always equals <c>_count</c> even while observations arrive.
/// </summary>
internal sealed class Histogram
{
    private readonly string _name;
    private readonly string _help;
    private readonly double[] _bounds;
    private readonly string[] _boundLabels;

    // One slot per bound, then one for values above the last bound (the +Inf bucket's own share).
    private readonly long[] _buckets;
    private double _sum;

    public Histogram(string name, string help, double[] upperBounds)
    {
        ArgumentOutOfRangeException.ThrowIfZero(upperBounds.Length);
        for (int i = 0; i < upperBounds.Length; i++)
        {
            if (!double.IsFinite(upperBounds[i]) || (i > 0 && upperBounds[i] <= upperBounds[i - 1]))
            {
                throw new ArgumentException("Bucket bounds must be finite and strictly increasing.", nameof(upperBounds));
            }
        }

        _name = name;
        _help = help;
        _bounds = [.. upperBounds];
        _boundLabels = [.. _bounds.Select(PrometheusTextWriter.Format)];
        _buckets = new long[_bounds.Length + 1];
    }

    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            // A NaN would make the sum NaN for the life of the process.
            return;
        }

        int bucket = 0;
        while (bucket < _bounds.Length && value > _bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _buckets[bucket]);
        double current = Volatile.Read(ref _sum);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref _sum, current + value, current);
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }

    public void WriteTo(PrometheusTextWriter writer)
    {
        writer.Family(_name, MetricType.Histogram, _help);
        string bucketName = _name + "_bucket";
        long cumulative = 0;
        for (int i = 0; i < _bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _buckets[i]);
            writer.Sample(bucketName, "le", _boundLabels[i], cumulative);
        }

        cumulative += Interlocked.Read(ref _buckets[^1]);
        writer.Sample(bucketName, "le", "+Inf", cumulative);
        writer.Sample(_name + "_sum", Volatile.Read(ref _sum));
        writer.Sample(_name + "_count", cumulative);
    }
}
