using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The two parts that hold a workbook's data, shared strings and sheet data, read as bytes by
/// <see cref="ByteXmlScanner"/>: they are nearly all of an xlsx, and a general XML reader spends
/// most of its time on what these parts never use (namespaces, name tables, node objects).
/// </summary>
internal static partial class XlsxExtractor
{
    private enum Capture
    {
        None,
        Value,
        Text,
    }

    private static List<string> ReadSharedStrings(ExtractionContext context, Stream? part)
    {
        var strings = new List<string>();
        if (part is null)
        {
            return strings;
        }

        using var xml = new ByteXmlScanner(part);
        var text = new StringBuilder();
        string? single = null;
        int pieces = 0;
        int phonetic = 0;
        bool inText = false;
        bool inItem = false;
        while (xml.Next() is var token && token != XmlToken.None)
        {
            switch (token)
            {
                case XmlToken.StartTag or XmlToken.EmptyTag:
                    var name = xml.LocalName;
                    if (name.SequenceEqual("si"u8))
                    {
                        if (token == XmlToken.EmptyTag)
                        {
                            strings.Add(string.Empty);
                            break;
                        }

                        inItem = true;
                        text.Clear();
                        single = null;
                        pieces = 0;
                    }
                    else if (name.SequenceEqual("rPh"u8))
                    {
                        // Phonetic guides (ruby text) are not what the cell shows.
                        phonetic += token == XmlToken.StartTag ? 1 : 0;
                    }
                    else if (name.SequenceEqual("t"u8))
                    {
                        inText = token == XmlToken.StartTag && phonetic == 0 && inItem;
                    }

                    break;
                case XmlToken.EndTag:
                    name = xml.LocalName;
                    if (name.SequenceEqual("t"u8))
                    {
                        inText = false;
                    }
                    else if (name.SequenceEqual("rPh"u8))
                    {
                        phonetic = Math.Max(0, phonetic - 1);
                    }
                    else if (name.SequenceEqual("si"u8) && inItem)
                    {
                        inItem = false;
                        strings.Add(pieces switch { 0 => string.Empty, 1 => single!, _ => text.ToString() });
                        if ((strings.Count & 0xFFF) == 0)
                        {
                            context.ThrowIfCancelled();
                        }
                    }

                    break;
                case XmlToken.Text when inText:
                    // Most items are one run: keep its string and build only when there are more.
                    string piece = xml.IsCData ? Encoding.UTF8.GetString(xml.RawText) : ByteXmlScanner.Decode(xml.RawText);
                    if (pieces == 1)
                    {
                        text.Append(single);
                    }

                    if (pieces >= 1)
                    {
                        text.Append(piece);
                    }

                    single = piece;
                    pieces++;
                    break;
            }
        }

        return strings;
    }

    private static void ReadSheet(ExtractionContext context, Stream part, ContentLocation location, List<string> sharedStrings, bool[] dateStyles, bool date1904)
    {
        ITableSink table = context.Sink.BeginTable(location);
        try
        {
            using var xml = new ByteXmlScanner(part);
            var cells = new List<Cell>(32);
            var value = new byte[64];
            int valueLength = 0;
            StringBuilder? inline = null;
            string? inlineSingle = null;
            int inlinePieces = 0;
            long rowIndex = -1;
            int column = -1;
            bool inCell = false;
            int phonetic = 0;
            var capture = Capture.None;
            byte[] typeBytes = new byte[16];
            int typeLength = 0;
            int style = 0;
            while (xml.Next() is var token && token != XmlToken.None)
            {
                switch (token)
                {
                    case XmlToken.StartTag or XmlToken.EmptyTag:
                        var name = xml.LocalName;
                        if (name.Length == 1 && name[0] == (byte)'c')
                        {
                            // r (reference), t (type) and s (style) in one pass over the tag.
                            int col = -1;
                            typeLength = 0;
                            style = 0;
                            int at = 0;
                            while (xml.NextAttribute(ref at, out var attribute, out var attributeValue))
                            {
                                if (attribute.Length != 1)
                                {
                                    continue;
                                }

                                switch (attribute[0])
                                {
                                    case (byte)'r':
                                        col = ColumnIndex(attributeValue);
                                        break;
                                    case (byte)'t':
                                        typeLength = Math.Min(attributeValue.Length, typeBytes.Length);
                                        attributeValue[..typeLength].CopyTo(typeBytes);
                                        break;
                                    case (byte)'s':
                                        style = Utf8Parser.TryParse(attributeValue, out int si, out _) ? si : 0;
                                        break;
                                }
                            }

                            column = col >= 0 ? col : column + 1;
                            if (column >= 16384)
                            {
                                // Beyond Excel's XFD column limit: not a real sheet.
                                throw new InvalidDataException("cell reference beyond column XFD");
                            }

                            valueLength = 0;
                            inline?.Clear();
                            inlineSingle = null;
                            inlinePieces = 0;
                            phonetic = 0;
                            if (token == XmlToken.EmptyTag)
                            {
                                Place(cells, column, Cell.Empty);
                            }
                            else if (xml.TryReadTextElement("v"u8, "c"u8, out var simple))
                            {
                                // <v>value</v></c>: the whole cell at once (most cells).
                                Place(cells, column, MakeCell(typeBytes.AsSpan(0, typeLength), style, simple, null, sharedStrings, dateStyles, date1904));
                            }
                            else
                            {
                                inCell = true;
                            }
                        }
                        else if (name.SequenceEqual("row"u8))
                        {
                            cells.Clear();
                            column = -1;
                            rowIndex = xml.TryGetAttribute("r"u8, out var r) && Utf8Parser.TryParse(r, out long ri, out int used) && used == r.Length && ri > 0 ? ri - 1 : rowIndex + 1;
                        }
                        else if (inCell && token == XmlToken.StartTag)
                        {
                            if (name.Length == 1 && name[0] == (byte)'v')
                            {
                                capture = Capture.Value;
                            }
                            else if (name.Length == 1 && name[0] == (byte)'t')
                            {
                                capture = phonetic == 0 ? Capture.Text : Capture.None;
                            }
                            else if (name.SequenceEqual("rPh"u8))
                            {
                                phonetic++;
                            }
                            else
                            {
                                // A formula's text ("f") is not what the cell shows.
                                capture = Capture.None;
                            }
                        }

                        break;
                    case XmlToken.EndTag:
                        name = xml.LocalName;
                        if (name.Length == 1 && name[0] == (byte)'c' && inCell)
                        {
                            inCell = false;
                            capture = Capture.None;
                            string? inlineText = inlinePieces switch { 0 => null, 1 => inlineSingle, _ => inline!.ToString() };
                            Place(cells, column, MakeCell(typeBytes.AsSpan(0, typeLength), style, value.AsSpan(0, valueLength), inlineText, sharedStrings, dateStyles, date1904));
                        }
                        else if (name.SequenceEqual("row"u8))
                        {
                            EmitRow(context, table, rowIndex, cells);
                            cells.Clear();
                        }
                        else if (name.SequenceEqual("rPh"u8))
                        {
                            phonetic = Math.Max(0, phonetic - 1);
                        }
                        else
                        {
                            capture = Capture.None;
                        }

                        break;
                    case XmlToken.Text when capture == Capture.Value:
                        var raw = xml.RawText;
                        if (valueLength + raw.Length > value.Length)
                        {
                            Array.Resize(ref value, Math.Max(value.Length * 2, valueLength + raw.Length));
                        }

                        raw.CopyTo(value.AsSpan(valueLength));
                        valueLength += raw.Length;
                        break;
                    case XmlToken.Text when capture == Capture.Text:
                        // Most inline strings are one run: keep its string, build only for more.
                        string piece = xml.IsCData ? Encoding.UTF8.GetString(xml.RawText) : ByteXmlScanner.Decode(xml.RawText);
                        if (inlinePieces == 1)
                        {
                            inline ??= new StringBuilder();
                            inline.Append(inlineSingle);
                        }

                        if (inlinePieces >= 1)
                        {
                            inline!.Append(piece);
                        }

                        inlineSingle = piece;
                        inlinePieces++;
                        break;
                }
            }
        }
        finally
        {
            table.Complete();
        }
    }

