using MailGuard.Host.Configuration;

namespace MailGuard.Host.Delivery;

/// <summary>
/// When to try a deferred recipient again: Delivery:MinBackoff doubled per attempt made, capped at
/// Delivery:MaxBackoff (Postfix's minimal/maximal_backoff_time), times a random factor in
/// [0.8, 1.2] so a queue that failed together (an upstream outage) does not retry in lockstep.
/// </summary>
internal sealed class RetrySchedule(DeliveryOptions options, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <param name="attemptsBefore">Attempts made before the one that just failed.</param>
    public TimeSpan DelayAfter(int attemptsBefore)
    {
        double factor = Math.Pow(2, Math.Min(attemptsBefore, 30));
        double baseMs = Math.Min(options.MaxBackoff.TotalMilliseconds, options.MinBackoff.TotalMilliseconds * factor);
        double jittered = baseMs * (0.8 + (0.4 * _random.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxBackoff.TotalMilliseconds));
    }
}
