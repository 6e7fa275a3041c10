using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// PDF text in-process, with no PDF library: <see cref="PdfFile"/> reads the objects and this
/// class interprets the page content streams: the text operators Tj, TJ, ' and ", decoded
/// through each font's ToUnicode CMap, or its simple encoding (WinAnsi, /Differences) when it
/// has none. Line breaks come from Td/TD/T*/Tm moves; Form XObjects are followed. One text
/// block per page. An encrypted file (/Encrypt in the trailer) is PasswordProtected: nothing is
/// decrypted, even with an empty user password. Rejected alternatives: PDFsharp (the feed
/// serves only 6.5.0, which is AGPL-3.0 and refuses to run without a licence call) and
/// poppler's pdftotext (a process per attachment, and a machine dependency).
/// </summary>
internal static class PdfExtractor
{
    private const int MaxFormDepth = 8;

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        // Random access is needed throughout; the spooled file is bounded by the message size.
        byte[] data = new byte[stream.Length];
        stream.Position = 0;
        stream.ReadExactly(data);
        var file = new PdfFile(data, context);
        if (file.IsEncrypted)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, "PDF is encrypted (/Encrypt in the trailer)");
            return;
        }

        var pages = file.Pages();
        if (pages.Count == 0)
        {
            throw new InvalidDataException("no pages found");
        }

        var fonts = new Dictionary<Dictionary<string, object?>, PdfFontDecoder>(ReferenceEqualityComparer.Instance);
        long chars = 0;
        int pageNumber = 0;
        int ocrPages = 0;
        foreach (var (page, resources) in pages)
        {
            context.ThrowIfCancelled();
            pageNumber++;
            var text = new StringBuilder();
            var interpreter = new PdfTextInterpreter(context, file, fonts, text);
            foreach (byte[] content in PageContents(file, page))
            {
                interpreter.Run(content, resources, 0);
            }

            string pageText = text.ToString().Trim();
            if (pageText.Length > 0)
            {
                chars += pageText.Length;
                context.Sink.OnText(location, pageText + "\n");
            }
            else if (context.Limits.ImageText is { } ocr && LargestImage(file, resources, 0) is var (width, height) && context.Limits.LargeEnoughForOcr(width, height))
            {
                // A page with no text and a picture big enough for a table is a scan or a pasted
                // screenshot: render it and OCR it (see OcrEngine for why the page is rendered).
                context.ThrowIfCancelled();
                // A page that could not be OCRed is reported by itself, so the whole-file message below is not repeated.
                ImageTextResult result = ocr.ReadPdfPage(data, pageNumber, context.OcrTimeout, context.CancellationToken);
                ImageTextExtractor.Report(context, location, result, $"PDF page {pageNumber} (an image of {width} x {height} px) ");
                ocrPages++;
            }
        }

        // A PDF that yields no text is not "clean": it is a scan, or uses what is not read here.
        if (file.UnsupportedFilter is { } filter)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.UnsupportedFormat, $"PDF stream filter {filter} is not supported; text may be missing");
        }
        else if (chars == 0 && ocrPages == 0)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.UnsupportedFormat, "PDF has no extractable text (scanned pages or unmapped fonts)");
        }
    }

    /// <summary>The largest image XObject a page (or a form it draws, a few levels deep) uses, in the image's own pixels.</summary>
    private static (int Width, int Height)? LargestImage(PdfFile file, Dictionary<string, object?>? resources, int depth)
    {
        if (file.Get(resources, "XObject") is not { } xobjects || depth > 2)
        {
            return null;
        }

        (int Width, int Height)? best = null;
        foreach (object? value in xobjects.Values)
        {
            if (file.Dict(value) is not { } x)
            {
                continue;
            }

            (int Width, int Height)? found = PdfFile.NameOf(x.GetValueOrDefault("Subtype")) switch
            {
                "Image" when file.Resolve(x.GetValueOrDefault("Width")) is double w && file.Resolve(x.GetValueOrDefault("Height")) is double h
                    => ((int)Math.Clamp(w, 0, int.MaxValue), (int)Math.Clamp(h, 0, int.MaxValue)),
                "Form" => LargestImage(file, file.Get(x, "Resources"), depth + 1),
                _ => null,
            };
            if (found is { } f && (best is null || (long)f.Width * f.Height > (long)best.Value.Width * best.Value.Height))
            {
                best = f;
            }
        }

        return best;
    }

    private static IEnumerable<byte[]> PageContents(PdfFile file, Dictionary<string, object?> page)
    {
        object? contents = file.Resolve(page.GetValueOrDefault("Contents"));
        if (contents is List<object?> parts)
        {
            foreach (object? part in parts)
            {
                if (file.StreamData(part) is { } bytes)
                {
                    yield return bytes;
                }
            }
        }
        else if (file.StreamData(contents) is { } single)
        {
            yield return single;
        }
    }

    /// <summary>Runs one content stream and appends its text.</summary>
    private sealed class PdfTextInterpreter
    {
        private readonly ExtractionContext _context;
        private readonly PdfFile _file;
        private readonly Dictionary<Dictionary<string, object?>, PdfFontDecoder> _fonts;
        private readonly StringBuilder _text;
        private PdfFontDecoder? _font;
        private double _lineX;
        private double _lineY;
        private double _leading;
        private double _shownY = double.NaN;
        private bool _moved;
        private List<PdfToken>? _pendingArray;

        public PdfTextInterpreter(ExtractionContext context, PdfFile file, Dictionary<Dictionary<string, object?>, PdfFontDecoder> fonts, StringBuilder text)
        {
            _context = context;
            _file = file;
            _fonts = fonts;
            _text = text;
        }

        public void Run(byte[] content, Dictionary<string, object?>? resources, int depth)
        {
            var lexer = new PdfContentLexer(content);
            var operands = new List<PdfToken>();
            List<PdfToken>? array = null;
            int ops = 0;
            while (true)
            {
                PdfToken token = lexer.Next();
                switch (token.Kind)
                {
                    case PdfTokenKind.End:
                        return;
                    case PdfTokenKind.ArrayStart:
                        array = new List<PdfToken>();
                        continue;
                    case PdfTokenKind.ArrayEnd:
                        if (array is not null)
                        {
                            // Only TJ takes an array operand that matters here.
                            _pendingArray = array;
                            array = null;
                        }

                        continue;
                    case PdfTokenKind.Operator:
                        if ((++ops & 0xFFF) == 0)
                        {
                            _context.ThrowIfCancelled();
                        }

                        Execute(token.Text!, operands, resources, depth);
                        operands.Clear();
                        _pendingArray = null;
                        continue;
                    default:
                        if (array is not null)
                        {
                            array.Add(token);
                        }
                        else
                        {
                            operands.Add(token);
                        }

                        continue;
                }
            }
        }

        private void Execute(string op, List<PdfToken> operands, Dictionary<string, object?>? resources, int depth)
        {
            switch (op)
            {
                case "BT":
                    // BT resets the text matrix (ISO 32000-1 §9.4.1).
                    (_lineX, _lineY) = (0, 0);
                    _moved = true;
                    break;
                case "Tf" when operands.Count >= 1 && operands[0].Kind == PdfTokenKind.Name:
                    _font = FontFor(resources, operands[0].Text!);
                    break;
                case "TL" when operands.Count >= 1:
                    _leading = operands[0].Number;
                    break;
                case "Tj" when operands.Count >= 1:
                    Show(operands[^1]);
                    break;
                case "'" or "\"" when operands.Count >= 1:
                    NextLine();
                    Show(operands[^1]);
                    break;
                case "TJ" when _pendingArray is not null:
                    foreach (PdfToken item in _pendingArray)
                    {
                        if (item.Kind == PdfTokenKind.String)
                        {
                            Show(item);
                        }
                        else if (item.Kind == PdfTokenKind.Number && item.Number < -200)
                        {
                            // A kerning gap wider than a fifth of an em is a word space in practice.
                            Separate(' ');
                        }
                    }

                    break;
                case "Td" or "TD" when operands.Count >= 2:
                    if (op == "TD")
                    {
                        _leading = -operands[1].Number;
                    }

                    _lineX += operands[0].Number;
                    _lineY += operands[1].Number;
                    _moved = true;
                    break;
                case "Tm" when operands.Count >= 6:
                    (_lineX, _lineY) = (operands[4].Number, operands[5].Number);
                    _moved = true;
                    break;
                case "T*":
                    NextLine();
                    break;
                case "Do" when operands.Count >= 1 && operands[0].Kind == PdfTokenKind.Name && depth < MaxFormDepth:
                    RunForm(resources, operands[0].Text!, depth);
                    break;
            }
        }

        private void NextLine()
        {
            _lineY -= _leading == 0 ? 1 : _leading;
            _moved = true;
        }

        /// <summary>
        /// Text placed at a new position starts a new line when its baseline differs from the
        /// last text shown, and a new word when it is on the same baseline: table cells drawn
        /// one by one stay on one line, as a reader sees them.
        /// </summary>
        private void BeforeShow()
        {
            if (!_moved)
            {
                return;
            }

            _moved = false;
            if (!double.IsNaN(_shownY))
            {
                Separate(Math.Abs(_lineY - _shownY) > 1 ? '\n' : ' ');
            }

            _shownY = _lineY;
        }

        private void Separate(char c)
        {
            if (_text.Length == 0)
            {
                return;
            }

            char last = _text[^1];
            if (last == '\n' || (last == ' ' && c == ' '))
            {
                return;
            }

            if (last == ' ' && c == '\n')
            {
                _text[^1] = '\n';
                return;
            }

            _text.Append(c);
        }

        private void Show(PdfToken token)
        {
            if (token.Kind != PdfTokenKind.String || token.Bytes is null)
            {
                return;
            }

            BeforeShow();
            (_font ?? PdfFontDecoder.Fallback).Decode(token.Bytes, _text);
        }

        private PdfFontDecoder? FontFor(Dictionary<string, object?>? resources, string name)
        {
            if (_file.Get(_file.Get(resources, "Font"), name) is not { } font)
            {
                return null;
            }

            if (!_fonts.TryGetValue(font, out PdfFontDecoder? decoder))
            {
                decoder = PdfFontDecoder.Create(_file, font);
                _fonts[font] = decoder;
            }

            return decoder;
        }

        private void RunForm(Dictionary<string, object?>? resources, string name, int depth)
        {
            object? xobject = _file.Get(resources, "XObject")?.GetValueOrDefault(name);
            if (_file.Dict(xobject) is not { } form || PdfFile.NameOf(form.GetValueOrDefault("Subtype")) != "Form"
                || _file.StreamData(xobject) is not { } content)
            {
                return;
            }

            Dictionary<string, object?>? formResources = _file.Get(form, "Resources") ?? resources;
            var nested = new PdfTextInterpreter(_context, _file, _fonts, _text) { _font = _font };
            nested.Run(content, formResources, depth + 1);
        }
    }
}