    private static void Place(List<Cell> cells, int column, Cell cell)
    {
        while (cells.Count < column)
        {
            cells.Add(Cell.Empty);
        }

        if (cells.Count == column)
        {
            cells.Add(cell);
        }
        else
        {
            cells[column] = cell;
        }
    }

    /// <summary>One cell from its type attribute, style index and raw value or inline text.</summary>
    private static Cell MakeCell(ReadOnlySpan<byte> type, int style, ReadOnlySpan<byte> raw, string? inline, List<string> sharedStrings, bool[] dateStyles, bool date1904)
    {
        if (type.SequenceEqual("s"u8))
        {
            return Utf8Parser.TryParse(Trim(raw), out int index, out int used) && used == Trim(raw).Length && index >= 0 && index < sharedStrings.Count
                ? Cell.FromText(sharedStrings[index])
                : Cell.Empty;
        }

        if (type.SequenceEqual("inlineStr"u8))
        {
            return Cell.FromText(inline);
        }

        if (raw.IsEmpty)
        {
            return Cell.Empty;
        }

        if (type.SequenceEqual("str"u8) || type.SequenceEqual("e"u8))
        {
            return Cell.FromText(ByteXmlScanner.Decode(raw));
        }

        if (type.SequenceEqual("b"u8))
        {
            return new Cell(Trim(raw).SequenceEqual("1"u8) ? "TRUE" : "FALSE", CellKind.Boolean);
        }

        // The common case, a plain number: parsed from its bytes, its text made only when shown.
        bool plain = (type.IsEmpty || type.SequenceEqual("n"u8)) && raw.IndexOfAny((byte)'&', (byte)'\r') < 0;
        var digits = Trim(raw);
        string? text = null;
        if (!(plain && Utf8Parser.TryParse(digits, out double number, out int consumed, 'E') && consumed == digits.Length && double.IsFinite(number)))
        {
            text = ByteXmlScanner.Decode(raw);
            if (type.SequenceEqual("d"u8))
            {
                return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime iso)
                    ? DateCell(iso, null)
                    : Cell.FromText(text);
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                return Cell.FromText(text);
            }
        }

        if (style < dateStyles.Length && dateStyles[style] && SerialToDate(number, date1904) is DateTime date)
        {
            return DateCell(date, number);
        }

        return new Cell(text ?? Encoding.UTF8.GetString(raw), CellKind.Number, Number: number);
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> raw) => raw.Trim(" \t\r\n"u8);

    /// <summary>"BC12" -> 54 (zero-based); -1 when absent or malformed.</summary>
    internal static int ColumnIndex(ReadOnlySpan<byte> reference)
    {
        int col = 0;
        int i = 0;
        while (i < reference.Length && char.IsAsciiLetter((char)reference[i]))
        {
            col = (col * 26) + ((reference[i] | 0x20) - 'a' + 1);
            if (col > 16384)
            {
                return 16384;
            }

            i++;
        }

        return i == 0 ? -1 : col - 1;
    }
}
