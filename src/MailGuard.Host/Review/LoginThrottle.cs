using System.Collections.Concurrent;

namespace MailGuard.Host.Review;

/// <summary>
/// Refuses logins for an account name or a client address that failed too often: after
/// <c>Console:MaxLoginFailures</c> failures within <c>Console:LoginLockout</c>, further attempts
/// are refused (without checking the password) until the oldest failure ages out. Keyed both
/// ways so one address cannot try many names and many addresses cannot try one name. Kept in
/// memory per node: a restart forgets it, and nodes behind a balancer each count their own.
/// </summary>
public sealed class LoginThrottle
{
    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly int _maxFailures;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;

    public LoginThrottle(int maxFailures, TimeSpan window, TimeProvider time)
    {
        _maxFailures = maxFailures;
        _window = window;
        _time = time;
    }

    /// <summary>True when either key is locked out now.</summary>
    public bool IsLocked(string account, string client) => Count("a:" + account) >= _maxFailures || Count("c:" + client) >= _maxFailures;

    public void RecordFailure(string account, string client)
    {
        if (_failures.Count > MaxTrackedKeys)
        {
            Sweep();
        }

        foreach (string key in new[] { "a:" + account, "c:" + client })
        {
            var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
            lock (queue)
            {
                queue.Enqueue(_time.GetUtcNow());
                while (queue.Count > _maxFailures)
                {
                    queue.Dequeue();
                }
            }
        }
    }

    /// <summary>A successful login clears the account's failures (not the address's).</summary>
    public void RecordSuccess(string account) => _failures.TryRemove("a:" + account, out _);

    private int Count(string key)
    {
        if (!_failures.TryGetValue(key, out var queue))
        {
            return 0;
        }

        var since = _time.GetUtcNow() - _window;
        lock (queue)
        {
            while (queue.Count > 0 && queue.Peek() < since)
            {
                queue.Dequeue();
            }

            return queue.Count;
        }
    }

    private void Sweep()
    {
        foreach (var key in _failures.Keys)
        {
            if (Count(key) == 0)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }
}
