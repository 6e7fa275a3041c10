using System.Buffers.Binary;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Enough of the Compound File Binary format ([MS-CFB]) to list streams and read one: it
/// tells a legacy workbook ("Workbook"/"Book") from a Word file ("WordDocument") from an
/// encrypted OOXML package ("EncryptionInfo" + "EncryptedPackage", [MS-OFFCRYPTO] §2.3.4),
/// and gives the Word extractor its streams. Every chain walk is bounded by the sector count,
/// so a looping FAT cannot hang it.
/// </summary>
internal sealed class CompoundFile
{
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint NoEntry = 0xFFFFFFFF;

    private readonly Stream _stream;
    private readonly int _sectorSize;
    private readonly int _miniSectorSize;
    private readonly uint _miniCutoff;
    private readonly long _sectorCount;
    private readonly uint[] _fat;
    private readonly uint _firstMiniFat;
    private readonly uint _miniFatCount;
    // Every directory entry by its id (a tree: storages' children under Child, siblings under
    // Left and Right); an unused or unreadable slot has type 0.
    private readonly List<(string Name, byte Type, uint Start, long Size, uint Left, uint Right, uint Child)> _tree = new();
    private uint[]? _miniFat;
    private byte[]? _miniStream;

    private CompoundFile(Stream stream)
    {
        _stream = stream;
        byte[] header = new byte[512];
        stream.Position = 0;
        stream.ReadExactly(header);
        int sectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x1E));
        if (sectorShift is not (9 or 12))
        {
            throw new InvalidDataException($"OLE2 sector shift {sectorShift} is not 9 or 12");
        }

        _sectorSize = 1 << sectorShift;
        int miniShift = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x20));
        _miniSectorSize = miniShift is > 0 and < 12 ? 1 << miniShift : 64;
        _miniCutoff = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x38));
        _firstMiniFat = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x3C));
        _miniFatCount = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x40));
        _sectorCount = (stream.Length / _sectorSize) + 1;
        uint firstDirectory = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x30));
        uint firstDifat = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x44));
        uint difatCount = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x48));

        // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
        var fatSectors = new List<uint>();
        for (int i = 0; i < 109; i++)
        {
            uint sid = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x4C + (i * 4)));
            if (sid < _sectorCount)
            {
                fatSectors.Add(sid);
            }
        }

        byte[] sector = new byte[_sectorSize];
        uint difat = firstDifat;
        for (uint n = 0; n < difatCount && difat < _sectorCount; n++)
        {
            ReadSector(difat, sector);
            int perSector = (_sectorSize / 4) - 1;
            for (int i = 0; i < perSector; i++)
            {
                uint sid = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(i * 4));
                if (sid < _sectorCount)
                {
                    fatSectors.Add(sid);
                }
            }

            difat = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(perSector * 4));
        }

        if (fatSectors.Count > _sectorCount)
        {
            throw new InvalidDataException("OLE2 FAT larger than the file");
        }

        _fat = new uint[fatSectors.Count * (_sectorSize / 4)];
        for (int i = 0; i < fatSectors.Count; i++)
        {
            ReadSector(fatSectors[i], sector);
            for (int k = 0; k < _sectorSize / 4; k++)
            {
                _fat[(i * (_sectorSize / 4)) + k] = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(k * 4));
            }
        }

        foreach (uint sid in Chain(firstDirectory))
        {
            ReadSector(sid, sector);
            for (int entry = 0; entry + 128 <= _sectorSize; entry += 128)
            {
                int nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(sector.AsSpan(entry + 64));
                byte type = sector[entry + 66];
                if (type is 1 or 2 or 5 && nameBytes is >= 2 and <= 64)
                {
                    string name = Encoding.Unicode.GetString(sector, entry, nameBytes - 2);
                    uint start = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(entry + 116));
                    long size = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(entry + 120));
                    _tree.Add((name, type, start, size, BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(entry + 68)),
                        BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(entry + 72)), BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(entry + 76))));
                }
                else
                {
                    _tree.Add((string.Empty, 0, 0, 0, NoEntry, NoEntry, NoEntry));
                }
            }
        }

        if (!_tree.Exists(e => e.Type != 0))
        {
            throw new InvalidDataException("OLE2 directory is empty");
        }
    }

    public static CompoundFile Open(Stream stream) => new(stream);

    public IEnumerable<string> StreamNames => _tree.Where(e => e.Type != 0).Select(e => e.Name);

    public static ContentFormat Classify(Stream stream)
    {
        var names = new HashSet<string>(Open(stream).StreamNames, StringComparer.Ordinal);
        if (names.Contains("EncryptionInfo") && names.Contains("EncryptedPackage"))
        {
            return ContentFormat.EncryptedOoxml;
        }

        if (names.Contains("Workbook") || names.Contains("Book"))
        {
            return ContentFormat.Xls;
        }

        if (names.Contains("WordDocument"))
        {
            return ContentFormat.Doc;
        }

        // An Outlook item ([MS-OXMSG]): its property stream and its properties' substorage streams.
        return names.Contains("__properties_version1.0") && names.Any(n => n.StartsWith("__substg1.0_", StringComparison.Ordinal))
            ? ContentFormat.OutlookMessage
            : ContentFormat.OtherCompoundFile;
    }

    /// <summary>
    /// The streams (type 2) and storages (type 1) directly in a storage (0: the root), by id. Each
    /// entry is visited once, so a directory whose links loop cannot hang the walk.
    /// </summary>
    public List<(int Id, string Name, bool IsStorage)> Children(int storage)
    {
        var children = new List<(int, string, bool)>();
        if ((uint)storage >= (uint)_tree.Count)
        {
            return children;
        }

        var visited = new HashSet<uint>();
        var pending = new Stack<uint>();
        pending.Push(_tree[storage].Child);
        while (pending.Count > 0)
        {
            uint id = pending.Pop();
            if (id >= _tree.Count || !visited.Add(id))
            {
                continue;
            }

            var (name, type, _, _, left, right, _) = _tree[(int)id];
            if (type is 1 or 2)
            {
                children.Add(((int)id, name, type == 1));
            }

            pending.Push(left);
            pending.Push(right);
        }

        return children;
    }

    /// <summary>The bytes of the stream with this id.</summary>
    public byte[] ReadStream(int id)
    {
        var (name, type, start, size, _, _, _) = _tree[id];
        if (type != 2)
        {
            throw new InvalidDataException($"OLE2 entry '{name}' is not a stream");
        }

        if (size > _stream.Length)
        {
            throw new InvalidDataException($"OLE2 stream '{name}' claims more bytes than the file has");
        }

        return size < _miniCutoff ? ReadMini(start, (int)size) : ReadChain(start, (int)size);
    }

    /// <summary>The bytes of a stream, or null if there is none of that name.</summary>
    public byte[]? ReadStream(string name)
    {
        int index = _tree.FindIndex(e => e.Type == 2 && e.Name == name);
        return index < 0 ? null : ReadStream(index);
    }

    private byte[] ReadChain(uint start, int size)
    {
        byte[] data = new byte[size];
        byte[] sector = new byte[_sectorSize];
        int written = 0;
        foreach (uint sid in Chain(start))
        {
            if (written >= size)
            {
                break;
            }

            ReadSector(sid, sector);
            int n = Math.Min(_sectorSize, size - written);
            sector.AsSpan(0, n).CopyTo(data.AsSpan(written));
            written += n;
        }

        if (written < size)
        {
            throw new InvalidDataException("OLE2 stream chain ends early");
        }

        return data;
    }

    private byte[] ReadMini(uint start, int size)
    {
        if (_miniFat is null)
        {
            var root = _tree.Find(e => e.Type == 5);
            _miniStream = ReadChain(root.Start, (int)Math.Min(root.Size, _stream.Length));
            var miniFat = new List<uint>();
            byte[] sector = new byte[_sectorSize];
            uint count = 0;
            foreach (uint sid in Chain(_firstMiniFat))
            {
                if (count++ >= _miniFatCount)
                {
                    break;
                }

                ReadSector(sid, sector);
                for (int k = 0; k < _sectorSize / 4; k++)
                {
                    miniFat.Add(BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(k * 4)));
                }
            }

            _miniFat = [.. miniFat];
        }

        byte[] data = new byte[size];
        int written = 0;
        uint current = start;
        for (int steps = 0; written < size; steps++)
        {
            long offset = (long)current * _miniSectorSize;
            if (current >= _miniFat.Length || steps > _miniFat.Length || offset + _miniSectorSize > _miniStream!.Length)
            {
                throw new InvalidDataException("OLE2 mini stream chain is broken");
            }

            int n = Math.Min(_miniSectorSize, size - written);
            _miniStream.AsSpan((int)offset, n).CopyTo(data.AsSpan(written));
            written += n;
            current = _miniFat[current];
        }

        return data;
    }

    private IEnumerable<uint> Chain(uint start)
    {
        uint current = start;
        for (long steps = 0; current != EndOfChain; steps++)
        {
            if (current >= _sectorCount || current >= _fat.Length || steps > _sectorCount)
            {
                throw new InvalidDataException("OLE2 sector chain is broken");
            }

            yield return current;
            current = _fat[current];
        }
    }

    private void ReadSector(uint sid, byte[] buffer)
    {
        _stream.Position = ((long)sid + 1) * buffer.Length;
        int n = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n < buffer.Length)
        {
            // Some writers leave the last sector short; pad it.
            Array.Clear(buffer, n, buffer.Length - n);
            if (n == 0)
            {
                throw new InvalidDataException("OLE2 sector beyond the end of the file");
            }
        }
    }
}
