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
    private const int DefaultBufferSize = 64 * 1024;

    // The shared-string list is sized up front to at most this many entries (512 KB of references).
    internal const int MaxPresizedSharedStrings = 1 << 16;

    private enum Capture
    {
        None,
        Value,
        Text,
        Formula,
    }

    /// <summary>
    /// For tests: one sheet part and its shared strings read to <paramref name="sink"/> as Extract
    /// reads them, with a given scanner buffer, with or without the one-step paths.
    /// </summary>
    internal static void ReadSheetPart(IContentSink sink, Stream? sharedStringsPart, Stream sheetPart, bool[] dateStyles, bool fast, int bufferSize)
    {
        var context = new ExtractionContext(sink, new ExtractionLimits(), null, CancellationToken.None, CancellationToken.None);
        using var strings = ReadSharedStrings(context, sharedStringsPart, fast, bufferSize);
        ReadSheet(context, sheetPart, new ContentLocation("/", "book.xlsx"), strings, new SheetStyles(dateStyles, []), false, fast, bufferSize);
    }

    /// <param name="fast">Read the common cell shapes in one step (<see cref="SheetCellParser"/>); false only to test that it changes nothing.</param>
    private static void ReadSheet(ExtractionContext context, Stream part, ContentLocation location, SharedStringTable sharedStrings, SheetStyles styles, bool date1904, bool fast = true, int bufferSize = DefaultBufferSize)
    {
        ITableSink table = context.Sink.BeginTable(location);
        try
        {
            using var xml = new ByteXmlScanner(part, bufferSize);
            var cells = new SheetRow(sharedStrings);
            var value = new byte[64];
            int valueLength = 0;
            var inline = new TextRuns();
            long rowIndex = -1;
            int column = -1;
            bool inCell = false;
            int phonetic = 0;
            var capture = Capture.None;
            var type = SheetCellType.Number;
            int style = 0;
            SheetFormulas? formulas = null;
            while (true)
            {
                if (!inCell && fast)
                {
                    // Nearly every cell is one of a few shapes, and so are a row's start and end
                    // tags: read as many as the window holds whole, then move the scanner once.
                    var window = xml.Window;
                    int read = 0;
                    while (true)
                    {
                        var rest = window[read..];
                        int used = SheetCellParser.TryParseCell(rest, out var simple);
                        if (used > 0)
                        {
                            column = NextColumn(simple.Column, column);
                            if (simple.Empty)
                            {
                                cells.PlaceEmpty(column);
                            }
                            else if (simple.Type == SheetCellType.SharedString)
                            {
                                // Most text cells: placed here, as PlaceCell would, without its call.
                                PlaceShared(cells, column, simple.Text, sharedStrings);
                            }
                            else if (simple.Inline)
                            {
                                PlaceCell(cells, column, simple.Type, simple.Style, default, simple.Text, null, sharedStrings, styles, date1904);
                            }
                            else
                            {
                                PlaceCell(cells, column, simple.Type, simple.Style, simple.Text, default, null, sharedStrings, styles, date1904);
                            }

                            read += used;
                            continue;
                        }

                        used = SheetCellParser.TryParseRowTag(rest, out bool rowEnd, out long rowNumber);
                        if (used <= 0)
                        {
                            break;
                        }

                        if (rowEnd)
                        {
                            cells.Emit(context, table, rowIndex);
                            cells.Clear();
                        }
                        else
                        {
                            cells.Clear();
                            column = -1;
                            capture = Capture.None;
                            rowIndex = rowNumber > 0 ? rowNumber - 1 : rowIndex + 1;
                        }

                        read += used;
                    }

                    // A shape the window's end cuts is read on, then the loop above reads it.
                    if (xml.TakeWindow(read, static x => SheetCellParser.ReadCell(x, out _) > 0 || SheetCellParser.ReadRowTag(x, out _, out _) > 0))
                    {
                        continue;
                    }
                }

                var token = xml.Next();
                if (token == XmlToken.None)
                {
                    break;
                }

                switch (token)
                {
                    case XmlToken.StartTag or XmlToken.EmptyTag:
                        var name = xml.LocalName;
                        if (name.Length == 1 && name[0] == (byte)'c')
                        {
                            // r (reference), t (type) and s (style) in one pass over the tag.
                            int col = -1;
                            type = SheetCellType.Number;
                            style = 0;
                            int at = 0;
                            while (xml.NextAttribute(ref at, out var attribute, out var attributeValue))
                            {
                                if (attribute.Length != 1 || attribute[0] is not ((byte)'r' or (byte)'s' or (byte)'t'))
                                {
                                    continue;
                                }

                                if (attributeValue.Contains((byte)'&'))
                                {
                                    // Character references mean to Excel what they stand for.
                                    attributeValue = Encoding.UTF8.GetBytes(ByteXmlScanner.Decode(attributeValue));
                                }

                                switch (attribute[0])
                                {
                                    case (byte)'r':
                                        col = ColumnIndex(attributeValue);
                                        break;
                                    case (byte)'t':
                                        type = SheetCellParser.TypeOf(attributeValue);
                                        break;
                                    case (byte)'s':
                                        style = SheetCellParser.StyleIndex(attributeValue);
                                        break;
                                }
                            }

                            column = NextColumn(col, column);

                            valueLength = 0;
                            formulas?.Clear();
                            inline.Clear();
                            phonetic = 0;
                            if (token == XmlToken.EmptyTag)
                            {
                                cells.PlaceEmpty(column);
                            }
                            else
                            {
                                inCell = true;
                            }
                        }
                        else if (name.SequenceEqual("row"u8))
                        {
                            // A row starts afresh, even inside a cell a broken sheet never closed.
                            cells.Clear();
                            column = -1;
                            inCell = false;
                            capture = Capture.None;
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
                            else if (name.Length == 1 && name[0] == (byte)'f' && token == XmlToken.StartTag)
                            {
                                // A formula's text is not what the cell shows, but its literals may be (SheetFormulas).
                                formulas ??= new SheetFormulas(context, location);
                                capture = Capture.Formula;
                            }
                            else
                            {
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
                            string? inlineText = inline.Value;
                            string? literals = formulas is { Any: true } ? formulas.Literals() : null;
                            if (literals is not null && valueLength == 0 && inline.Count == 0)
                            {
                                // No value saved: the cell shows what its formula makes.
                                cells.PlaceText(column, literals);
                            }
                            else
                            {
                                PlaceCell(cells, column, type, style, value.AsSpan(0, valueLength), default, inlineText, sharedStrings, styles, date1904);
                                if (literals is not null)
                                {
                                    formulas!.Beside(literals, inlineText ?? ByteXmlScanner.Decode(value.AsSpan(0, valueLength)));
                                }
                            }
                        }
                        else if (name.SequenceEqual("row"u8))
                        {
                            cells.Emit(context, table, rowIndex);
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
                    case XmlToken.Text when capture == Capture.Formula:
                        formulas!.Append(xml.TextValue);
                        break;
                    case XmlToken.Text when capture == Capture.Text:
                        inline.Add(xml.TextValue);
                        break;
                }
            }

            formulas?.Flush();
        }
        finally
        {
            table.Complete();
        }
    }

    // The cell's column: its r attribute's, else the one after the last.
    private static int NextColumn(int reference, int previous)
    {
        int column = reference >= 0 ? reference : previous + 1;
        if (column >= 16384)
        {
            // Beyond Excel's XFD column limit: not a real sheet.
            throw new InvalidDataException("cell reference beyond column XFD");
        }

        return column;
    }

    /// <summary>
    /// One cell at <paramref name="column"/> from its type, style index and raw value, or its inline
    /// text (raw bytes from the one-step reader, or a string the token reader joined).
    /// </summary>
    private static void PlaceCell(SheetRow row, int column, SheetCellType type, int style, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> inlineRaw, string? inline, SharedStringTable sharedStrings, SheetStyles styles, bool date1904)
    {
        switch (type)
        {
            case SheetCellType.SharedString:
                PlaceShared(row, column, raw, sharedStrings);
                return;
            case SheetCellType.InlineString:
                if (inline is not null)
                {
                    row.PlaceText(column, inline);
                }
                else
                {
                    row.PlaceDecoded(column, inlineRaw);
                }

                return;
        }

        if (raw.IsEmpty)
        {
            row.PlaceEmpty(column);
            return;
        }

        switch (type)
        {
            case SheetCellType.FormulaString or SheetCellType.Error:
                row.PlaceDecoded(column, raw);
                return;
            case SheetCellType.Boolean:
                row.PlaceText(column, Trim(raw).SequenceEqual("1"u8) ? "TRUE" : "FALSE", CellKind.Boolean);
                return;
        }

        // The common case, a plain number: parsed from its bytes, its text those bytes as written;
        // anything else is decoded first (an ISO date, a number with references or odd spacing).
        string? text = null;
        if (!(type == SheetCellType.Number && TryParsePlainNumber(raw, out double number)))
        {
            text = ByteXmlScanner.Decode(raw);
            if (type == SheetCellType.IsoDate)
            {
                if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime iso))
                {
                    row.PlaceDate(column, iso, null);
                }
                else
                {
                    row.PlaceText(column, text);
                }

                return;
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            {
                row.PlaceText(column, text);
                return;
            }
        }

        if (styles.IsDate(style) && SerialToDate(number, date1904) is DateTime date)
        {
            row.PlaceDate(column, date, number);
        }
        else if (styles.Shown(style)?.Show(number) is { } shown)
        {
            // Shown with text of its own ("AB"000000"C"): the cell is what Excel shows.
            row.PlaceText(column, shown);
        }
        else if (text is null)
        {
            row.PlaceNumber(column, raw, number);
        }
        else
        {
            row.PlaceText(column, text, CellKind.Number, number);
        }
    }

    // A shared-string cell: the item its value names, or an empty cell for an index out of range.
    private static void PlaceShared(SheetRow row, int column, ReadOnlySpan<byte> raw, SharedStringTable sharedStrings)
    {
        if (TryParseIndex(raw, out int index) && index >= 0 && index < sharedStrings.Count)
        {
            row.PlaceShared(column, index);
        }
        else
        {
            row.PlaceEmpty(column);
        }
    }

    // A shared-string index: up to nine digits by hand (nearly every one), anything else (white
    // space, a sign) as Utf8Parser reads an int.
    internal static bool TryParseIndex(ReadOnlySpan<byte> raw, out int index)
    {
        if (TryParseDigits(raw, 9, out long whole))
        {
            index = (int)whole;
            return true;
        }

        var digits = Trim(raw);
        return Utf8Parser.TryParse(digits, out index, out int used) && used == digits.Length;
    }

    // One to maxDigits ASCII digits and nothing else: their value (maxDigits at most 18).
    internal static bool TryParseDigits(ReadOnlySpan<byte> raw, int maxDigits, out long value)
    {
        value = 0;
        if (raw.IsEmpty || raw.Length > maxDigits)
        {
            return false;
        }

        foreach (byte b in raw)
        {
            if ((uint)(b - '0') > 9)
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    // A number written as XML would (no entities, no CR): whole numbers of up to 15 digits by hand,
    // the rest by Utf8Parser, surrounding white space allowed as before.
    private static bool TryParsePlainNumber(ReadOnlySpan<byte> raw, out double number)
    {
        if (TryParseDigits(raw, 15, out long whole))
        {
            number = whole;
            return true;
        }

        number = 0;
        var digits = Trim(raw);
        return raw.IndexOfAny((byte)'&', (byte)'\r') < 0
            && Utf8Parser.TryParse(digits, out number, out int consumed, 'E') && consumed == digits.Length && double.IsFinite(number);
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
