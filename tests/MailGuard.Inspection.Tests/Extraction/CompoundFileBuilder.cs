using System.Buffers.Binary;
using System.Text;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// Writes a minimal [MS-CFB] version 3 file: header, one FAT sector, one directory sector with
/// a root entry and the named (empty) streams. Enough to carry the stream names that mark an
/// encrypted OOXML package or a Word document.
/// </summary>
internal static class CompoundFileBuilder
{
    public static byte[] Build(params string[] streamNames)
    {
        const int sector = 512;
        byte[] file = new byte[sector * 3];
        Span<byte> header = file.AsSpan(0, sector);
        new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x18..], 0x003E);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1A..], 3);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1C..], 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x1E..], 9);
        BinaryPrimitives.WriteUInt16LittleEndian(header[0x20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x2C..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x30..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x38..], 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x3C..], 0xFFFFFFFE);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0x44..], 0xFFFFFFFE);
        for (int i = 0; i < 109; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x4C + (i * 4))..], i == 0 ? 0u : 0xFFFFFFFF);
        }

        // Sector 0: the FAT. Sector 0 is a FAT sector (0xFFFFFFFD), sector 1 the directory (end of chain).
        Span<byte> fat = file.AsSpan(sector, sector);
        fat.Fill(0xFF);
        BinaryPrimitives.WriteUInt32LittleEndian(fat, 0xFFFFFFFD);
        BinaryPrimitives.WriteUInt32LittleEndian(fat[4..], 0xFFFFFFFE);

        Span<byte> directory = file.AsSpan(sector * 2, sector);
        WriteEntry(directory[..128], "Root Entry", 5);
        for (int i = 0; i < streamNames.Length && i < 3; i++)
        {
            WriteEntry(directory.Slice((i + 1) * 128, 128), streamNames[i], 2);
        }

        return file;
    }

    private static void WriteEntry(Span<byte> entry, string name, byte type)
    {
        byte[] encoded = Encoding.Unicode.GetBytes(name + "\0");
        encoded.CopyTo(entry);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[64..], (ushort)encoded.Length);
        entry[66] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[68..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[72..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[76..], 0xFFFFFFFF);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[116..], 0xFFFFFFFE);
    }
}
