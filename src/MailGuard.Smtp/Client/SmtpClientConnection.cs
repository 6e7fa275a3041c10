using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace MailGuard.Smtp.Client;

/// <summary>
/// The wire of one client connection: a TCP socket, optionally under TLS, with a pipe each way.
/// Commands are buffered and go out when a reply is awaited (or on an explicit flush), which is
/// what lets MAIL, RCPT and DATA share one packet under PIPELINING (RFC 2920).
/// </summary>
internal sealed class SmtpClientConnection
{
    private readonly Socket _socket;
    private Stream _stream;
    private PipeReader _reader;
    private PipeWriter _writer;
    private SmtpReplyReader _replies;

    private SmtpClientConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        (_stream, _reader, _writer, _replies) = Open(stream);
    }

    /// <summary>Where content bytes go (DATA or BDAT); they travel with the next flush.</summary>
    public PipeWriter Output => _writer;

    /// <summary>Opens a TCP connection with Nagle off (a command batch is one write anyway).</summary>
    public static async Task<SmtpClientConnection> ConnectAsync(string host, int port, TimeSpan limit, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = Timeout(limit, ct);
            await socket.ConnectAsync(host, port, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SmtpClientConnection(socket, new NetworkStream(socket, ownsSocket: true));
    }

    /// <summary>A token cancelled after <paramref name="limit"/> or with <paramref name="ct"/>; the caller tells which by asking <paramref name="ct"/>.</summary>
    public static CancellationTokenSource Timeout(TimeSpan limit, CancellationToken ct)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(limit);
        return cts;
    }

    /// <summary>Buffers one command line (UTF-8, as SMTPUTF8 allows; callers check the extension) and its CRLF.</summary>
    public void WriteCommand(string line)
    {
        var span = _writer.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
        var n = Encoding.UTF8.GetBytes(line, span);
        span[n++] = (byte)'\r';
        span[n++] = (byte)'\n';
        _writer.Advance(n);
    }

    /// <summary>Sends what is buffered within <paramref name="limit"/>.</summary>
    public async Task FlushAsync(TimeSpan limit, CancellationToken ct)
    {
        using var timeout = Timeout(limit, ct);
        await _writer.FlushAsync(timeout.Token);
    }

    /// <summary>Flushes pending commands, then reads one complete (multi-line) reply, both within <paramref name="limit"/>.</summary>
    public async Task<SmtpReply> ReadReplyAsync(TimeSpan limit, CancellationToken ct)
    {
        using var timeout = Timeout(limit, ct);
        if (_writer.UnflushedBytes > 0)
        {
            await _writer.FlushAsync(timeout.Token);
        }

        return await _replies.ReadAsync(timeout.Token);
    }

    /// <summary>
    /// Runs the TLS handshake on the connection (after the server's 220 to STARTTLS) and carries on
    /// over TLS. Nothing read before it is kept: the old pipes are completed, so bytes a server
    /// pipelined behind its 220 cannot pose as replies under TLS (RFC 3207 §6).
    /// </summary>
    public async Task UpgradeToTlsAsync(SslClientAuthenticationOptions authentication, TimeSpan limit, CancellationToken ct)
    {
        await _reader.CompleteAsync();
        await _writer.CompleteAsync();
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        using var timeout = Timeout(limit, ct);
        await ssl.AuthenticateAsClientAsync(authentication, timeout.Token);
        (_stream, _reader, _writer, _replies) = Open(ssl);
    }

    /// <summary>Closes without QUIT; errors are ignored because the connection is being given up.</summary>
    public async Task CloseAsync()
    {
        await _reader.CompleteAsync();
        try
        {
            await _writer.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }

        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    private static (Stream, PipeReader, PipeWriter, SmtpReplyReader) Open(Stream stream)
    {
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        return (stream, reader, writer, new SmtpReplyReader(reader));
    }
}
