using System.Globalization;
using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// SpreadsheetML (ECMA-376 Part 1 §18) read forward: the small parts (workbook, relationships,
/// styles) with XmlReader, shared strings and sheets as bytes (XlsxExtractor.Sheets.cs). Shared
/// strings are loaded once, each worksheet streams row by row into its own table. Numbers whose cell style has a
/// date format become <see cref="CellKind.Date"/>, because a date of birth in Excel is a serial
/// number and only the style says so. Embedded files (xl/embeddings) and pictures (xl/media,
/// OCRed when large enough) are read as attachments.
/// </summary>
internal static partial class XlsxExtractor
{
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, int depth = 0)
    {
        using var package = new PackageReader(context, stream, location.FileName ?? "workbook.xlsx");
        var (sheets, date1904) = ReadWorkbook(package.Open("xl/workbook.xml") ?? throw new InvalidDataException("xl/workbook.xml missing"));
        var rels = XmlParts.ReadRelationships(package.Open("xl/_rels/workbook.xml.rels"), "xl");
        string sharedStringsPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target ?? "xl/sharedStrings.xml";
        string stylesPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/styles", StringComparison.Ordinal)).Target ?? "xl/styles.xml";
        using SharedStringTable sharedStrings = ReadSharedStrings(context, package.Open(sharedStringsPart));
        SheetStyles styles = ReadStyles(package.Open(stylesPart));

        // The sheets' names, which the reader sees on the tabs (hidden ones in the unhide list).
        var tabs = new TextBlockWriter(context.Sink, location with { Sheet = null, Row = null, Column = null });
        foreach ((string name, _) in sheets)
        {
            tabs.Append(name);
            tabs.Append('\n');
        }

        tabs.Flush();

        foreach ((string name, string relId) in sheets)
        {
            context.ThrowIfCancelled();
            if (!rels.TryGetValue(relId, out var rel) || !rel.Type.EndsWith("/worksheet", StringComparison.Ordinal))
            {
                // Chart sheets and dialog sheets hold no cells.
                continue;
            }

            using Stream? part = package.Open(rel.Target);
            if (part is null)
            {
                throw new InvalidDataException($"worksheet part '{rel.Target}' missing");
            }

            ReadSheet(context, part, location with { Sheet = name, Row = null, Column = null }, sharedStrings, styles, date1904);
        }

        ReadExtras(context, package, location);
        package.ReadProperties(location with { Sheet = null, Row = null, Column = null });
        package.ExtractEmbedded("xl/embeddings/", location, depth);
        package.ExtractEmbedded("xl/media/", location, depth);
    }

    private static (List<(string Name, string RelId)> Sheets, bool Date1904) ReadWorkbook(Stream part)
    {
        var sheets = new List<(string, string)>();
        bool date1904 = false;
        using XmlReader reader = XmlParts.Create(part);
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.LocalName == "sheet")
            {
                string name = reader.GetAttribute("name") ?? $"Sheet{sheets.Count + 1}";
                string? id = reader.GetAttribute("id", RelNs);
                if (id is not null)
                {
                    sheets.Add((name, id));
                }
            }
            else if (reader.LocalName == "workbookPr")
            {
                string? flag = reader.GetAttribute("date1904");
                date1904 = flag is "1" or "true";
            }
        }

        return (sheets, date1904);
    }

    /// <summary>For each cellXfs index: does its number format show a date, or text of its own around a number?</summary>
    private static SheetStyles ReadStyles(Stream? part)
    {
        if (part is null)
        {
            return SheetStyles.None;
        }

        var customDate = new Dictionary<int, bool>();
        var customShown = new Dictionary<int, SheetNumberFormat?>();
        var styles = new List<bool>();
        var shown = new List<SheetNumberFormat?>();
        using XmlReader reader = XmlParts.Create(part);
        bool inCellXfs = false;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                switch (reader.LocalName)
                {
                    case "numFmt":
                        if (int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                        {
                            string code = reader.GetAttribute("formatCode") ?? string.Empty;
                            customDate[id] = IsDateFormatCode(code);
                            customShown[id] = customDate[id] ? null : SheetNumberFormat.Parse(code);
                        }

                        break;
                    case "cellXfs":
                        inCellXfs = !reader.IsEmptyElement;
                        break;
                    case "xf" when inCellXfs:
                        int fmt = int.TryParse(reader.GetAttribute("numFmtId"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) ? f : 0;
                        styles.Add(customDate.TryGetValue(fmt, out bool custom) ? custom : IsBuiltInDateFormat(fmt));
                        shown.Add(customShown.GetValueOrDefault(fmt));
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
            {
                inCellXfs = false;
            }
        }

        return new SheetStyles([.. styles], [.. shown]);
    }

    /// <summary>ECMA-376 Part 1 §18.8.30: ids 14-22 and 45-47 are the built-in date and time formats.</summary>
    internal static bool IsBuiltInDateFormat(int id) => id is (>= 14 and <= 22) or (>= 45 and <= 47);

    /// <summary>
    /// A custom format shows a date when, outside quoted literals, escapes and [brackets]
    /// (colours, locales, elapsed time), it has d or y, or an m that is not minutes (no h or s).
    /// </summary>
    internal static bool IsDateFormatCode(string code)
    {
        bool d = false;
        bool m = false;
        bool hs = false;
        for (int i = 0; i < code.Length; i++)
        {
            char c = char.ToLowerInvariant(code[i]);
            switch (c)
            {
                case '"':
                    int close = code.IndexOf('"', i + 1);
                    i = close < 0 ? code.Length : close;
                    break;
                case '\\':
                case '_':
                case '*':
                    i++;
                    break;
                case '[':
                    int end = code.IndexOf(']', i + 1);
                    i = end < 0 ? code.Length : end;
                    break;
                case ';':
                    // Only the first (positive) section decides.
                    i = code.Length;
                    break;
                case 'd' or 'y':
                    d = true;
                    break;
                case 'm':
                    m = true;
                    break;
                case 'h' or 's':
                    hs = true;
                    break;
            }
        }

        return d || (m && !hs);
    }

    /// <summary>The most chars <see cref="DateText"/> writes.</summary>
    internal const int MaxDateTextLength = 19;

    internal static Cell DateCell(DateTime date, double? serial)
    {
        Span<char> text = stackalloc char[MaxDateTextLength];
        return new Cell(new string(text[..DateText(date, text)]), CellKind.Date, date, serial);
    }

    /// <summary>
    /// A date as a cell shows it to the detectors: yyyy-MM-dd, or yyyy-MM-dd HH:mm:ss with a time
    /// of day; the chars written to <paramref name="destination"/> (at least <see cref="MaxDateTextLength"/>).
    /// </summary>
    internal static int DateText(DateTime date, Span<char> destination)
    {
        if (date.TimeOfDay != TimeSpan.Zero)
        {
            return date.TryFormat(destination, out int written, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
                ? written
                : throw new ArgumentException("The destination is too short for a date and time.", nameof(destination));
        }

        // Written digit by digit from one split of the date: a column of dates of birth makes one per row.
        destination = destination[..10];
        date.Deconstruct(out int year, out int month, out int day);
        destination[9] = (char)('0' + (day % 10));
        destination[8] = (char)('0' + (day / 10));
        destination[7] = '-';
        destination[6] = (char)('0' + (month % 10));
        destination[5] = (char)('0' + (month / 10));
        destination[4] = '-';
        destination[3] = (char)('0' + (year % 10));
        destination[2] = (char)('0' + (year / 10 % 10));
        destination[1] = (char)('0' + (year / 100 % 10));
        destination[0] = (char)('0' + (year / 1000));
        return 10;
    }

    // Day 0 of the 1900 system for serials from 61 on (see SerialToDate).
    private static readonly DateTime s_epoch1900 = new(1899, 12, 30);

    /// <summary>
    /// Excel serial to date. The 1900 system counts the non-existent 1900-02-29 (serial 60, a
    /// Lotus 1-2-3 compatibility bug), so serials below 61 are one day off the simple formula.
    /// </summary>
    internal static DateTime? SerialToDate(double serial, bool date1904)
    {
        if (double.IsNaN(serial) || serial < 0 || serial > 2_958_465)
        {
            return null;
        }

        if (!date1904 && serial >= 61 && serial == Math.Floor(serial))
        {
            // A whole day in the 1900 system (nearly every date of birth): no rounding to do.
            return new DateTime(s_epoch1900.Ticks + ((long)serial * TimeSpan.TicksPerDay));
        }

        DateTime epoch = date1904 ? new DateTime(1904, 1, 1) : serial < 61 ? new DateTime(1899, 12, 31) : s_epoch1900;
        if (!date1904 && serial is >= 60 and < 61)
        {
            serial -= 1;
        }

        // Round to the millisecond: serials carry binary floating-point noise.
        long ms = (long)Math.Round(serial * 86_400_000d);
        return epoch.AddMilliseconds(ms);
    }
}
