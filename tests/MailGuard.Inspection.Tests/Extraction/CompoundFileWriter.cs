using System.Buffers.Binary;
using System.Text;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Writes an [MS-CFB] version 3 file with storages and streams that have content: every stream in
/// regular 512-byte sectors (a mini-stream cutoff of 0), each storage's children chained as right
/// siblings. What an Outlook item (.msg) needs for the tests, and the stream names that mark an
/// encrypted OOXML package or a Word document.
/// </summary>
internal sealed class CompoundFileWriter
{
    private const int Sector = 512;
    private const uint EndOfChain = 0xFFFFFFFE;
    private const uint NoEntry = 0xFFFFFFFF;

    private readonly List<(string Name, byte Type, int Parent, byte[] Data)> _entries = [("Root Entry", 5, -1, [])];

    public const int Root = 0;

    /// <summary>A file of empty streams with these names in its root storage.</summary>
    public static byte[] Build(params string[] streamNames)
    {
        var file = new CompoundFileWriter();
        foreach (var name in streamNames)
        {
            file.Stream(Root, name, []);
        }

        return file.ToArray();
    }

    public int Storage(int parent, string name)
    {
        _entries.Add((name, 1, parent, []));
        return _entries.Count - 1;
    }

    public void Stream(int parent, string name, byte[] data) => _entries.Add((name, 2, parent, data));

    /// <summary>A Unicode string property of an Outlook item: "__substg1.0_" + id + "001F".</summary>
    public void Text(int parent, string propertyId, string value) => Stream(parent, $"__substg1.0_{propertyId}001F", Encoding.Unicode.GetBytes(value));

    public byte[] ToArray()
    {
        int directorySectors = (_entries.Count + 3) / 4;
        int dataSectors = _entries.Sum(e => (e.Data.Length + Sector - 1) / Sector);
        int fatSectors = 1;
        while (fatSectors * (Sector / 4) < fatSectors + directorySectors + dataSectors)
        {
            fatSectors++;
        }

        int total = fatSectors + directorySectors + dataSectors;
        var fat = Enumerable.Repeat(NoEntry, fatSectors * (Sector / 4)).ToArray();
        for (int i = 0; i < fatSectors; i++)
        {
            fat[i] = 0xFFFFFFFD;
        }

        void Chain(int first, int count)
        {
            for (int i = 0; i < count; i++)
            {
                fat[first + i] = i == count - 1 ? EndOfChain : (uint)(first + i + 1);
            }
        }

        Chain(fatSectors, directorySectors);
        var starts = new uint[_entries.Count];
        int next = fatSectors + directorySectors;
        for (int i = 0; i < _entries.Count; i++)
        {
            int sectors = (_entries[i].Data.Length + Sector - 1) / Sector;
            starts[i] = sectors == 0 ? EndOfChain : (uint)next;
            Chain(next, sectors);
            next += sectors;
        }

        byte[] file = new byte[Sector * (1 + total)];
        Span<byte> header = file.AsSpan(0, Sector);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 0x003E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1C..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1E..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x2C..], (uint)fatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x30..], (uint)fatSectors);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x38..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], EndOfChain);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], EndOfChain);
        for (int i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i < fatSectors ? (uint)i : NoEntry);
        }

        for (int i = 0; i < fat.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(Sector + (i * 4)), fat[i]);
        }

        for (int i = 0; i < _entries.Count; i++)
        {
            var (name, type, parent, data) = _entries[i];
            Span<byte> entry = file.AsSpan(Sector * (1 + fatSectors) + (i * 128), 128);
            byte[] encoded = Encoding.Unicode.GetBytes(name + "\0");
            encoded.CopyTo(entry);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[64..], (ushort)encoded.Length);
            entry[66] = type;
            entry[67] = 1;
            int sibling = _entries.FindIndex(i + 1, e => e.Parent == parent);
            int child = _entries.FindIndex(e => e.Parent == i);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[68..], NoEntry);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[72..], parent < 0 || sibling < 0 ? NoEntry : (uint)sibling);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[76..], child < 0 ? NoEntry : (uint)child);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[116..], starts[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[120..], (uint)data.Length);
            data.CopyTo(file.AsSpan(Sector * (1 + (int)(starts[i] == EndOfChain ? 0 : starts[i]))));
        }

        return file;
    }
}