/// <summary>Character codes of one font to Unicode: ToUnicode CMap first, then the simple-font encoding.</summary>
internal sealed class PdfFontDecoder
{
    // A CMap maps at most the 65,536 two-byte codes of one font in practice; a few ranges
    // claiming billions of codes would otherwise fill memory.
    private const int MaxMappings = 131_072;

    private static readonly Dictionary<string, char> _glyphNames = BuildGlyphNames();
    private int _mappings;

    private readonly Dictionary<uint, string>[] _map = [new(), new(), new(), new(), new()];
    private readonly List<(int Length, uint Low, uint High)> _codespace = new();
    private readonly char[] _simple = new char[256];
    private readonly bool _hasCMap;
    private readonly bool _twoByte;

    private PdfFontDecoder(bool hasCMap, bool twoByte)
    {
        _hasCMap = hasCMap;
        _twoByte = twoByte;
        for (int i = 0; i < 256; i++)
        {
            _simple[i] = Windows1252DecoderFallback.Map((byte)i);
        }
    }

    public static PdfFontDecoder Fallback { get; } = new(false, false);

    public static PdfFontDecoder Create(PdfFile file, Dictionary<string, object?> font)
    {
        bool type0 = PdfFile.NameOf(font.GetValueOrDefault("Subtype")) == "Type0";
        byte[]? cmap = file.StreamData(font.GetValueOrDefault("ToUnicode"));
        var decoder = new PdfFontDecoder(cmap is not null, type0);
        if (cmap is not null)
        {
            decoder.ParseCMap(cmap);
        }

        if (!type0 && file.Get(font, "Encoding") is { } encoding && file.Resolve(encoding.GetValueOrDefault("Differences")) is List<object?> differences)
        {
            int code = 0;
            foreach (object? item in differences)
            {
                switch (file.Resolve(item))
                {
                    case double number:
                        code = (int)number;
                        break;
                    case PdfName name:
                        if (code is >= 0 and < 256 && GlyphToChar(name.Value) is char c)
                        {
                            decoder._simple[code] = c;
                        }

                        code++;
                        break;
                }
            }
        }

        return decoder;
    }

