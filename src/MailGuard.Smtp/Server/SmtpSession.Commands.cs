using System.Buffers;

namespace MailGuard.Smtp.Server;

/// <summary>Command handlers: one method per RFC 5321 command, run after the state table allowed it.</summary>
internal sealed partial class SmtpSession
{
    private async ValueTask<Next> HandleCommandAsync(ReadOnlySequence<byte> lineBytes)
    {
        SmtpVerb verb;
        string args;
        bool utf8Ok;
        if (lineBytes.IsSingleSegment)
        {
            utf8Ok = SmtpCommandParser.TrySplit(lineBytes.FirstSpan, out verb, out args);
        }
        else
        {
            utf8Ok = SmtpCommandParser.TrySplit(lineBytes.ToArray(), out verb, out args);
        }

        // Graceful stop: no new transaction once the current one is done (RFC 5321 §3.8: 421 on shutdown).
        if (_server.IsStopping && !InTransaction && verb != SmtpVerb.Quit)
        {
            await AbortMessageAsync();
            Write(ShuttingDown());
            return Next.Close;
        }

        if (verb == SmtpVerb.Unknown)
        {
            return Error(new SmtpReply(502, "5.5.2", "Error: command not recognized"));
        }

        if (!utf8Ok)
        {
            return Error(new SmtpReply(501, "5.5.2", "Error: invalid UTF-8 in command"));
        }

        if (verb == SmtpVerb.Bdat)
        {
            return await BdatAsync(args);
        }

        if (!_engine.TryBegin(verb))
        {
            return Error(BadSequence(verb));
        }

        return verb switch
        {
            SmtpVerb.Helo or SmtpVerb.Ehlo => await HeloAsync(verb, args),
            SmtpVerb.Mail => await MailAsync(args),
            SmtpVerb.Rcpt => await RcptAsync(args),
            SmtpVerb.Data => await DataAsync(args),
            SmtpVerb.Rset => await RsetAsync(args),
            SmtpVerb.Noop => Reply(s_ok),
            SmtpVerb.Quit => Quit(),
            // RFC 5321 §3.5.3 / §7.3: 252 answers VRFY without disclosing whether the mailbox exists.
            SmtpVerb.Vrfy => Reply(new SmtpReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery")),
            SmtpVerb.Help => Reply(new SmtpReply(214, "2.0.0", "See RFC 5321")),
            SmtpVerb.StartTls => StartTlsCommand(args),
            SmtpVerb.Auth => await AuthAsync(args),
            _ => throw new InvalidOperationException($"Unhandled verb {verb}."),
        };
    }

    private SmtpReply BadSequence(SmtpVerb verb) => verb switch
    {
        SmtpVerb.Mail when _engine.State == SmtpState.Connected => new SmtpReply(503, "5.5.1", "Error: send HELO/EHLO first"),
        SmtpVerb.Mail => new SmtpReply(503, "5.5.1", "Error: nested MAIL command"),
        SmtpVerb.Rcpt => new SmtpReply(503, "5.5.1", "Error: need MAIL command"),
        SmtpVerb.Data or SmtpVerb.Bdat when _engine.State == SmtpState.Mail => new SmtpReply(503, "5.5.1", "Error: need RCPT command"),
        SmtpVerb.Data or SmtpVerb.Bdat when _engine.State == SmtpState.Bdat => new SmtpReply(503, "5.5.1", "Error: DATA not allowed during BDAT"),
        SmtpVerb.Data or SmtpVerb.Bdat => new SmtpReply(503, "5.5.1", "Error: need MAIL command"),
        SmtpVerb.StartTls or SmtpVerb.Auth when _engine.State == SmtpState.Connected => new SmtpReply(503, "5.5.1", "Error: send EHLO first"),
        SmtpVerb.StartTls or SmtpVerb.Auth => new SmtpReply(503, "5.5.1", "Error: not allowed during a mail transaction"),
        _ => new SmtpReply(503, "5.5.1", "Error: bad sequence of commands"),
    };

    private async ValueTask<Next> HeloAsync(SmtpVerb verb, string args)
    {
        var name = args.Trim(' ');
        if (name.Length == 0 || name.Contains(' ', StringComparison.Ordinal))
        {
            return Error(new SmtpReply(501, "5.5.4", verb == SmtpVerb.Ehlo ? "Syntax: EHLO hostname" : "Syntax: HELO hostname"));
        }

        // HELO/EHLO resets the transaction (RFC 5321 §4.1.4).
        await ResetTransactionAsync();
        Context.HeloName = name;
        Context.IsExtended = verb == SmtpVerb.Ehlo;
        _engine.Commit();
        if (verb == SmtpVerb.Helo)
        {
            return Reply(new SmtpReply(250, null, _options.ServerName));
        }

        var lines = new List<string>(10)
        {
            _options.ServerName,
            "PIPELINING",
            $"SIZE {_options.MaxMessageBytes}",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "CHUNKING",
        };
        if (!Context.IsSecure && _options.ServerCertificate is not null)
        {
            lines.Add("STARTTLS");
        }

        // RFC 4954 §14: plain-text mechanisms only under TLS, so AUTH is not even advertised before it.
        if (Context.IsSecure)
        {
            lines.Add("AUTH PLAIN LOGIN");
        }

        return Reply(new SmtpReply(250, null, [.. lines]));
    }

    private async ValueTask<Next> MailAsync(string args)
    {
        if (_options.RequireAuth && !Context.IsAuthenticated)
        {
            return Error(new SmtpReply(530, "5.7.0", "Authentication required"));
        }

        if (!SmtpCommandParser.TryParseMailFromArguments(args, out var reversePath, out var parameters, out var pathError))
        {
            return Error(pathError
                ? new SmtpReply(501, "5.1.7", "Bad sender address syntax")
                : new SmtpReply(501, "5.5.4", "Syntax: MAIL FROM:<address>"));
        }

        if (parameters.Count > 0 && !Context.IsExtended)
        {
            return Error(new SmtpReply(555, "5.5.4", "MAIL parameters need EHLO"));
        }

        var envelope = new SmtpEnvelope(reversePath, parameters);
        foreach (var (key, value) in parameters)
        {
            switch (key)
            {
                case "SIZE":
                    // RFC 1870 §6: refuse up front when the claim exceeds the fixed limit.
                    if (value is null || value.Length > 18 || !long.TryParse(value, System.Globalization.NumberStyles.None, null, out var size))
                    {
                        return Error(new SmtpReply(501, "5.5.4", "Bad SIZE parameter"));
                    }

                    if (size > _options.MaxMessageBytes)
                    {
                        return Error(new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size"));
                    }

                    envelope.DeclaredSize = size;
                    break;
                case "BODY":
                    if (string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase))
                    {
                        envelope.BodyType = SmtpBodyType.SevenBit;
                    }
                    else if (string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase))
                    {
                        envelope.BodyType = SmtpBodyType.EightBitMime;
                    }
                    else
                    {
                        return Error(new SmtpReply(501, "5.5.4", "Unsupported BODY type"));
                    }

                    break;
                case "SMTPUTF8" when value is null:
                    envelope.SmtpUtf8 = true;
                    break;
                case "AUTH":
                    // RFC 4954 §5: the AUTH= identity of a message submitted by a trusted relay; accepted, not used.
                    break;
                default:
                    // RFC 5321 §4.1.1.11: parameters not advertised get 555.
                    return Error(new SmtpReply(555, "5.5.4", "Unsupported MAIL parameter"));
            }
        }

        if (!envelope.SmtpUtf8 && SmtpCommandParser.HasNonAscii(reversePath))
        {
            return Error(new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"));
        }

        var reply = await CallHookAsync(() => _hooks.OnMailFromAsync(Context, envelope, SessionToken));
        if (reply.IsPositiveCompletion)
        {
            _envelope = envelope;
            _engine.Commit();
            return Reply(reply);
        }

        return Error(reply);
    }

    private async ValueTask<Next> RcptAsync(string args)
    {
        var envelope = _envelope!;
        if (!SmtpCommandParser.TryParseRcptToArguments(args, out var forwardPath, out var parameters, out var pathError))
        {
            return Error(pathError
                ? new SmtpReply(501, "5.1.3", "Bad recipient address syntax")
                : new SmtpReply(501, "5.5.4", "Syntax: RCPT TO:<address>"));
        }

        if (parameters.Count > 0)
        {
            // No RCPT extension (DSN NOTIFY/ORCPT) is advertised.
            return Error(new SmtpReply(555, "5.5.4", "Unsupported RCPT parameter"));
        }

        if (!envelope.SmtpUtf8 && SmtpCommandParser.HasNonAscii(forwardPath))
        {
            return Error(new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8"));
        }

        if (envelope.Recipients.Count >= _options.MaxRecipients)
        {
            // RFC 5321 §4.5.3.1.10: 452 tells the client to send the rest in another transaction;
            // it is not a client error, so it does not count toward MaxErrors.
            return Reply(new SmtpReply(452, "4.5.3", "Error: too many recipients"));
        }

        var recipient = new SmtpRecipient(forwardPath, parameters);
        var reply = await CallHookAsync(() => _hooks.OnRcptToAsync(Context, envelope, recipient, SessionToken));
        if (reply.IsPositiveCompletion)
        {
            envelope.AddRecipient(recipient);
            _engine.Commit();
            return Reply(reply);
        }

        return Error(reply);
    }


    private async ValueTask<Next> RsetAsync(string args)
    {
        if (args.Trim(' ').Length > 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: RSET"));
        }

        await ResetTransactionAsync();
        _engine.Commit();
        return Reply(s_ok);
    }

    private Next Quit()
    {
        Write(new SmtpReply(221, "2.0.0", "Bye"));
        return Next.Close;
    }

    private Next StartTlsCommand(string args)
    {
        if (args.Trim(' ').Length > 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: STARTTLS"));
        }

        if (Context.IsSecure)
        {
            return Error(new SmtpReply(503, "5.5.1", "Error: TLS already active"));
        }

        if (_options.ServerCertificate is null)
        {
            return Error(new SmtpReply(502, "5.5.1", "Error: STARTTLS not available"));
        }

        Write(new SmtpReply(220, "2.0.0", "Ready to start TLS"));
        return Next.StartTls;
    }
}
