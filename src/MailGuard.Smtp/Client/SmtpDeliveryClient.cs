using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailGuard.Smtp.Client;

/// <summary>
/// SMTP client for delivering upstream (RFC 5321 with EHLO extensions PIPELINING, SIZE, 8BITMIME,
/// SMTPUTF8, STARTTLS, AUTH PLAIN/LOGIN). One instance is one connection, opened on the first
/// <see cref="SendAsync"/> and reused by later calls (RSET between transactions). Not thread-safe.
/// Expected failures come back as <see cref="DeliveryResult"/>; only caller cancellation throws.
/// </summary>
public sealed class SmtpDeliveryClient : IAsyncDisposable
{
    private const int MaxReplyBytes = 64 * 1024;

    private readonly SmtpClientOptions _options;
    private readonly TimeProvider _time;
    private Socket? _socket;
    private Stream? _stream;
    private PipeReader? _reader;
    private PipeWriter? _writer;
    private Dictionary<string, string> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private bool _transactionUsed;
    private bool _rsetPending;

    /// <summary>Creates a client; nothing is connected until <see cref="SendAsync"/>.</summary>
    public SmtpDeliveryClient(SmtpClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>True while a session is open and usable.</summary>
    public bool IsConnected => _stream is not null;

    /// <summary>True when the open session is under TLS.</summary>
    public bool IsSecure { get; private set; }

    /// <summary>EHLO keywords of the open session (upper-case) and their parameters ("SIZE" → "10240000").</summary>
    public IReadOnlyDictionary<string, string> Extensions => _extensions;

    /// <summary>Delivers one message. Connects (greeting, EHLO, STARTTLS, AUTH) when not connected.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<DeliveryResult> SendAsync(SmtpOutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stage = SmtpStage.Connect;
        try
        {
            if (_stream is null)
            {
                var failure = await OpenAsync(message, s => stage = s, cancellationToken);
                if (failure is not null)
                {
                    await CloseAsync();
                    return failure;
                }
            }
            else if (_transactionUsed)
            {
                stage = SmtpStage.Mail;
                // A clean slate for the next transaction (RFC 5321 §4.1.1.5), whatever the last one left.
                // With PIPELINING, RSET travels in the same batch as MAIL (RFC 2920 §3.1 lists it as groupable).
                Write("RSET");
                if (!_extensions.ContainsKey("PIPELINING"))
                {
                    var rset = await ReadReplyAsync(_options.CommandTimeout, cancellationToken);
                    if (!rset.IsPositiveCompletion)
                    {
                        await CloseAsync();
                        return Result(message, SmtpStage.Mail, rset);
                    }
                }
                else
                {
                    _rsetPending = true;
                }
            }

            _transactionUsed = true;
            return await TransactAsync(message, s => stage = s, cancellationToken);
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
            return new DeliveryResult(DeliveryOutcome.Deferred, message.Recipients.Select(r => new RecipientResult(r, null)).ToArray(), null, stage, exception);
        }
    }

    /// <summary>Sends QUIT and closes; errors while doing so are ignored because nothing is at stake any more.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        if (_stream is null)
        {
            return;
        }

