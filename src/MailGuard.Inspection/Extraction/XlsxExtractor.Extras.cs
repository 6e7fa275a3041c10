using System.Globalization;
using System.Xml;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The parts of a workbook beyond its sheets that Excel shows or gives back: notes and threaded
/// comments, text in drawings and charts, and pivot caches. A pivot cache is the pivot table's own
/// copy of every source row, kept in the file when the source sheet is deleted or hidden, and
/// listed again by a double-click on the pivot table ("Show Details"): it is read as a table.
/// </summary>
internal static partial class XlsxExtractor
{
    private static void ReadExtras(ExtractionContext context, PackageReader package, ContentLocation location)
    {
        var caches = 0;
        foreach (var name in package.PartNames.Where(n => n.EndsWith(".xml", StringComparison.Ordinal) && !n.Contains("/_rels/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
        {
            context.ThrowIfCancelled();
            if (name.StartsWith("xl/pivotCache/pivotCacheDefinition", StringComparison.Ordinal))
            {
                caches++;
                ReadPivotCache(context, package, name, location with { Sheet = "pivot cache " + caches.ToString(CultureInfo.InvariantCulture), Row = null, Column = null });
            }
            else if (name.StartsWith("xl/comments", StringComparison.Ordinal) || name.StartsWith("xl/threadedComments/", StringComparison.Ordinal)
                || name.StartsWith("xl/drawings/", StringComparison.Ordinal) || name.StartsWith("xl/charts/", StringComparison.Ordinal))
            {
                using var part = package.Open(name);
                if (part is not null)
                {
                    ReadTextPart(context, part, location.Child(name));
                }
            }
        }
    }

    /// <summary>Text runs joined into their paragraph, comment, chart point or diagram node; those apart.</summary>
    internal static void ReadTextPart(ExtractionContext context, Stream part, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        using var reader = XmlParts.Create(part);
        while (reader.Read())
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace)
            {
                writer.Append(reader.Value);
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName is "p" or "comment" or "threadedComment" or "text" or "author" or "pt" or "person"
                && writer.LastChar != '\n')
            {
                writer.Append('\n');
                context.ThrowIfCancelled();
            }
        }

        writer.Flush();
    }

    private static void ReadPivotCache(ExtractionContext context, PackageReader package, string definitionPart, ContentLocation location)
    {
        var fields = new List<(string Name, List<Cell> Items)>();
        using (var definition = package.Open(definitionPart))
        {
            if (definition is null)
            {
                return;
            }

            using var reader = XmlParts.Create(definition);
            var shared = false;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "cacheField":
                            fields.Add((reader.GetAttribute("name") ?? string.Empty, []));
                            shared = false;
                            break;
                        case "sharedItems":
                            shared = !reader.IsEmptyElement;
                            break;
                        case "fieldGroup" or "extLst":
                            // Grouping (by month, by range) adds items of its own; they are not source values.
                            reader.Skip();
                            break;
                        case "s" or "n" or "d" or "b" or "e" or "m" when shared && fields.Count > 0:
                            context.AddCells(1);
                            fields[^1].Items.Add(ItemCell(reader));
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "sharedItems")
                {
                    shared = false;
                }
            }
        }

        var folder = definitionPart[..definitionPart.LastIndexOf('/')];
        var rels = XmlParts.ReadRelationships(package.Open($"{folder}/_rels/{definitionPart[(folder.Length + 1)..]}.rels"), folder);
        var recordsPart = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/pivotCacheRecords", StringComparison.Ordinal)).Target;
        using var records = recordsPart is null ? null : package.Open(recordsPart);
        if (records is null || fields.Count == 0)
        {
            // A cache saved without its records ("Save source data with file" off) keeps only the shared items.
            ReadSharedItemsAsText(context, fields, location);
            return;
        }

        var table = context.Sink.BeginTable(location);
        try
        {
            context.AddCells(fields.Count);
            table.OnRow(0, fields.Select(f => new Cell(f.Name)).ToArray());
            using var reader = XmlParts.Create(records);
            List<Cell>? row = null;
            long rowIndex = 1;
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "r":
                            row = new List<Cell>(fields.Count);
                            break;
                        case "x" when row is not null:
                            var field = row.Count;
                            var index = int.TryParse(reader.GetAttribute("v"), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;
                            row.Add(field < fields.Count && (uint)index < (uint)fields[field].Items.Count ? fields[field].Items[index] : Cell.Empty);
                            break;
                        case "s" or "n" or "d" or "b" or "e" or "m" when row is not null:
                            row.Add(ItemCell(reader));
                            break;
                        case "extLst":
                            reader.Skip();
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "r" && row is not null)
                {
                    if ((rowIndex & 0xFF) == 0)
                    {
                        context.ThrowIfCancelled();
                    }

                    context.AddCells(row.Count);
                    table.OnRow(rowIndex++, row.ToArray());
                    row = null;
                }
            }
        }
        finally
        {
            table.Complete();
        }
    }

    private static void ReadSharedItemsAsText(ExtractionContext context, List<(string Name, List<Cell> Items)> fields, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        foreach (var (name, items) in fields)
        {
            foreach (var item in items)
            {
                if (item.Kind != CellKind.Empty)
                {
                    writer.Append(name);
                    writer.Append(": ");
                    writer.Append(item.Text);
                    writer.Append('\n');
                }
            }
        }

        writer.Flush();
    }

    // One cache item: s a string, n a number, d a date (ISO 8601), b a boolean, e an error, m missing.
    private static Cell ItemCell(XmlReader reader)
    {
        var value = reader.GetAttribute("v");
        switch (reader.LocalName)
        {
            case "s" or "b":
                return Cell.FromText(value);
            case "n" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return new Cell(value!, CellKind.Number, Number: number);
            case "d" when DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date):
                return new Cell(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), CellKind.Date, date);
            default:
                return Cell.FromText(value);
        }
    }
}
