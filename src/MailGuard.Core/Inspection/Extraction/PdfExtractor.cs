using System.Globalization;
using System.Text;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Advanced;
using PdfSharp.Pdf.IO;

namespace MailGuard.Core.Inspection.Extraction;

/// <summary>
/// PDF text in-process: PDFsharp parses the file (xref, object streams, filters, decryption
/// with an empty user password) and this class interprets the page content streams: the text
/// operators Tj, TJ, ' and ", decoded through each font's ToUnicode CMap, or its simple
/// encoding (WinAnsi, /Differences) when it has none. Line breaks come from Td/TD/T*/Tm moves.
/// Form XObjects are followed. One text block per page. A file that asks for a password is
/// PasswordProtected. No external process (pdftotext) is used: a DLP relay should not fork
/// a tool per attachment.
/// </summary>
internal static class PdfExtractor
{
    private const int MaxFormDepth = 8;

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        bool passwordAsked = false;
        PdfDocument document;
        try
        {
            document = PdfReader.Open(stream, PdfDocumentOpenMode.Import, args =>
            {
                passwordAsked = true;
                args.Abort = true;
            });
        }
        catch (Exception) when (passwordAsked)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, "PDF is encrypted with a user password");
            return;
        }

        if (passwordAsked || document is null)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, "PDF is encrypted with a user password");
            return;
        }

        using (document)
        {
            var fonts = new Dictionary<PdfDictionary, PdfFontDecoder>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < document.PageCount; i++)
            {
                context.ThrowIfCancelled();
                PdfPage page = document.Pages[i];
                var text = new StringBuilder();
                PdfDictionary? resources = InheritedResources(page);
                foreach (byte[] content in PageContents(page))
                {
                    new PdfTextInterpreter(context, fonts, text).Run(content, resources, 0);
                }

                string pageText = text.ToString().Trim();
                if (pageText.Length > 0)
                {
                    context.Sink.OnText(location, pageText + "\n");
                }
            }
        }
    }

    private static PdfDictionary? InheritedResources(PdfPage page)
    {
        PdfDictionary? node = page;
        for (int i = 0; node is not null && i < 32; i++)
        {
            if (Resolve(node.Elements["/Resources"]) is PdfDictionary resources)
            {
                return resources;
            }

            node = Resolve(node.Elements["/Parent"]) as PdfDictionary;
        }

        return null;
    }

    private static IEnumerable<byte[]> PageContents(PdfPage page)
    {
        PdfItem? contents = Resolve(page.Elements["/Contents"]);
        if (contents is PdfArray array)
        {
            foreach (PdfItem item in array.Elements)
            {
                if (Resolve(item) is PdfDictionary { Stream: not null } part)
                {
                    yield return part.Stream.UnfilteredValue;
                }
            }
        }
        else if (contents is PdfDictionary { Stream: not null } single)
        {
            yield return single.Stream.UnfilteredValue;
        }
    }

    internal static PdfItem? Resolve(PdfItem? item)
    {
        for (int i = 0; item is PdfReference reference && i < 32; i++)
        {
            item = reference.Value;
        }

        return item;
    }

    /// <summary>Runs one content stream and appends its text.</summary>
    private sealed class PdfTextInterpreter
    {
        private readonly ExtractionContext _context;
        private readonly Dictionary<PdfDictionary, PdfFontDecoder> _fonts;
        private readonly StringBuilder _text;
        private PdfFontDecoder? _font;
        private double _lastY = double.NaN;

        public PdfTextInterpreter(ExtractionContext context, Dictionary<PdfDictionary, PdfFontDecoder> fonts, StringBuilder text)
        {
            _context = context;
            _fonts = fonts;
            _text = text;
        }

        public void Run(byte[] content, PdfDictionary? resources, int depth)
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

        private List<PdfToken>? _pendingArray;

        private void Execute(string op, List<PdfToken> operands, PdfDictionary? resources, int depth)
        {
            switch (op)
            {
                case "BT":
                    _lastY = double.NaN;
                    break;
                case "ET":
                    Separate(' ');
                    break;
                case "Tf" when operands.Count >= 1 && operands[0].Kind == PdfTokenKind.Name:
                    _font = FontFor(resources, operands[0].Text!);
                    break;
                case "Tj" when operands.Count >= 1:
                    Show(operands[^1]);
                    break;
                case "'" when operands.Count >= 1:
                    Separate('\n');
                    Show(operands[^1]);
                    break;
                case "\"" when operands.Count >= 1:
                    Separate('\n');
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
                    Move(operands[1].Number, relative: true, operands[0].Number);
                    break;
                case "Tm" when operands.Count >= 6:
                    Move(operands[5].Number, relative: false, 0);
                    break;
                case "T*":
                    Separate('\n');
                    break;
                case "Do" when operands.Count >= 1 && operands[0].Kind == PdfTokenKind.Name && depth < MaxFormDepth:
                    RunForm(resources, operands[0].Text!, depth);
                    break;
            }
        }

        private void Move(double y, bool relative, double x)
        {
            if (relative)
            {
                if (Math.Abs(y) > 0.5)
                {
                    Separate('\n');
                }
                else if (x > 0)
                {
                    Separate(' ');
                }

                return;
            }

            if (!double.IsNaN(_lastY) && Math.Abs(y - _lastY) > 0.5)
            {
                Separate('\n');
            }
            else
            {
                Separate(' ');
            }

            _lastY = y;
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

            (_font ?? PdfFontDecoder.Fallback).Decode(token.Bytes, _text);
        }

        private PdfFontDecoder? FontFor(PdfDictionary? resources, string name)
        {
            if (resources is null || Resolve(resources.Elements["/Font"]) is not PdfDictionary fonts
                || Resolve(fonts.Elements["/" + name]) is not PdfDictionary font)
            {
                return null;
            }

            if (!_fonts.TryGetValue(font, out PdfFontDecoder? decoder))
            {
                decoder = PdfFontDecoder.Create(font);
                _fonts[font] = decoder;
            }

            return decoder;
        }

        private void RunForm(PdfDictionary? resources, string name, int depth)
        {
            if (resources is null || Resolve(resources.Elements["/XObject"]) is not PdfDictionary xobjects
                || Resolve(xobjects.Elements["/" + name]) is not PdfDictionary { Stream: not null } form
                || form.Elements.GetName("/Subtype") != "/Form")
            {
                return;
            }

            PdfDictionary? formResources = Resolve(form.Elements["/Resources"]) as PdfDictionary ?? resources;
            var nested = new PdfTextInterpreter(_context, _fonts, _text) { _font = _font };
            nested.Run(form.Stream.UnfilteredValue, formResources, depth + 1);
        }
    }
}

