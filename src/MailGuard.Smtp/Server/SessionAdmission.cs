using System.Net;

namespace MailGuard.Smtp.Server;

/// <summary>Which session limit refused a connection.</summary>
public enum SmtpConnectionLimit
{
    /// <summary><see cref="SmtpServerOptions.MaxSessions"/>: the server is full.</summary>
    MaxSessions,

    /// <summary><see cref="SmtpServerOptions.MaxSessionsPerClient"/>: this client already holds its share.</summary>
    MaxSessionsPerClient,

    /// <summary><see cref="SmtpServerOptions.MaxUntrustedSessions"/>: the budget of unauthenticated clients outside the trusted networks is spent.</summary>
    MaxUntrustedSessions,
}

/// <summary>
/// The session counts behind the connection limits: all sessions, sessions per client
/// (<see cref="Cidr.ClientPrefix"/>) and unauthenticated sessions from outside the trusted
/// networks. One lock: admission is a few dictionary operations per connection, and the three
/// counts must move together so a refused connection leaves none of them changed.
/// </summary>
internal sealed class SessionAdmission(SmtpServerOptions options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _total;
    private int _untrusted;

    public int Total => Volatile.Read(ref _total);

    public int Untrusted => Volatile.Read(ref _untrusted);

    /// <summary>Counts a new connection from <paramref name="remote"/>, or says which limit it would pass (and counts nothing).</summary>
    public SmtpConnectionLimit? TryAdmit(EndPoint? remote, out SessionSlot slot)
    {
        var address = remote is IPEndPoint ip ? Cidr.ClientPrefix(ip.Address) : null;
        bool untrusted = address is null || !Cidr.ContainsAny(options.TrustedNetworks, address);
        slot = new SessionSlot(address, untrusted);
        lock (_lock)
        {
            if (_total >= options.MaxSessions)
            {
                return SmtpConnectionLimit.MaxSessions;
            }

            int fromClient = address is not null && _perClient.TryGetValue(address, out int n) ? n : 0;
            if (fromClient >= options.MaxSessionsPerClient)
            {
                return SmtpConnectionLimit.MaxSessionsPerClient;
            }

            if (untrusted && _untrusted >= options.MaxUntrustedSessions)
            {
                return SmtpConnectionLimit.MaxUntrustedSessions;
            }

            Volatile.Write(ref _total, _total + 1);
            if (untrusted)
            {
                Volatile.Write(ref _untrusted, _untrusted + 1);
            }

            if (address is not null)
            {
                _perClient[address] = fromClient + 1;
            }

            return null;
        }
    }

    /// <summary>The session authenticated: it no longer counts against the untrusted budget.</summary>
    public void Trust(SessionSlot slot)
    {
        lock (_lock)
        {
            if (slot.Untrusted)
            {
                slot.Untrusted = false;
                Volatile.Write(ref _untrusted, _untrusted - 1);
            }
        }
    }

    public void Release(SessionSlot slot)
    {
        lock (_lock)
        {
            Volatile.Write(ref _total, _total - 1);
            if (slot.Untrusted)
            {
                slot.Untrusted = false;
                Volatile.Write(ref _untrusted, _untrusted - 1);
            }

            if (slot.Client is { } address && _perClient.TryGetValue(address, out int n))
            {
                if (n <= 1)
                {
                    _perClient.Remove(address);
                }
                else
                {
                    _perClient[address] = n - 1;
                }
            }
        }
    }
}

/// <summary>What one admitted session counts against.</summary>
internal sealed class SessionSlot(IPAddress? client, bool untrusted)
{
    public IPAddress? Client { get; } = client;

    /// <summary>True while the session counts against the untrusted budget (outside the trusted networks, not authenticated).</summary>
    public bool Untrusted { get; set; } = untrusted;
}
