using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// JSON and XML exports read for their records: the objects of an array (or the values of an
/// object keyed by id), the elements repeated under one parent, each a row of a table in
/// <see cref="RecordTables"/>, their nested objects flattened into the row ("address.postcode").
/// What is in no record is read as "name: value" lines of text. A document too large to hold
/// whole, or not well formed, is read as text, so nothing in it goes unread.
/// </summary>
internal static class RecordExtractor
{
    /// <summary>The longest JSON document read for its structure; past it, read as text.</summary>
    internal const int MaxJsonChars = 16 * 1024 * 1024;

    /// <summary>The longest XML document read for its structure (a tree of objects takes several times the text).</summary>
    internal const int MaxXmlChars = 8 * 1024 * 1024;

    // A structure deeper than this is read as text (an XML document with its tags as breaks).
    internal const int MaxDepth = 64;

    public static void Extract(ExtractionContext context, TextReader reader, ContentFormat format, ContentLocation location)
    {
        var limit = format == ContentFormat.Json ? MaxJsonChars : MaxXmlChars;
        var text = ReadUpTo(context, reader, limit + 1);
        var writer = new TextBlockWriter(context.Sink, location);
        var tables = new RecordTables(context, location, writer);
        var read = text.Length <= limit && (format == ContentFormat.Json ? ReadJson(context, text, tables) : ReadXml(context, text, tables));
        if (!read)
        {
            AppendAsText(context, writer, text, format);
            var buffer = new char[16 * 1024];
            int n;
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                context.ThrowIfCancelled();
                AppendAsText(context, writer, new string(buffer, 0, n), format);
            }
        }

