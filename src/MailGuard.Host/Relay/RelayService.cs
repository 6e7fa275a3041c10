using System.Net;
using MailGuard.Host.Configuration;
using MailGuard.Smtp.Server;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Relay;

/// <summary>
/// Runs the SMTP server for the host's lifetime. Shutdown: stop accepting, let sessions in a
/// transaction finish for Relay:ShutdownGracePeriod, then 421 4.3.2 to the rest (the library's
/// StopAsync). Registered after the store's start-up so no session arrives before the store is open.
/// </summary>
internal sealed partial class RelayService : IHostedService, IAsyncDisposable
{
    private readonly RelayOptions _relay;
    private readonly RelayHooks _hooks;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Metrics.MailGuardMetrics _metrics;
    private SmtpServer? _server;
    private CertificateSource? _certificates;
    private readonly LogThrottle _refusals;

    public RelayService(IOptions<RelayOptions> relay, RelayHooks hooks, TimeProvider time, ILogger<RelayService> logger, Metrics.MailGuardMetrics metrics)
    {
        _metrics = metrics;
        _relay = relay.Value;
        _hooks = hooks;
        _time = time;
        _logger = logger;
        _refusals = new LogThrottle(time, TimeSpan.FromMinutes(1));
    }

    /// <summary>Bound plain endpoints (with the real port when 0 was configured).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _server?.PlainEndPoints ?? [];

    public IReadOnlyList<IPEndPoint> ImplicitTlsEndPoints => _server?.ImplicitTlsEndPoints ?? [];

    public int ActiveSessions => _server?.ActiveSessions ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var relay = _relay;
        var smtp = new SmtpServerOptions
        {
            ServerName = relay.ServerName,
            MaxSessions = relay.MaxSessions,
            MaxSessionsPerClient = relay.MaxSessionsPerClient,
            MaxUntrustedSessions = relay.MaxUntrustedSessions,
            MinimumCommandRate = new SmtpMinDataRate(relay.MinimumCommandRate, relay.CommandTimeout),
            MaxRecipients = relay.MaxRecipients,
            MaxMessageBytes = relay.MaxMessageBytes,
            MaxErrors = relay.MaxErrors,
            CommandTimeout = relay.CommandTimeout,
            DataTimeout = relay.DataTimeout,
            RequireAuth = relay.RequireAuth,
        };
        // Clients that may relay without AUTH are the ones trusted with more than the small budget
        // of unauthenticated sessions.
        smtp.TrustedNetworks.Clear();
        foreach (string network in relay.AllowedNetworks)
        {
            smtp.TrustedNetworks.Add(MailGuard.Smtp.Cidr.Parse(network));
        }

        smtp.Listen.Clear();
        foreach (string listen in relay.Listen)
        {
            MailGuardOptionsValidator.TryParseEndPoint(listen, out var ep);
            smtp.Listen.Add(ep);
        }

        foreach (string listen in relay.ImplicitTlsListen)
        {
            MailGuardOptionsValidator.TryParseEndPoint(listen, out var ep);
            smtp.ImplicitTlsListen.Add(ep);
        }

        _certificates = new CertificateSource(relay.Tls, smtp.SetServerCertificate, _time, _logger);
        _server = new SmtpServer(smtp, _hooks, _time);
        _server.SessionFaulted += (_, e) => LogSessionFaulted(_logger, e.Exception, e.Session.Id);
        _server.ConnectionRefused += (_, e) =>
        {
            _metrics.ConnectionRefused(e.Limit);
            string client = e.RemoteEndPoint is IPEndPoint ip ? MailGuard.Smtp.Cidr.ClientPrefix(ip.Address).ToString() : "unknown";
            if (_refusals.ShouldLog(client + " " + e.Limit, out int suppressed))
            {
                LogConnectionRefused(_logger, client, e.Limit.ToString(), suppressed);
            }
        };
        await _server.StartAsync(cancellationToken);
        foreach (var ep in _server.PlainEndPoints)
        {
            LogListening(_logger, ep.ToString(), "SMTP");
        }

        foreach (var ep in _server.ImplicitTlsEndPoints)
        {
            LogListening(_logger, ep.ToString(), "SMTPS");
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            return;
        }

        LogStopping(_logger, _server.ActiveSessions, _relay.ShutdownGracePeriod.TotalSeconds);
        await _server.StopAsync(_relay.ShutdownGracePeriod, CancellationToken.None);
        LogStopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        _certificates?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RelayListening, Level = LogLevel.Information, Message = "Relay listening on {EndPoint} ({Protocol})")]
    private static partial void LogListening(ILogger logger, string endPoint, string protocol);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RelayStopping, Level = LogLevel.Information, Message = "Relay stopping: {Sessions} session(s) open, {GraceSeconds} s to finish")]
    private static partial void LogStopping(ILogger logger, int sessions, double graceSeconds);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.RelayStopped, Level = LogLevel.Information, Message = "Relay stopped")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.ConnectionRefused, Level = LogLevel.Warning, Message = "Connection from {Client} refused with 421: {Limit} reached ({Suppressed} more refusals of this client for this limit since the last such line; one line a minute at most)")]
    private static partial void LogConnectionRefused(ILogger logger, string client, string limit, int suppressed);

    [LoggerMessage(EventId = Core.Diagnostics.LogEventIds.SessionFaulted, Level = LogLevel.Error, Message = "Session {SessionId} failed unexpectedly")]
    private static partial void LogSessionFaulted(ILogger logger, Exception exception, long sessionId);
}
