using System.Net;
using System.Net.Security;

namespace MailGuard.Smtp.Client;

/// <summary>How the client uses STARTTLS (RFC 3207).</summary>
public enum StartTlsMode
{
    /// <summary>Never; the session stays in clear text (and AUTH is refused locally).</summary>
    None,

    /// <summary>Use STARTTLS when the server offers it, else continue in clear text.</summary>
    Opportunistic,

    /// <summary>Defer delivery unless TLS is established (like Postfix smtp_tls_security_level=encrypt).</summary>
    Required,
}

/// <summary>Where and how <see cref="SmtpDeliveryClient"/> connects. Timeouts follow RFC 5321 §4.5.3.2.</summary>
public sealed class SmtpClientOptions
{
    private int _port = 25;
    private string _clientName = "localhost";
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _commandTimeout = TimeSpan.FromMinutes(5);
    private TimeSpan _dataTimeout = TimeSpan.FromMinutes(3);
    private TimeSpan _dataTerminationTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Server host name or address; also the TLS target name unless <see cref="TlsTargetHost"/> is set.</summary>
    public required string Host { get; init; }

    /// <summary>TCP port. Default 25.</summary>
    public int Port
    {
        get => _port;
        init => _port = value is > 0 and <= 65535 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a TCP port.");
    }

    /// <summary>STARTTLS policy. Default <see cref="StartTlsMode.Opportunistic"/>.</summary>
    public StartTlsMode StartTls { get; init; } = StartTlsMode.Opportunistic;

    /// <summary>Certificate check; null uses the platform's chain and name validation.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>Name used for SNI and certificate validation; default <see cref="Host"/>.</summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>AUTH PLAIN/LOGIN credentials (RFC 4954); only ever sent over TLS.</summary>
    public NetworkCredential? Credentials { get; init; }

    /// <summary>Domain sent with EHLO/HELO (RFC 5321 §4.1.1.1). Default "localhost".</summary>
    public string ClientName
    {
        get => _clientName;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _clientName = value.AsSpan().IndexOfAny(" \r\n") < 0 ? value : throw new ArgumentException("Must be one token.", nameof(value));
        }
    }

    /// <summary>
    /// Send content with BDAT when the server offers CHUNKING (RFC 3030): the bytes go out exactly as
    /// stored (no dot-stuffing, bare LF kept), which suits forwarding an original message unchanged.
    /// Default false: DATA, which also turns bare LF into CRLF.
    /// </summary>
    public bool UseChunking { get; init; }

    /// <summary>TCP connect (and TLS handshake) limit. Default 30 s (Postfix smtp_connect_timeout).</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        init => _connectTimeout = Positive(value);
    }

    /// <summary>Wait for the greeting and each command reply. Default 5 min (RFC 5321 §4.5.3.2.1-.4).</summary>
    public TimeSpan CommandTimeout
    {
        get => _commandTimeout;
        init => _commandTimeout = Positive(value);
    }

    /// <summary>Per write of message content. Default 3 min (RFC 5321 §4.5.3.2.5 data block).</summary>
    public TimeSpan DataTimeout
    {
        get => _dataTimeout;
        init => _dataTimeout = Positive(value);
    }

    /// <summary>Wait for the reply after the final dot. Default 10 min (RFC 5321 §4.5.3.2.6).</summary>
    public TimeSpan DataTerminationTimeout
    {
        get => _dataTerminationTimeout;
        init => _dataTerminationTimeout = Positive(value);
    }

    private static TimeSpan Positive(TimeSpan value) =>
        value > TimeSpan.Zero && value != Timeout.InfiniteTimeSpan ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive and finite.");
}
