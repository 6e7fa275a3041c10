using MailGuard.Host.Configuration;
using MailGuard.Host.Delivery;

namespace MailGuard.Host.Tests.Delivery;

public sealed class RetryScheduleTests
{
    private static readonly DeliveryOptions s_options = new() { MinBackoff = TimeSpan.FromMinutes(5), MaxBackoff = TimeSpan.FromSeconds(4000) };

    [Theory]
    [InlineData(0, 300)]
    [InlineData(1, 600)]
    [InlineData(2, 1200)]
    [InlineData(3, 2400)]
    public void DelayAfter_DoublesPerAttemptShortenedByUpTo20Percent(int attempts, double baseSeconds)
    {
        var schedule = new RetrySchedule(s_options, new Random(1));

        for (int i = 0; i < 200; i++)
        {
            double seconds = schedule.DelayAfter(attempts).TotalSeconds;
            Assert.InRange(seconds, baseSeconds * 0.8, baseSeconds);
        }
    }

    [Fact]
    public void DelayAfter_ManyAttempts_CappedAtMaxBackoff()
    {
        var schedule = new RetrySchedule(s_options, new Random(2));

        var delays = Enumerable.Range(0, 200).Select(_ => schedule.DelayAfter(1000)).ToList();

        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 4000 * 0.8, 4000));
        Assert.True(delays.Distinct().Count() > 100, "jitter spreads retries");
    }
}
