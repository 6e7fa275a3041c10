using System.Buffers.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A workbook's shared-string part, read as bytes by <see cref="ByteXmlScanner"/> into a
/// <see cref="SharedStringTable"/>: one plain run an item read a window at a time, anything else
/// (rich text, phonetic guides, CDATA) token by token.
/// </summary>
internal static partial class XlsxExtractor
{
    private static SharedStringTable ReadSharedStrings(ExtractionContext context, Stream? part, bool fast = true, int bufferSize = DefaultBufferSize)
    {
        var strings = new SharedStringTable();
        if (part is null)
        {
            return strings;
        }

        try
        {
            ReadSharedStrings(context, part, strings, fast, bufferSize);
            strings.Fold();
        }
        catch
        {
            strings.Dispose();
            throw;
        }

        return strings;
    }

    private static void ReadSharedStrings(ExtractionContext context, Stream part, SharedStringTable strings, bool fast, int bufferSize)
    {
        using var xml = new ByteXmlScanner(part, bufferSize);
        var runs = new TextRuns();
        int phonetic = 0;
        bool inText = false;
        bool inItem = false;
        while (true)
        {
            if (!inItem && fast)
            {
                // Most items are one plain run: read as many as the window holds whole, then move
                // the scanner once.
                var window = xml.Window;
                int read = 0;
                while (true)
                {
                    int used = SheetCellParser.TryParseSharedString(window[read..], out var run);
                    if (used <= 0)
                    {
                        break;
                    }

                    strings.Add(run);
                    read += used;
                    CheckIn(context, strings.Count);
                }

                // One the window's end cuts is read on, then the loop above reads it.
                if (xml.TakeWindow(read, static x => SheetCellParser.ReadSharedString(x, out _) > 0))
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
                    if (name.SequenceEqual("sst"u8))
                    {
                        // Offsets sized once from the count Excel writes (a claim, so capped) rather
                        // than doubled and copied a dozen times on the way to tens of thousands.
                        if (xml.TryGetAttribute("uniqueCount"u8, out var declared))
                        {
                            // Grown only: a broken part may name <sst> again after items.
                            strings.EnsureCapacity(SharedStringCapacity(declared));
                        }
                    }
                    else if (name.SequenceEqual("si"u8))
                    {
                        if (token == XmlToken.EmptyTag)
                        {
                            strings.Add(ReadOnlySpan<char>.Empty);
                            break;
                        }

                        inItem = true;
                        runs.Clear();
                    }
                    else if (name.SequenceEqual("rPh"u8))
                    {
                        // Phonetic guides (ruby text) are not what the cell shows.
                        phonetic += token == XmlToken.StartTag ? 1 : 0;
                    }
                    else if (name.SequenceEqual("t"u8))
                    {
                        inText = token == XmlToken.StartTag && phonetic == 0 && inItem;
                    }

                    break;
                case XmlToken.EndTag:
                    name = xml.LocalName;
                    if (name.SequenceEqual("t"u8))
                    {
                        inText = false;
                    }
                    else if (name.SequenceEqual("rPh"u8))
                    {
                        phonetic = Math.Max(0, phonetic - 1);
                    }
                    else if (name.SequenceEqual("si"u8) && inItem)
                    {
                        inItem = false;
                        strings.Add((runs.Value ?? string.Empty).AsSpan());
                        CheckIn(context, strings.Count);
                    }

                    break;
                case XmlToken.Text when inText:
                    runs.Add(xml.TextValue);
                    break;
            }
        }
    }

    /// <summary>The offset table size a shared-string part's <c>uniqueCount</c> asks for: at most <see cref="MaxPresizedSharedStrings"/>, 0 for nothing usable.</summary>
    internal static int SharedStringCapacity(ReadOnlySpan<byte> declared) =>
        Utf8Parser.TryParse(declared, out int unique, out int used) && used == declared.Length && unique > 0 ? Math.Min(unique, MaxPresizedSharedStrings) : 0;

    private static void CheckIn(ExtractionContext context, int count)
    {
        if ((count & 0xFFF) == 0)
        {
            context.ThrowIfCancelled();
        }
    }
}
