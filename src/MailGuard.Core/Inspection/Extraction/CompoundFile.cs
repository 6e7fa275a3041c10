using System.Buffers.Binary;
using System.Text;

namespace MailGuard.Core.Inspection.Extraction;

/// <summary>
/// Just enough of the Compound File Binary format ([MS-CFB]) to list stream names, which tell
/// a legacy workbook ("Workbook"/"Book") from a Word file ("WordDocument") from an encrypted
/// OOXML package ("EncryptionInfo" + "EncryptedPackage", [MS-OFFCRYPTO] §2.3.4).
/// Every chain walk is bounded by the file size, so a looping FAT cannot hang it.
/// </summary>
internal static class CompoundFile
{
    private const uint EndOfChain = 0xFFFFFFFE;

    public static ContentFormat Classify(Stream stream)
    {
        HashSet<string> names = ReadStreamNames(stream);
        if (names.Contains("EncryptionInfo") && names.Contains("EncryptedPackage"))
        {
            return ContentFormat.EncryptedOoxml;
        }

        if (names.Contains("Workbook") || names.Contains("Book"))
        {
            return ContentFormat.Xls;
        }

        return names.Contains("WordDocument") ? ContentFormat.Doc : ContentFormat.OtherCompoundFile;
    }

    internal static HashSet<string> ReadStreamNames(Stream stream)
    {
        byte[] header = new byte[512];
        stream.Position = 0;
        stream.ReadExactly(header);
        int sectorShift = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x1E));
        if (sectorShift is not (9 or 12))
        {
            throw new InvalidDataException($"OLE2 sector shift {sectorShift} is not 9 or 12");
        }

        int sectorSize = 1 << sectorShift;
        long sectorCount = (stream.Length / sectorSize) + 1;
        uint firstDirectory = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x30));
        uint firstDifat = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x44));
        uint difatCount = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x48));

        // The FAT's own sectors: 109 in the header, the rest in the DIFAT chain.
        var fatSectors = new List<uint>();
        for (int i = 0; i < 109; i++)
        {
            uint sid = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(0x4C + (i * 4)));
            if (sid < sectorCount)
            {
                fatSectors.Add(sid);
            }
        }

        byte[] sector = new byte[sectorSize];
        uint difat = firstDifat;
        for (uint n = 0; n < difatCount && difat < sectorCount; n++)
        {
            ReadSector(stream, difat, sector);
            int perSector = (sectorSize / 4) - 1;
            for (int i = 0; i < perSector; i++)
            {
                uint sid = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(i * 4));
                if (sid < sectorCount)
                {
                    fatSectors.Add(sid);
                }
            }

            difat = BinaryPrimitives.ReadUInt32LittleEndian(sector.AsSpan(perSector * 4));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        byte[] fat = new byte[sectorSize];
        uint current = firstDirectory;
        for (long steps = 0; current != EndOfChain; steps++)
        {
            if (current >= sectorCount || steps > sectorCount)
            {
                throw new InvalidDataException("OLE2 directory chain is broken");
            }

            ReadSector(stream, current, sector);
            for (int entry = 0; entry + 128 <= sectorSize; entry += 128)
            {
                int nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(sector.AsSpan(entry + 64));
                byte type = sector[entry + 66];
                if (type is 1 or 2 or 5 && nameBytes is >= 2 and <= 64)
                {
                    names.Add(Encoding.Unicode.GetString(sector, entry, nameBytes - 2));
                }
            }

            int perFatSector = sectorSize / 4;
            int fatIndex = (int)(current / perFatSector);
            if (fatIndex >= fatSectors.Count)
            {
                throw new InvalidDataException("OLE2 FAT does not cover the directory");
            }

            ReadSector(stream, fatSectors[fatIndex], fat);
            current = BinaryPrimitives.ReadUInt32LittleEndian(fat.AsSpan((int)(current % perFatSector) * 4));
        }

        return names;
    }

    private static void ReadSector(Stream stream, uint sid, byte[] buffer)
    {
        stream.Position = ((long)sid + 1) * buffer.Length;
        int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (n < buffer.Length)
        {
            // A short last sector is common in files written by some tools; pad it.
            Array.Clear(buffer, n, buffer.Length - n);
            if (n == 0)
            {
                throw new InvalidDataException("OLE2 sector beyond the end of the file");
            }
        }
    }
}
