using System.Net;
using MailGuard.Host.Security;

namespace MailGuard.Host.Review;

/// <summary>
/// The console's password checks (login and the password change at /account) under one throttle:
/// after <c>Console:MaxLoginFailures</c> failures of an account name or a client address within
/// <c>Console:LoginLockout</c> (from the first), further attempts are refused unchecked until the
/// window ends. Counted in the store (<see cref="AuthThrottle"/>), atomically and shared by every
/// node on it, so neither concurrency nor a balancer spreading attempts over nodes adds checks.
/// </summary>
public sealed class LoginThrottle
{
    private readonly AuthThrottle _throttle;

    public LoginThrottle(AuthThrottle throttle, int maxFailures, TimeSpan window)
    {
        _throttle = throttle;
        Policy = new AuthThrottlePolicy("console", maxFailures, window, TimeSpan.Zero);
    }

    public AuthThrottlePolicy Policy { get; }

    /// <summary>Counts an attempt for <paramref name="account"/> from <paramref name="client"/>; check the password only when allowed.</summary>
    public Task<AuthPermit> BeginAsync(string account, IPAddress? client, CancellationToken cancellationToken) =>
        _throttle.BeginAsync(Policy, account, client, cancellationToken);

    /// <summary>The password was right: the account's failures are forgotten (the address's stay).</summary>
    public Task SucceededAsync(AuthPermit permit, CancellationToken cancellationToken) => _throttle.SucceededAsync(permit, cancellationToken);

    /// <summary>The attempt was refused unchecked; it does not count as a failure.</summary>
    public Task RefusedAsync(AuthPermit permit, CancellationToken cancellationToken) => _throttle.RefusedAsync(permit, cancellationToken);
}
