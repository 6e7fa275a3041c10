using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace MailGuard.Smtp.Client;

/// <summary>
/// Reads server replies (RFC 5321 §4.2) off the connection: lines up to LF, continued while the
/// fourth character is '-', parsed into one <see cref="SmtpReply"/>. A reply that breaks the grammar
/// or grows past the limits is a <see cref="SmtpProtocolException"/>; a closed connection an
/// <see cref="IOException"/>.
/// </summary>
internal sealed class SmtpReplyReader
{
    // Limits on what a server may make us buffer for one reply. 64 KiB holds any real EHLO list;
    // 1000 lines is far beyond it too, and caps the allocations of a stream of tiny lines.
    private const int MaxReplyBytes = 64 * 1024;
    private const int MaxReplyLines = 1000;

    private readonly PipeReader _reader;

    public SmtpReplyReader(PipeReader reader)
    {
        _reader = reader;
    }

    /// <summary>Reads one complete (multi-line) reply; what follows it stays buffered for the next call.</summary>
    public async ValueTask<SmtpReply> ReadAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        var reader = _reader;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
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

            if (buffer.Length > MaxReplyBytes || lines.Count > MaxReplyLines)
            {
                throw new SmtpProtocolException("Reply too long.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    // The exception ends up in logs; a hostile server must not be able to fill them.
    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200];
}
