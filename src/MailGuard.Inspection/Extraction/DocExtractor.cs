using System.Buffers.Binary;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Word 97-2003 (.doc) text from the piece table ([MS-DOC] §2.4.1): the FIB names the table
/// stream and the CLX; each piece is either 8-bit (Windows-1252) or UTF-16 text in the
/// WordDocument stream. Paragraph marks become line breaks, cell marks tabs; field codes are
/// dropped and their results kept. Tables are not rebuilt (text only). An encrypted file
/// (FIB fEncrypted) is PasswordProtected.
/// </summary>
internal static class DocExtractor
{
    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        CompoundFile file = CompoundFile.Open(stream);
        byte[] word = file.ReadStream("WordDocument") ?? throw new InvalidDataException("WordDocument stream missing");
        if (word.Length < 0x1AA || BinaryPrimitives.ReadUInt16LittleEndian(word) != 0xA5EC)
        {
            throw new InvalidDataException("not a Word 97 FIB");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(word.AsSpan(0x0A));
        if ((flags & 0x0100) != 0)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, "Word document is encrypted (FIB fEncrypted)");
            return;
        }

        byte[] table = file.ReadStream((flags & 0x0200) != 0 ? "1Table" : "0Table") ?? throw new InvalidDataException("table stream missing");
        uint fcClx = BinaryPrimitives.ReadUInt32LittleEndian(word.AsSpan(0x01A2));
        uint lcbClx = BinaryPrimitives.ReadUInt32LittleEndian(word.AsSpan(0x01A6));
        if (fcClx + (long)lcbClx > table.Length || lcbClx == 0)
        {
            throw new InvalidDataException("CLX outside the table stream");
        }

        var writer = new TextBlockWriter(context.Sink, location);
        var pieceText = new StringBuilder();
        foreach (var (cpStart, cpEnd, fc, compressed) in Pieces(table.AsSpan((int)fcClx, (int)lcbClx)))
        {
            context.ThrowIfCancelled();
            long count = cpEnd - cpStart;
            long bytes = compressed ? count : count * 2;
            if (count <= 0 || fc + bytes > word.Length)
            {
                continue;
            }

            pieceText.Append(compressed
                ? TextSniffer.Windows1252.GetString(word, (int)fc, (int)bytes)
                : Encoding.Unicode.GetString(word, (int)fc, (int)bytes));
        }

        WriteClean(writer, pieceText.ToString());
        writer.Flush();
    }

    private static List<(long CpStart, long CpEnd, long Fc, bool Compressed)> Pieces(ReadOnlySpan<byte> clx)
    {
        int pos = 0;
        // Skip Prc entries (0x01: formatting), find the Pcdt (0x02).
        while (pos < clx.Length && clx[pos] == 0x01)
        {
            if (pos + 3 > clx.Length)
            {
                throw new InvalidDataException("CLX truncated");
            }

            pos += 3 + BinaryPrimitives.ReadInt16LittleEndian(clx[(pos + 1)..]);
        }

        if (pos + 5 > clx.Length || clx[pos] != 0x02)
        {
            throw new InvalidDataException("CLX has no piece table");
        }

        int lcb = BinaryPrimitives.ReadInt32LittleEndian(clx[(pos + 1)..]);
        ReadOnlySpan<byte> plc = clx.Slice(pos + 5, Math.Min(lcb, clx.Length - pos - 5));
        // PlcPcd: n+1 CPs (4 bytes) then n PCDs (8 bytes): lcb = 4(n+1) + 8n.
        int n = (plc.Length - 4) / 12;
        var pieces = new List<(long, long, long, bool)>(n);
        for (int i = 0; i < n; i++)
        {
            long cpStart = BinaryPrimitives.ReadUInt32LittleEndian(plc[(i * 4)..]);
            long cpEnd = BinaryPrimitives.ReadUInt32LittleEndian(plc[((i + 1) * 4)..]);
            uint fcCompressed = BinaryPrimitives.ReadUInt32LittleEndian(plc[(((n + 1) * 4) + (i * 8) + 2)..]);
            bool compressed = (fcCompressed & 0x40000000) != 0;
            long fc = fcCompressed & 0x3FFFFFFF;
            pieces.Add((cpStart, cpEnd, compressed ? fc / 2 : fc, compressed));
        }

        return pieces;
    }

    /// <summary>Maps Word's control characters (§2.8.25) to text and drops field instructions.</summary>
    private static void WriteClean(TextBlockWriter writer, string text)
    {
        var sb = new StringBuilder(text.Length);
        int fieldDepth = 0;
        var inInstruction = new Stack<bool>();
        foreach (char c in text)
        {
            switch (c)
            {
                case '\u0013':
                    fieldDepth++;
                    inInstruction.Push(true);
                    continue;
                case '\u0014':
                    if (inInstruction.Count > 0)
                    {
                        inInstruction.Pop();
                        inInstruction.Push(false);
                    }

                    continue;
                case '\u0015':
                    if (inInstruction.Count > 0)
                    {
                        inInstruction.Pop();
                        fieldDepth--;
                    }

                    continue;
            }

            if (inInstruction.Count > 0 && inInstruction.Peek())
            {
                continue;
            }

            switch (c)
            {
                case '\r' or '\u000B' or '\u000C':
                    sb.Append('\n');
                    break;
                case '\u0007':
                    // A cell mark ends a cell; a second one straight after ends the row.
                    if (sb.Length > 0 && sb[^1] == '\t')
                    {
                        sb[^1] = '\n';
                    }
                    else
                    {
                        sb.Append('\t');
                    }

                    break;
                case '\u001E':
                    sb.Append('-');
                    break;
                case '\u00A0':
                    sb.Append(' ');
                    break;
                case < ' ' and not '\t':
                    // Pictures, footnote marks, other anchors.
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        writer.Append(sb.ToString());
    }
}
