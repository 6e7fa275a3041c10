using System.Buffers;
using System.Text;

namespace MailGuard.Smtp.Client;

/// <summary>
/// Mail transactions on an open session: RSET between them, MAIL with its parameters (SIZE, BODY,
/// SMTPUTF8), one RCPT per recipient, then the content with DATA (dot-stuffed) or BDAT. Under
/// PIPELINING (RFC 2920 §3.1) RSET, MAIL, the RCPTs and DATA go in one batch and their replies
/// are read back in order: two round trips per message.
/// </summary>
internal sealed class SmtpMailTransaction
{
    // Per read of content and per flush: a 1 MB message is 16 socket writes, not 64.
    private const int DataBufferSize = 64 * 1024;

    private readonly SmtpClientOptions _options;
    private readonly SmtpClientSession _session;
    private readonly Func<Task> _abandonConnection;
    private bool _used;
    private bool _rsetPending;

    /// <summary>
    /// <paramref name="abandonConnection"/> closes the connection (and calls <see cref="Forget"/>); it is
    /// called when the server is in a state we do not understand.
    /// </summary>
    public SmtpMailTransaction(SmtpClientOptions options, SmtpClientSession session, Func<Task> abandonConnection)
    {
        _options = options;
        _session = session;
        _abandonConnection = abandonConnection;
    }

    /// <summary>The connection is gone: the next one starts without RSET.</summary>
    public void Forget()
    {
        _used = false;
        _rsetPending = false;
    }

    /// <summary>Runs one transaction on the connected session. Network failures throw.</summary>
    public async Task<DeliveryResult> SendAsync(SmtpOutgoingMessage message, Action<SmtpStage> setStage, CancellationToken ct)
    {
        var connection = _session.Connection;
        setStage(SmtpStage.Mail);
        // What the server cannot take is refused before anything is written, RSET included: an RSET
        // left unanswered here would be answered in the next batch and shift every reply by one.
        if (!TryBuildMailCommand(message, out var mail, out var refusal))
        {
            return DeliveryResult.ForAll(message, SmtpStage.Mail, refusal);
        }

        if (_used)
        {
            // A clean slate for the next transaction (RFC 5321 §4.1.1.5), whatever the last one left.
            // With PIPELINING, RSET travels in the same batch as MAIL (RFC 2920 §3.1 lists it as groupable).
            connection.WriteCommand("RSET");
            if (!_session.Offers("PIPELINING"))
            {
                var rset = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
                if (!rset.IsPositiveCompletion)
                {
                    await _abandonConnection();
                    return DeliveryResult.ForAll(message, SmtpStage.Mail, rset);
                }
            }
            else
            {
                _rsetPending = true;
            }
        }

        _used = true;
        var pipelining = _session.Offers("PIPELINING");
        var chunking = _options.UseChunking && _session.Offers("CHUNKING");
        var replies = new SmtpReply?[message.Recipients.Count];
        connection.WriteCommand(mail);
        SmtpReply mailReply;
        SmtpReply? dataReply = null;
        if (pipelining)
        {
            // RFC 2920 §3.1: MAIL, RCPTs and DATA go in one batch; replies come back in order.
            foreach (var recipient in message.Recipients)
            {
                connection.WriteCommand($"RCPT TO:<{recipient}>");
            }

            if (!chunking)
            {
                connection.WriteCommand("DATA");
            }

            var rsetReply = _rsetPending ? await connection.ReadReplyAsync(_options.CommandTimeout, ct) : (SmtpReply?)null;
            _rsetPending = false;
            mailReply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            setStage(SmtpStage.Rcpt);
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            }

            setStage(SmtpStage.Data);
            if (!chunking)
            {
                dataReply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            }

            if (rsetReply is { IsPositiveCompletion: false } failedRset)
            {
                // The server is in a state we do not understand; give up on this connection.
                await _abandonConnection();
                return DeliveryResult.ForAll(message, SmtpStage.Mail, failedRset, forceDeferred: true);
            }

            if (!mailReply.IsPositiveCompletion)
            {
                if (dataReply?.Code == 354)
                {
                    await EndEmptyDataAsync(connection, ct);
                }

                return DeliveryResult.ForAll(message, SmtpStage.Mail, mailReply);
            }
        }
        else
        {
            mailReply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            if (!mailReply.IsPositiveCompletion)
            {
                return DeliveryResult.ForAll(message, SmtpStage.Mail, mailReply);
            }

            setStage(SmtpStage.Rcpt);
            for (var i = 0; i < replies.Length; i++)
            {
                connection.WriteCommand($"RCPT TO:<{message.Recipients[i]}>");
                replies[i] = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            }

            if (!replies.Any(r => r!.Value.IsPositiveCompletion))
            {
                return DeliveryResult.ForRefusedRecipients(message, replies);
            }

            setStage(SmtpStage.Data);
            if (!chunking)
            {
                connection.WriteCommand("DATA");
                dataReply = await connection.ReadReplyAsync(_options.CommandTimeout, ct);
            }
        }

