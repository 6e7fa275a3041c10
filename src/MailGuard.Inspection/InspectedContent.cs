using System.Buffers;
using System.Security.Cryptography;

namespace MailGuard.Inspection;

/// <summary>
/// What one inspection has read, by content: a digest of each decoded part with its white space
/// removed (so that readers that differ only in line endings or a final line break agree). When a
/// message is read a second time (the second-opinion parse, the reading that takes the last of
/// duplicate fields), a part already inspected is not inspected again; and a test can check that
/// every part another MIME reader decodes was inspected.
/// </summary>
public sealed class InspectedContent
{
    private static readonly SearchValues<byte> s_whiteSpace = SearchValues.Create("\r\n \t"u8);
    private readonly HashSet<UInt128> _digests = [];

    /// <param name="recording">Digest every part even when nothing is read twice (tests, diagnostics).</param>
    public InspectedContent(bool recording) => Recording = recording;

    public bool Recording { get; }

    public int Count => _digests.Count;

    /// <summary>Adds a digest; false when the same content was seen before.</summary>
    public bool Add(UInt128 digest) => _digests.Add(digest);

    public bool Contains(UInt128 digest) => _digests.Contains(digest);

    /// <summary>The digests, as lower-case hex (for reports and tests).</summary>
    public IReadOnlyCollection<string> Digests => _digests.Select(d => d.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The digest of a stream's bytes with CR, LF, space and tab left out; reads it to the end.</summary>
    public static UInt128 Digest(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int n;
            while ((n = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                AppendWithoutWhiteSpace(hash, buffer.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Finish(hash);
    }

    public static UInt128 Digest(ReadOnlySpan<byte> content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendWithoutWhiteSpace(hash, content);
        return Finish(hash);
    }

    private static void AppendWithoutWhiteSpace(IncrementalHash hash, ReadOnlySpan<byte> span)
    {
        while (!span.IsEmpty)
        {
            int ws = span.IndexOfAny(s_whiteSpace);
            if (ws < 0)
            {
                hash.AppendData(span);
                return;
            }

            hash.AppendData(span[..ws]);
            span = span[(ws + 1)..];
        }
    }

    private static UInt128 Finish(IncrementalHash hash)
    {
        Span<byte> sha = stackalloc byte[32];
        hash.GetHashAndReset(sha);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(sha);
    }
}