        try
        {
            Write("QUIT");
            // Nothing depends on the answer, so a silent server must not hold up disposal for minutes.
            await ReadReplyAsync(TimeSpan.FromSeconds(Math.Min(10, _options.CommandTimeout.TotalSeconds)), cancellationToken);
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

    private async Task<DeliveryResult?> OpenAsync(SmtpOutgoingMessage message, Action<SmtpStage> setStage, CancellationToken ct)
    {
        setStage(SmtpStage.Connect);
        _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = Timeout(_options.ConnectTimeout, ct))
        {
            await _socket.ConnectAsync(_options.Host, _options.Port, timeout.Token);
        }

        SetStream(new NetworkStream(_socket, ownsSocket: true));
        setStage(SmtpStage.Greeting);
        var greeting = await ReadReplyAsync(_options.CommandTimeout, ct);
        if (greeting.Code != 220)
        {
            // A refusing greeting is about the host, not the message: defer (as Postfix does for "refused to talk").
            return Result(message, SmtpStage.Greeting, greeting, forceDeferred: true);
        }

        setStage(SmtpStage.Ehlo);
        var ehlo = await HelloAsync(ct);
        if (!ehlo.IsPositiveCompletion)
        {
            return Result(message, SmtpStage.Ehlo, ehlo, forceDeferred: true);
        }

        if (_options.StartTls != StartTlsMode.None)
        {
            setStage(SmtpStage.StartTls);
            if (_extensions.ContainsKey("STARTTLS"))
            {
                Write("STARTTLS");
                var reply = await ReadReplyAsync(_options.CommandTimeout, ct);
                if (reply.Code == 220)
                {
                    await HandshakeAsync(ct);
                    // RFC 3207 §4.2: forget pre-TLS knowledge and greet again.
                    ehlo = await HelloAsync(ct);
                    if (!ehlo.IsPositiveCompletion)
                    {
                        return Result(message, SmtpStage.Ehlo, ehlo, forceDeferred: true);
                    }
                }
                else if (_options.StartTls == StartTlsMode.Required)
                {
                    return Result(message, SmtpStage.StartTls, reply, forceDeferred: true);
                }
            }
            else if (_options.StartTls == StartTlsMode.Required)
            {
                return Result(message, SmtpStage.StartTls, Local(454, "4.7.0", "TLS required but not offered by server"), forceDeferred: true);
            }
        }

        if (_options.Credentials is { } credentials)
        {
            setStage(SmtpStage.Auth);
            var reply = await AuthenticateAsync(credentials.UserName, credentials.Password, ct);
            if (!reply.IsPositiveCompletion)
            {
                // Wrong credentials are our configuration, not the message's fault: defer, never bounce.
                return Result(message, SmtpStage.Auth, reply, forceDeferred: true);
            }
        }

        return null;
    }

    private async Task<SmtpReply> HelloAsync(CancellationToken ct)
    {
        _extensions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Write($"EHLO {_options.ClientName}");
        var reply = await ReadReplyAsync(_options.CommandTimeout, ct);
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
            Write($"HELO {_options.ClientName}");
            reply = await ReadReplyAsync(_options.CommandTimeout, ct);
        }

