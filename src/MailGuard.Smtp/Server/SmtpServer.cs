using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailGuard.Smtp.Server;

/// <summary>
/// The SMTP server: binds the plain and implicit-TLS listeners of <see cref="SmtpServerOptions"/>,
/// runs one <c>SmtpSession</c> per connection, enforces the session cap, and stops gracefully.
/// It never logs; content and AUTH arguments only ever reach the hooks.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly ISmtpServerHooks _hooks;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<SmtpSession, Task> _sessions = new();
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly SessionAdmission _admission;
    private int _started;
    private Task? _stopTask;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    public SmtpServer(SmtpServerOptions options, ISmtpServerHooks hooks, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hooks);
        _options = options;
        _hooks = hooks;
        _time = timeProvider ?? TimeProvider.System;
        _admission = new SessionAdmission(options);
    }

    /// <summary>Raised when a session ends with an unexpected exception (a bug, not a network error). Never carries content.</summary>
    public event EventHandler<SmtpSessionFaultedEventArgs>? SessionFaulted;

    /// <summary>Raised when a connection is refused by a session limit (after its 421 is sent or given up on), for the host to count and log.</summary>
    public event EventHandler<SmtpConnectionRefusedEventArgs>? ConnectionRefused;

    /// <summary>Bound plain listeners, with the real port when 0 was configured.</summary>
    public IReadOnlyList<IPEndPoint> PlainEndPoints { get; private set; } = [];

    /// <summary>Bound implicit-TLS listeners (RFC 8314), with the real port when 0 was configured; empty before <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<IPEndPoint> ImplicitTlsEndPoints { get; private set; } = [];

    /// <summary>Sessions currently running; at most <see cref="SmtpServerOptions.MaxSessions"/>, since a connection over the cap gets 421 4.7.0 and is not counted.</summary>
    public int ActiveSessions => _admission.Total;

    /// <summary>Sessions counted against <see cref="SmtpServerOptions.MaxUntrustedSessions"/>: outside the trusted networks and not authenticated.</summary>
    public int UntrustedSessions => _admission.Untrusted;

    internal bool IsStopping => _stopping.IsCancellationRequested;

    internal bool IsHardStopping => _hardStop.IsCancellationRequested;

    /// <summary>Binds every configured endpoint and starts accepting. Throws SocketException when a port is taken.</summary>
    /// <exception cref="InvalidOperationException">Already started, or <see cref="SmtpServerOptions.Validate"/> found problems (all listed in the message).</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        var problems = _options.Validate();
        if (problems.Count > 0)
        {
            Interlocked.Exchange(ref _started, 0);
            throw new InvalidOperationException("Invalid SmtpServerOptions: " + string.Join(" ", problems));
        }

        var plain = new List<IPEndPoint>();
        var tls = new List<IPEndPoint>();
        try
        {
            foreach (var endpoint in _options.Listen)
            {
                plain.Add(Bind(endpoint, implicitTls: false));
            }

            foreach (var endpoint in _options.ImplicitTlsListen)
            {
                tls.Add(Bind(endpoint, implicitTls: true));
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            throw;
        }

        PlainEndPoints = plain;
        ImplicitTlsEndPoints = tls;
        return Task.CompletedTask;
    }

    private IPEndPoint Bind(IPEndPoint endpoint, bool implicitTls)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endpoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listeners.Add(listener);
        _acceptLoops.Add(AcceptLoopAsync(listener, implicitTls));
        return (IPEndPoint)listener.LocalEndPoint!;
    }

    private async Task AcceptLoopAsync(Socket listener, bool implicitTls)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            // Small replies must not wait for Nagle's algorithm (pipelined batches are flushed once).
            socket.NoDelay = true;
            if (_admission.TryAdmit(socket.RemoteEndPoint, out var slot) is { } limit)
            {
                _ = RefuseAsync(socket, implicitTls, limit);
                continue;
            }

            var session = new SmtpSession(this, _options, _hooks, _time, socket, implicitTls, slot, _hardStop.Token);
            var task = RunSessionAsync(session);
            _sessions.TryAdd(session, task);
            if (task.IsCompleted)
            {
                _sessions.TryRemove(session, out _);
            }
        }
    }

    private async Task RunSessionAsync(SmtpSession session)
    {
        // Yield so a fast session cannot run its whole course on the accept loop's thread.
        await Task.Yield();
        try
        {
            await session.RunAsync();
        }
        catch (Exception ex)
        {
            SessionFaulted?.Invoke(this, new SmtpSessionFaultedEventArgs(session.Context, ex));
        }
        finally
        {
            _admission.Release(session.Slot);
            _sessions.TryRemove(session, out _);
        }
    }

    /// <summary>A session authenticated: it leaves the untrusted budget.</summary>
    internal void Authenticated(SmtpSession session) => _admission.Trust(session.Slot);

    private async Task RefuseAsync(Socket socket, bool implicitTls, SmtpConnectionLimit limit)
    {
        // Over a session limit: 421 4.7.0 (RFC 5321 §3.8, RFC 3463 4.7.0 "security/policy"), then close.
        // Implicit-TLS peers expect a handshake, so they are closed without a reply.
        var remote = socket.RemoteEndPoint;
        try
        {
            if (!implicitTls)
            {
                string why = limit switch
                {
                    SmtpConnectionLimit.MaxSessionsPerClient => "too many connections from your address",
                    SmtpConnectionLimit.MaxUntrustedSessions => "too many connections from unauthenticated clients",
                    _ => "too many connections",
                };
                var reply = new SmtpReply(421, "4.7.0", $"{_options.ServerName} Error: {why}, try again later");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
                await socket.SendAsync(Encoding.UTF8.GetBytes(reply.ToWireString()), SocketFlags.None, timeout.Token);
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }

        ConnectionRefused?.Invoke(this, new SmtpConnectionRefusedEventArgs(remote, limit));
    }

    /// <summary>
    /// Stops accepting, lets sessions inside a transaction finish within <paramref name="gracePeriod"/>,
    /// and sends 421 4.3.2 to idle sessions at their next read; when the grace period ends every
    /// remaining session gets 421 4.3.2 and is closed (messages in progress are aborted, not accepted).
    /// </summary>
    public Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        lock (_sessions)
        {
            _stopTask ??= StopCoreAsync(gracePeriod, cancellationToken);
            return _stopTask;
        }
    }

    private async Task StopCoreAsync(TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops);
        foreach (var session in _sessions.Keys)
        {
            session.NotifyStopping();
        }

        var all = Task.WhenAll(_sessions.Values);
        try
        {
            await all.WaitAsync(gracePeriod, _time, cancellationToken);
            return;
        }
        catch (TimeoutException)
        {
        }

        _hardStop.Cancel();
        foreach (var session in _sessions.Keys)
        {
            session.Abort();
        }

        try
        {
            // Sessions blocked in a hook or a write get a moment to answer 421, then their sockets close.
            await all.WaitAsync(TimeSpan.FromSeconds(2), _time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            foreach (var session in _sessions.Keys)
            {
                session.Kill();
            }

            await all;
        }
    }

    /// <summary>Stops immediately (grace period zero).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _started) != 0)
        {
            await StopAsync(TimeSpan.Zero);
        }

        _stopping.Dispose();
        _hardStop.Dispose();
    }
}

/// <summary>A session ended with an unexpected exception.</summary>
public sealed class SmtpSessionFaultedEventArgs(SmtpSessionContext session, Exception exception) : EventArgs
{
    /// <summary>The session's facts (peer, TLS, identity); no content.</summary>
    public SmtpSessionContext Session { get; } = session;

    /// <summary>The exception, for the host to log once.</summary>
    public Exception Exception { get; } = exception;
}

/// <summary>A connection was refused by a session limit.</summary>
public sealed class SmtpConnectionRefusedEventArgs(EndPoint? remoteEndPoint, SmtpConnectionLimit limit) : EventArgs
{
    /// <summary>The peer, as the socket reported it.</summary>
    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    /// <summary>The limit it would have passed.</summary>
    public SmtpConnectionLimit Limit { get; } = limit;
}