        var anyAccepted = replies.Any(r => r!.Value.IsPositiveCompletion);
        if (dataReply is null)
        {
            // CHUNKING: no DATA was sent, so nothing needs ending when no recipient was accepted.
            return anyAccepted
                ? DeliveryResult.ForFinalReply(message, replies, await new BdatWriter(connection, _options).SendAsync(message.Content, pipelining, ct))
                : DeliveryResult.ForRefusedRecipients(message, replies);
        }

        if (dataReply.Value.Code != 354)
        {
            return anyAccepted ? DeliveryResult.ForFinalReply(message, replies, dataReply.Value) : DeliveryResult.ForRefusedRecipients(message, replies);
        }

        if (!anyAccepted)
        {
            // RFC 2920 §3.1: a server that said 354 with no valid recipient gets an empty message.
            await EndEmptyDataAsync(connection, ct);
            return DeliveryResult.ForRefusedRecipients(message, replies);
        }

        await SendDataContentAsync(connection, message.Content, ct);
        var final = await connection.ReadReplyAsync(_options.DataTerminationTimeout, ct);
        return DeliveryResult.ForFinalReply(message, replies, final);
    }

    /// <summary>
    /// MAIL FROM with the parameters the message needs and the server offers; false with a local
    /// <paramref name="refusal"/> when the server cannot take the message.
    /// </summary>
    private bool TryBuildMailCommand(SmtpOutgoingMessage message, out string command, out SmtpReply refusal)
    {
        command = string.Empty;
        refusal = default;
        if (message.RequiresSmtpUtf8 && !_session.Offers("SMTPUTF8"))
        {
            refusal = LocalReplies.SmtpUtf8NotOffered;
            return false;
        }

        long? size = message.Size ?? (message.Content.CanSeek ? message.Content.Length - message.Content.Position : null);
        var mail = new StringBuilder("MAIL FROM:<").Append(message.ReversePath).Append('>');
        if (_session.Extensions.TryGetValue("SIZE", out var sizeParameter))
        {
            // RFC 1870 §6: do not send a message the server announced it cannot take.
            if (size is { } s && long.TryParse(sizeParameter, out var limit) && limit > 0 && s > limit)
            {
                refusal = LocalReplies.SizeExceeded(s, limit);
                return false;
            }

            if (size is { } known)
            {
                mail.Append(" SIZE=").Append(known);
            }
        }

        if (message.Has8BitContent && _session.Offers("8BITMIME"))
        {
            mail.Append(" BODY=8BITMIME");
        }

        if (message.RequiresSmtpUtf8)
        {
            mail.Append(" SMTPUTF8");
        }

        command = mail.ToString();
        return true;
    }

    private async Task EndEmptyDataAsync(SmtpClientConnection connection, CancellationToken ct)
    {
        connection.WriteCommand(".");
        await connection.ReadReplyAsync(_options.DataTerminationTimeout, ct);
    }

    /// <summary>The content after 354: dot-stuffed, bare LF as CRLF, ended with CRLF.CRLF (<see cref="DotStuffer"/>).</summary>
    private async Task SendDataContentAsync(SmtpClientConnection connection, Stream content, CancellationToken ct)
    {
        var stuffer = new DotStuffer();
        var buffer = ArrayPool<byte>.Shared.Rent(DataBufferSize);
        try
        {
            while (true)
            {
                var n = await content.ReadAsync(buffer, ct);
                if (n == 0)
                {
                    break;
                }

                stuffer.Write(buffer.AsSpan(0, n), connection.Output);
                await connection.FlushAsync(_options.DataTimeout, ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        stuffer.Complete(connection.Output);
    }
}
