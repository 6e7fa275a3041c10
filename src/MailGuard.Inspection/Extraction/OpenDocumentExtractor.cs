using System.Globalization;
using System.Text;
using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// OpenDocument spreadsheets and text (ODF 1.2 content.xml). Cells are typed by
/// office:value-type (date cells keep their date); repeated rows and cells
/// (table:number-rows-repeated / number-columns-repeated) are expanded only when they carry
/// content, and then at most <see cref="ExtractionLimits.MaxRepeatedCells"/> times, because
/// LibreOffice pads every sheet with a repeat of a million empty rows. A table inside a cell is
/// a table of its own, to <see cref="ExtractionLimits.MaxNestedTables"/> deep. Pictures (Pictures/, OCRed when
/// large enough) are read as attachments.
/// </summary>
internal static class OpenDocumentExtractor
{
    private const string TableNs = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    private const string OfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";
    private const string TextNs = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    private const int MaxColumns = 16384;

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, int depth = 0)
    {
        using var package = new PackageReader(context, stream, location.FileName ?? "document.odf");
        using (Stream content = package.Open("content.xml") ?? throw new InvalidDataException("content.xml missing"))
        {
            new Walker(context, location).Read(content);
        }

        // The page styles' headers and footers (styles.xml), and objects embedded in the document
        // (a spreadsheet inserted as an object), packages in folders of their own ("Object 1/content.xml").
        foreach (var name in package.PartNames.Where(IsTextPart).Order(StringComparer.Ordinal).ToList())
        {
            context.ThrowIfCancelled();
            using Stream? part = package.Open(name);
            if (part is not null)
            {
                new Walker(context, name == "styles.xml" ? location : location.Child(name)).Read(part);
            }
        }

        package.ReadProperties(location);

        // Pictures in the document, read as picture attachments are (OCRed when large enough).
        package.ExtractEmbedded("Pictures/", location, depth);
    }

    /// <summary>The parts beside the document's own content.xml whose paragraphs and tables a reader sees.</summary>
    internal static bool IsTextPart(string name) =>
        name == "styles.xml" || name.EndsWith("/content.xml", StringComparison.Ordinal) || name.EndsWith("/styles.xml", StringComparison.Ordinal);

    /// <summary>Reads one content (or styles) part of any OpenDocument package: paragraphs and tables.</summary>
    internal static void ReadContent(ExtractionContext context, Stream content, ContentLocation location) =>
        new Walker(context, location).Read(content);

    private sealed class Walker
    {
        private readonly ExtractionContext _context;
        private readonly ContentLocation _location;
        private readonly TextBlockWriter _writer;
        private readonly StringBuilder _paragraph = new();
        private int _inParagraph;
        private int _tables;

        // The tables open, innermost last (a table inside a cell is a table of its own), and how
        // many past MaxNestedTables are open inside them (their text is their cell's).
        private readonly List<TableFrame> _open = [];
        private int _flattened;

        private TableFrame? Current => _open.Count > 0 ? _open[^1] : null;

        public Walker(ExtractionContext context, ContentLocation location)
        {
            _context = context;
            _location = location;
            _writer = new TextBlockWriter(context.Sink, location);
        }

        public void Read(Stream content)
        {
            using XmlReader reader = XmlParts.Create(content);
            try
            {
                bool positioned = false;
                while (positioned || reader.Read())
                {
                    positioned = false;
                    if (reader.NodeType == XmlNodeType.Element)
                    {
                        positioned = OnElement(reader);
                    }
                    else if (reader.NodeType == XmlNodeType.EndElement)
                    {
                        OnEndElement(reader);
                    }
                    else if (_inParagraph > 0 && reader.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA)
                    {
                        Target.Append(reader.Value);
                    }
                }
            }
            finally
            {
                // Cut short: the tables read so far still count.
                for (int i = _open.Count - 1; i >= 0; i--)
                {
                    _open[i].Sink.Complete();
                }

                _open.Clear();
            }

            _writer.Flush();
        }

        private StringBuilder Target => Current?.CellText ?? _paragraph;

        /// <summary>Returns true when it moved the reader past the element.</summary>
        private bool OnElement(XmlReader reader)
        {
            string ns = reader.NamespaceURI;
            string name = reader.LocalName;
            if (ns == TextNs)
            {
                switch (name)
                {
                    case "s":
                        int spaces = int.TryParse(reader.GetAttribute("c", TextNs), NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) ? Math.Clamp(c, 1, 1000) : 1;
                        Target.Append(' ', spaces);
                        return false;
                    case "tab":
                        Target.Append('\t');
                        return false;
                    case "line-break":
                        Target.Append('\n');
                        return false;
                    case "p" or "h" when reader.IsEmptyElement:
                        EndParagraph();
                        return false;
                    case "p" or "h":
                        _inParagraph++;
                        return false;
                }

                return false;
            }

            if (ns != TableNs)
            {
                return false;
            }

            switch (name)
            {
                case "table" when _flattened > 0 || _open.Count >= ExtractionLimits.MaxNestedTables:
                    Target.Append(' ');
                    if (!reader.IsEmptyElement)
                    {
                        _flattened++;
                    }

                    return false;
                case "table":
                    if (_open.Count == 0)
                    {
                        FlushText();
                    }

                    string? named = reader.GetAttribute("name", TableNs);
                    string sheet = named ?? "table " + (_tables + 1).ToString(CultureInfo.InvariantCulture);
                    if (_open.Count == 0 && named is not null)
                    {
                        // A spreadsheet's sheet name is on its tab for the reader to see.
                        _writer.Append(named);
                        _writer.Append('\n');
                    }

                    _tables++;
                    _open.Add(new TableFrame(_context.Sink.BeginTable(_location with { Sheet = sheet })));
                    if (reader.IsEmptyElement)
                    {
                        OnEndTable();
                    }

                    return false;
                case "table-row" when Current is { } frame && _flattened == 0:
                    frame.Row = new List<Cell>();
                    frame.PendingEmpty = 0;
                    frame.RowRepeat = Repeat(reader, "number-rows-repeated");
                    if (reader.IsEmptyElement)
                    {
                        OnEndRow(frame);
                    }

                    return false;
                case "table-cell" or "covered-table-cell" when Current is { } frame && _flattened == 0:
                    frame.Cell = (
                        reader.GetAttribute("value-type", OfficeNs),
                        reader.GetAttribute("value", OfficeNs),
                        reader.GetAttribute("date-value", OfficeNs),
                        reader.GetAttribute("boolean-value", OfficeNs),
                        Repeat(reader, "number-columns-repeated"),
                        reader.GetAttribute("string-value", OfficeNs),
                        reader.GetAttribute("formula", TableNs));
                    frame.CellText = new StringBuilder();
                    if (reader.IsEmptyElement)
                    {
                        OnEndCell(frame);
                    }

                    return false;
            }

            return false;
        }

        private void OnEndElement(XmlReader reader)
        {
            string ns = reader.NamespaceURI;
            string name = reader.LocalName;
            if (ns == TextNs && name is "p" or "h")
            {
                _inParagraph--;
                EndParagraph();
            }
            else if (ns == TableNs && Current is { } frame)
            {
                switch (name)
                {
                    case "table":
                        OnEndTable();
                        break;
                    case "table-cell" or "covered-table-cell" when _flattened == 0:
                        OnEndCell(frame);
                        break;
                    case "table-row" when _flattened == 0:
                        OnEndRow(frame);
                        break;
                }
            }
        }

        private void EndParagraph()
        {
            if (Current?.CellText is { } cellText)
            {
                cellText.Append('\n');
            }
            else if (_open.Count == 0)
            {
                _paragraph.Append('\n');
                _writer.Append(_paragraph.ToString());
                _paragraph.Clear();
            }
        }

        private void FlushText()
        {
            if (_paragraph.Length > 0)
            {
                _writer.Append(_paragraph.ToString());
                _paragraph.Clear();
            }

            _writer.Flush();
        }

        private int Repeat(XmlReader reader, string attribute) =>
            int.TryParse(reader.GetAttribute(attribute, TableNs), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 1 ? n : 1;

        private void OnEndCell(TableFrame frame)
        {
            string display = frame.CellText?.ToString().Trim() ?? string.Empty;
            frame.CellText = null;
            if (display.Length == 0 && frame.Cell.Value is null)
            {
                // No paragraph to show: the string value the cell holds, or what its formula
                // writes (a formula with no saved result is calculated when the file is opened).
                display = frame.Cell.StringValue?.Trim() ?? (frame.Cell.Formula is { } formula ? SheetFormulas.LiteralsOf(formula) ?? string.Empty : string.Empty);
            }

            Cell cell = MakeCell(frame.Cell, display);
            var row = frame.Row ??= new List<Cell>();
            if (cell.Kind == CellKind.Empty)
            {
                // Trailing empties are dropped at the row end; only materialise them before content.
                frame.PendingEmpty = (int)Math.Min((long)frame.PendingEmpty + frame.Cell.Repeat, MaxColumns);
                return;
            }

            int fill = Math.Min(frame.PendingEmpty, MaxColumns - row.Count);
            for (int i = 0; i < fill; i++)
            {
                row.Add(Cell.Empty);
            }

            frame.PendingEmpty = 0;
            int copies = Math.Min(frame.Cell.Repeat, _context.Limits.MaxRepeatedCells);
            for (int i = 0; i < copies && row.Count < MaxColumns; i++)
            {
                row.Add(cell);
            }
        }

        private static Cell MakeCell((string? Type, string? Value, string? Date, string? Boolean, int Repeat, string? StringValue, string? Formula) attributes, string display)
        {
            var (type, value, date, boolean, _, _, _) = attributes;
            switch (type)
            {
                case "float" or "percentage" or "currency":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                    {
                        return new Cell(display.Length > 0 ? display : value!, CellKind.Number, Number: number);
                    }

                    break;
                case "date":
                    if (DateTime.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTime d))
                    {
                        Cell iso = XlsxExtractor.DateCell(d, null);
                        return display.Length > 0 ? iso with { Text = display } : iso;
                    }

                    break;
                case "boolean":
                    return new Cell(display.Length > 0 ? display : (boolean ?? string.Empty), CellKind.Boolean);
            }

            return Cell.FromText(display);
        }

        private void OnEndRow(TableFrame frame)
        {
            List<Cell>? row = frame.Row;
            frame.Row = null;
            if (row is null || row.Count == 0)
            {
                // Empty rows, however many times repeated, only move the row number on.
                frame.RowIndex += frame.RowRepeat;
                return;
            }

            int copies = Math.Min(frame.RowRepeat, _context.Limits.MaxRepeatedCells);
            Cell[] cells = row.ToArray();
            for (int i = 0; i < copies; i++)
            {
                if (((frame.RowIndex + i) & 0xFF) == 0)
                {
                    _context.ThrowIfCancelled();
                }

                _context.AddCells(cells.Length);
                frame.Sink.OnRow(frame.RowIndex + i, cells);
            }

            frame.RowIndex += frame.RowRepeat;
        }

        private void OnEndTable()
        {
            if (_flattened > 0)
            {
                _flattened--;
                return;
            }

            if (_open.Count > 0)
            {
                _open[^1].Sink.Complete();
                _open.RemoveAt(_open.Count - 1);
            }
        }
    }

    // A table being read: its sink, the row and cell being read (with the cell's typed
    // attributes and repeat), empty cells not yet placed, and the next row's index.
    private sealed class TableFrame(ITableSink sink)
    {
        public ITableSink Sink { get; } = sink;

        public long RowIndex { get; set; }

        public int RowRepeat { get; set; } = 1;

        public List<Cell>? Row { get; set; }

        public int PendingEmpty { get; set; }

        public StringBuilder? CellText { get; set; }

        public (string? Type, string? Value, string? Date, string? Boolean, int Repeat, string? StringValue, string? Formula) Cell { get; set; }
    }
}