/// <summary>Character codes of one font to Unicode: ToUnicode CMap first, then the simple-font encoding.</summary>
internal sealed class PdfFontDecoder
{
    private static readonly Dictionary<string, char> _glyphNames = BuildGlyphNames();

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

    public static PdfFontDecoder Create(PdfDictionary font)
    {
        bool type0 = font.Elements.GetName("/Subtype") == "/Type0";
        byte[]? cmap = (PdfExtractor.Resolve(font.Elements["/ToUnicode"]) as PdfDictionary)?.Stream?.UnfilteredValue;
        var decoder = new PdfFontDecoder(cmap is not null, type0);
        if (cmap is not null)
        {
            decoder.ParseCMap(cmap);
        }

        if (!type0 && PdfExtractor.Resolve(font.Elements["/Encoding"]) is PdfDictionary encoding
            && PdfExtractor.Resolve(encoding.Elements["/Differences"]) is PdfArray differences)
        {
            int code = 0;
            foreach (PdfItem item in differences.Elements)
            {
                switch (PdfExtractor.Resolve(item))
                {
                    case PdfInteger i:
                        code = i.Value;
                        break;
                    case PdfName n:
                        if (code is >= 0 and < 256 && GlyphToChar(n.Value[1..]) is char c)
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
                        if (dst is not null)
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
                        for (uint code = from; code <= to && first.Length > 0; code++)
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
        for (int i = 0; i < targets.Count; i++)
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
