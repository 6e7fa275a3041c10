namespace MailGuard.Smtp.Server;

/// <summary>
/// The host's side of the server: narrow, asynchronous decisions. Replies the hooks return are sent
/// verbatim, so they should carry an enhanced status code (RFC 2034). Syntax, sequence and limit
/// checks happen before a hook is called. A hook that throws is treated as a local error: the
/// client gets 451 4.3.0 and the transaction is dropped; hooks should return failures as replies.
/// The token passed to each hook is cancelled when the server stops hard (grace period over); a
/// client that disconnects while a hook runs is noticed only after the hook returns.
/// </summary>
public interface ISmtpServerHooks
{
    /// <summary>Called before the greeting. Null accepts; a reply refuses (send e.g. 554 5.7.1) and the connection is closed after it.</summary>
    ValueTask<SmtpReply?> OnConnectAsync(SmtpSessionContext session, CancellationToken cancellationToken);

    /// <summary>Checks AUTH credentials (called only over TLS). The password is never logged or kept by the server.</summary>
    /// <param name="session">Always under TLS here: AUTH before STARTTLS is refused with 530 5.7.0 without calling the hook.</param>
    /// <param name="mechanism">"PLAIN" or "LOGIN".</param>
    /// <param name="userName">Strict UTF-8 from base64, never empty. For PLAIN, an authorization identity other than empty or this user was already refused with 535 5.7.8 (RFC 4616 §2).</param>
    /// <param name="password">Strict UTF-8 from base64; may be empty.</param>
    /// <param name="cancellationToken">Cancelled when the server stops hard. A hook that throws gives 454 4.7.0 (temporary), not the 451 of other hooks.</param>
    /// <returns>The verdict, which the server turns into the reply (see <see cref="SmtpAuthResult"/>). A hook that throttles failures may take its time before answering.</returns>
    ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string mechanism, string userName, string password, CancellationToken cancellationToken);

    /// <summary>Decides MAIL FROM; <paramref name="envelope"/> holds the parsed reverse-path and parameters. A 2xx reply starts the transaction.</summary>
    ValueTask<SmtpReply> OnMailFromAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Decides one RCPT TO, including relay access (allowed networks via <see cref="Cidr.ContainsAny"/>, or
    /// <see cref="SmtpSessionContext.IsAuthenticated"/>); refuse unauthorised relaying with 554 5.7.1 or
    /// 550 5.7.1. A 2xx reply adds the recipient. The recipient cap is enforced before this call.
    /// </summary>
    ValueTask<SmtpReply> OnRcptToAsync(SmtpSessionContext session, SmtpEnvelope envelope, SmtpRecipient recipient, CancellationToken cancellationToken);

    /// <summary>
    /// Called at DATA (before 354) or at the first BDAT, before <see cref="BeginMessageAsync"/>. Null
    /// goes on; a reply refuses this message (say 451 4.7.1 while the host is too busy to take one),
    /// ends the transaction and is sent as it is (a BDAT chunk is still read and discarded first).
    /// </summary>
    ValueTask<SmtpReply?> OnDataAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Called at DATA (before 354) or at the first BDAT. The server writes the dot-unstuffed content to
    /// <see cref="IMessageWriter.Content"/> as it arrives and then calls exactly one of
    /// <see cref="IMessageWriter.CommitAsync"/> or <see cref="IMessageWriter.AbortAsync"/>, then disposes it.
    /// </summary>
    ValueTask<IMessageWriter> BeginMessageAsync(SmtpSessionContext session, SmtpEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>The host's sink for one message's content, e.g. a spool file.</summary>
public interface IMessageWriter : IAsyncDisposable
{
    /// <summary>Writable stream receiving the content exactly as it will be stored (CRLF line ends, no stuffing dots).</summary>
    Stream Content { get; }

    /// <summary>
    /// Called after the whole message arrived within limits. Make it durable (flush, fsync) and return the
    /// final reply: 250 to accept, 4xx/5xx to refuse. The envelope's counters are final at this point.
    /// </summary>
    ValueTask<SmtpReply> CommitAsync(SmtpEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>Called instead of commit when the message is not accepted (over size, client gone, RSET in BDAT, shutdown); discard the content.</summary>
    ValueTask AbortAsync(CancellationToken cancellationToken);
}

/// <summary>The host's verdict on AUTH credentials; the server sends the reply that goes with it.</summary>
public enum SmtpAuthResult
{
    /// <summary>Accepted: 235 2.7.0, and the session is authenticated.</summary>
    Succeeded,

    /// <summary>Wrong credentials: 535 5.7.8, counted toward <see cref="SmtpServerOptions.MaxErrors"/>.</summary>
    Failed,

    /// <summary>
    /// Refused without checking because this client or user name failed too often lately: 454 4.7.0
    /// (RFC 4954 §6, a temporary failure: try again later), counted toward <see cref="SmtpServerOptions.MaxErrors"/>
    /// so a client that keeps trying is disconnected.
    /// </summary>
    Throttled,

    /// <summary>Could not be checked now (the user store is unreachable): 454 4.7.0, not counted as the client's error.</summary>
    Unavailable,
}
