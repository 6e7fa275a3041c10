using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailGuard.Smtp.Server;

/// <summary>
/// One connection: reads commands and content through a PipeReader, answers through a PipeWriter,
/// and flushes replies once per received batch (RFC 2920 §3.2: reply when no more input is buffered).
/// Session facts live in <see cref="Context"/>, the transaction in <see cref="_envelope"/>.
/// </summary>
internal sealed class SmtpSession
{
    /// <summary>RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.</summary>
    internal const int MaxCommandLineOctets = 512;

    /// <summary>RFC 4954 §4: AUTH continuation lines may be up to 12288 octets.</summary>
    internal const int MaxAuthLineOctets = 12288;

    private const int DecodeBufferSize = 16 * 1024;

    private static readonly SmtpReply s_ok = new(250, "2.0.0", "Ok");
    private static readonly SmtpReply s_shuttingDown = new(421, "4.3.2", "Service shutting down, closing transmission channel");
    private static readonly StreamPipeReaderOptions s_readerOptions = new(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true);
    private static readonly StreamPipeWriterOptions s_writerOptions = new(leaveOpen: true);

    private readonly SmtpServer _server;
    private readonly SmtpServerOptions _options;
    private readonly ISmtpServerHooks _hooks;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly CancellationTokenSource _sessionCts;
    private readonly DataFramer _framer = new();
    private readonly SmtpStateTableEngine _engine = new();

    private Stream _stream;
    private volatile PipeReader? _reader;
    private PipeWriter? _writer;
    private CancellationTokenSource _timeoutCts;
    private SmtpEnvelope? _envelope;
    private IMessageWriter? _messageWriter;
    private Mode _mode;
    private int _errors;
    private bool _overflow;
    private long _bdatRemaining;
    private bool _bdatLast;
    /// <summary>Set when the current chunk is read only to be discarded: the reply to send after it, and whether it counts toward MaxErrors.</summary>
    private (SmtpReply Reply, bool IsClientError)? _bdatDrainReply;
    private long _bdatLineLength;
    private string? _authMechanism;
    private string? _authUser;
    private long _rateBytes;
    private TimeSpan _rateElapsed;
    private byte[]? _decodeBuffer;

