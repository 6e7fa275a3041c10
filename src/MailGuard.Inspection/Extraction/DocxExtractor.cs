using System.Globalization;
using System.Text;
using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// WordprocessingML (ECMA-376 Part 1 §17): paragraphs (w:p / w:t) as text blocks, tables
/// (w:tbl / w:tr / w:tc) as tables named "table N", cell paragraphs joined by line breaks; a
/// table inside a cell (a list laid out in a box) is a table of its own, in document order, to
/// <see cref="ExtractionLimits.MaxNestedTables"/> deep, past which it is flattened into its cell. Headers, footers, footnotes, endnotes and
/// comments follow the body, then alternative format chunks (w:altChunk). Field codes and the mc:Fallback copy of drawings are skipped so
/// nothing is read twice. Tracked deletions (w:delText) are read, apart from the words around
/// them: they are still in the file, and one click on "All Markup" shows them. Embedded files
/// (word/embeddings) and pictures (word/media, OCRed when large enough) are read as attachments.
/// </summary>
internal static class DocxExtractor
{
    private static readonly string[] _extraPartTypes = ["/header", "/footer", "/footnotes", "/endnotes", "/comments"];

    // A table being read: its sink, the row and cell being read, the next row's index.
    private sealed class TableFrame(ITableSink sink)
    {
        public ITableSink Sink { get; } = sink;

        public List<Cell>? Row { get; set; }

        public StringBuilder? Cell { get; set; }