    public void Decode(byte[] bytes, StringBuilder output)
    {
        if (!_hasCMap)
        {
            if (_twoByte)
            {
                // A composite font without ToUnicode maps glyph ids, not characters: unreadable.
                return;
            }

            foreach (byte b in bytes)
            {
                output.Append(_simple[b]);
            }

            return;
        }

        int i = 0;
        while (i < bytes.Length)
        {
            int length = CodeLength(bytes, i);
            uint code = 0;
            for (int k = 0; k < length; k++)
            {
                code = (code << 8) | bytes[i + k];
            }

            if (_map[length].TryGetValue(code, out string? text))
            {
                output.Append(text);
            }
            else if (length == 1 && !_twoByte)
            {
                output.Append(_simple[code]);
            }

            i += length;
        }
    }

    private int CodeLength(byte[] bytes, int at)
    {
        foreach ((int length, uint low, uint high) in _codespace)
        {
            if (at + length > bytes.Length)
            {
                continue;
            }

            uint code = 0;
            for (int k = 0; k < length; k++)
            {
                code = (code << 8) | bytes[at + k];
            }

            if (code >= low && code <= high)
            {
                return length;
            }
        }

        int fallback = _twoByte ? 2 : 1;
        return Math.Min(fallback, bytes.Length - at);
    }

