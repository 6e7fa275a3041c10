using System.Text;
using MimeKit.Tnef;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// An Outlook item saved as a file (.msg, [MS-OXMSG]): what Outlook attaches when a message is
/// dragged into another. Read as a forwarded message is: its subject, sender and recipients,
/// every rendering of its body it keeps (plain text, HTML, compressed RTF), and each attachment
/// as an attachment of its own, an attached item in turn (nesting counted against the depth
/// limit).
/// </summary>
internal static class OutlookMessageExtractor
{
    // Property ids ([MS-OXPROPS]) of what a reader of the message sees.
    private const string Subject = "0037";
    private const string SenderName = "0C1A";
    private const string SenderAddress = "5D01";
    private const string DisplayTo = "0E04";
    private const string DisplayCc = "0E03";
    private const string Body = "1000";
    private const string HtmlBody = "1013";
    private const string RtfCompressed = "1009";
    private const string RecipientName = "3001";
    private const string RecipientAddress = "3003";
    private const string RecipientSmtpAddress = "39FE";
    private const string AttachData = "3701";
    private const string AttachLongName = "3707";
    private const string AttachName = "3704";
    private const string AttachMimeTag = "370E";

    private static readonly Encoding s_ansi = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, int depth)
    {
        var file = CompoundFile.Open(stream);
        ReadMessage(context, file, 0, location, depth);
    }

    private static void ReadMessage(ExtractionContext context, CompoundFile file, int storage, ContentLocation location, int depth)
    {
        context.ThrowIfCancelled();
        var entries = file.Children(storage);
        var item = new Item(context, file, entries);
        var header = new StringBuilder();
        Line(header, "Subject", item.Text(Subject));
        Line(header, "From", Join(item.Text(SenderName), item.Text(SenderAddress)));
        Line(header, "To", item.Text(DisplayTo));
        Line(header, "Cc", item.Text(DisplayCc));
        foreach (var (id, name, isStorage) in entries)
        {
            if (isStorage && name.StartsWith("__recip_version1.0_", StringComparison.Ordinal))
            {
                var recipient = new Item(context, file, file.Children(id));
                Line(header, "Recipient", Join(recipient.Text(RecipientName), recipient.Text(RecipientSmtpAddress) ?? recipient.Text(RecipientAddress)));
            }
        }

        if (header.Length > 0)
        {
            context.Sink.OnText(location, header.ToString());
        }

        // Outlook keeps up to three renderings of one body and shows one of them; which one a
        // reader sees is the item's to choose, so every one present is read.
        if (item.Text(Body) is { Length: > 0 } body)
        {
            context.Sink.OnText(location, body.EndsWith('\n') ? body : body + "\n");
        }

        if (item.Bytes(HtmlBody) is { Length: > 0 } html)
        {
            ContentExtractor.ExtractPart(context, new MemoryStream(html, writable: false), "body.html", "text/html", location, depth);
        }

        if (item.Bytes(RtfCompressed) is { Length: > 0 } compressed)
        {
            ReadRtfBody(context, compressed, location, depth);
        }

        foreach (var (id, name, isStorage) in entries)
        {
            if (isStorage && name.StartsWith("__attach_version1.0_", StringComparison.Ordinal))
            {
                ReadAttachment(context, file, id, location, depth);
            }
        }
    }

    // PR_RTF_COMPRESSED ([MS-OXRTFCP]): LZFu-compressed (or stored) RTF, often an HTML body
    // wrapped in RTF. Inflated by MimeKit's filter a block at a time, what comes out counted
    // against the expansion limit as it comes (LZFu expands up to eightfold), checked against
    // its CRC, then read as RTF.
    private static void ReadRtfBody(ExtractionContext context, byte[] compressed, ContentLocation location, int depth)
    {
        const int Block = 64 * 1024;
        var filter = new RtfCompressedToRtf();
        using var rtf = new MemoryStream();
        for (int offset = 0; offset < compressed.Length; offset += Block)
        {
            int n = Math.Min(Block, compressed.Length - offset);
            byte[] output = offset + n == compressed.Length
                ? filter.Flush(compressed, offset, n, out int start, out int length)
                : filter.Filter(compressed, offset, n, out start, out length);
            context.AddExpanded(length);
            rtf.Write(output, start, length);
        }

        // Only the compressed form carries a CRC; the stored one ("MELA") has none to check.
        bool intact = filter.CompressionMode switch
        {
            RtfCompressionMode.Compressed => filter.IsValidCrc32,
            RtfCompressionMode.Uncompressed => true,
            _ => false,
        };
        if (!intact)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, "Outlook item's compressed RTF body is damaged");
            return;
        }

        rtf.Position = 0;
        ContentExtractor.ExtractPart(context, rtf, "body.rtf", "text/rtf", location, depth);
    }

    private static void ReadAttachment(ExtractionContext context, CompoundFile file, int storage, ContentLocation location, int depth)
    {
        context.AddEntry();
        var entries = file.Children(storage);
        var attachment = new Item(context, file, entries);
        var name = attachment.Text(AttachLongName) ?? attachment.Text(AttachName) ?? "attachment";
        var child = location.Child(name);
        if (attachment.Bytes(AttachData) is { } data)
        {
            ContentExtractor.ExtractPart(context, new MemoryStream(data, writable: false), name, attachment.Text(AttachMimeTag), child, depth + 1);
            return;
        }

        // An attached Outlook item is a storage of its own (PR_ATTACH_DATA_OBJ).
        var embedded = entries.FirstOrDefault(e => e.IsStorage && e.Name == $"__substg1.0_{AttachData}000D");
        if (embedded.Name is null)
        {
            return;
        }

        if (depth + 1 >= context.Limits.MaxNestingDepth)
        {
            context.Sink.OnUnscannable(child, UnscannableReason.NestingTooDeep, context.Limits.DescribeNesting());
            return;
        }

        ReadMessage(context, file, embedded.Id, child, depth + 1);
    }

    private static void Line(StringBuilder text, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            text.Append(label).Append(": ").Append(value.Trim()).Append('\n');
        }
    }

    private static string? Join(string? name, string? address) =>
        name is null ? address : address is null || name.Contains(address, StringComparison.OrdinalIgnoreCase) ? name : $"{name} <{address}>";

    /// <summary>The property streams of one storage (a message, a recipient, an attachment).</summary>
    private readonly struct Item(ExtractionContext context, CompoundFile file, List<(int Id, string Name, bool IsStorage)> entries)
    {
        /// <summary>A string property: Unicode (001F) or, in files from older Outlooks, 8-bit (001E).</summary>
        public string? Text(string property)
        {
            if (Stream($"__substg1.0_{property}001F") is { } unicode)
            {
                return Encoding.Unicode.GetString(unicode).TrimEnd('\0');
            }

            return Stream($"__substg1.0_{property}001E") is { } ansi ? s_ansi.GetString(ansi).TrimEnd('\0') : null;
        }

        /// <summary>A binary property (0102).</summary>
        public byte[]? Bytes(string property) => Stream($"__substg1.0_{property}0102");

        private byte[]? Stream(string name)
        {
            foreach (var (id, entry, isStorage) in entries)
            {
                if (!isStorage && entry.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    var data = file.ReadStream(id);

                    // Entries may share their sectors: what is read counts against the expansion
                    // limit, so a file cannot be read many times over.
                    context.AddExpanded(data.Length);
                    return data;
                }
            }

            return null;
        }
    }
}
