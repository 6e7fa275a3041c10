using System.Text;
using System.Text.RegularExpressions;

namespace MailGuard.Host.Delivery;

/// <summary>The delivery circuit breaker as Polly last reported it.</summary>
public enum UpstreamCircuitState
{
    /// <summary>Mail flows; also the permanent state of a transport without a breaker (pickup).</summary>
    Closed,

    /// <summary>The upstream kept failing: mail waits in the queue until the break ends.</summary>
    Open,

    /// <summary>The break ended and one message is the probe; its outcome closes or reopens the circuit.</summary>
    HalfOpen,
}

public static class UpstreamCircuitStateNames
{
    /// <summary>closed, open or half-open: the spelling of the metrics label and the console.</summary>
    public static string Name(this UpstreamCircuitState state) => state switch
    {
        UpstreamCircuitState.Open => "open",
        UpstreamCircuitState.HalfOpen => "half-open",
        _ => "closed",
    };
}

/// <summary>What the review console shows about the way out.</summary>
/// <param name="Transport">pickup or smtp (another transport: local or remote).</param>
/// <param name="Target">The smart host as host:port, or the pickup directory.</param>
/// <param name="CircuitBreakerEnabled">False for pickup: local disk failures do not open a circuit.</param>
/// <param name="CircuitChangedAt">When the circuit last changed state; null if it never has since start.</param>
/// <param name="CircuitOpenUntil">While open: when the break ends and the next message becomes the probe.</param>
/// <param name="LastSuccessAt">The last attempt that delivered at least one recipient.</param>
/// <param name="LastFailureAt">The last attempt that failed for the upstream's sake (see <see cref="UpstreamHealth"/>).</param>
/// <param name="LastFailureReply">That attempt's reply, addresses replaced by &lt;address&gt; and cut to 200 characters.</param>
public sealed record UpstreamHealthSnapshot(
    string Transport,
    string Target,
    bool CircuitBreakerEnabled,
    UpstreamCircuitState Circuit,
    DateTimeOffset? CircuitChangedAt,
    DateTimeOffset? CircuitOpenUntil,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastFailureReply);

/// <summary>
/// The delivery worker's view of the upstream, kept for the console and the metrics: circuit state
/// from the Polly breaker's callbacks, and the last success and failure. A failure is an attempt
/// that fed the breaker (connect, greeting, TLS, AUTH, network) or one in which the upstream
/// deferred every recipient; a permanent refusal of a recipient says nothing about the upstream's
/// health and is not recorded here. Only reply text is kept, with anything that looks like an
/// address masked: upstream replies often echo the recipient ("550 5.1.1 &lt;bob@...&gt;").
/// </summary>
public sealed partial class UpstreamHealth
{
    /// <summary>Enough for any SMTP reply line worth showing (RFC 5321 §4.5.3.1.5 allows 512 octets).</summary>
    private const int MaxReplyLength = 200;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly string _transport;
    private readonly string _target;
    private readonly bool _breaker;
    private int _circuit;
    private DateTimeOffset? _circuitChangedAt;
    private DateTimeOffset? _circuitOpenUntil;
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _lastFailureAt;
    private string? _lastFailureReply;

    public UpstreamHealth(IDeliveryTransport transport, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _breaker = transport.IsRemote;
        (_transport, _target) = transport switch
        {
            PickupTransport pickup => ("pickup", pickup.Directory),
            SmtpTransport smtp => ("smtp", smtp.Endpoint),
            _ => (transport.IsRemote ? "remote" : "local", transport.GetType().Name),
        };
    }

    /// <summary>The current state without a snapshot, for the metrics scrape.</summary>
    public UpstreamCircuitState Circuit => (UpstreamCircuitState)Volatile.Read(ref _circuit);

    public UpstreamHealthSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new UpstreamHealthSnapshot(_transport, _target, _breaker, Circuit, _circuitChangedAt, _circuitOpenUntil, _lastSuccessAt, _lastFailureAt, _lastFailureReply);
        }
    }

    internal void CircuitOpened(TimeSpan breakDuration)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            SetCircuit(UpstreamCircuitState.Open, now);
            _circuitOpenUntil = now + breakDuration;
        }
    }

    internal void CircuitHalfOpened()
    {
        lock (_lock)
        {
            SetCircuit(UpstreamCircuitState.HalfOpen, _time.GetUtcNow());
            _circuitOpenUntil = null;
        }
    }

    internal void CircuitClosed()
    {
        lock (_lock)
        {
            SetCircuit(UpstreamCircuitState.Closed, _time.GetUtcNow());
            _circuitOpenUntil = null;
        }
    }

    internal void Succeeded()
    {
        lock (_lock)
        {
            _lastSuccessAt = _time.GetUtcNow();
        }
    }

    internal void Failed(string? reply)
    {
        string? scrubbed = reply is null ? null : Scrub(reply);
        lock (_lock)
        {
            _lastFailureAt = _time.GetUtcNow();
            _lastFailureReply = scrubbed;
        }
    }

    private void SetCircuit(UpstreamCircuitState state, DateTimeOffset now)
    {
        Volatile.Write(ref _circuit, (int)state);
        _circuitChangedAt = now;
    }

    /// <summary>The reply with every address (anything around an @, with its angle brackets) masked, on one line, bounded.</summary>
    internal static string Scrub(string reply)
    {
        // Bounded before the pattern runs (it tries every start position); a token cut at the
        // bound is dropped whole, since the cut may have removed the @ that marks it an address.
        if (reply.Length > MaxScrubbedInput)
        {
            int cut = reply.AsSpan(0, MaxScrubbedInput).LastIndexOfAny(' ', '\t');
            reply = reply[..Math.Max(cut, 0)];
        }

        string masked = AddressLike().Replace(reply, "<address>");
        var line = new StringBuilder(Math.Min(masked.Length, MaxReplyLength));
        foreach (char ch in masked)
        {
            if (line.Length == MaxReplyLength)
            {
                break;
            }

            line.Append(char.IsControl(ch) ? ' ' : ch);
        }

        return line.ToString().Trim();
    }

    private const int MaxScrubbedInput = 1024;

    // A quoted local part may hold spaces ("john smith"@example.com), so quoted strings are part of the token.
    [GeneratedRegex("""<?(?:"[^"\r\n]*"|[^\s<>"])*@[^\s<>"]*>?""", RegexOptions.CultureInvariant)]
    private static partial Regex AddressLike();
}
