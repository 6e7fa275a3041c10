using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// RTF 1.9.1 read as a token stream: groups, control words, \'hh bytes (decoded in the
/// document's \ansicpg code page, so double-byte code pages work) and \uN escapes with their
/// \ucN fallback skipped. Destinations that are not body text (\*, font/colour/style tables,
/// pictures, objects, field instructions, document info) are skipped whole. Table rows
/// (\intbl ... \cell ... \row) become table rows; everything else is text.
/// </summary>
internal sealed class RtfExtractor
{
    private static readonly HashSet<string> _skipDestinations = new(StringComparer.Ordinal)
    {
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "objdata", "themedata", "colorschememapping",
        "datastore", "latentstyles", "listtable", "listoverridetable", "rsidtbl", "generator", "xmlnstbl", "mmathPr",
        "pgdsctbl", "fldinst", "filetbl", "revtbl", "bkmkstart", "bkmkend", "xe", "tc", "nonshppict", "panose", "falt",
        "leveltext", "levelnumbers", "protusertbl", "wgrffmtfilter", "userprops", "docvar", "listtext", "pntext",
        "pntxta", "pntxtb", "template", "fchars", "lchars", "blipuid", "sp", "sn", "sv",
    };

    private readonly ExtractionContext _context;
    private readonly ContentLocation _location;
    private readonly TextBlockWriter _writer;
    private readonly List<byte> _pending = new();
    private readonly Stack<(bool Skip, int Uc)> _groups = new();
    private Encoding _codePage = TextSniffer.Windows1252;
    private bool _skip;
    private int _uc = 1;
    private int _fallbackToSkip;
    private bool _groupStart;
    private int _pushback = -1;

    // Table state.
    private bool _inTable;
    private StringBuilder? _cell;
    private List<Cell>? _row;
    private ITableSink? _table;
    private long _tableRow;
    private int _tables;

