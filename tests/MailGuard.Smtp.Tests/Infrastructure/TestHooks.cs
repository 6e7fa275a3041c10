using System.Collections.Concurrent;
using System.Net;
using MailGuard.Smtp.Server;

namespace MailGuard.Smtp.Tests.Infrastructure;

/// <summary>A host stand-in: relay by network or AUTH, messages kept in memory.</summary>
internal sealed class TestHooks : ISmtpServerHooks
{
    public List<IPNetwork> AllowedNetworks { get; } = [Cidr.Parse("127.0.0.0/8")];

    public Dictionary<string, string> Users { get; } = new(StringComparer.Ordinal) { ["alice"] = "s3cret" };

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    public ConcurrentQueue<string> Events { get; } = new();

    public Func<SmtpEnvelope, SmtpReply>? CommitReply { get; set; }

    public TimeSpan CommitDelay { get; set; }

    public SmtpReply? ConnectRefusal { get; set; }

    public int Aborted;

    public ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ConnectRefusal);

    /// <summary>When set, decides AUTH instead of <see cref="Users"/> (throttling, an unreachable user store).</summary>
    public Func<string, string, SmtpAuthResult>? AuthResult { get; set; }

    /// <summary>When set, answers DATA and the first BDAT before a writer is asked for (a busy host).</summary>
    public SmtpReply? DataRefusal { get; set; }

    public ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken)
    {
        Events.Enqueue($"auth {mechanism} {userName}");
        if (AuthResult is { } decide)
        {
            return ValueTask.FromResult(decide(userName, password));
        }

        return ValueTask.FromResult(Users.TryGetValue(userName, out var expected) && expected == password ? SmtpAuthResult.Succeeded : SmtpAuthResult.Failed);
    }

    public ValueTask<SmtpReply?> OnDataAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DataRefusal);

    public ValueTask<SmtpReply> OnMailFromAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        Events.Enqueue($"mail {envelope.ReversePath}");
        return ValueTask.FromResult(new SmtpReply(250, "2.1.0", "Ok"));
    }

    public ValueTask<SmtpReply> OnRcptToAsync(SmtpSessionContext session, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken)
    {
        Events.Enqueue($"rcpt {recipient.Address}");
        if (recipient.Address.StartsWith("reject", StringComparison.Ordinal))
        {
            return ValueTask.FromResult(new SmtpReply(550, "5.1.1", "Mailbox unavailable"));
        }

        if (recipient.Address.StartsWith("later", StringComparison.Ordinal))
        {
            return ValueTask.FromResult(new SmtpReply(450, "4.2.1", "Try later"));
        }

        return ValueTask.FromResult(SmtpReplies.IsRelayAllowed(session, AllowedNetworks) ? SmtpReplies.RecipientOk : SmtpReplies.RelayDenied);
    }

    public bool ThrowOnBegin { get; set; }

    public ValueTask<IMessageWriter> BeginMessageAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken) =>
        ThrowOnBegin
            ? throw new IOException("spool unavailable")
            : ValueTask.FromResult<IMessageWriter>(new MemoryWriter(this, session));

    private sealed class MemoryWriter(TestHooks owner, SmtpSessionContext session) : IMessageWriter
    {
        private readonly MemoryStream _stream = new();

        public Stream Content => _stream;

        public async ValueTask<SmtpReply> CommitAsync(SmtpEnvelope envelope, CancellationToken cancellationToken)
        {
            if (owner.CommitDelay > TimeSpan.Zero)
            {
                await Task.Delay(owner.CommitDelay, cancellationToken);
            }

            owner.Messages.Enqueue(new ReceivedMessage(
                envelope.ReversePath,
                envelope.Recipients.Select(r => r.Address).ToArray(),
                _stream.ToArray(),
                envelope,
                session.AuthenticatedUser,
                session.IsSecure));
            return owner.CommitReply?.Invoke(envelope) ?? new SmtpReply(250, "2.0.0", "Ok: queued");
        }

        public ValueTask AbortAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner.Aborted);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => _stream.DisposeAsync();
    }
}

internal sealed record ReceivedMessage(string From, string[] To, byte[] Content, SmtpEnvelope Envelope, string? AuthenticatedUser, bool Secure)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Content);
}
