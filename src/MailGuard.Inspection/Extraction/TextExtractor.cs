using System.Runtime.CompilerServices;

namespace MailGuard.Inspection.Extraction;

/// <summary>Plain text, CSV/TSV, HTML, vCard and iCalendar, decoded as <see cref="TextSniffer"/> decided.</summary>
internal static class TextExtractor
{
    /// <param name="knownLength">The whole part's length when it is known to be small, else -1.</param>
    public static void Extract(ExtractionContext context, Stream stream, TextSniff sniff, ContentLocation location, int knownLength = -1)
    {
        if (sniff.BomLength > 0)
        {
            stream.ReadExactly(new byte[sniff.BomLength]);
        }

        // 16 KB: the reader's char buffer is twice its byte buffer, and at 64 KB that was a
        // 128 KB array in the large object heap for every text part (the CSV reader reads
        // straight into its own buffer anyway, past the reader's).
        int bufferSize = knownLength >= 0 ? Math.Clamp(knownLength + 1, 256, 16 * 1024) : 16 * 1024;
        using var reader = new StreamReader(stream, sniff.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: bufferSize, leaveOpen: true);
        switch (sniff.Format)
        {
            case ContentFormat.Csv:
                ExtractCsv(context, reader, sniff.Delimiter, location);
                break;
            case ContentFormat.Html:
                new HtmlTextExtractor(context, location).Extract(reader);
                break;
            case ContentFormat.VCard:
                VCardExtractor.Extract(context, reader, location);
                break;
            case ContentFormat.Calendar:
                ExtractCalendar(context, reader, location);
                break;
            case ContentFormat.Json:
            case ContentFormat.Xml:
                RecordExtractor.Extract(context, reader, sniff.Format, location);
                break;
            default:
                ExtractPlain(context, reader, location, bufferSize);
                break;
        }
    }

    private static void ExtractPlain(ExtractionContext context, TextReader reader, ContentLocation location, int bufferSize)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        char[] buffer = new char[Math.Min(16 * 1024, bufferSize)];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            context.ThrowIfCancelled();
            writer.Append(buffer.AsSpan(0, n));
        }

        writer.Flush();
    }

    public static void ExtractCsv(ExtractionContext context, TextReader reader, char delimiter, ContentLocation location)
    {
        using var tokenizer = new CsvTokenizer(reader, delimiter);
        ITableSink table = context.Sink.BeginTable(location);
        try
        {
            ReadRows(context, tokenizer, table);
        }
        finally
        {
            table.Complete();
        }
    }

    // Called once per file, so with tiered compilation its loop would run as on-stack-replaced
    // code for the whole file (measurably slower per row than a fully optimised method):
    // compile it optimised from the start.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadRows(ExtractionContext context, CsvTokenizer tokenizer, ITableSink table)
    {
        // The analyzer reads fields straight from the tokenizer's buffer (no string per
        // cell); any other sink gets a fresh array of cells per row, as before.
        var spanSink = table as ISpanTableSink;
        long row = 0;
        while (tokenizer.ReadRow())
        {
            if ((row & 0xFF) == 0)
            {
                context.ThrowIfCancelled();
            }

            context.AddCells(tokenizer.Fields.Length);
            if (spanSink is not null)
            {
                spanSink.OnRow(row++, tokenizer.Chars, tokenizer.Fields);
            }
            else
            {
                table.OnRow(row++, tokenizer.ToCells());
            }
        }
    }

    /// <summary>iCalendar (RFC 5545) content lines as text: unfolded, value escapes undone.</summary>
    private static void ExtractCalendar(ExtractionContext context, TextReader reader, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        foreach (string line in ContentLines.Read(context, reader))
        {
            writer.Append(ContentLines.Unescape(line));
            writer.Append('\n');
        }

        writer.Flush();
    }
}
