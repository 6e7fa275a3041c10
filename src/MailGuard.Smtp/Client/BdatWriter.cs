using System.Buffers;

namespace MailGuard.Smtp.Client;

/// <summary>
/// Sends content with BDAT (RFC 3030): exact bytes, no dot-stuffing or line-end changes, the last
/// chunk marked LAST. With PIPELINING the chunks are not held back for their replies (RFC 3030
/// §4.2); the first refusal, else the LAST reply, is the result.
/// </summary>
internal sealed class BdatWriter
{
    // 64 KiB per chunk, as DATA reads and flushes: large enough that the command line is noise.
    private const int ChunkSize = 64 * 1024;

    private readonly SmtpClientConnection _connection;
    private readonly SmtpClientOptions _options;

    public BdatWriter(SmtpClientConnection connection, SmtpClientOptions options)
    {
        _connection = connection;
        _options = options;
    }

    /// <summary>Sends <paramref name="content"/> from its position to its end and returns the decisive reply.</summary>
    public async Task<SmtpReply> SendAsync(Stream content, bool pipelining, CancellationToken ct)
    {
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
                _connection.WriteCommand(last ? $"BDAT {currentLength} LAST" : $"BDAT {currentLength}");
                _connection.Output.Write(current.AsSpan(0, currentLength));
                outstanding++;
                if (last)
                {
                    break;
                }

                if (pipelining)
                {
                    await _connection.FlushAsync(_options.DataTimeout, ct);
                }
                else
                {
                    outstanding--;
                    var reply = await _connection.ReadReplyAsync(_options.DataTimeout, ct);
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
                final = await _connection.ReadReplyAsync(i == outstanding - 1 ? _options.DataTerminationTimeout : _options.DataTimeout, ct);
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
}