        public long RowIndex { get; set; }
    }

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, int depth = 0)
    {
        using var package = new PackageReader(context, stream, location.FileName ?? "document.docx");
        var rels = XmlParts.ReadRelationships(package.Open("word/_rels/document.xml.rels"), "word");
        var parts = new List<string> { "word/document.xml" };
        parts.AddRange(rels.Values
            .Where(r => _extraPartTypes.Any(t => r.Type.EndsWith(t, StringComparison.Ordinal)))
            .Select(r => r.Target)
            .Order(StringComparer.Ordinal));

        int tables = 0;
        var writer = new TextBlockWriter(context.Sink, location);
        foreach (string name in parts)
        {
            using Stream? part = package.Open(name);
            if (part is null)
            {
                if (name == "word/document.xml")
                {
                    throw new InvalidDataException("word/document.xml missing");
                }

                continue;
            }

            ReadPart(context, part, location, writer, ref tables);
        }

        writer.Flush();

        // Charts' cached labels and values and SmartArt diagrams' text, which Word draws from these
        // parts (a chart's workbook, if kept, is read with the embeddings below).
        foreach (string name in package.PartNames.Where(n => (n.StartsWith("word/charts/", StringComparison.Ordinal) || n.StartsWith("word/diagrams/", StringComparison.Ordinal))
            && n.EndsWith(".xml", StringComparison.Ordinal) && !n.Contains("/_rels/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
        {
            context.ThrowIfCancelled();
            using Stream? part = package.Open(name);
            if (part is not null)
            {
                XlsxExtractor.ReadTextPart(context, part, location.Child(name));
            }
        }

        package.ReadProperties(location);

        // Alternative format chunks (w:altChunk: HTML, RTF, text or another document that Word
        // renders in place, as converters write them): read as attachments of their own.
        package.ExtractParts(rels.Values.Where(r => r.Type.EndsWith("/aFChunk", StringComparison.Ordinal)).Select(r => r.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal), location, depth);
        package.ExtractEmbedded("word/embeddings/", location, depth);

        // Custom XML data, which Word shows in the content controls bound to it (filled from the
        // data when the document opens): read as an XML file of its own (records as tables).
        package.ExtractParts(package.PartNames.Where(n => n.StartsWith("customXml/item", StringComparison.Ordinal) && !n.StartsWith("customXml/itemProps", StringComparison.Ordinal)
            && n.EndsWith(".xml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList(), location, depth);

        // Pictures in the document (a screenshot of a spreadsheet is a spreadsheet): read as
        // picture attachments are, OCRed when large enough.
        package.ExtractEmbedded("word/media/", location, depth);
    }

    /// <summary>Reads one part's paragraphs and tables (WordprocessingML, or DrawingML, which has the same local names).</summary>
    internal static void ReadPart(ExtractionContext context, Stream part, ContentLocation location, TextBlockWriter writer, ref int tables)
    {
        using XmlReader reader = XmlParts.Create(part);
        var paragraph = new StringBuilder();

        // Tables open at once, innermost last; a table nested past MaxNestedTables counts in
        // flattened (its text goes to the cell it is in).
        var open = new List<TableFrame>();
        int flattened = 0;
        bool positioned = false;
        try
        {
            while (positioned || reader.Read())
            {
                positioned = false;
                TableFrame? frame = open.Count > 0 ? open[^1] : null;
                StringBuilder target = frame?.Cell ?? paragraph;
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "pPr" or "rPr" or "sectPr" or "tblPr" or "tblGrid" or "trPr" or "tcPr" or "instrText" or "Fallback":
                            reader.Skip();
                            positioned = true;
                            break;
                        case "t":
                            target.Append(reader.ReadElementContentAsString());
                            positioned = true;
                            break;
                        case "delText":
                            target.Append(' ').Append(reader.ReadElementContentAsString()).Append(' ');
                            positioned = true;
                            break;
                        case "tab":
                            target.Append('\t');
                            break;
                        case "br" or "cr":
                            target.Append('\n');
                            break;
                        case "noBreakHyphen":
                            target.Append('-');
                            break;
                        case "tbl" when reader.IsEmptyElement:
                            break;
                        case "tbl" when flattened > 0 || open.Count >= ExtractionLimits.MaxNestedTables:
                            flattened++;
                            break;
                        case "tbl":
                            if (open.Count == 0)
                            {
                                writer.Flush();
                            }

                            open.Add(new TableFrame(context.Sink.BeginTable(location with { Sheet = "table " + (++tables).ToString(CultureInfo.InvariantCulture) })));
                            break;
                        case "tr" when frame is not null && flattened == 0:
                            frame.Row = new List<Cell>();
                            break;
                        case "tc" when frame is not null && flattened == 0:
                            frame.Cell = new StringBuilder();
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.LocalName)
                    {
                        case "p":
                            if (frame?.Cell is { } cell)
                            {
                                cell.Append('\n');
                            }
                            else
                            {
                                writer.Append(paragraph.ToString());
                                writer.Append('\n');
                                paragraph.Clear();
                            }

                            break;
                        case "tc" when frame?.Cell is not null && flattened == 0:
                            frame.Row ??= new List<Cell>();
                            frame.Row.Add(Cell.FromText(frame.Cell.ToString().Trim()));
                            frame.Cell = null;
                            break;
                        case "tr" when frame is not null && flattened == 0:
                            if (frame.Row is { Count: > 0 } row && row.Any(c => c.Kind != CellKind.Empty))
                            {
                                context.AddCells(row.Count);
                                frame.Sink.OnRow(frame.RowIndex, row.ToArray());
                            }

                            frame.RowIndex++;
                            frame.Row = null;
                            break;
                        case "tbl" when flattened > 0:
                            flattened--;
                            break;
                        case "tbl" when frame is not null:
                            frame.Sink.Complete();
                            open.RemoveAt(open.Count - 1);
                            break;
                        case "body":
                            context.ThrowIfCancelled();
                            break;
                    }
                }
            }
        }
        finally
        {
            // A part that ends inside tables (cut short, or malformed): what was read still counts.
            for (int i = open.Count - 1; i >= 0; i--)
            {
                open[i].Sink.Complete();
            }
        }

        if (paragraph.Length > 0)
        {
            writer.Append(paragraph.ToString());
            writer.Append('\n');
        }
    }
}
