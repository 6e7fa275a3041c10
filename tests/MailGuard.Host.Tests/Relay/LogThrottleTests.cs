using MailGuard.Host.Relay;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Relay;

public sealed class LogThrottleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void FirstLogged_RestOfTheMinuteCounted_NextLineSaysHowMany()
    {
        var time = new FakeTime(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        var throttle = new LogThrottle(time, Minute);
        Assert.True(throttle.ShouldLog("10.0.0.0/24 MaxSessionsPerClient", out int none));
        Assert.Equal(0, none);
        for (int i = 0; i < 79; i++)
        {
            Assert.False(throttle.ShouldLog("10.0.0.0/24 MaxSessionsPerClient", out _));
        }

        // Another client or another limit has its own line.
        Assert.True(throttle.ShouldLog("10.0.1.0/24 MaxSessionsPerClient", out _));
        Assert.True(throttle.ShouldLog("10.0.0.0/24 MaxSessions", out _));

        time.Advance(Minute);
        Assert.True(throttle.ShouldLog("10.0.0.0/24 MaxSessionsPerClient", out int left));
        Assert.Equal(79, left);
        Assert.False(throttle.ShouldLog("10.0.0.0/24 MaxSessionsPerClient", out _));
    }

    [Fact]
    public void ManyKeys_Bounded_QuietOnesForgotten_ThenAllShareOne()
    {
        var time = new FakeTime(new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero));
        var throttle = new LogThrottle(time, Minute, maxKeys: 3);
        Assert.True(throttle.ShouldLog("a", out _));
        Assert.True(throttle.ShouldLog("b", out _));
        Assert.True(throttle.ShouldLog("c", out _));

        // Full, and none quiet yet: further keys share the overflow line.
        Assert.True(throttle.ShouldLog("d", out _));
        Assert.False(throttle.ShouldLog("e", out _));

        // A minute on, the old keys are quiet and make room again.
        time.Advance(Minute);
        Assert.True(throttle.ShouldLog("f", out _));
        Assert.True(throttle.ShouldLog("g", out _));
    }
}
