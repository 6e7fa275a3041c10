using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace MailGuard.Smtp.Server;

/// <summary>
/// One connection: reads commands and content through a PipeReader, answers through a PipeWriter,
/// and flushes replies once per received batch (RFC 2920 §3.2: reply when no more input is buffered).
/// Session facts live in <see cref="Context"/>, the transaction in <see cref="_envelope"/>.
/// </summary>
internal sealed partial class SmtpSession
{
    /// <summary>RFC 5321 §4.5.3.1.4: a command line is at most 512 octets including CRLF.</summary>
    internal const int MaxCommandLineOctets = 512;

    /// <summary>RFC 4954 §4: AUTH continuation lines may be up to 12288 octets.</summary>
    internal const int MaxAuthLineOctets = 12288;

    private const int DecodeBufferSize = 32 * 1024;

    private static readonly SmtpReply s_ok = new(250, "2.0.0", "Ok");
    // 32 KiB reads: DATA of a 1 MB message in about 32 socket reads (and decode/spool rounds) instead of 128.
    private static readonly StreamPipeReaderOptions s_readerOptions = new(bufferSize: 32 * 1024, minimumReadSize: 4096, leaveOpen: true);
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
    /// <summary>When the server began waiting for the command line now arriving; null between lines.</summary>
    private long? _lineStarted;
    /// <summary>Bytes left unconsumed in the reader by the last batch (a partial line), not new at the next read.</summary>
    private long _carriedBytes;
    private long _commandBytes;
    private TimeSpan _commandElapsed;
    private byte[]? _decodeBuffer;

    public SmtpSession(SmtpServer server, SmtpServerOptions options, ISmtpServerHooks hooks, TimeProvider time, Socket socket, bool implicitTls, SessionSlot slot, CancellationToken hardStop)
    {
        _server = server;
        Slot = slot;
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

    /// <summary>What the session counts against in the server's connection limits.</summary>
    public SessionSlot Slot { get; }

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
                Write(ShuttingDown());
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
                _carriedBytes = result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.Start);
                if (_server.IsHardStopping || (_server.IsStopping && !InTransaction))
                {
                    await AbortMessageAsync();
                    Write(ShuttingDown());
                    await FlushAsync();
                    return;
                }

                continue;
            }

            var buffer = result.Buffer;
            if (_mode is not (Mode.Data or Mode.Bdat))
            {
                // Bytes read now for commands: what the minimum command rate credits.
                _commandBytes += buffer.Length - _carriedBytes;
            }

            var (consumed, next) = await ProcessAsync(buffer);
            _carriedBytes = buffer.Slice(consumed).Length;
            if (next == Next.StartTls)
            {
                // RFC 3207 §4.2 / CVE-2011-0411: anything pipelined after STARTTLS arrived in clear text
                // and must not be executed after the handshake, so the rest of the buffer is dropped.
                _carriedBytes = 0;
                _lineStarted = null;
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
            // The line is complete: the next one gets a CommandTimeout of its own.
            _lineStarted = null;
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

    // ---------------------------------------------------------------- TLS

    private async ValueTask<bool> StartTlsAsync()
    {
        await CompletePipesAsync();
        if (!await HandshakeAsync())
        {
            return false;
        }

        CreatePipes();
        _carriedBytes = 0;
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
        var credentials = _options.CurrentServerCredentials;
        if (credentials is null)
        {
            return false;
        }

        var ssl = new SslStream(_network, leaveInnerStreamOpen: true);
        using var timeout = new CancellationTokenSource(_options.TlsHandshakeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, SessionToken);
        try
        {
            await ssl.AuthenticateAsServerAsync(
                credentials.Context is { } context
                    ? new SslServerAuthenticationOptions { ServerCertificateContext = context, ClientCertificateRequired = false }
                    : new SslServerAuthenticationOptions { ServerCertificate = credentials.Certificate, ClientCertificateRequired = false },
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

    /// <summary>RFC 5321 §3.8: "421 &lt;domain&gt; Service not available, closing transmission channel".</summary>
    private SmtpReply ShuttingDown() => new(421, "4.3.2", $"{_options.ServerName} Service shutting down, closing transmission channel");

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