    /// <summary>bfchar, bfrange and codespacerange of a ToUnicode CMap (ISO 32000-1 §9.10.3).</summary>
    private void ParseCMap(byte[] data)
    {
        var lexer = new PdfContentLexer(data);
        var operands = new List<PdfToken>();
        string? section = null;
        List<PdfToken>? array = null;
        while (true)
        {
            PdfToken token = lexer.Next();
            if (token.Kind == PdfTokenKind.End)
            {
                break;
            }

            if (token.Kind == PdfTokenKind.ArrayStart)
            {
                array = new List<PdfToken>();
                continue;
            }

            if (token.Kind == PdfTokenKind.ArrayEnd)
            {
                if (array is not null && section == "bfrange" && operands.Count >= 2)
                {
                    AddRangeArray(operands[^2].Bytes, operands[^1].Bytes, array);
                    operands.RemoveRange(operands.Count - 2, 2);
                }

                array = null;
                continue;
            }

            if (array is not null)
            {
                array.Add(token);
                continue;
            }

            if (token.Kind == PdfTokenKind.Operator)
            {
                switch (token.Text)
                {
                    case "begincodespacerange":
                    case "beginbfchar":
                    case "beginbfrange":
                        section = token.Text[5..];
                        operands.Clear();
                        break;
                    case "endcodespacerange":
                    case "endbfchar":
                    case "endbfrange":
                        section = null;
                        operands.Clear();
                        break;
                    default:
                        operands.Clear();
                        break;
                }

                continue;
            }

            operands.Add(token);
            switch (section)
            {
                case "codespacerange" when operands.Count == 2:
                    if (operands[0].Bytes is { Length: >= 1 and <= 4 } lo && operands[1].Bytes is { } hi)
                    {
                        _codespace.Add((lo.Length, ToCode(lo), ToCode(hi)));
                    }

                    operands.Clear();
                    break;
                case "bfchar" when operands.Count == 2:
                    if (operands[0].Bytes is { Length: >= 1 and <= 4 } src)
                    {
                        string? dst = operands[1].Kind == PdfTokenKind.String ? Utf16(operands[1].Bytes!)
                            : operands[1].Kind == PdfTokenKind.Name && GlyphToChar(operands[1].Text!) is char g ? g.ToString() : null;
                        if (dst is not null && _mappings++ < MaxMappings)
                        {
                            _map[src.Length][ToCode(src)] = dst;
                        }
                    }

                    operands.Clear();
                    break;
                case "bfrange" when operands.Count == 3:
                    if (operands[0].Bytes is { Length: >= 1 and <= 4 } low && operands[1].Bytes is { } high && operands[2].Bytes is { Length: > 0 } start)
                    {
                        uint from = ToCode(low);
                        uint to = Math.Min(ToCode(high), from + 65535);
                        string first = Utf16(start);
                        for (uint code = from; code <= to && first.Length > 0 && _mappings++ < MaxMappings; code++)
                        {
                            // Only the last character increments across the range.
                            int offset = (int)(code - from);
                            _map[low.Length][code] = first[..^1] + (char)(first[^1] + offset);
                        }
                    }

                    operands.Clear();
                    break;
            }
        }

        // Codes are matched by length, shortest range first, as §9.7.6.2 describes.
        _codespace.Sort((a, b) => a.Length.CompareTo(b.Length));
    }

