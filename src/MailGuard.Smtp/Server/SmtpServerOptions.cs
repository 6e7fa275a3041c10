using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailGuard.Smtp.Server;

/// <summary>
/// Limits and endpoints of the SMTP server. Every guard has a finite default whose origin is
/// cited; setters reject values that would disable or break a guard.
/// </summary>
public sealed class SmtpServerOptions
{
    private string _serverName = "localhost";
    private int _maxSessions = 100;
    private int _maxSessionsPerClient = 20;
    private int _maxUntrustedSessions = 10;
    private int _maxRecipients = 1000;
    private long _maxMessageBytes = 10_240_000;
    private int _maxErrors = 20;
    private TimeSpan _commandTimeout = TimeSpan.FromMinutes(5);
    private TimeSpan _dataTimeout = TimeSpan.FromMinutes(3);
    private TimeSpan _tlsHandshakeTimeout = TimeSpan.FromSeconds(30);
    private SmtpMinDataRate? _minimumDataRate = new(240, TimeSpan.FromSeconds(5));
    private SmtpMinDataRate? _minimumCommandRate = new(1, TimeSpan.FromMinutes(5));
    private ServerCredentials? _serverCredentials;

    /// <summary>Name in the greeting and EHLO reply (RFC 5321 §4.1.1.1: the server's own domain). Default "localhost".</summary>
    public string ServerName
    {
        get => _serverName;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            if (value.AsSpan().IndexOfAny(" \r\n\t") >= 0)
            {
                throw new ArgumentException("ServerName must be a single domain token.", nameof(value));
            }

            _serverName = value;
        }
    }

    /// <summary>Plain-text listeners (STARTTLS offered when a certificate is set). Default: loopback port 25 only, so an unconfigured relay is not open to the network.</summary>
    public IList<IPEndPoint> Listen { get; } = [new IPEndPoint(IPAddress.Loopback, 25)];

    /// <summary>Implicit-TLS listeners (RFC 8314 §3: TLS from the first byte, submissions port 465). Default none.</summary>
    public IList<IPEndPoint> ImplicitTlsListen { get; } = [];

    /// <summary>Concurrent sessions; further connections get 421 4.7.0 and are closed. Default 100, Postfix's default_process_limit.</summary>
    public int MaxSessions
    {
        get => _maxSessions;
        set => _maxSessions = Positive(value);
    }

    /// <summary>
    /// Concurrent sessions from one client (an IPv4 address, or an IPv6 /64: one host may use any
    /// address of its /64, RFC 8981); further connections from it get 421 4.7.0 and are closed.
    /// Default 20, Postfix's default_destination_concurrency_limit: what a well-behaved MTA opens to
    /// one destination, so an MTA in front of MailGuard never meets it, while one host can take at
    /// most a fifth of <see cref="MaxSessions"/> and 100 idle connections from it lock no one else out.
    /// </summary>
    public int MaxSessionsPerClient
    {
        get => _maxSessionsPerClient;
        set => _maxSessionsPerClient = Positive(value);
    }

    /// <summary>
    /// Networks whose clients count only against <see cref="MaxSessions"/> and
    /// <see cref="MaxSessionsPerClient"/> (a host gives its relay networks, Postfix's mynetworks).
    /// Default loopback (127.0.0.0/8, ::1/128), the host's default relay networks.
    /// </summary>
    public IList<IPNetwork> TrustedNetworks { get; } = [new IPNetwork(IPAddress.Loopback, 8), new IPNetwork(IPAddress.IPv6Loopback, 128)];

    /// <summary>
    /// Concurrent sessions from clients outside <see cref="TrustedNetworks"/> that have not
    /// authenticated (they can relay nothing until they do); a session leaves this budget when AUTH
    /// succeeds. Further such connections get 421 4.7.0 and are closed. Default 10, a tenth of
    /// <see cref="MaxSessions"/>: hosts that may not relay can hold at most that many sessions, so
    /// at least 90 stay for the trusted networks and authenticated clients.
    /// </summary>
    public int MaxUntrustedSessions
    {
        get => _maxUntrustedSessions;
        set => _maxUntrustedSessions = Positive(value);
    }

    /// <summary>
    /// Recipients per transaction; the next RCPT gets 452 4.5.3 (RFC 5321 §4.5.3.1.10). Default 1000,
    /// Postfix's smtpd_recipient_limit. RFC 5321 §4.5.3.1.8 requires accepting at least 100 for
    /// interoperability; lower values are allowed for tests and special deployments.
    /// </summary>
    public int MaxRecipients
    {
        get => _maxRecipients;
        set => _maxRecipients = Positive(value);
    }

    /// <summary>
    /// Largest message in octets after dot-unstuffing; advertised with SIZE (RFC 1870), checked against
    /// MAIL SIZE= and enforced while reading. Default 10240000, Postfix's message_size_limit.
    /// </summary>
    public long MaxMessageBytes
    {
        get => _maxMessageBytes;
        set => _maxMessageBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");
    }

    /// <summary>
    /// Error replies tolerated per session; the next error is answered with 421 4.7.0 and the connection
    /// closed. Default 20, Postfix's smtpd_hard_error_limit. Like Postfix's error count, every 4xx/5xx
    /// reply to a command counts (including MAIL/RCPT refusals by the hooks, so relay probing ends),
    /// except 452 too-many-recipients and the reply after the message content.
    /// </summary>
    public int MaxErrors
    {
        get => _maxErrors;
        set => _maxErrors = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must not be negative.");
    }

    /// <summary>
    /// Time allowed for one command line (or AUTH response line) to arrive in full, counted from when
    /// the server starts waiting for it: bytes of an unfinished line do not restart it, so a client
    /// cannot hold a session by trickling a line. Default 5 minutes (RFC 5321 §4.5.3.2.7, the server
    /// timeout while awaiting the next command).
    /// </summary>
    public TimeSpan CommandTimeout
    {
        get => _commandTimeout;
        set => _commandTimeout = PositiveTime(value);
    }

    /// <summary>
    /// Idle time allowed between reads of message content. Default 3 minutes, the data-block timeout
    /// of RFC 5321 §4.5.3.2.5; the 10 minutes of §4.5.3.2.6 are the client's wait for our reply after
    /// the final dot, which bounds how long a commit hook may take.
    /// </summary>
    public TimeSpan DataTimeout
    {
        get => _dataTimeout;
        set => _dataTimeout = PositiveTime(value);
    }

    /// <summary>Time allowed for a TLS handshake (STARTTLS or implicit). Default 30 seconds; RFC 3207 sets none, this bounds slow handshakes holding a session slot.</summary>
    public TimeSpan TlsHandshakeTimeout
    {
        get => _tlsHandshakeTimeout;
        set => _tlsHandshakeTimeout = PositiveTime(value);
    }

    /// <summary>
    /// Lowest average rate of message content after a grace period; slower clients are sent 421 4.4.2 and
    /// disconnected. Default 240 bytes/s after 5 s, Kestrel's MinRequestBodyDataRate. Null disables the
    /// check (DataTimeout still applies).
    /// </summary>
    public SmtpMinDataRate? MinimumDataRate
    {
        get => _minimumDataRate;
        set => _minimumDataRate = value;
    }

    /// <summary>
    /// Lowest average rate of command input over the whole session: the time spent waiting for
    /// commands may reach the grace period plus one second per <see cref="SmtpMinDataRate.BytesPerSecond"/>
    /// bytes received in commands, then the client is sent 421 4.4.2 and disconnected. Default 1 byte/s
    /// after 5 minutes, the <see cref="CommandTimeout"/>: every command line earns a client seconds of
    /// waiting (a connection-caching MTA earns minutes per transaction), but a client trickling one
    /// byte every 50 s, complete lines or not, is closed about 306 s in instead of never. Null disables
    /// the check (<see cref="CommandTimeout"/> still applies per line).
    /// </summary>
    public SmtpMinDataRate? MinimumCommandRate
    {
        get => _minimumCommandRate;
        set => _minimumCommandRate = value;
    }

    /// <summary>
    /// Certificate for STARTTLS and implicit TLS; null means STARTTLS is not offered. May be replaced at
    /// run time (certificate reload): each new handshake reads the current value.
    /// </summary>
    public X509Certificate2? ServerCertificate
    {
        get => Volatile.Read(ref _serverCredentials)?.Certificate;
        set => Volatile.Write(ref _serverCredentials, value is null ? null : new ServerCredentials(value, null));
    }

    /// <summary>
    /// Replaces the certificate together with the intermediate CA certificates that complete its
    /// chain (the later certificates of a PEM full chain, the other certificates of a PFX). The
    /// handshake sends them (RFC 8446 §4.4.2): clients trust a server whose chain reaches a root they
    /// hold, and few hold intermediates. The chain is assembled once here, not per handshake.
    /// </summary>
    public void SetServerCertificate(X509Certificate2 certificate, X509Certificate2Collection intermediates)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(intermediates);
        // offline: the chain is what the files hold; no AIA downloads while loading a certificate.
        var context = intermediates.Count == 0 ? null : SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        Volatile.Write(ref _serverCredentials, new ServerCredentials(certificate, context));
    }

    /// <summary>The certificate and its chain as one value, so a handshake never pairs a new certificate with an old chain.</summary>
    internal ServerCredentials? CurrentServerCredentials => Volatile.Read(ref _serverCredentials);

    /// <summary>Always true: AUTH PLAIN and LOGIN send the password in the clear, so they are offered only over TLS (RFC 4954 §4, §14).</summary>
    public bool RequireTlsForAuth => true;

    /// <summary>When true, MAIL before a successful AUTH gets 530 5.7.0. Default false (relay access is then the host's RCPT decision).</summary>
    public bool RequireAuth { get; set; }

    /// <summary>
    /// Checks the combination of settings (the setters check single values) and returns every problem
    /// found, so a host can report them together at start-up. Empty when the options are usable.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Listen.Count + ImplicitTlsListen.Count == 0)
        {
            problems.Add("No listen endpoint: add one to Listen or ImplicitTlsListen.");
        }

        foreach (var endpoint in Listen.Concat(ImplicitTlsListen))
        {
            if (endpoint is null)
            {
                problems.Add("A listen endpoint is null.");
            }
        }

        var duplicates = Listen.Concat(ImplicitTlsListen).Where(e => e is not null && e.Port != 0)
            .GroupBy(e => e).Where(g => g.Count() > 1).Select(g => g.Key);
        foreach (var endpoint in duplicates)
        {
            problems.Add($"Endpoint {endpoint} is listed more than once.");
        }

        var certificate = ServerCertificate;
        if (ImplicitTlsListen.Count > 0 && certificate is null)
        {
            problems.Add("ImplicitTlsListen needs ServerCertificate.");
        }

        if (certificate is not null && !certificate.HasPrivateKey)
        {
            problems.Add("ServerCertificate has no private key.");
        }

        if (RequireAuth && certificate is null)
        {
            // AUTH is only offered under TLS, so without a certificate no client could ever send mail.
            problems.Add("RequireAuth needs ServerCertificate (AUTH is offered only over TLS).");
        }

        return problems;
    }

    private static int Positive(int value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");

    private static TimeSpan PositiveTime(TimeSpan value) =>
        value > TimeSpan.Zero && value != Timeout.InfiniteTimeSpan
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be a positive, finite time.");
}

