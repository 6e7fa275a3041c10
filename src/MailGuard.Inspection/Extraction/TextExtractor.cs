using System.Runtime.CompilerServices;
using System.Text;

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
            case ContentFormat.Calendar:
                ExtractDirectory(context, reader, location);
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

    /// <summary>vCard (RFC 6350) and iCalendar (RFC 5545) content lines: unfolded, value escapes undone.</summary>
    private static void ExtractDirectory(ExtractionContext context, TextReader reader, ContentLocation location)
    {
        var writer = new TextBlockWriter(context.Sink, location);
        var logical = new StringBuilder();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            context.ThrowIfCancelled();
            if (line.Length > 0 && line[0] is ' ' or '\t')
            {
                // RFC 5545 §3.1: a CRLF followed by one space or tab continues the line.
                logical.Append(line.AsSpan(1));
                continue;
            }

            if (logical.Length > 0 && logical[^1] == '=' && IsQuotedPrintable(logical))
            {
                // vCard 2.1 quoted-printable values continue after a soft line break "=".
                logical.Length--;
                logical.Append(line);
                continue;
            }

            EmitContentLine(writer, logical);
            logical.Clear().Append(line);
        }

        EmitContentLine(writer, logical);
        writer.Flush();
    }

    private static bool IsQuotedPrintable(StringBuilder logical)
    {
        string text = logical.ToString();
        int colon = text.IndexOf(':');
        return colon > 0 && text.AsSpan(0, colon).Contains("QUOTED-PRINTABLE", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Decodes a vCard 2.1 ENCODING=QUOTED-PRINTABLE value in its CHARSET (UTF-8 if none).</summary>
    private static string DecodeQuotedPrintable(string line)
    {
        int colon = line.IndexOf(':');
        string parameters = line[..colon];
        Encoding encoding = Encoding.UTF8;
        foreach (string p in parameters.Split(';'))
        {
            if (p.StartsWith("CHARSET=", StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    encoding = MailGuard.Mime.MimeCharsets.IsUtf7(p[8..]) ? MailGuard.Mime.MimeCharsets.Utf7 : Encoding.GetEncoding(p[8..]);
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    // Unknown charset: keep UTF-8.
                }
            }
        }

        var bytes = new List<byte>();
        string value = line[(colon + 1)..];
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '=' && i + 2 < value.Length && Uri.IsHexDigit(value[i + 1]) && Uri.IsHexDigit(value[i + 2]))
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }

        return parameters + ":" + encoding.GetString([.. bytes]);
    }

    private static void EmitContentLine(TextBlockWriter writer, StringBuilder logical)
    {
        if (logical.Length == 0)
        {
            return;
        }

        string line = IsQuotedPrintable(logical) ? DecodeQuotedPrintable(logical.ToString()) : logical.ToString();
        var unescaped = new StringBuilder(line.Length);
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                char next = line[++i];
                unescaped.Append(next is 'n' or 'N' ? '\n' : next);
            }
            else
            {
                unescaped.Append(c);
            }
        }

        writer.Append(unescaped.ToString());
        writer.Append('\n');
    }
}