    private void AddRangeArray(byte[]? low, byte[]? high, List<PdfToken> targets)
    {
        if (low is not { Length: >= 1 and <= 4 } || high is null)
        {
            return;
        }

        uint from = ToCode(low);
        for (int i = 0; i < targets.Count && _mappings++ < MaxMappings; i++)
        {
            if (targets[i].Bytes is { } dst)
            {
                _map[low.Length][from + (uint)i] = Utf16(dst);
            }
        }
    }

    private static uint ToCode(byte[] bytes)
    {
        uint code = 0;
        foreach (byte b in bytes.AsSpan(0, Math.Min(bytes.Length, 4)))
        {
            code = (code << 8) | b;
        }

        return code;
    }

    private static string Utf16(byte[] bytes) =>
        bytes.Length == 1 ? ((char)bytes[0]).ToString() : Encoding.BigEndianUnicode.GetString(bytes, 0, bytes.Length & ~1);

    private static char? GlyphToChar(string name)
    {
        if (name.Length == 1)
        {
            return name[0];
        }

        if (name.StartsWith("uni", StringComparison.Ordinal) && name.Length == 7
            && int.TryParse(name.AsSpan(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
        {
            return (char)code;
        }

        return _glyphNames.TryGetValue(name, out char c) ? c : null;
    }

    private static Dictionary<string, char> BuildGlyphNames()
    {
        // The common part of the Adobe Glyph List: what Latin-text /Differences arrays use.
        var map = new Dictionary<string, char>(StringComparer.Ordinal)
        {
            ["space"] = ' ', ["exclam"] = '!', ["quotedbl"] = '"', ["numbersign"] = '#', ["dollar"] = '$', ["percent"] = '%',
            ["ampersand"] = '&', ["quotesingle"] = '\'', ["parenleft"] = '(', ["parenright"] = ')', ["asterisk"] = '*',
            ["plus"] = '+', ["comma"] = ',', ["hyphen"] = '-', ["period"] = '.', ["slash"] = '/', ["colon"] = ':',
            ["semicolon"] = ';', ["less"] = '<', ["equal"] = '=', ["greater"] = '>', ["question"] = '?', ["at"] = '@',
            ["bracketleft"] = '[', ["backslash"] = '\\', ["bracketright"] = ']', ["underscore"] = '_', ["quoteleft"] = '\u2018',
            ["quoteright"] = '\u2019', ["quotedblleft"] = '\u201C', ["quotedblright"] = '\u201D', ["endash"] = '\u2013',
            ["emdash"] = '\u2014', ["bullet"] = '\u2022', ["sterling"] = '\u00A3', ["euro"] = '\u20AC', ["nbspace"] = '\u00A0',
        };
        string[] digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        for (int i = 0; i < digits.Length; i++)
        {
            map[digits[i]] = (char)('0' + i);
        }

        return map;
    }
}