    public SmtpSession(SmtpServer server, SmtpServerOptions options, ISmtpServerHooks hooks, TimeProvider time, Socket socket, bool implicitTls, CancellationToken hardStop)
    {
        _server = server;
        _options = options;
        _hooks = hooks;
        _time = time;
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: true);
        _stream = _network;
        _sessionCts = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        _timeoutCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        Context = new SmtpSessionContext(socket.RemoteEndPoint, socket.LocalEndPoint, implicitTls);
    }

    private enum Mode
    {
        Command,
        DiscardLongLine,
        AuthPlain,
        AuthLoginUser,
        AuthLoginPassword,
        Data,
        Bdat,
    }

    private enum Next
    {
        Continue,
        Close,
        StartTls,
    }

    public SmtpSessionContext Context { get; }

    /// <summary>True while a transaction is open; graceful shutdown lets it finish.</summary>
    public bool InTransaction => SmtpStateTable.IsInTransaction(_engine.State) || _mode is Mode.Data or Mode.Bdat;

    private CancellationToken SessionToken => _sessionCts.Token;

    /// <summary>Asks an idle session to notice shutdown now instead of at its next command.</summary>
    public void NotifyStopping()
    {
        if (!InTransaction)
        {
            CancelPendingRead();
        }
    }

    /// <summary>Hard stop: wake the read loop, cancel hooks.</summary>
    public void Abort()
    {
        CancelPendingRead();
        try
        {
            _sessionCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes the socket under a session that did not end after <see cref="Abort"/>.</summary>
    public void Kill()
    {
        try
        {
            _socket.Close(0);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void CancelPendingRead()
    {
        try
        {
            _reader?.CancelPendingRead();
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async Task RunAsync()
    {
        try
        {
            if (Context.IsImplicitTls && !await HandshakeAsync())
            {
                return;
            }

            CreatePipes();
            SmtpReply? refusal;
            try
            {
                refusal = await _hooks.OnConnectAsync(Context, SessionToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                refusal = new SmtpReply(421, "4.3.0", "Local error, try again later");
            }

            if (refusal is { } r)
            {
                Write(r);
                await FlushAsync();
                return;
            }

            // RFC 5321 §4.2 greeting; RFC 2034 §3 puts no enhanced code on the greeting or EHLO reply.
            Write(new SmtpReply(220, null, $"{_options.ServerName} ESMTP MailGuard"));
            await FlushAsync();
            await LoopAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException)
        {
            // The peer went away, a timeout or hard stop closed the channel: nothing to answer.
        }
        finally
        {
            await AbortMessageAsync();
            await CompletePipesAsync();
            try
            {
                await _stream.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }

            _network.Dispose();
            _timeoutCts.Dispose();
            _sessionCts.Dispose();
            if (_decodeBuffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_decodeBuffer);
            }
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            if (_server.IsStopping && !InTransaction)
            {
                Write(s_shuttingDown);
                await FlushAsync();
                return;
            }

            var reader = _reader!;
            var read = await ReadWithTimeoutAsync(reader);
            if (read.TimedOut)
            {
                Write(read.RateTooLow
                    ? new SmtpReply(421, "4.4.2", $"{_options.ServerName} Error: data rate too low, closing transmission channel")
                    : new SmtpReply(421, "4.4.2", $"{_options.ServerName} Error: timeout exceeded, closing transmission channel"));
                await AbortMessageAsync();
                await FlushAsync();
                return;
            }

            var result = read.Result;
            if (result.IsCanceled)
            {
                reader.AdvanceTo(result.Buffer.Start);
                if (_server.IsHardStopping || (_server.IsStopping && !InTransaction))
                {
                    await AbortMessageAsync();
                    Write(s_shuttingDown);
                    await FlushAsync();
                    return;
                }

                continue;
            }

            var buffer = result.Buffer;
            var (consumed, next) = await ProcessAsync(buffer);
            if (next == Next.StartTls)
            {
                // RFC 3207 §4.2 / CVE-2011-0411: anything pipelined after STARTTLS arrived in clear text
                // and must not be executed after the handshake, so the rest of the buffer is dropped.
                reader.AdvanceTo(buffer.End);
                await FlushAsync();
                if (!await StartTlsAsync())
                {
                    return;
                }

                continue;
            }

            reader.AdvanceTo(consumed, buffer.End);
            await FlushAsync();
            if (next == Next.Close)
            {
                return;
            }

            if (result.IsCompleted)
            {
                // Peer closed its side; an unfinished message is discarded in finally.
                return;
            }
        }
    }

    private async ValueTask<(SequencePosition Consumed, Next Next)> ProcessAsync(ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_mode == Mode.Data)
            {
                var (used, ended) = await ConsumeDataAsync(buffer);
                buffer = buffer.Slice(used);
                if (!ended)
                {
                    return (buffer.Start, Next.Continue);
                }

                var next = await FinishMessageAsync();
                if (next != Next.Continue)
                {
                    return (buffer.Start, next);
                }

                continue;
            }

            if (_mode == Mode.Bdat)
            {
                var used = await ConsumeChunkAsync(buffer);
                buffer = buffer.Slice(used);
                if (_bdatRemaining > 0)
                {
                    return (buffer.Start, Next.Continue);
                }

                var next = await FinishChunkAsync();
                if (next != Next.Continue)
                {
                    return (buffer.Start, next);
                }

                continue;
            }

            var limit = _mode is Mode.Command or Mode.DiscardLongLine ? MaxCommandLineOctets : MaxAuthLineOctets;
            var lf = buffer.PositionOf((byte)'\n');
            if (lf is null)
            {
                if (buffer.Length >= limit)
                {
                    // Too long already: drop what we have and keep dropping until the line ends.
                    _mode = Mode.DiscardLongLine;
                    buffer = buffer.Slice(buffer.End);
                }

                return (buffer.Start, Next.Continue);
            }

            var lineWithLf = buffer.Slice(0, buffer.GetPosition(1, lf.Value));
            buffer = buffer.Slice(lineWithLf.End);
            Next outcome;
            if (_mode == Mode.DiscardLongLine || lineWithLf.Length > limit)
            {
                var wasAuth = _mode is Mode.AuthPlain or Mode.AuthLoginUser or Mode.AuthLoginPassword;
                _mode = Mode.Command;
                outcome = wasAuth
                    ? Error(new SmtpReply(500, "5.5.6", "Authentication exchange line is too long"))
                    : Error(new SmtpReply(500, "5.5.6", "Error: line too long"));
            }
            else
            {
                var line = TrimLineEnd(lineWithLf);
                outcome = _mode == Mode.Command
                    ? await HandleCommandAsync(line)
                    : await HandleAuthResponseAsync(line);
            }

            if (outcome != Next.Continue)
            {
                return (buffer.Start, outcome);
            }
        }
    }

    private static ReadOnlySequence<byte> TrimLineEnd(ReadOnlySequence<byte> lineWithLf)
    {
        var line = lineWithLf.Slice(0, lineWithLf.Length - 1);
        // A bare LF also ends a command line (Postfix "normalize"); only DATA needs the strict form.
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        return line;
    }

    // ---------------------------------------------------------------- commands

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
            Write(s_shuttingDown);
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

    private async ValueTask<Next> DataAsync(string args)
    {
        if (args.Trim(' ').Length > 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: DATA"));
        }

        if (await BeginMessageAsync() is { } failure)
        {
            return Reply(failure);
        }

        _framer.Reset();
        _mode = Mode.Data;
        StartRateWindow();
        return Reply(new SmtpReply(354, null, "End data with <CR><LF>.<CR><LF>"));
    }

    /// <summary>Asks the host for a message writer; returns the reply to send when that fails.</summary>
    private async ValueTask<SmtpReply?> BeginMessageAsync()
    {
        var envelope = _envelope!;
        try
        {
            _messageWriter = await _hooks.BeginMessageAsync(Context, envelope, SessionToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            await ResetTransactionAsync();
            _engine.Reset(SmtpState.Ready);
            return new SmtpReply(451, "4.3.0", "Local error in processing");
        }

        _overflow = false;
        envelope.MessageBytes = 0;
        envelope.LongLineCount = 0;
        envelope.BareLineFeedCount = 0;
        return null;
    }

    private async ValueTask<(long Used, bool Ended)> ConsumeDataAsync(ReadOnlySequence<byte> buffer)
    {
        _decodeBuffer ??= ArrayPool<byte>.Shared.Rent(DecodeBufferSize);
        long used = 0;
        foreach (var segment in buffer)
        {
            var offset = 0;
            while (offset < segment.Length)
            {
                var ended = _framer.Decode(segment.Span[offset..], _decodeBuffer, out var consumed, out var written);
                offset += consumed;
                used += consumed;
                _rateBytes += consumed;
                if (written > 0)
                {
                    await WriteContentAsync(_decodeBuffer.AsMemory(0, written));
                }

                if (ended)
                {
                    return (used, true);
                }
            }
        }

        return (used, false);
    }

    private async ValueTask WriteContentAsync(ReadOnlyMemory<byte> content)
    {
        var envelope = _envelope!;
        envelope.MessageBytes += content.Length;
        if (_overflow)
        {
            return;
        }

        // Enforced while reading (RFC 1870 §6); the rest is drained and 552 sent at the end.
        if (envelope.MessageBytes > _options.MaxMessageBytes)
        {
            _overflow = true;
            return;
        }

        if (_messageWriter is not null)
        {
            await _messageWriter.Content.WriteAsync(content, SessionToken);
        }
    }

    private async ValueTask<Next> FinishMessageAsync()
    {
        _mode = Mode.Command;
        var envelope = _envelope!;
        envelope.LongLineCount = _framer.LongLineCount;
        envelope.BareLineFeedCount = _framer.BareLineFeedCount;
        var reply = await CompleteMessageAsync();
        return Reply(reply);
    }

    private async ValueTask<SmtpReply> CompleteMessageAsync()
    {
        var envelope = _envelope!;
        SmtpReply reply;
        if (_overflow)
        {
            await AbortMessageAsync();
            reply = new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
        }
        else
        {
            var writer = _messageWriter!;
            _messageWriter = null;
            try
            {
                reply = await writer.CommitAsync(envelope, SessionToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
            {
                reply = new SmtpReply(451, "4.3.0", "Local error in processing");
            }
            finally
            {
                await DisposeQuietlyAsync(writer);
            }
        }

        // After the end of data the transaction is over whatever the outcome (RFC 5321 §4.1.1.4).
        _envelope = null;
        _engine.Reset(SmtpState.Ready);
        return reply;
    }

    private async ValueTask<Next> BdatAsync(string args)
    {
        if (!SmtpCommandParser.TryParseBdatArguments(args, out var size, out var last))
        {
            // Without a valid size we cannot know where the chunk ends; the bytes that follow will
            // be read as commands and fail, as RFC 3030 §4.2 accepts.
            return Error(new SmtpReply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]"));
        }

        _bdatRemaining = size;
        _bdatLast = last;
        _mode = Mode.Bdat;
        StartRateWindow();
        if (!_engine.TryBegin(SmtpVerb.Bdat))
        {
            // The chunk is still read and discarded so its bytes are never taken for commands.
            _bdatDrainReply = (BadSequence(SmtpVerb.Bdat), true);
            return Next.Continue;
        }

        _bdatDrainReply = null;
        if (_engine.State == SmtpState.Rcpt)
        {
            if (await BeginMessageAsync() is { } failure)
            {
                _bdatDrainReply = (failure, false);
                return Next.Continue;
            }

            _envelope!.UsedChunking = true;
            _bdatLineLength = 0;
        }

        return Next.Continue;
    }

    private async ValueTask<long> ConsumeChunkAsync(ReadOnlySequence<byte> buffer)
    {
        var take = Math.Min(_bdatRemaining, buffer.Length);
        if (take == 0)
        {
            return 0;
        }

        var chunk = buffer.Slice(0, take);
        _bdatRemaining -= take;
        _rateBytes += take;
        if (_bdatDrainReply is not null)
        {
            return take;
        }

        foreach (var segment in chunk)
        {
            CountBdatLines(segment.Span);
            await WriteContentAsync(segment);
        }

        return take;
    }

    private void CountBdatLines(ReadOnlySpan<byte> span)
    {
        // BDAT content is raw (RFC 3030 §2), but over-long lines are still worth reporting to the host.
        var envelope = _envelope!;
        while (span.Length > 0)
        {
            var lf = span.IndexOf((byte)'\n');
            var run = lf < 0 ? span.Length : lf;
            var before = _bdatLineLength;
            _bdatLineLength += run;
            if (before <= DataFramer.MaxLineOctets + 1 && _bdatLineLength > DataFramer.MaxLineOctets + 1)
            {
                // +1: the CR of CRLF is counted in the run.
                envelope.LongLineCount++;
            }

            if (lf < 0)
            {
                return;
            }

            _bdatLineLength = 0;
            span = span[(lf + 1)..];
        }
    }

    private async ValueTask<Next> FinishChunkAsync()
    {
        _mode = Mode.Command;
        if (_bdatDrainReply is var (reply, isClientError))
        {
            _bdatDrainReply = null;
            return isClientError ? Error(reply) : Reply(reply);
        }

        var envelope = _envelope!;
        if (_overflow)
        {
            // RFC 3030 §4.1: a failed chunk ends the transaction; later chunks get 503 and are discarded.
            return Reply(await CompleteMessageAsync());
        }

        if (_bdatLast)
        {
            return Reply(await CompleteMessageAsync());
        }

        _engine.Commit();
        return Reply(new SmtpReply(250, "2.0.0", $"{envelope.MessageBytes} octets received"));
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

    // ---------------------------------------------------------------- AUTH (RFC 4954)

    private async ValueTask<Next> AuthAsync(string args)
    {
        if (!Context.IsSecure)
        {
            return Error(new SmtpReply(530, "5.7.0", "Must issue a STARTTLS command first"));
        }

        if (Context.IsAuthenticated)
        {
            return Error(new SmtpReply(503, "5.5.1", "Error: already authenticated"));
        }

        var parts = args.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return Error(new SmtpReply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
        }

        var mechanism = parts[0].ToUpperInvariant();
        var initial = parts.Length > 1 ? parts[1] : null;
        _authMechanism = mechanism;
        switch (mechanism)
        {
            case "PLAIN":
                if (initial is null)
                {
                    _mode = Mode.AuthPlain;
                    return Reply(new SmtpReply(334, null, string.Empty));
                }

                return await AuthPlainAsync(initial);
            case "LOGIN":
                if (initial is null)
                {
                    _mode = Mode.AuthLoginUser;
                    return Reply(new SmtpReply(334, null, "VXNlcm5hbWU6"));
                }

                return AuthLoginUser(initial);
            default:
                return Error(new SmtpReply(504, "5.5.4", "Unrecognized authentication type"));
        }
    }

    private async ValueTask<Next> HandleAuthResponseAsync(ReadOnlySequence<byte> lineBytes)
    {
        var mode = _mode;
        _mode = Mode.Command;
        var line = Encoding.ASCII.GetString(lineBytes).Trim(' ');
        if (line == "*")
        {
            _authUser = null;
            return Error(new SmtpReply(501, "5.7.0", "Authentication aborted"));
        }

        return mode switch
        {
            Mode.AuthPlain => await AuthPlainAsync(line),
            Mode.AuthLoginUser => AuthLoginUser(line),
            _ => await AuthLoginPasswordAsync(line),
        };
    }

    private async ValueTask<Next> AuthPlainAsync(string base64)
    {
        // RFC 4616 §2: [authzid] NUL authcid NUL passwd; "=" is an empty initial response (RFC 4954 §4).
        if (!TryDecodeBase64(base64, out var decoded))
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        var fields = decoded.Split('\0');
        if (fields.Length != 3 || fields[1].Length == 0 || (fields[0].Length > 0 && fields[0] != fields[1]))
        {
            return Error(new SmtpReply(535, "5.7.8", "Authentication credentials invalid"));
        }

        return await CompleteAuthAsync(fields[1], fields[2]);
    }

    private Next AuthLoginUser(string base64)
    {
        if (!TryDecodeBase64(base64, out var user) || user.Length == 0)
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        _authUser = user;
        _mode = Mode.AuthLoginPassword;
        return Reply(new SmtpReply(334, null, "UGFzc3dvcmQ6"));
    }

    private async ValueTask<Next> AuthLoginPasswordAsync(string base64)
    {
        var user = _authUser;
        _authUser = null;
        if (user is null || !TryDecodeBase64(base64, out var password))
        {
            return Error(new SmtpReply(501, "5.5.2", "Cannot decode response"));
        }

        return await CompleteAuthAsync(user, password);
    }

    private async ValueTask<Next> CompleteAuthAsync(string user, string password)
    {
        bool ok;
        try
        {
            ok = await _hooks.AuthenticateAsync(Context, _authMechanism!, user, password, SessionToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            return Reply(new SmtpReply(454, "4.7.0", "Temporary authentication failure"));
        }

        if (!ok)
        {
            return Error(new SmtpReply(535, "5.7.8", "Authentication credentials invalid"));
        }

        Context.AuthenticatedUser = user;
        return Reply(new SmtpReply(235, "2.7.0", "Authentication successful"));
    }

    private static bool TryDecodeBase64(string text, out string value)
    {
        value = string.Empty;
        if (text == "=")
        {
            return true;
        }

        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, bytes, out var n))
        {
            return false;
        }

        try
        {
            value = new UTF8Encoding(false, true).GetString(bytes, 0, n);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // ---------------------------------------------------------------- TLS

    private async ValueTask<bool> StartTlsAsync()
    {
        await CompletePipesAsync();
        if (!await HandshakeAsync())
        {
            return false;
        }

        CreatePipes();
        // RFC 3207 §4.2: discard all knowledge from before TLS; the client must EHLO again.
        await ResetTransactionAsync();
        Context.HeloName = null;
        Context.IsExtended = false;
        Context.AuthenticatedUser = null;
        _engine.Reset(SmtpState.Connected);
        _mode = Mode.Command;
        return true;
    }

    private async ValueTask<bool> HandshakeAsync()
    {
        var certificate = _options.ServerCertificate;
        if (certificate is null)
        {
            return false;
        }

        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        using var timeout = new CancellationTokenSource(_options.TlsHandshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, SessionToken);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = false },
                linked.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            await ssl.DisposeAsync();
            return false;
        }

        _stream = ssl;
        Context.IsSecure = true;
        Context.TlsProtocol = ssl.SslProtocol;
        Context.TlsCipherSuite = ssl.NegotiatedCipherSuite;
        return true;
    }

    // ---------------------------------------------------------------- plumbing

    private void CreatePipes()
    {
        _writer = PipeWriter.Create(_stream, s_writerOptions);
        _reader = PipeReader.Create(_stream, s_readerOptions);
    }

    private async ValueTask CompletePipesAsync()
    {
        var reader = _reader;
        var writer = _writer;
        _reader = null;
        _writer = null;
        if (reader is not null)
        {
            await reader.CompleteAsync();
        }

        if (writer is not null)
        {
            try
            {
                await writer.CompleteAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }

    private void StartRateWindow()
    {
        _rateBytes = 0;
        _rateElapsed = TimeSpan.Zero;
    }

    private readonly record struct ReadOutcome(ReadResult Result, bool TimedOut, bool RateTooLow);

    private async ValueTask<ReadOutcome> ReadWithTimeoutAsync(PipeReader reader)
    {
        var inContent = _mode is Mode.Data or Mode.Bdat;
        var timeout = inContent ? _options.DataTimeout : _options.CommandTimeout;
        var rateBound = false;
        if (inContent && _options.MinimumDataRate is { } rate)
        {
            // Time the client may still take: grace + bytes/rate, minus time already spent waiting for
            // it. Only time inside reads counts, so a slow hook or disk does not penalize the client.
            var allowed = rate.GracePeriod + TimeSpan.FromSeconds(_rateBytes / rate.BytesPerSecond) - _rateElapsed;
            if (allowed <= TimeSpan.Zero)
            {
                return new ReadOutcome(default, TimedOut: true, RateTooLow: true);
            }

            if (allowed < timeout)
            {
                timeout = allowed;
                rateBound = true;
            }
        }

        var started = _time.GetTimestamp();
        _timeoutCts.CancelAfter(timeout);
        try
        {
            var result = await reader.ReadAsync(_timeoutCts.Token);
            return new ReadOutcome(result, false, false);
        }
        catch (OperationCanceledException) when (_timeoutCts.IsCancellationRequested)
        {
            return new ReadOutcome(default, TimedOut: true, RateTooLow: rateBound);
        }
        finally
        {
            if (inContent)
            {
                _rateElapsed += _time.GetElapsedTime(started);
            }

            if (!_timeoutCts.TryReset())
            {
                _timeoutCts.Dispose();
                _timeoutCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            }
        }
    }

    private async ValueTask FlushAsync()
    {
        var writer = _writer;
        if (writer is null || writer.UnflushedBytes == 0)
        {
            return;
        }

        // A client that stops reading must not pin the session forever.
        _timeoutCts.CancelAfter(_options.CommandTimeout);
        try
        {
            await writer.FlushAsync(_timeoutCts.Token);
        }
        finally
        {
            if (!_timeoutCts.TryReset())
            {
                _timeoutCts.Dispose();
                _timeoutCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            }
        }
    }

    private void Write(SmtpReply reply) => reply.WriteTo(_writer!);

    private Next Reply(SmtpReply reply)
    {
        Write(reply);
        return Next.Continue;
    }

    /// <summary>Sends an error reply, or 421 and close once the client exceeded MaxErrors (Postfix smtpd_hard_error_limit).</summary>
    private Next Error(SmtpReply reply)
    {
        _errors++;
        if (_errors > _options.MaxErrors)
        {
            Write(new SmtpReply(421, "4.7.0", $"{_options.ServerName} Error: too many errors"));
            return Next.Close;
        }

        Write(reply);
        return Next.Continue;
    }

    private async ValueTask<SmtpReply> CallHookAsync(Func<ValueTask<SmtpReply>> hook)
    {
        try
        {
            var reply = await hook();
            return reply.Code == 0 ? new SmtpReply(451, "4.3.0", "Local error in processing") : reply;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !SessionToken.IsCancellationRequested)
        {
            return new SmtpReply(451, "4.3.0", "Local error in processing");
        }
    }

    private async ValueTask ResetTransactionAsync()
    {
        await AbortMessageAsync();
        _envelope = null;
    }

    private async ValueTask AbortMessageAsync()
    {
        var writer = _messageWriter;
        if (writer is null)
        {
            return;
        }

        _messageWriter = null;
        try
        {
            await writer.AbortAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The host's abort failing must not take the session down; the content is discarded anyway.
        }

        await DisposeQuietlyAsync(writer);
    }

    private static async ValueTask DisposeQuietlyAsync(IMessageWriter writer)
    {
        try
        {
            await writer.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
        }
    }
}