        tables.Complete();
    }

    private static string ReadUpTo(ExtractionContext context, TextReader reader, int limit)
    {
        var text = new StringBuilder();
        var buffer = new char[16 * 1024];
        int n;
        while (text.Length < limit && (n = reader.Read(buffer, 0, Math.Min(buffer.Length, limit - text.Length))) > 0)
        {
            context.ThrowIfCancelled();
            text.Append(buffer, 0, n);
        }

        return text.ToString();
    }

    // Text as a reader of the file would see it: XML's tags are breaks between values, and
    // what is inside a tag (attribute values) a line of its own, its quotes and '=' as spaces.
    private static void AppendAsText(ExtractionContext context, TextBlockWriter writer, string text, ContentFormat format)
    {
        if (format != ContentFormat.Xml)
        {
            writer.Append(text);
            return;
        }

        var start = 0;
        while (start < text.Length)
        {
            context.ThrowIfCancelled();
            var open = text.IndexOf('<', start);
            var end = open < 0 ? text.Length : open;
            if (end > start)
            {
                writer.Append(WebUtility.HtmlDecode(text[start..end]));
            }

            writer.Append('\n');
            if (open < 0)
            {
                break;
            }

            var close = text.IndexOf('>', open);
            var tagEnd = close < 0 ? text.Length : close;
            if (tagEnd > open + 1)
            {
                var tag = text.AsSpan(open + 1, tagEnd - open - 1);
                if (tag.ContainsAny('"', '\''))
                {
                    writer.Append(WebUtility.HtmlDecode(string.Create(tag.Length, tag.ToString(), static (span, t) =>
                    {
                        for (var i = 0; i < span.Length; i++)
                        {
                            span[i] = t[i] is '"' or '\'' or '=' ? ' ' : t[i];
                        }
                    })));
                    writer.Append('\n');
                }
            }

            start = close < 0 ? text.Length : close + 1;
        }
    }

    private static bool ReadJson(ExtractionContext context, string text, RecordTables tables)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var options = new JsonReaderOptions
        {
            // One document, or one a line (JSON Lines).
            AllowMultipleValues = true,
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = MaxDepth,
        };

        // Well formed throughout, checked by the tokenizer alone before anything is read as records,
        // so a file broken at its end is text from its start, not half tables and half text.
        try
        {
            var check = new Utf8JsonReader(bytes, options);
            while (check.Read())
            {
            }
        }
        catch (JsonException)
        {
            return false;
        }

        // Then one document at a time (a JSON Lines file may hold hundreds of thousands).
        var reader = new Utf8JsonReader(bytes, options);
        while (reader.Read())
        {
            context.ThrowIfCancelled();
            using var document = JsonDocument.ParseValue(ref reader);
            JsonValue(tables, document.RootElement, string.Empty, "$", null, null);
        }

        return true;
    }

    // One value at path; fields is the record it belongs to, if any.
    private static void JsonValue(RecordTables tables, JsonElement value, string key, string path, string? name, List<KeyValuePair<string, string>>? fields)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when IsMapOfRecords(value):
                // {"P001": {...}, "P002": {...}}: records keyed by their id.
                foreach (var member in value.EnumerateObject())
                {
                    JsonRecord(tables, member.Value, path + ".*", name);
                }

                break;
            case JsonValueKind.Object when fields is null:
                JsonRecord(tables, value, path, name);
                break;
            case JsonValueKind.Object:
                foreach (var member in value.EnumerateObject())
                {
                    JsonValue(tables, member.Value, key.Length == 0 ? member.Name : $"{key}.{member.Name}", $"{path}.{member.Name}", member.Name, fields);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        JsonValue(tables, item, string.Empty, path + "[]", name, null);
                    }
                    else if (item.ValueKind == JsonValueKind.Array && IsScalarArray(item))
                    {
                        // [["Name", "DOB"], ["Amy Holt", "2001-02-03"]]: rows as a sheet has them.
                        tables.AddRow(path + "[][]", name, item.EnumerateArray().Select(Scalar).ToList());
                    }
                    else
                    {
                        JsonValue(tables, item, key, path + "[]", name, fields);
                    }
                }

                break;
            default:
                Add(tables, fields, key, Scalar(value));
                break;
        }
    }

    // An object as one record of the table at path, its nested objects flattened into it.
    private static void JsonRecord(RecordTables tables, JsonElement record, string path, string? name)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var member in record.EnumerateObject())
        {
            JsonValue(tables, member.Value, member.Name, $"{path}.{member.Name}", member.Name, fields);
        }

        tables.Add(path, name, fields);
    }

    private static bool IsMapOfRecords(JsonElement value)
    {
        var members = 0;
        foreach (var member in value.EnumerateObject())
        {
            if (member.Value.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            members++;
        }

        return members >= 2;
    }

    private static bool IsScalarArray(JsonElement array)
    {
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                return false;
            }
        }

        return true;
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => value.GetRawText(),
    };

    private static bool ReadXml(ExtractionContext context, string text, RecordTables tables)
    {
        XDocument document;
        try
        {
            var settings = new XmlReaderSettings
            {
                // No DTD is read, no entity expanded, nothing fetched.
                DtdProcessing = DtdProcessing.Ignore,
                XmlResolver = null,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
            };
            // Building a tree of deep elements takes time by the square of the depth (XDocument):
            // past MaxDepth levels the document is read as text.
            using (var scan = XmlReader.Create(new StringReader(text), settings))
            {
                while (scan.Read())
                {
                    if (scan.Depth > MaxDepth)
                    {
                        return false;
                    }
                }
            }

            using var reader = XmlReader.Create(new StringReader(text), settings);
            document = XDocument.Load(reader);
        }
        catch (XmlException)
        {
            return false;
        }

        if (document.Root is { } root)
        {
            if (IsMixed(root) || !root.HasElements)
            {
                tables.Text(root.Name.LocalName, TextOf(root).Trim());
            }
            else
            {
                XmlElement(context, tables, root, root.Name.LocalName, string.Empty, null);
            }
        }

        return true;
    }

    // One element's children: repeated ones are records (or rows of cells), others flattened into
    // the record being read, or text outside any. The pre-scan in ReadXml keeps this recursion
    // within MaxDepth levels.
    private static void XmlElement(ExtractionContext context, RecordTables tables, XElement element, string path, string prefix, List<KeyValuePair<string, string>>? fields)
    {
        var repeated = element.Elements().GroupBy(e => e.Name).Where(g => g.Count() >= 2).Select(g => g.Key).ToHashSet();
        foreach (var child in element.Elements())
        {
            // Text with elements inside it ("Amy <b>Holt</b>, aged 7") is one value, read in order.
            var structured = !IsMixed(child) && (child.HasElements || child.Attributes().Any(a => !a.IsNamespaceDeclaration));
            var childPath = $"{path}/{child.Name.LocalName}";
            if (!structured)
            {
                AddText(tables, fields, prefix + child.Name.LocalName, child);
            }
            else if (repeated.Contains(child.Name) && IsRowOfCells(child))
            {
                // <Row><Cell>..</Cell><Cell>..</Cell></Row>, <a:tr><a:tc>..: cells in order, as a sheet has them.
                context.ThrowIfCancelled();
                tables.AddRow(childPath, SheetName(child), child.Elements().Select(CellText).ToList());
            }
            else if (repeated.Contains(child.Name))
            {
                context.ThrowIfCancelled();
                var record = new List<KeyValuePair<string, string>>();
                Attributes(tables, child, string.Empty, record);
                XmlElement(context, tables, child, childPath, string.Empty, record);
                if (!child.HasElements)
                {
                    AddText(tables, record, child.Name.LocalName, child);
                }

                tables.Add(childPath, child.Name.LocalName, record);
            }
            else
            {
                var childPrefix = fields is null ? string.Empty : $"{prefix}{child.Name.LocalName}.";
                Attributes(tables, child, childPrefix, fields);
                XmlElement(context, tables, child, childPath, childPrefix, fields);
                if (!child.HasElements)
                {
                    AddText(tables, fields, prefix + child.Name.LocalName, child);
                }
            }
        }
    }

    // An element's text, unless blank, as a field of the record or a line of text.
    private static void AddText(RecordTables tables, List<KeyValuePair<string, string>>? fields, string key, XElement element)
    {
        var text = TextOf(element);
        if (!string.IsNullOrWhiteSpace(text))
        {
            Add(tables, fields, key, text.Trim());
        }
    }

    // An element's text in document order: XElement.Value gathers it by recursion, one frame a level.
    private static string TextOf(XElement element) =>
        element.HasElements ? string.Concat(element.DescendantNodes().OfType<XText>().Select(t => t.Value)) : element.Value;

    private static bool IsMixed(XElement element) =>
        element.HasElements && element.Nodes().Any(n => n is XText t && !string.IsNullOrWhiteSpace(t.Value));

    // Rows are named by the nearest container that names itself (<Worksheet ss:Name="Claimants">).
    private static string? SheetName(XElement row)
    {
        for (var container = row.Parent; container is not null; container = container.Parent)
        {
            if (container.Attributes().FirstOrDefault(a => a.Name.LocalName.Equals("name", StringComparison.OrdinalIgnoreCase)) is { Value.Length: > 0 } name)
            {
                return name.Value;
            }
        }

        return null;
    }

    // Two or more children, all of one name: a row of cells rather than a record of named fields.
    private static bool IsRowOfCells(XElement element)
    {
        XName? name = null;
        var count = 0;
        foreach (var child in element.Elements())
        {
            if (name is not null && child.Name != name)
            {
                return false;
            }

            name = child.Name;
            count++;
        }

        return count >= 2;
    }

    // A cell's text: its text nodes, however deep (a cell's paragraphs and runs), a space between paragraphs.
    private static string CellText(XElement cell) =>
        string.Join(' ', cell.DescendantNodes().OfType<XText>().Select(t => t.Value.Trim()).Where(t => t.Length > 0));

    private static void Attributes(RecordTables tables, XElement element, string prefix, List<KeyValuePair<string, string>>? fields)
    {
        foreach (var attribute in element.Attributes())
        {
            if (!attribute.IsNamespaceDeclaration && attribute.Value.Length > 0)
            {
                Add(tables, fields, prefix + attribute.Name.LocalName, attribute.Value);
            }
        }
    }

    private static void Add(RecordTables tables, List<KeyValuePair<string, string>>? fields, string key, string value)
    {
        if (fields is null)
        {
            tables.Text(key, value);
        }
        else
        {
            fields.Add(new(key, value));
        }
    }
}
