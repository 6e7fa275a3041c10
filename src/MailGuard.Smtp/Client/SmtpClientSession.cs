using System.Net.Security;
using System.Text;

namespace MailGuard.Smtp.Client;

/// <summary>What stopped a session from opening: the step and the reply (possibly made locally).</summary>
internal readonly record struct SessionFailure(SmtpStage Stage, SmtpReply Reply);

/// <summary>
/// The session part of a client connection: connect, greeting, EHLO (HELO as fallback), STARTTLS
/// and AUTH, and what they established (extensions, TLS). Transactions run on top of it; it knows
/// nothing of messages.
/// </summary>
internal sealed class SmtpClientSession
{
    private readonly SmtpClientOptions _options;
    private SmtpClientConnection? _connection;
    private Dictionary<string, string> _extensions = new(StringComparer.OrdinalIgnoreCase);

    public SmtpClientSession(SmtpClientOptions options)
    {
        _options = options;
    }

    public bool IsConnected => _connection is not null;

    public bool IsSecure { get; private set; }

    /// <summary>EHLO keywords of the last greeting (upper-case) and their parameters; kept after the connection closes.</summary>
    public IReadOnlyDictionary<string, string> Extensions => _extensions;

    /// <exception cref="InvalidOperationException">Not connected; a bug in the caller.</exception>
    public SmtpClientConnection Connection => _connection ?? throw new InvalidOperationException("The session is not connected.");

    /// <summary>True when the last EHLO announced <paramref name="keyword"/> (RFC 5321 §4.1.1.1).</summary>
    public bool Offers(string keyword) => _extensions.ContainsKey(keyword);

    /// <summary>
    /// Connects and runs the session's opening. Returns null when ready for MAIL, else the refusal,
    /// after which the caller closes. Network failures throw; <paramref name="setStage"/> has been
    /// told the step they happened in.
    /// </summary>
    public async Task<SessionFailure?> OpenAsync(Action<SmtpStage> setStage, CancellationToken ct)
    {
        setStage(SmtpStage.Connect);
        _connection = await SmtpClientConnection.ConnectAsync(_options.Host, _options.Port, _options.ConnectTimeout, ct);
        setStage(SmtpStage.Greeting);
        var greeting = await _connection.ReadReplyAsync(_options.CommandTimeout, ct);
        if (greeting.Code != 220)
        {
            return new SessionFailure(SmtpStage.Greeting, greeting);
        }

        setStage(SmtpStage.Ehlo);
        var ehlo = await HelloAsync(ct);
        if (!ehlo.IsPositiveCompletion)
        {
            return new SessionFailure(SmtpStage.Ehlo, ehlo);
        }

        if (_options.StartTls != StartTlsMode.None)
        {
            setStage(SmtpStage.StartTls);
            if (Offers("STARTTLS"))
            {
                _connection.WriteCommand("STARTTLS");
                var reply = await _connection.ReadReplyAsync(_options.CommandTimeout, ct);
                if (reply.Code == 220)
                {
                    await _connection.UpgradeToTlsAsync(
                        new SslClientAuthenticationOptions
                        {
                            TargetHost = _options.TlsTargetHost ?? _options.Host,
                            RemoteCertificateValidationCallback = _options.CertificateValidation,
                        },
                        _options.ConnectTimeout,
                        ct);
                    IsSecure = true;
                    // RFC 3207 §4.2: forget pre-TLS knowledge and greet again.
                    ehlo = await HelloAsync(ct);
                    if (!ehlo.IsPositiveCompletion)
                    {
                        return new SessionFailure(SmtpStage.Ehlo, ehlo);
                    }
                }
                else if (_options.StartTls == StartTlsMode.Required)
                {
                    return new SessionFailure(SmtpStage.StartTls, reply);
                }
            }
            else if (_options.StartTls == StartTlsMode.Required)
            {
                return new SessionFailure(SmtpStage.StartTls, LocalReplies.TlsNotOffered);
            }
        }

        if (_options.Credentials is { } credentials)
        {
            setStage(SmtpStage.Auth);
            var reply = await AuthenticateAsync(credentials.UserName, credentials.Password, ct);
            if (!reply.IsPositiveCompletion)
            {
                return new SessionFailure(SmtpStage.Auth, reply);
            }
        }

        return null;
    }

    /// <summary>Closes without QUIT (the caller sends it when there is time to).</summary>
    public async Task CloseAsync()
    {
        var connection = _connection;
        _connection = null;
        IsSecure = false;
        if (connection is not null)
        {
            await connection.CloseAsync();
        }
    }

    private async Task<SmtpReply> HelloAsync(CancellationToken ct)
    {
        var connection = Connection;
        _extensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        connection.WriteCommand($"EHLO {_options.ClientName}");
        var reply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
        if (reply.IsPositiveCompletion)
        {
            foreach (var line in reply.Lines.Skip(1))
            {
                var space = line.IndexOf(' ');
                var keyword = space < 0 ? line : line[..space];
                _extensions[keyword.ToUpperInvariant()] = space < 0 ? string.Empty : line[(space + 1)..];
            }

            return reply;
        }

        if (reply.IsPermanentFailure)
        {
            // RFC 5321 §3.2: fall back to HELO when EHLO is not understood.
            connection.WriteCommand($"HELO {_options.ClientName}");
            reply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
        }

        return reply;
    }

    private async Task<SmtpReply> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        if (!IsSecure)
        {
            // RFC 4954 §14: never send a password in clear text.
            return LocalReplies.AuthWithoutTls;
        }

        var connection = Connection;
        var mechanisms = _extensions.TryGetValue("AUTH", out var list) ? list.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            connection.WriteCommand($"AUTH PLAIN {token}");
            return await connection.ReadReplyAsync(_options.CommandTimeout, ct);
        }

        if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            connection.WriteCommand("AUTH LOGIN");
            var reply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            if (reply.Code != 334)
            {
                return reply;
            }

            connection.WriteCommand(Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
            reply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            if (reply.Code != 334)
            {
                return reply;
            }

            connection.WriteCommand(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)));
            return await connection.ReadReplyAsync(_options.CommandTimeout, ct);
        }

        return LocalReplies.NoAuthMechanism;
    }
}