/// <summary>A minimum average data rate with a grace period, as Kestrel's MinDataRate.</summary>
public sealed class SmtpMinDataRate
{
    /// <summary>Validates both values; a rate cannot be switched off here (set <see cref="SmtpServerOptions.MinimumDataRate"/> to null).</summary>
    /// <param name="bytesPerSecond">Must be positive and finite.</param>
    /// <param name="gracePeriod">Time from the start of content before the rate is checked; must be positive.</param>
    public SmtpMinDataRate(double bytesPerSecond, TimeSpan gracePeriod)
    {
        if (!(bytesPerSecond > 0) || double.IsInfinity(bytesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "Must be positive and finite.");
        }

        if (gracePeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(gracePeriod), gracePeriod, "Must be positive.");
        }

        BytesPerSecond = bytesPerSecond;
        GracePeriod = gracePeriod;
    }

    /// <summary>Average bytes per second required once the grace period has passed.</summary>
    public double BytesPerSecond { get; }

    /// <summary>Time from the start of content during which no rate is required.</summary>
    public TimeSpan GracePeriod { get; }
}

/// <summary>A server certificate and, when intermediates were given, the context that sends them.</summary>
internal sealed record ServerCredentials(X509Certificate2 Certificate, SslStreamCertificateContext? Context);
