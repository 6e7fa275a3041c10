namespace MailGuard.Smtp.Client;

/// <summary>One message for <see cref="SmtpDeliveryClient.SendAsync"/>.</summary>
public sealed class SmtpOutgoingMessage
{
    /// <summary>Checks the addresses are bare mailboxes; the content is not read until sending.</summary>
    /// <param name="reversePath">Sender mailbox without brackets; empty for the null path (DSNs).</param>
    /// <param name="recipients">At least one mailbox without brackets.</param>
    /// <param name="content">Message bytes (RFC 5322), read from its current position to the end; the client dot-stuffs and turns bare LF into CRLF.</param>
    public SmtpOutgoingMessage(string reversePath, IReadOnlyList<string> recipients, Stream content)
    {
        ArgumentNullException.ThrowIfNull(reversePath);
        ArgumentNullException.ThrowIfNull(recipients);
        ArgumentNullException.ThrowIfNull(content);
        if (recipients.Count == 0)
        {
            throw new ArgumentException("At least one recipient is required.", nameof(recipients));
        }

        foreach (var address in recipients.Append(reversePath))
        {
            if (address.AsSpan().IndexOfAny("<>\r\n ") >= 0)
            {
                throw new ArgumentException($"'{address}' is not a bare mailbox.", nameof(recipients));
            }
        }

        ReversePath = reversePath;
        Recipients = recipients;
        Content = content;
    }

    /// <summary>Sent as MAIL FROM:&lt;ReversePath&gt;; empty is the null reverse-path "&lt;&gt;" of DSNs (RFC 5321 §4.5.5).</summary>
    public string ReversePath { get; }

    /// <summary>One RCPT TO each, in this order, which is also the order of <see cref="DeliveryResult.Recipients"/>; not deduplicated.</summary>
    public IReadOnlyList<string> Recipients { get; }

    /// <summary>Read once, from its position at <see cref="SmtpDeliveryClient.SendAsync"/> to its end; not disposed by the client.</summary>
    public Stream Content { get; }

    /// <summary>Size in octets for MAIL SIZE= (RFC 1870), when known; default Content.Length for seekable streams.</summary>
    public long? Size { get; init; }

    /// <summary>The content has 8-bit octets: send BODY=8BITMIME when offered (RFC 6152). When not offered the bytes are sent as they are, as Postfix does without MIME conversion.</summary>
    public bool Has8BitContent { get; init; }

    /// <summary>Addresses or headers are UTF-8: MAIL gets SMTPUTF8 (RFC 6531); a server that does not offer it fails the message with 553 5.6.7 (made locally).</summary>
    public bool RequiresSmtpUtf8 { get; init; }
}

/// <summary>What became of a message as a whole.</summary>
public enum DeliveryOutcome
{
    /// <summary>Every recipient accepted and the content accepted (2xx after the final dot).</summary>
    Delivered,

    /// <summary>The content was accepted for some recipients; the others were refused (see <see cref="DeliveryResult.Recipients"/>).</summary>
    PartiallyDelivered,

    /// <summary>Nothing delivered, retry later: a 4xx reply, a network error or timeout, or a TLS/AUTH requirement not met.</summary>
    Deferred,

    /// <summary>Nothing delivered and every refusal was permanent (5xx): bounce.</summary>
    Failed,
}

/// <summary>The final word for one recipient.</summary>
/// <param name="Address">The recipient as given.</param>
/// <param name="Reply">The RCPT refusal, or the reply after the final dot when RCPT was accepted; null when the session failed before an answer.</param>
public sealed record RecipientResult(string Address, SmtpReply? Reply)
{
    /// <summary>True when the server took responsibility for this recipient.</summary>
    public bool Delivered => Reply is { IsPositiveCompletion: true };
}

/// <summary>
/// Outcome of one delivery attempt: a value, never an exception, for every expected failure
/// (ForwarderError-style). Network errors are <see cref="DeliveryOutcome.Deferred"/> with
/// <see cref="Exception"/> set.
/// </summary>
public sealed class DeliveryResult
{
    internal DeliveryResult(DeliveryOutcome outcome, IReadOnlyList<RecipientResult> recipients, SmtpReply? reply, SmtpStage stage, Exception? exception)
    {
        Outcome = outcome;
        Recipients = recipients;
        Reply = reply;
        Stage = stage;
        Exception = exception;
    }

    /// <summary>The message as a whole; per-recipient detail is in <see cref="Recipients"/> (PartiallyDelivered says some were refused).</summary>
    public DeliveryOutcome Outcome { get; }

    /// <summary>One entry per recipient, in the order given.</summary>
    public IReadOnlyList<RecipientResult> Recipients { get; }