    private RtfExtractor(ExtractionContext context, ContentLocation location)
    {
        _context = context;
        _location = location;
        _writer = new TextBlockWriter(context.Sink, location);
    }

    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        var extractor = new RtfExtractor(context, location);
        using var buffered = new BufferedStream(stream, 64 * 1024);
        try
        {
            extractor.Run(buffered);
        }
        finally
        {
            extractor._table?.Complete();
        }
    }

    private void Run(Stream input)
    {
        long count = 0;
        int b;
        while ((b = Next(input)) >= 0)
        {
            if ((++count & 0xFFFF) == 0)
            {
                _context.ThrowIfCancelled();
            }

            switch (b)
            {
                case '{':
                    FlushPending();
                    _groups.Push((_skip, _uc));
                    _groupStart = true;
                    continue;
                case '}':
                    FlushPending();
                    if (_groups.Count > 0)
                    {
                        (_skip, _uc) = _groups.Pop();
                    }

                    _groupStart = false;
                    continue;
                case '\\':
                    ReadControl(input);
                    continue;
                case '\r' or '\n':
                    continue;
                default:
                    _groupStart = false;
                    if (_fallbackToSkip > 0)
                    {
                        _fallbackToSkip--;
                        continue;
                    }

                    if (!_skip)
                    {
                        _pending.Add((byte)b);
                    }

                    continue;
            }
        }

        FlushPending();
        EndTable();
        _writer.Flush();
    }

    private void ReadControl(Stream input)
    {
        int c = Next(input);
        if (c < 0)
        {
            return;
        }

        bool atGroupStart = _groupStart;
        _groupStart = false;
        if (!char.IsAsciiLetter((char)c))
        {
            switch (c)
            {
                case '\'':
                    int hi = HexValue(Next(input));
                    int lo = HexValue(Next(input));
                    if (_fallbackToSkip > 0)
                    {
                        _fallbackToSkip--;
                    }
                    else if (!_skip && hi >= 0 && lo >= 0)
                    {
                        _pending.Add((byte)((hi << 4) | lo));
                    }

                    return;
                case '*':
                    // \* marks a destination a reader may ignore when it does not know it.
                    _skip = true;
                    return;
                case '\\' or '{' or '}':
                    if (!_skip)
                    {
                        _pending.Add((byte)c);
                    }

                    return;
                case '~':
                    Emit(" ");
                    return;
                case '_':
                    Emit("-");
                    return;
                case '\r' or '\n':
                    Emit("\n");
                    return;
                default:
                    return;
            }
        }

        var word = new StringBuilder();
        while (c >= 0 && char.IsAsciiLetter((char)c) && word.Length < 32)
        {
            word.Append((char)c);
            c = Next(input);
        }

        bool negative = false;
        bool hasParam = false;
        long param = 0;
        if (c == '-')
        {
            negative = true;
            c = Next(input);
        }

        while (c is >= '0' and <= '9')
        {
            hasParam = true;
            param = Math.Min((param * 10) + (c - '0'), int.MaxValue);
            c = Next(input);
        }

        if (negative)
        {
            param = -param;
        }

        // The delimiter: a space belongs to the control word; anything else is the next token.
        if (c >= 0 && c != ' ')
        {
            _pushback = c;
        }

        string name = word.ToString();
        if (atGroupStart && _skipDestinations.Contains(name))
        {
            _skip = true;
            return;
        }

        switch (name)
        {
            case "bin" when hasParam && param > 0:
                FlushPending();
                long toSkip = param;
                while (toSkip-- > 0 && Next(input) >= 0)
                {
                }

                return;
            case "ansicpg" when hasParam:
                try
                {
                    _codePage = Encoding.GetEncoding((int)param);
                }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                {
                    // Unknown code page: keep Windows-1252.
                }

                return;
            case "uc" when hasParam:
                _uc = (int)Math.Clamp(param, 0, 10);
                return;
            case "u" when hasParam:
                if (!_skip)
                {
                    FlushPending();
                    int code = (int)(param < 0 ? param + 65536 : param);
                    Emit(((char)code).ToString());
                }

                _fallbackToSkip = _uc;
                return;
        }

        if (_skip)
        {
            return;
        }

        switch (name)
        {
            case "par" or "line" or "sect" or "page":
                Emit("\n");
                break;
            case "tab":
                Emit("\t");
                break;
            case "emdash":
                Emit("\u2014");
                break;
            case "endash":
                Emit("\u2013");
                break;
            case "lquote":
                Emit("\u2018");
                break;
            case "rquote":
                Emit("\u2019");
                break;
            case "ldblquote":
                Emit("\u201C");
                break;
            case "rdblquote":
                Emit("\u201D");
                break;
            case "bullet":
                Emit("\u2022");
                break;
            case "intbl":
                FlushPending();
                _inTable = true;
                break;
            case "pard":
                FlushPending();
                _inTable = false;
                break;
            case "nestcell":
                Emit("\t");
                break;
            case "cell":
                FlushPending();
                if (_cell is not null || _inTable)
                {
                    (_row ??= new List<Cell>()).Add(Cell.FromText((_cell?.ToString() ?? string.Empty).Trim()));
                    _cell = null;
                }

                break;
            case "row":
                FlushPending();
                EndRow();
                break;
        }
    }

    private void Emit(string text)
    {
        FlushPending();
        Write(text);
    }

    private void FlushPending()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        string text = _codePage.GetString(_pending.ToArray());
        _pending.Clear();
        Write(text);
    }

    private void Write(string text)
    {
        if (_inTable)
        {
            (_cell ??= new StringBuilder()).Append(text);
            return;
        }

        if (_table is not null && !string.IsNullOrWhiteSpace(text))
        {
            EndTable();
        }

        _writer.Append(text);
    }

    private void EndRow()
    {
        if (_cell is not null && _cell.Length > 0)
        {
            (_row ??= new List<Cell>()).Add(Cell.FromText(_cell.ToString().Trim()));
        }

        _cell = null;
        if (_row is { Count: > 0 })
        {
            if (_table is null)
            {
                _writer.Flush();
                _table = _context.Sink.BeginTable(_location with { Sheet = "table " + (++_tables).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                _tableRow = 0;
            }

            _context.AddCells(_row.Count);
            _table.OnRow(_tableRow++, _row.ToArray());
        }

        _row = null;
    }

    private void EndTable()
    {
        if (_table is not null)
        {
            _table.Complete();
            _table = null;
        }
    }

    /// <summary>One byte of look-back: a control word ends at the first byte that is not part of it.</summary>
    private int Next(Stream input)
    {
        if (_pushback >= 0)
        {
            int b = _pushback;
            _pushback = -1;
            return b;
        }

        return input.ReadByte();
    }

    private static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
