using MailGuard.Host.Configuration;

namespace MailGuard.Host.Delivery;

/// <summary>
/// When to try a deferred recipient again: Delivery:MinBackoff doubled per attempt made, capped at
/// Delivery:MaxBackoff (Postfix's minimal/maximal_backoff_time), then shortened by a random
/// factor in [0.8, 1.0] so a queue that failed together (an upstream outage) does not retry in
/// lockstep. The jitter only shortens: jittering up and then capping would put half of all
/// long-deferred mail on exactly the cap again.
/// </summary>
internal sealed class RetrySchedule(DeliveryOptions options, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;

    /// <param name="attemptsBefore">Attempts made before the one that just failed.</param>
    public TimeSpan DelayAfter(int attemptsBefore)
    {
        double factor = Math.Pow(2, Math.Min(attemptsBefore, 30));
        double baseMs = Math.Min(options.MaxBackoff.TotalMilliseconds, options.MinBackoff.TotalMilliseconds * factor);
        return TimeSpan.FromMilliseconds(baseMs * (1.0 - (0.2 * _random.NextDouble())));
    }
}
