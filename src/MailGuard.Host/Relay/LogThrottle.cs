namespace MailGuard.Host.Relay;

/// <summary>
/// One log line per key and interval: the first event for a key is logged, the ones that follow
/// within <c>interval</c> are only counted, and the next line after it says how many were left
/// out. A flood of refused connections from one client then costs a line a minute, not a line a
/// connection (the metric still counts every one). Keys are bounded: past <c>maxKeys</c> the
/// quiet ones are forgotten, and when none is quiet all further keys share one.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval, int maxKeys = 1024)
{
    private const string Overflow = "*";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset Logged, int Suppressed)> _keys = new(StringComparer.Ordinal);

    /// <summary>True when an event for <paramref name="key"/> should be logged now; <paramref name="suppressed"/> is then how many were left out since the last one logged.</summary>
    public bool ShouldLog(string key, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_keys.ContainsKey(key) && _keys.Count >= maxKeys)
            {
                foreach (var (old, state) in _keys.ToList())
                {
                    if (now - state.Logged >= interval)
                    {
                        _keys.Remove(old);
                    }
                }

                if (_keys.Count >= maxKeys)
                {
                    key = Overflow;
                }
            }

            if (_keys.TryGetValue(key, out var current) && now - current.Logged < interval)
            {
                _keys[key] = (current.Logged, current.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = current.Suppressed;
            _keys[key] = (now, 0);
            return true;
        }
    }
}