    /// <summary>The reply that decided the outcome (the final-dot reply on success); replies made locally for unmet requirements carry "(local)" in their text.</summary>
    public SmtpReply? Reply { get; }

    /// <summary>The step that decided the outcome (<see cref="SmtpStage.Data"/> on success).</summary>
    public SmtpStage Stage { get; }

    /// <summary>The network, TLS or protocol error behind a Deferred outcome, for the caller to log once.</summary>
    public Exception? Exception { get; }

    /// <summary>
    /// One reply decides for every recipient: a refusal before the recipients were answered, or one
    /// made locally. With forceDeferred even a 5xx defers: the session's refusals concern our
    /// configuration or the host, not the message.
    /// </summary>
    internal static DeliveryResult ForAll(SmtpOutgoingMessage message, SmtpStage stage, SmtpReply reply, bool forceDeferred = false)
    {
        var outcome = forceDeferred || !reply.IsPermanentFailure ? DeliveryOutcome.Deferred : DeliveryOutcome.Failed;
        return new DeliveryResult(outcome, message.Recipients.Select(r => new RecipientResult(r, reply)).ToArray(), reply, stage, null);
    }

    /// <summary>No recipient was accepted, so no content went out: deferred if any refusal was transient.</summary>
    internal static DeliveryResult ForRefusedRecipients(SmtpOutgoingMessage message, SmtpReply?[] replies)
    {
        var results = message.Recipients.Select((r, i) => new RecipientResult(r, replies[i])).ToArray();
        var anyTransient = replies.Any(r => r!.Value.IsTransientFailure);
        var decisive = replies.FirstOrDefault(r => r!.Value.IsTransientFailure) ?? replies[0];
        return new DeliveryResult(anyTransient ? DeliveryOutcome.Deferred : DeliveryOutcome.Failed, results, decisive, SmtpStage.Rcpt, null);
    }

    /// <summary>The content reply <paramref name="final"/> goes to every accepted recipient; the refused keep their RCPT reply.</summary>
    internal static DeliveryResult ForFinalReply(SmtpOutgoingMessage message, SmtpReply?[] replies, SmtpReply final)
    {
        var results = new RecipientResult[replies.Length];
        var delivered = 0;
        for (var i = 0; i < replies.Length; i++)
        {
            var reply = replies[i]!.Value.IsPositiveCompletion ? final : replies[i];
            results[i] = new RecipientResult(message.Recipients[i], reply);
            delivered += reply!.Value.IsPositiveCompletion ? 1 : 0;
        }

        var outcome = delivered == results.Length ? DeliveryOutcome.Delivered
            : delivered > 0 ? DeliveryOutcome.PartiallyDelivered
            : results.Any(r => r.Reply!.Value.IsTransientFailure) ? DeliveryOutcome.Deferred
            : DeliveryOutcome.Failed;
        return new DeliveryResult(outcome, results, final, SmtpStage.Data, null);
    }

    /// <summary>The connection failed in <paramref name="stage"/>: nothing is known of any recipient.</summary>
    internal static DeliveryResult ForNetworkFailure(SmtpOutgoingMessage message, SmtpStage stage, Exception exception) =>
        new(DeliveryOutcome.Deferred, message.Recipients.Select(r => new RecipientResult(r, null)).ToArray(), null, stage, exception);
}

/// <summary>
/// Steps of a client session, for diagnostics and retry policy: a failure in Connect to Auth is
/// about the host or our configuration and says nothing of the message.
/// </summary>
public enum SmtpStage
{
    /// <summary>TCP connect, within <see cref="SmtpClientOptions.ConnectTimeout"/>.</summary>
    Connect,

    /// <summary>Waiting for the 220 greeting (RFC 5321 §4.3.1); any other code defers.</summary>
    Greeting,

    /// <summary>EHLO, or HELO after a 5xx to EHLO (RFC 5321 §3.2); also the second EHLO after STARTTLS.</summary>
    Ehlo,

    /// <summary>STARTTLS and the TLS handshake (RFC 3207), the handshake within <see cref="SmtpClientOptions.ConnectTimeout"/>.</summary>
    StartTls,

    /// <summary>AUTH PLAIN or LOGIN (RFC 4954); only ever over TLS.</summary>
    Auth,

    /// <summary>RSET before a reused connection's next transaction, and MAIL FROM; also local refusals (SIZE, SMTPUTF8).</summary>
    Mail,

    /// <summary>RCPT TO; no content was sent for a result decided here.</summary>
    Rcpt,

    /// <summary>DATA or BDAT and the reply to the content; every success is reported at this stage.</summary>
    Data,
}
