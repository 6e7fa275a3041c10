using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Where each member's compressed bytes start, from the central directory and each member's
/// local header, computed as System.IO.Compression computes it (the local header's own name and
/// extra lengths), so that a member can be decoded whole (<see cref="Libdeflate"/>) from exactly
/// the bytes the streaming reader would read. Listed only: DEFLATE members, named once in ASCII
/// (or UTF-8 with bit 11), not encrypted, sizes within 32 bits, on one disk. For any other member,
/// and for any archive whose end records are not the plain kind (zip64, several disks, a directory
/// outside the file), nothing is listed and the caller streams as before.
/// </summary>
internal sealed class ZipDirectory
{
    private const uint EndSignature = 0x06054b50;
    private const uint CentralSignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndLength = 22;
    private const int CentralLength = 46;
    private const int LocalLength = 30;

    // The directory read at most: a package's directory is a few KB; past this, stream.
    private const int MaxDirectoryBytes = 1 << 20;

    private static readonly ZipDirectory s_empty = new([]);

    // Name -> member; null for a name listed twice (which one a reader takes is not ours to guess).
    private readonly Dictionary<string, Member?> _members;

    private ZipDirectory(Dictionary<string, Member?> members) => _members = members;

    /// <summary>One member's compressed bytes (at <see cref="DataOffset"/>) and its sizes.</summary>
    public readonly record struct Member(long DataOffset, long CompressedLength, long Length);

    /// <summary>The members of the zip in <paramref name="stream"/> (seekable); none when the archive is not of the plain kind.</summary>
    public static ZipDirectory Read(Stream stream)
    {
        long length = stream.Length;
        if (length < EndLength)
        {
            return s_empty;
        }

        // The end record: its 22 bytes, then a comment of up to 64 KB.
        int tail = (int)Math.Min(length, EndLength + ushort.MaxValue);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(tail, MaxDirectoryBytes));
        try
        {
            stream.Position = length - tail;
            stream.ReadExactly(buffer, 0, tail);
            int end = -1;
            for (int i = tail - EndLength; i >= 0; i--)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) == EndSignature)
                {
                    end = i;
                    break;
                }
            }

            if (end < 0)
            {
                return s_empty;
            }

            var record = buffer.AsSpan(end, EndLength);
            ushort disk = BinaryPrimitives.ReadUInt16LittleEndian(record[4..]);
            ushort directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
            ushort entriesHere = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            ushort entries = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
            long endAt = length - tail + end;
            if (disk != 0 || directoryDisk != 0 || entriesHere != entries || entries == ushort.MaxValue
                || size == uint.MaxValue || offset == uint.MaxValue || size > MaxDirectoryBytes || offset + (long)size > endAt)
            {
                return s_empty;
            }

            stream.Position = offset;
            stream.ReadExactly(buffer, 0, (int)size);
            return Parse(stream, buffer.AsSpan(0, (int)size), entries);
        }
        catch (EndOfStreamException)
        {
            return s_empty;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The member <paramref name="entry"/> is, when it is listed and the reader's view of it agrees with this one.</summary>
    public bool TryGet(ZipArchiveEntry entry, out Member member)
    {
        member = default;
        if (!_members.TryGetValue(entry.FullName, out var found) || found is not { } m
            || m.CompressedLength != entry.CompressedLength || m.Length != entry.Length)
        {
            return false;
        }

        member = m;
        return true;
    }

    private static ZipDirectory Parse(Stream stream, ReadOnlySpan<byte> directory, int entries)
    {
        var members = new Dictionary<string, Member?>(StringComparer.Ordinal);
        Span<byte> local = stackalloc byte[LocalLength];
        int at = 0;
        for (int n = 0; n < entries; n++)
        {
            if (at + CentralLength > directory.Length)
            {
                return s_empty;
            }

            var record = directory[at..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != CentralSignature)
            {
                return s_empty;
            }

            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(record[8..]);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
            uint compressed = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]);
            uint uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(record[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record[32..]);
            ushort startDisk = BinaryPrimitives.ReadUInt16LittleEndian(record[34..]);
            uint localOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[42..]);
            int recordLength = CentralLength + nameLength + extraLength + commentLength;
            if (at + recordLength > directory.Length)
            {
                return s_empty;
            }

            string? name = Name(record.Slice(CentralLength, nameLength), flags);
            at += recordLength;
            if (name is null)
            {
                continue;
            }

            if (members.ContainsKey(name))
            {
                members[name] = null;
                continue;
            }

            bool plain = method == 8 && (flags & 1) == 0 && startDisk == 0
                && compressed != uint.MaxValue && uncompressed != uint.MaxValue && localOffset != uint.MaxValue;
            members[name] = plain ? DataOffset(stream, localOffset, method, compressed, local) is long data
                ? new Member(data, compressed, uncompressed)
                : null : null;
        }

        return new ZipDirectory(members);
    }

    // Where the member's data starts after its local header, or null when the header is not one.
    private static long? DataOffset(Stream stream, uint localOffset, ushort method, uint compressed, Span<byte> local)
    {
        if (localOffset + (long)LocalLength > stream.Length)
        {
            return null;
        }

        stream.Position = localOffset;
        stream.ReadExactly(local);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature || BinaryPrimitives.ReadUInt16LittleEndian(local[8..]) != method)
        {
            return null;
        }

        long data = localOffset + (long)LocalLength + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
        return data + compressed <= stream.Length ? data : null;
    }

    // The name as the reader decodes it: UTF-8 with bit 11, else only plain ASCII is taken.
    private static string? Name(ReadOnlySpan<byte> bytes, ushort flags) =>
        ((flags & 0x800) != 0 ? System.Text.Unicode.Utf8.IsValid(bytes) : Ascii.IsValid(bytes)) ? Encoding.UTF8.GetString(bytes) : null;
}
