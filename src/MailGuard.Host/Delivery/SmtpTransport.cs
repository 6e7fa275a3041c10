using System.Net;
using MailGuard.Core.Store;
using MailGuard.Host.Configuration;
using MailGuard.Smtp;
using MailGuard.Smtp.Client;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Delivery;

/// <summary>Delivery:Mode=Smtp: MailGuard.Smtp's client to the smart host, one reused connection per worker.</summary>
internal sealed class SmtpTransport : IDeliveryTransport
{
    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;

    public SmtpTransport(IOptions<DeliveryOptions> delivery, IOptions<RelayOptions> relay, TimeProvider time)
    {
        var smtp = delivery.Value.Smtp;
        _time = time;
        _options = new SmtpClientOptions
        {
            Host = smtp.Host!,
            Port = smtp.Port,
            StartTls = Enum.Parse<StartTlsMode>(smtp.StartTls, ignoreCase: true),
            Credentials = string.IsNullOrEmpty(smtp.Username) ? null : new NetworkCredential(smtp.Username, smtp.Password),
            ClientName = relay.Value.ServerName,
            UseChunking = smtp.UseChunking,
            CertificateValidation = smtp.ValidateCertificate ? null : (_, _, _, _) => true,
        };
    }

    public bool IsRemote => true;

    /// <summary>The smart host as host:port (an IPv6 literal in brackets), for the review console.</summary>
    internal string Endpoint => (_options.Host.Contains(':', StringComparison.Ordinal) ? $"[{_options.Host}]" : _options.Host) + ":" + _options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IDeliverySession OpenSession() => new Session(this);

    private sealed class Session(SmtpTransport owner) : IDeliverySession
    {
        private SmtpDeliveryClient? _client;

        public async Task<TransportResult> SendAsync(OutgoingDelivery delivery, CancellationToken cancellationToken)
        {
            _client ??= new SmtpDeliveryClient(owner._options, owner._time);
            var message = delivery.Message;
            var outgoing = new SmtpOutgoingMessage(message.MailFrom, delivery.Recipients.Select(r => r.Address).ToArray(), delivery.Content)
            {
                Has8BitContent = (message.Flags & MessageFlags.EightBit) != 0,
                RequiresSmtpUtf8 = (message.Flags & MessageFlags.SmtpUtf8) != 0,
            };
            var result = await _client.SendAsync(outgoing, cancellationToken);
            if (!_client.IsConnected)
            {
                await _client.DisposeAsync();
                _client = null;
            }

            return Map(result, owner._options.Host);
        }

        public async Task IdleAsync()
        {
            if (_client is not null)
            {
                await _client.QuitAsync();
                await _client.DisposeAsync();
                _client = null;
            }
        }

        public async ValueTask DisposeAsync() => await IdleAsync();
    }

    internal static TransportResult Map(DeliveryResult result, string host)
    {
        bool upstream = result.Exception is not null
            || (result.Outcome == DeliveryOutcome.Deferred && result.Stage is SmtpStage.Connect or SmtpStage.Greeting or SmtpStage.Ehlo or SmtpStage.StartTls or SmtpStage.Auth);
        var attempts = new RecipientAttempt[result.Recipients.Count];
        for (int i = 0; i < attempts.Length; i++)
        {
            var r = result.Recipients[i];
            SmtpReply? reply = r.Reply ?? result.Reply;
            string? text = reply?.ToString() ?? (result.Exception is { } ex ? $"4.4.1 upstream {result.Stage}: {ex.GetType().Name}" : null);
            var status = reply switch
            {
                { IsPositiveCompletion: true } => RecipientAttemptStatus.Delivered,
                { IsPermanentFailure: true } when result.Outcome != DeliveryOutcome.Deferred || r.Reply is not null => RecipientAttemptStatus.Permanent,
                _ => RecipientAttemptStatus.Transient,
            };
            attempts[i] = new RecipientAttempt(r.Address, status, text, reply?.EnhancedCode);
        }

        return new TransportResult(attempts, upstream, host);
    }
}
