using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Where each member's compressed bytes start, from the central directory and the member's
/// local header, computed as System.IO.Compression computes it (the local header's own name and
/// extra lengths), so that a member can be decoded whole (<see cref="Libdeflate"/>) from exactly
/// the bytes the streaming reader would read. Listed only: DEFLATE members, named once in ASCII
/// (or UTF-8 with bit 11), not encrypted, sizes within 32 bits, on one disk. For any other member,
/// and for any archive whose end records are not the plain kind (zip64, several disks, a directory
/// outside the file or over <see cref="MaxDirectoryBytes"/>), nothing is listed and the caller
/// streams as before.
/// </summary>
internal sealed class ZipDirectory
{
    /// <summary>The directory read at most: a package's is a few KB; past this, every part streams.</summary>
    internal const int MaxDirectoryBytes = 1 << 20;

    private const uint EndSignature = 0x06054b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndLength = 22;
    private const int CentralLength = 46;
    private const int LocalLength = 30;

    private readonly Stream _stream;

    // Name -> member as the directory lists it; null for a name listed twice (which one a reader
    // takes is not ours to guess) or a member not of the plain kind.
    private readonly Dictionary<string, Listed?> _members;

    private ZipDirectory(Stream stream, Dictionary<string, Listed?> members)
    {
        _stream = stream;
        _members = members;
    }

    /// <summary>One member's compressed bytes (at <see cref="DataOffset"/>) and its sizes.</summary>
    public readonly record struct Member(long DataOffset, long CompressedLength, long Length);

    // A member as the central directory lists it; where its data starts is read from its local
    // header only when the member is opened.
    private readonly record struct Listed(uint LocalOffset, uint CompressedLength, uint Length);

    /// <summary>How many members are listed (each named once and of the plain kind).</summary>
    public int Count => _members.Values.Count(m => m is not null);

    /// <summary>The members of the zip in <paramref name="stream"/> (seekable); none when the archive is not of the plain kind.</summary>
    public static ZipDirectory Read(Stream stream, int maxDirectoryBytes = MaxDirectoryBytes)
    {
        var none = new ZipDirectory(stream, []);
        long length = stream.Length;
        if (length < EndLength)
        {
            return none;
        }

        try
        {
            // The end record: its 22 bytes, then a comment of up to 64 KB.
            int tail = (int)Math.Min(length, EndLength + ushort.MaxValue);
            uint size;
            uint offset;
            ushort entries;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(tail);
            try
            {
                stream.Position = length - tail;
                stream.ReadExactly(buffer, 0, tail);
                int end = buffer.AsSpan(0, tail).LastIndexOf("PK\x05\x06"u8);
                if (end < 0 || end > tail - EndLength)
                {
                    return none;
                }

                var record = buffer.AsSpan(end, EndLength);
                entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
                size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
                offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
                bool oneDisk = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]) == 0 && BinaryPrimitives.ReadUInt16LittleEndian(record[8..]) == entries;
                if (!oneDisk || entries == ushort.MaxValue || size > maxDirectoryBytes || offset + (long)size > length - tail + end)
                {
                    return none;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            byte[] directory = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)size));
            try
            {
                stream.Position = offset;
                stream.ReadExactly(directory, 0, (int)size);
                return Parse(stream, directory.AsSpan(0, (int)size), entries) ?? none;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(directory);
            }
        }
        catch (EndOfStreamException)
        {
            return none;
        }
    }

    /// <summary>The member <paramref name="entry"/> is, when it is listed, the reader's view of it agrees with this one and its local header is one.</summary>
    public bool TryGet(ZipArchiveEntry entry, out Member member)
    {
        member = default;
        if (!_members.TryGetValue(entry.FullName, out var found) || found is not { } m
            || m.CompressedLength != entry.CompressedLength || m.Length != entry.Length
            || DataOffset(m) is not long data)
        {
            return false;
        }

        member = new Member(data, m.CompressedLength, m.Length);
        return true;
    }

    // Null when the directory is not one.
    private static ZipDirectory? Parse(Stream stream, ReadOnlySpan<byte> directory, int entries)
    {
        var members = new Dictionary<string, Listed?>(StringComparer.Ordinal);
        int at = 0;
        for (int n = 0; n < entries; n++)
        {
            if (at + CentralLength > directory.Length)
            {
                return null;
            }

            var record = directory[at..];
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]);
            int recordLength = CentralLength + nameLength + BinaryPrimitives.ReadUInt16LittleEndian(record[30..]) + BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != CentralSignature || at + recordLength > directory.Length)
            {
                return null;
            }

            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            string? name = Name(record.Slice(CentralLength, nameLength), flags);
            at += recordLength;
            if (name is null)
            {
                continue;
            }

            var listed = new Listed(BinaryPrimitives.ReadUInt32LittleEndian(record[42..]), BinaryPrimitives.ReadUInt32LittleEndian(record[20..]), BinaryPrimitives.ReadUInt32LittleEndian(record[24..]));
            bool plain = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]) == 8 && (flags & 1) == 0 && BinaryPrimitives.ReadUInt16LittleEndian(record[34..]) == 0
                && listed.CompressedLength != uint.MaxValue && listed.Length != uint.MaxValue && listed.LocalOffset != uint.MaxValue;
            members[name] = plain && !members.ContainsKey(name) ? listed : null;
        }

        return new ZipDirectory(stream, members);
    }

    // Where the member's data starts after its local header, or null when the header is not a
    // DEFLATE member's or the data would run past the end.
    private long? DataOffset(Listed member)
    {
        if (member.LocalOffset + (long)LocalLength > _stream.Length)
        {
            return null;
        }

        Span<byte> local = stackalloc byte[LocalLength];
        _stream.Position = member.LocalOffset;
        _stream.ReadExactly(local);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature || BinaryPrimitives.ReadUInt16LittleEndian(local[8..]) != 8)
        {
            return null;
        }

        long data = member.LocalOffset + (long)LocalLength + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
        return data + member.CompressedLength <= _stream.Length ? data : null;
    }

    // The name as the reader decodes it: UTF-8 with bit 11, else only plain ASCII is taken.
    private static string? Name(ReadOnlySpan<byte> bytes, ushort flags) =>
        ((flags & 0x800) != 0 ? System.Text.Unicode.Utf8.IsValid(bytes) : Ascii.IsValid(bytes)) ? Encoding.UTF8.GetString(bytes) : null;
}
