using MailGuard.Host;

namespace MailGuard.Testing;

/// <summary>
/// A clock that moves only when told, with timers (so Task.Delay(…, TimeProvider) waits on it).
/// <see cref="Advance"/> jumps to the new time and then fires every timer due by then, once, in
/// due order; timers made while it fires are not fired in the same call. That suits services that
/// sleep until a given instant: the test waits until the service sleeps (<see cref="WaitForTimerAsync"/>),
/// then moves the clock past it.
/// </summary>
internal sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        List<FakeTimer> due;
        lock (_lock)
        {
            _now += by;
            due = _timers.Where(t => t.DueAt <= _now).OrderBy(t => t.DueAt).ToList();
            foreach (var t in due)
            {
                if (t.Period > TimeSpan.Zero && t.Period != Timeout.InfiniteTimeSpan)
                {
                    t.DueAt = _now + t.Period;
                }
                else
                {
                    _timers.Remove(t);
                }
            }
        }

        foreach (var t in due)
        {
            t.Fire();
        }
    }

    /// <summary>Waits (in real time) until <paramref name="count"/> timers are set to fire at <paramref name="dueAt"/>.</summary>
    public async Task WaitForTimerAsync(DateTimeOffset dueAt, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            lock (_lock)
            {
                if (_timers.Count(t => t.DueAt == dueAt) >= count)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} timers set for {dueAt:O}");
            await Task.Delay(20);
        }
    }

    private sealed class FakeTimer(FakeTime owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                Period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = owner._now + dueTime;
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
