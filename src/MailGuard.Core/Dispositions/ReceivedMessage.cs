using MailGuard.Core.Store;

namespace MailGuard.Core.Dispositions;

/// <summary>
/// A received message, complete but not yet accepted: its envelope, who submitted it, and where
/// its bytes are. The relay builds it at the end of DATA; nothing here knows SMTP.
/// </summary>
/// <param name="ContentPath">The fsynced spool file for a large message, else null.</param>
/// <param name="BufferedContent">The content of a small message (at most Storage:InlineContentBytes), else null.</param>
/// <param name="AuthenticatedUser">The AUTH identity of the session that submitted it, or null.</param>
/// <remarks>Either way the content is MailGuard's trace header followed by the bytes as received; <see cref="OpenContent"/> reads it.</remarks>
public sealed record ReceivedMessage(
    string Id,
    string MailFrom,
    IReadOnlyList<string> Recipients,
    string? ClientAddress,
    string? HeloName,
    string? AuthenticatedUser,
    MessageFlags Flags,
    string? ContentPath,
    ReadOnlyMemory<byte>? BufferedContent,
    long Size,
    DateTimeOffset ReceivedAt)
{
    public Stream OpenContent() =>
        BufferedContent is { } buffered
            ? ReadOnlyMemoryStream.Over(buffered)
            : new FileStream(ContentPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
}

/// <summary>A read-only stream over content already in memory, without copying it when it is array-backed.</summary>
public static class ReadOnlyMemoryStream
{
    public static MemoryStream Over(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