        return reply;
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        await _reader!.CompleteAsync();
        await _writer!.CompleteAsync();
        var ssl = new SslStream(_stream!, leaveInnerStreamOpen: false);
        using var timeout = Timeout(_options.ConnectTimeout, ct);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = _options.TlsTargetHost ?? _options.Host,
                RemoteCertificateValidationCallback = _options.CertificateValidation,
            },
            timeout.Token);
        SetStream(ssl);
        IsSecure = true;
    }

    private async Task<SmtpReply> AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        if (!IsSecure)
        {
            // RFC 4954 §14: never send a password in clear text.
            return Local(530, "5.7.0", "AUTH refused without TLS");
        }

        var mechanisms = _extensions.TryGetValue("AUTH", out var list) ? list.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            Write($"AUTH PLAIN {token}");
            return await ReadReplyAsync(_options.CommandTimeout, ct);
        }

        if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            Write("AUTH LOGIN");
            var reply = await ReadReplyAsync(_options.CommandTimeout, ct);
            if (reply.Code != 334)
            {
                return reply;
            }

            Write(Convert.ToBase64String(Encoding.UTF8.GetBytes(user)));
            reply = await ReadReplyAsync(_options.CommandTimeout, ct);
            if (reply.Code != 334)
            {
                return reply;
            }

            Write(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)));
            return await ReadReplyAsync(_options.CommandTimeout, ct);
        }

        return Local(504, "5.7.4", "No supported AUTH mechanism offered");
    }

    private async Task<DeliveryResult> TransactAsync(SmtpOutgoingMessage message, Action<SmtpStage> setStage, CancellationToken ct)
    {
        setStage(SmtpStage.Mail);
        if (message.RequiresSmtpUtf8 && !_extensions.ContainsKey("SMTPUTF8"))
        {
            return Result(message, SmtpStage.Mail, Local(553, "5.6.7", "SMTPUTF8 required but not offered by server"));
        }

        long? size = message.Size ?? (message.Content.CanSeek ? message.Content.Length - message.Content.Position : null);
        var mail = new StringBuilder("MAIL FROM:<").Append(message.ReversePath).Append('>');
        if (_extensions.TryGetValue("SIZE", out var sizeParameter))
        {
            // RFC 1870 §6: do not send a message the server announced it cannot take.
            if (size is { } s && long.TryParse(sizeParameter, out var limit) && limit > 0 && s > limit)
            {
                return Result(message, SmtpStage.Mail, Local(552, "5.3.4", $"Message size {s} exceeds server limit {limit}"));
            }

            if (size is { } known)
            {
                mail.Append(" SIZE=").Append(known);
            }
        }

        if (message.Has8BitContent && _extensions.ContainsKey("8BITMIME"))
        {
            mail.Append(" BODY=8BITMIME");
        }

        if (message.RequiresSmtpUtf8)
        {
            mail.Append(" SMTPUTF8");
        }

        var pipelining = _extensions.ContainsKey("PIPELINING");
        var chunking = _options.UseChunking && _extensions.ContainsKey("CHUNKING");
        var replies = new SmtpReply?[message.Recipients.Count];
        Write(mail.ToString());
        SmtpReply mailReply;
        SmtpReply? dataReply = null;
        if (pipelining)
        {
            // RFC 2920 §3.1: MAIL, RCPTs and DATA go in one batch; replies come back in order.
            foreach (var recipient in message.Recipients)
            {
                Write($"RCPT TO:<{recipient}>");
            }

            if (!chunking)
            {
                Write("DATA");
            }

            var rsetReply = _rsetPending ? await ReadReplyAsync(_options.CommandTimeout, ct) : (SmtpReply?)null;
            _rsetPending = false;
            mailReply = await ReadReplyAsync(_options.CommandTimeout, ct);
            setStage(SmtpStage.Rcpt);
            for (var i = 0; i < replies.Length; i++)
            {
                replies[i] = await ReadReplyAsync(_options.CommandTimeout, ct);
            }

            setStage(SmtpStage.Data);
            if (!chunking)
            {
                dataReply = await ReadReplyAsync(_options.CommandTimeout, ct);
            }

            if (rsetReply is { IsPositiveCompletion: false } failedRset)
            {
                // The server is in a state we do not understand; give up on this connection.
                await CloseAsync();
                return Result(message, SmtpStage.Mail, failedRset, forceDeferred: true);
            }

            if (!mailReply.IsPositiveCompletion)
            {
                if (dataReply?.Code == 354)
                {
                    await EndEmptyDataAsync(ct);
                }

                return Result(message, SmtpStage.Mail, mailReply);
            }
        }
        else
        {
            mailReply = await ReadReplyAsync(_options.CommandTimeout, ct);
            if (!mailReply.IsPositiveCompletion)
            {
                return Result(message, SmtpStage.Mail, mailReply);
            }

            setStage(SmtpStage.Rcpt);
            for (var i = 0; i < replies.Length; i++)
            {
                Write($"RCPT TO:<{message.Recipients[i]}>");
                replies[i] = await ReadReplyAsync(_options.CommandTimeout, ct);
            }

            if (!replies.Any(r => r!.Value.IsPositiveCompletion))
            {
                return RecipientsOnly(message, replies);
            }

            setStage(SmtpStage.Data);
            if (!chunking)
            {
                Write("DATA");
                dataReply = await ReadReplyAsync(_options.CommandTimeout, ct);
            }
        }

        var anyAccepted = replies.Any(r => r!.Value.IsPositiveCompletion);
        if (dataReply is null)
        {
            // CHUNKING: no DATA was sent, so nothing needs ending when no recipient was accepted.
            return anyAccepted ? Final(message, replies, await SendChunksAsync(message.Content, pipelining, ct)) : RecipientsOnly(message, replies);
        }

        if (dataReply.Value.Code != 354)
        {
            return anyAccepted ? Final(message, replies, dataReply.Value) : RecipientsOnly(message, replies);
        }

        if (!anyAccepted)
        {
            // RFC 2920 §3.1: a server that said 354 with no valid recipient gets an empty message.
            await EndEmptyDataAsync(ct);
            return RecipientsOnly(message, replies);
        }

        await SendContentAsync(message.Content, ct);
        var final = await ReadReplyAsync(_options.DataTerminationTimeout, ct);
        return Final(message, replies, final);
    }

    /// <summary>
    /// Sends the content with BDAT (RFC 3030): exact bytes, no dot-stuffing or line-end changes, the
    /// last chunk marked LAST. With PIPELINING the chunks are not held back for their replies
    /// (RFC 3030 §4.2); the first refusal, else the LAST reply, is the result.
    /// </summary>
    private async Task<SmtpReply> SendChunksAsync(Stream content, bool pipelining, CancellationToken ct)
    {
        const int ChunkSize = 64 * 1024;
        var current = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var currentLength = await content.ReadAtLeastAsync(current.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, ct);
            var outstanding = 0;
            while (true)
            {
                // Read one chunk ahead so the final chunk can carry LAST (no extra "BDAT 0 LAST").
                var nextLength = currentLength < ChunkSize ? 0 : await content.ReadAtLeastAsync(next.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, ct);
                var last = nextLength == 0;
                Write(last ? $"BDAT {currentLength} LAST" : $"BDAT {currentLength}");
                _writer!.Write(current.AsSpan(0, currentLength));
                outstanding++;
                if (last)
                {
                    break;
                }

                if (pipelining)
                {
                    using var timeout = Timeout(_options.DataTimeout, ct);
                    await _writer!.FlushAsync(timeout.Token);
                }
                else
                {
                    outstanding--;
                    var reply = await ReadReplyAsync(_options.DataTimeout, ct);
                    if (!reply.IsPositiveCompletion)
                    {
                        return reply;
                    }
                }

                (current, next) = (next, current);
                currentLength = nextLength;
            }

            SmtpReply? failure = null;
            var final = default(SmtpReply);
            for (var i = 0; i < outstanding; i++)
            {
                final = await ReadReplyAsync(i == outstanding - 1 ? _options.DataTerminationTimeout : _options.DataTimeout, ct);
                if (!final.IsPositiveCompletion)
                {
                    failure ??= final;
                }
            }

            return failure ?? final;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private async Task EndEmptyDataAsync(CancellationToken ct)
    {
        Write(".");
        await ReadReplyAsync(_options.DataTerminationTimeout, ct);
    }

    private async Task SendContentAsync(Stream content, CancellationToken ct)
    {
        // 64 KiB per read and per flush: a 1 MB message is 16 socket writes, not 64.
        var stuffer = new DotStuffer();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var n = await content.ReadAsync(buffer, ct);
                if (n == 0)
                {
                    break;
                }

                stuffer.Write(buffer.AsSpan(0, n), _writer!);
                using var flushTimeout = Timeout(_options.DataTimeout, ct);
                await _writer!.FlushAsync(flushTimeout.Token);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        stuffer.Complete(_writer!);
    }

    // ---------------------------------------------------------------- results

    private static SmtpReply Local(int code, string enhanced, string text) => new(code, enhanced, text + " (local)");

    private static DeliveryResult Result(SmtpOutgoingMessage message, SmtpStage stage, SmtpReply reply, bool forceDeferred = false)
    {
        var outcome = forceDeferred || !reply.IsPermanentFailure ? DeliveryOutcome.Deferred : DeliveryOutcome.Failed;
        return new DeliveryResult(outcome, message.Recipients.Select(r => new RecipientResult(r, reply)).ToArray(), reply, stage, null);
    }

    private static DeliveryResult RecipientsOnly(SmtpOutgoingMessage message, SmtpReply?[] replies)
    {
        var results = message.Recipients.Select((r, i) => new RecipientResult(r, replies[i])).ToArray();
        var anyTransient = replies.Any(r => r!.Value.IsTransientFailure);
        var decisive = replies.FirstOrDefault(r => r!.Value.IsTransientFailure) ?? replies[0];
        return new DeliveryResult(anyTransient ? DeliveryOutcome.Deferred : DeliveryOutcome.Failed, results, decisive, SmtpStage.Rcpt, null);
    }

    private static DeliveryResult Final(SmtpOutgoingMessage message, SmtpReply?[] replies, SmtpReply final)
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

    // ---------------------------------------------------------------- wire

    private void SetStream(Stream stream)
    {
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    private void Write(string line)
    {
        var span = _writer!.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
        var n = Encoding.UTF8.GetBytes(line, span);
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _writer.Advance(n);
    }

    /// <summary>Flushes pending commands, then reads one complete (multi-line) reply.</summary>
    private async Task<SmtpReply> ReadReplyAsync(TimeSpan limit, CancellationToken ct)
    {
        using var timeout = Timeout(limit, ct);
        if (_writer!.UnflushedBytes > 0)
        {
            await _writer.FlushAsync(timeout.Token);
        }

        var lines = new List<string>();
        var reader = _reader!;
        while (true)
        {
            var result = await reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } lf)
            {
                var line = buffer.Slice(0, lf);
                buffer = buffer.Slice(buffer.GetPosition(1, lf));
                var text = Encoding.UTF8.GetString(line).TrimEnd('\r');
                lines.Add(text);
                if (text.Length < 4 || text[3] != '-')
                {
                    reader.AdvanceTo(buffer.Start);
                    return SmtpReply.TryParse(lines, out var reply)
                        ? reply
                        : throw new SmtpProtocolException($"Malformed reply from server: {Truncate(string.Join(" | ", lines))}");
                }
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start);
                throw new IOException("The server closed the connection.");
            }

            if (buffer.Length > MaxReplyBytes || lines.Count > 1000)
            {
                throw new SmtpProtocolException("Reply too long.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];

    private CancellationTokenSource Timeout(TimeSpan limit, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        return cts;
    }

    private async Task CloseAsync()
    {
        var stream = _stream;
        _stream = null;
        IsSecure = false;
        _transactionUsed = false;
        _rsetPending = false;
        if (_reader is not null)
        {
            await _reader.CompleteAsync();
        }

        if (_writer is not null)
        {
            try
            {
                await _writer.CompleteAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        _reader = null;
        _writer = null;
        if (stream is not null)
        {
            try
            {
                await stream.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        _socket?.Dispose();
        _socket = null;
    }

    private static bool IsNetworkFailure(Exception ex, CancellationToken ct) =>
        ex switch
        {
            OperationCanceledException => !ct.IsCancellationRequested,
            IOException or SocketException or AuthenticationException or SmtpProtocolException or ObjectDisposedException => true,
            _ => false,
        };
}

/// <summary>The server broke the reply grammar (RFC 5321 §4.2); recorded on a Deferred result.</summary>
public sealed class SmtpProtocolException(string message) : Exception(message);

/// <summary>
/// Dot-stuffing (RFC 5321 §4.5.2) and line-end normalization for outgoing content: a line starting
/// with "." gets another, and a bare LF is sent as CRLF so no downstream server can disagree with us
/// about where a line, or the message, ends (SMTP smuggling).
/// </summary>
internal sealed class DotStuffer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private bool _atLineStart = true;
    private bool _previousCr;

    /// <summary>
    /// Stuffs <paramref name="input"/> into <paramref name="output"/>. Text is copied in runs: a run
    /// breaks only where a byte is inserted (a CR before a bare LF, a dot before a line-start dot), and
    /// line ends are found with the vectorised IndexOf. State (line start, a CR as the last byte) carries
    /// across calls, so the input may be split anywhere.
    /// </summary>
    public void Write(ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        if (input.IsEmpty)
        {
            return;
        }

        // At most one inserted byte per input byte ("\n" -> "\r\n", "." -> ".." at a line start).
        var span = output.GetSpan(input.Length * 2);
        var w = 0;
        var runStart = 0;
        var pos = 0;
        if (_atLineStart && input[0] == (byte)'.')
        {
            span[w++] = (byte)'.';
        }

        while (true)
        {
            var next = input[pos..].IndexOf(Lf);
            if (next < 0)
            {
                break;
            }

            var lf = pos + next;
            var crBefore = lf > 0 ? input[lf - 1] == Cr : _previousCr;
            if (!crBefore)
            {
                var text = input[runStart..lf];
                text.CopyTo(span[w..]);
                w += text.Length;
                span[w++] = Cr;
                runStart = lf;
            }

            pos = lf + 1;
            if (pos == input.Length)
            {
                break;
            }

            if (input[pos] == (byte)'.')
            {
                var text = input[runStart..pos];
                text.CopyTo(span[w..]);
                w += text.Length;
                span[w++] = (byte)'.';
                runStart = pos;
            }
        }

        var rest = input[runStart..];
        rest.CopyTo(span[w..]);
        w += rest.Length;
        _atLineStart = input[^1] == Lf;
        _previousCr = input[^1] == Cr;
        output.Advance(w);
    }

    /// <summary>Ends the last line if needed and writes the end-of-data marker.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        if (!_atLineStart)
        {
            Write("\r\n"u8, output);
        }

        output.Write(".\r\n"u8);
    }
}
