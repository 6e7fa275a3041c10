using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Store;

namespace MailGuard.Host.Security;

/// <summary>How one service throttles password guessing.</summary>
/// <param name="Service">Prefix of the service's counters ("smtp", "console"): each counts its own failures.</param>
/// <param name="MaxFailures">Attempts per client and per user name in one window that get their password checked.</param>
/// <param name="Lockout">The window: from a key's first attempt, this long.</param>
/// <param name="FailureDelay">The first failure's delay; doubled per earlier failure, at most 16 times it. Zero: none.</param>
public sealed record AuthThrottlePolicy(string Service, int MaxFailures, TimeSpan Lockout, TimeSpan FailureDelay)
{
    /// <summary>The longest delay, also what a refused attempt waits.</summary>
    public TimeSpan MaxDelay => FailureDelay * 16;
}

/// <summary>One attempt, counted before its password is checked.</summary>
/// <param name="Allowed">False when the client or the user name is locked out: the password must not be checked.</param>
/// <param name="Failures">Failures of the client or the user name (the larger) counted in the window before this attempt.</param>
/// <param name="RetryAfter">For a refused attempt, when the lockout that refused it ends.</param>
public sealed record AuthPermit(AuthThrottlePolicy Policy, AuthAttemptCount User, AuthAttemptCount Client, bool Allowed, int Failures, DateTimeOffset RetryAfter)
{
    /// <summary>How long to hold back the answer if this attempt fails: FailureDelay × 2^failures, at most 16 times it.</summary>
    public TimeSpan FailureDelay => Policy.FailureDelay * (1 << Math.Min(Failures, 4));
}

/// <summary>
/// Throttles password attempts per client address (an IPv6 client as its /64) and per user name,
/// through counters in the store that every node shares. Each attempt is counted before its
/// password is checked, with one atomic upsert per key: under 100 simultaneous attempts only the
/// first <see cref="AuthThrottlePolicy.MaxFailures"/> of a window get checked, whichever node
/// takes them. A success forgets the user name's failures and gives the client its attempt back;
/// a refused attempt is given back too, so the counters hold failures (and attempts in flight).
/// User names are kept only as a hash; passwords never reach this class.
/// </summary>
public sealed class AuthThrottle
{
    private readonly IAuthAttemptStore _store;
    private readonly TimeProvider _time;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<long>> _nextPurge = new(StringComparer.Ordinal);

    public AuthThrottle(IAuthAttemptStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Counts an attempt of <paramref name="userName"/> from <paramref name="client"/>; check the password only if <see cref="AuthPermit.Allowed"/>.</summary>
    public async Task<AuthPermit> BeginAsync(AuthThrottlePolicy policy, string userName, IPAddress? client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(userName);
        string userKey = policy.Service + ":user:" + Hash(userName);
        string clientKey = policy.Service + ":client:" + (client is null ? "unknown" : MailGuard.Smtp.Cidr.ClientPrefix(client).ToString());
        var counts = await _store.CountAuthAttemptsAsync([userKey, clientKey], policy.Lockout, cancellationToken);
        var (user, from) = (counts[0], counts[1]);
        var over = new[] { user, from }.Where(c => c.Attempts > policy.MaxFailures).ToList();
        var retryAfter = over.Count == 0 ? _time.GetUtcNow() : over.Max(c => c.WindowStart) + policy.Lockout;
        await PurgeIfDueAsync(policy, cancellationToken);
        return new AuthPermit(policy, user, from, over.Count == 0, Math.Max(user.Attempts, from.Attempts) - 1, retryAfter);
    }

    /// <summary>The password was right: the user name's failures are forgotten and the client gets this attempt back.</summary>
    public Task SucceededAsync(AuthPermit permit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        return _store.SettleAuthAttemptsAsync([permit.User.Key], [permit.Client], cancellationToken);
    }

    /// <summary>The attempt was refused unchecked: it is not a failure, so both counters get it back.</summary>
    public Task RefusedAsync(AuthPermit permit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(permit);
        return _store.SettleAuthAttemptsAsync([], [permit.User, permit.Client], cancellationToken);
    }

    /// <summary>User names are compared case-insensitively and stored only as a hash (they are personal data, and may be a mistyped password).</summary>
    private static string Hash(string userName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userName.Trim().ToLowerInvariant())).AsSpan(0, 16));

    /// <summary>This service's counters whose window ended are deleted at most once per window, by whichever attempt comes first.</summary>
    private async Task PurgeIfDueAsync(AuthThrottlePolicy policy, CancellationToken cancellationToken)
    {
        var due = _nextPurge.GetOrAdd(policy.Service, _ => new StrongBox<long>(0));
        long now = _time.GetTimestamp();
        long next = Interlocked.Read(ref due.Value);
        if (now < next || Interlocked.CompareExchange(ref due.Value, now + (long)(policy.Lockout.TotalSeconds * _time.TimestampFrequency), next) != next)
        {
            return;
        }

        // Only this service's counters: another may count over a longer window.
        await _store.PurgeAuthAttemptsAsync(policy.Service + ":", policy.Lockout, cancellationToken);
    }
}
