using System.Globalization;
using System.Text;
using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// WordprocessingML (ECMA-376 Part 1 §17): paragraphs (w:p / w:t) as text blocks, outermost
/// tables (w:tbl / w:tr / w:tc) as tables named "table N", cell paragraphs joined by line
/// breaks, nested tables flattened into their cell. Headers, footers, footnotes, endnotes and
/// comments follow the body. Field codes and the mc:Fallback copy of drawings are skipped so
/// nothing is read twice. Tracked deletions (w:delText) are read, apart from the words around
/// them: they are still in the file, and one click on "All Markup" shows them. Embedded files
/// (word/embeddings) and pictures (word/media, OCRed when large enough) are read as attachments.
/// </summary>
internal static class DocxExtractor
{
    private static readonly string[] _extraPartTypes = ["/header", "/footer", "/footnotes", "/endnotes", "/comments"];

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
        package.ExtractEmbedded("word/embeddings/", location, depth);

        // Pictures in the document (a screenshot of a spreadsheet is a spreadsheet): read as
        // picture attachments are, OCRed when large enough.
        package.ExtractEmbedded("word/media/", location, depth);
    }

    /// <summary>Reads one part's paragraphs and tables (WordprocessingML, or DrawingML, which has the same local names).</summary>
    internal static void ReadPart(ExtractionContext context, Stream part, ContentLocation location, TextBlockWriter writer, ref int tables)
    {
        using XmlReader reader = XmlParts.Create(part);
        var paragraph = new StringBuilder();
        int tableDepth = 0;
        ITableSink? table = null;
        List<Cell>? row = null;
        StringBuilder? cell = null;
        long rowIndex = 0;
        bool positioned = false;
        try
        {
            while (positioned || reader.Read())
            {
                positioned = false;
                StringBuilder target = cell ?? paragraph;
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
                        case "tbl":
                            if (++tableDepth == 1)
                            {
                                writer.Flush();
                                table = context.Sink.BeginTable(location with { Sheet = "table " + (++tables).ToString(CultureInfo.InvariantCulture) });
                                rowIndex = 0;
                            }

                            break;
                        case "tr" when tableDepth == 1:
                            row = new List<Cell>();
                            break;
                        case "tc" when tableDepth == 1:
                            cell = new StringBuilder();
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement)
                {
                    switch (reader.LocalName)
                    {
                        case "p":
                            if (cell is not null)
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
                        case "tc" when tableDepth == 1 && cell is not null:
                            row ??= new List<Cell>();
                            row.Add(Cell.FromText(cell.ToString().Trim()));
                            cell = null;
                            break;
                        case "tr" when tableDepth == 1:
                            if (row is { Count: > 0 } && row.Any(c => c.Kind != CellKind.Empty))
                            {
                                context.AddCells(row.Count);
                                table!.OnRow(rowIndex, row.ToArray());
                            }

                            rowIndex++;
                            row = null;
                            break;
                        case "tbl":
                            if (tableDepth-- == 1)
                            {
                                table!.Complete();
                                table = null;
                            }

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
            table?.Complete();
        }

        if (paragraph.Length > 0)
        {
            writer.Append(paragraph.ToString());
            writer.Append('\n');
        }
    }
}
