using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailGuard.Host;
using MailGuard.Smtp;
using MailGuard.Smtp.Server;

namespace MailGuard.Testing;

/// <summary>
/// An upstream smart host for Delivery:Mode=Smtp tests, built on MailGuard's own SMTP server:
/// records every accepted message; recipients starting "reject" get 550 5.1.1, "defer" 451 4.2.0.
/// </summary>
internal sealed class CaptureSink : ISmtpServerHooks, IAsyncDisposable
{
    private readonly SmtpServer _server;
    private readonly Func<string, SmtpReply?>? _recipientReply;

    private CaptureSink(SmtpServer server, Func<string, SmtpReply?>? recipientReply)
    {
        _server = server;
        _recipientReply = recipientReply;
    }

    public ConcurrentQueue<Captured> Messages { get; } = new();

    public int Port => _server.PlainEndPoints[0].Port;

    public bool SawTls { get; private set; }

    public bool SawAuth { get; private set; }

    /// <param name="recipientReply">Overrides the RCPT reply for chosen addresses (null: the default rules).</param>
    public static async Task<CaptureSink> StartAsync(int port = 0, X509Certificate2? certificate = null, Func<string, SmtpReply?>? recipientReply = null)
    {
        // The sink stands in for an upstream that takes every connection: all relays under test
        // connect from loopback, and two nodes at Delivery:Concurrency 20 open more than the
        // server's default per-client limit (20), whose 421 would defer mail for Delivery:MinBackoff.
        var options = new SmtpServerOptions { ServerName = "sink.test", MinimumDataRate = null, MaxSessions = 200, MaxSessionsPerClient = 200 };
        options.Listen.Clear();
        options.Listen.Add(new IPEndPoint(IPAddress.Loopback, port));
        options.ServerCertificate = certificate;
        var hooks = new HooksHolder();
        var server = new SmtpServer(options, hooks);
        var sink = new CaptureSink(server, recipientReply);
        hooks.Sink = sink;
        await server.StartAsync();
        return sink;
    }

    public async Task<List<Captured>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Messages.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Messages.Count >= count, $"{Messages.Count} of {count} messages reached the sink");
        return Messages.ToList();
    }

    public ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(userName == "relay" && password == "secret" ? SmtpAuthResult.Succeeded : SmtpAuthResult.Failed);

    public ValueTask<SmtpReply?> OnDataAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SmtpReply> OnMailFromAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        SawTls |= session.IsSecure;
        SawAuth |= session.IsAuthenticated;
        return ValueTask.FromResult(SmtpReplies.SenderOk);
    }

    public ValueTask<SmtpReply> OnRcptToAsync(SmtpSessionContext session, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_recipientReply?.Invoke(recipient.Address) ?? recipient.Address switch
        {
            var a when a.StartsWith("reject", StringComparison.Ordinal) => new SmtpReply(550, "5.1.1", "No such user"),
            var a when a.StartsWith("defer", StringComparison.Ordinal) => new SmtpReply(451, "4.2.0", "Mailbox busy"),
            _ => SmtpReplies.RecipientOk,
        });

    public ValueTask<IMessageWriter> BeginMessageAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IMessageWriter>(new Writer(this));

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private sealed class Writer(CaptureSink sink) : IMessageWriter
    {
        private readonly MemoryStream _content = new();

        public Stream Content => _content;

        public ValueTask<SmtpReply> CommitAsync(SmtpEnvelope envelope, CancellationToken cancellationToken)
        {
            sink.Messages.Enqueue(new Captured(envelope.ReversePath, envelope.Recipients.Select(r => r.Address).ToArray(), _content.ToArray()));
            return ValueTask.FromResult(SmtpReplies.Queued("sink"));
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class HooksHolder : ISmtpServerHooks
    {
        public CaptureSink Sink { get; set; } = null!;

        public ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken) => Sink.OnConnectAsync(session, cancellationToken);

        public ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken) => Sink.AuthenticateAsync(session, mechanism, userName, password, cancellationToken);

        public ValueTask<SmtpReply?> OnDataAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) => Sink.OnDataAsync(session, envelope, cancellationToken);

        public ValueTask<SmtpReply> OnMailFromAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) => Sink.OnMailFromAsync(session, envelope, cancellationToken);

        public ValueTask<SmtpReply> OnRcptToAsync(SmtpSessionContext session, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken) => Sink.OnRcptToAsync(session, envelope, recipient, cancellationToken);

        public ValueTask<IMessageWriter> BeginMessageAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) => Sink.BeginMessageAsync(session, envelope, cancellationToken);
    }
}

internal sealed record Captured(string MailFrom, string[] RcptTo, byte[] Content);
