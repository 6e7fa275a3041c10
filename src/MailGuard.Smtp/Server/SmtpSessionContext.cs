using System.Net;
using System.Net.Security;
using System.Security.Authentication;

namespace MailGuard.Smtp.Server;

/// <summary>
/// What the server knows about one connection: peer, TLS, HELO name and AUTH identity. It outlives
/// transactions; STARTTLS clears HELO (RFC 3207 §4.2). Hooks read it; only the server changes it.
/// </summary>
public sealed class SmtpSessionContext
{
    private static long s_nextId;

    internal SmtpSessionContext(EndPoint? remote, EndPoint? local, bool implicitTls)
    {
        Id = Interlocked.Increment(ref s_nextId);
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        IsImplicitTls = implicitTls;
    }

    /// <summary>Process-unique number for correlating log events (never content).</summary>
    public long Id { get; }

    /// <summary>The peer's endpoint as the socket reports it.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The peer address with IPv4-mapped IPv6 unmapped, or null for non-IP transports.</summary>
    public IPAddress? RemoteAddress =>
        RemoteEndPoint is IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address) : null;

    /// <summary>The listener endpoint that accepted the connection.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>True when the connection came in on an implicit-TLS listener (RFC 8314).</summary>
    public bool IsImplicitTls { get; }

    /// <summary>True once TLS is established (implicit or STARTTLS).</summary>
    public bool IsSecure { get; internal set; }

    /// <summary>Negotiated TLS version; null until <see cref="IsSecure"/>.</summary>
    public SslProtocols? TlsProtocol { get; internal set; }

    /// <summary>Negotiated cipher suite; null until <see cref="IsSecure"/>.</summary>
    public TlsCipherSuite? TlsCipherSuite { get; internal set; }

    /// <summary>Domain or address literal from the last HELO/EHLO; null before one.</summary>
    public string? HeloName { get; internal set; }

    /// <summary>True when the client greeted with EHLO (extensions may be used).</summary>
    public bool IsExtended { get; internal set; }

    /// <summary>User name that passed AUTH, as the hook received it; null when the client has not authenticated.</summary>
    public string? AuthenticatedUser { get; internal set; }

    /// <summary>True after a successful AUTH, for the rest of the session: a second AUTH gets 503 5.5.1 (RFC 4954 §4).</summary>
    public bool IsAuthenticated => AuthenticatedUser is not null;

    /// <summary>Host-owned state for this session (e.g. a correlation id); the server never reads it.</summary>
    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);
}
