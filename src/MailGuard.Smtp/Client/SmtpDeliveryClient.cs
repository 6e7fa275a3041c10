using System.Net.Sockets;
using System.Security.Authentication;

namespace MailGuard.Smtp.Client;

/// <summary>
/// SMTP client for delivering upstream (RFC 5321 with EHLO extensions PIPELINING, SIZE, 8BITMIME,
/// SMTPUTF8, STARTTLS, AUTH PLAIN/LOGIN). One instance is one connection, opened on the first
/// <see cref="SendAsync"/> and reused by later calls (RSET between transactions). Not thread-safe.
/// Expected failures come back as <see cref="DeliveryResult"/>; only caller cancellation throws.
/// </summary>
public sealed class SmtpDeliveryClient : IAsyncDisposable
{
    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SmtpClientSession _session;
    private readonly SmtpMailTransaction _transactions;

    /// <summary>Creates a client; nothing is connected until <see cref="SendAsync"/>.</summary>
    public SmtpDeliveryClient(SmtpClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _session = new SmtpClientSession(options);
        _transactions = new SmtpMailTransaction(options, _session, CloseAsync);
    }

    /// <summary>True while a session is open; false again after a network failure, a cancelled send or <see cref="QuitAsync"/>, and the next <see cref="SendAsync"/> reconnects.</summary>
    public bool IsConnected => _session.IsConnected;

    /// <summary>True when the open session is under TLS; false while disconnected.</summary>
    public bool IsSecure => _session.IsSecure;

    /// <summary>EHLO keywords of the last session (upper-case) and their parameters ("SIZE" → "10240000"); after STARTTLS, those of the second EHLO only (RFC 3207 §4.2).</summary>
    public IReadOnlyDictionary<string, string> Extensions => _session.Extensions;

    /// <summary>Delivers one message. Connects (greeting, EHLO, STARTTLS, AUTH) when not connected.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DeliveryResult> SendAsync(SmtpOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stage = SmtpStage.Connect;
        try
        {
            if (!_session.IsConnected)
            {
                var failure = await _session.OpenAsync(s => stage = s, cancellationToken);
                if (failure is { } refused)
                {
                    await CloseAsync();
                    // A refusing greeting is about the host, not the message: defer (as Postfix does for
                    // "refused to talk"). Refused EHLO, TLS or AUTH are our configuration: defer, never bounce.
                    return DeliveryResult.ForAll(message, refused.Stage, refused.Reply, forceDeferred: true);
                }
            }

            return await _transactions.SendAsync(message, s => stage = s, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session is mid-exchange and cannot be reused.
            await CloseAsync();
            throw;
        }
        catch (Exception ex) when (IsNetworkFailure(ex, cancellationToken))
        {
            await CloseAsync();
            var exception = ex is OperationCanceledException ? new TimeoutException($"SMTP {stage} timed out.", ex) : ex;
            return DeliveryResult.ForNetworkFailure(message, stage, exception);
        }
    }

    /// <summary>Sends QUIT and closes; errors while doing so are ignored because nothing is at stake any more.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        if (!_session.IsConnected)
        {
            return;
        }

        try
        {
            _session.Connection.WriteCommand("QUIT");
            // Nothing depends on the answer, so a silent server must not hold up disposal for minutes.
            await _session.Connection.ReadReplyAsync(TimeSpan.FromSeconds(Math.Min(10, _options.CommandTimeout.TotalSeconds)), cancellationToken);
        }
        catch (Exception ex) when (IsNetworkFailure(ex, cancellationToken))
        {
        }
        finally
        {
            await CloseAsync();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await QuitAsync();

    private async Task CloseAsync()
    {
        _transactions.Forget();
        await _session.CloseAsync();
    }

    private static bool IsNetworkFailure(Exception ex, CancellationToken ct) =>
        ex switch
        {
            OperationCanceledException => !ct.IsCancellationRequested,
            IOException or SocketException or AuthenticationException or SmtpProtocolException or ObjectDisposedException => true,
            _ => false,
        };
}
