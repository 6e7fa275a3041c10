namespace MailGuard.Store.Tests;

/// <summary>
/// A clock that moves forward by one millisecond each time it is read, starting from the real time
/// when it is made: rows a test writes one after another get distinct, ordered times without the
/// test waiting for the wall clock to move. Timers are the system's.
/// </summary>
internal sealed class StepClock : TimeProvider
{
    private long _ticks = DateTimeOffset.UtcNow.UtcTicks;

    public override DateTimeOffset GetUtcNow() =>
        new(Interlocked.Add(ref _ticks, TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
