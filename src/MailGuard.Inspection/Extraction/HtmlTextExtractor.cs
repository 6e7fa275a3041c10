using System.Net;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A streaming tag stripper for HTML (and XML) bodies: one pass, no DOM, so a hostile page
/// costs linear time. Script, style and similar raw-text elements are dropped, entities
/// decoded, block elements become line breaks. All visible text, table cells included (tab
/// between cells, one line per row), goes to OnText, because mail layouts put whole letters
/// inside tables; each &lt;table&gt; is also sent row by row to BeginTable (a data table inside
/// a layout table's cell is a table of its own, to <see cref="ExtractionLimits.MaxNestedTables"/> deep, past
/// which it is text of its cell), unless no row of it has two cells: a table of one column is
/// layout, and its text is read with the rest. Comments, alt and title attributes, form fields'
/// values and placeholders, and what a style sheet shows (<see cref="CssContentText"/>) are read too, as text of their own after the
/// visible text's: a client shows alt text when it blocks images and a title on hover, clients
/// that honour style sheets show their content strings, and the message's source shows comments.
/// </summary>
internal sealed partial class HtmlTextExtractor
{
    private static readonly HashSet<string> _rawText = new(StringComparer.Ordinal) { "script", "style", "noscript", "template", "xmp", "iframe", "noembed", "noframes" };

    private static readonly HashSet<string> _blocks = new(StringComparer.Ordinal)
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "blockquote",
        "pre", "hr", "section", "article", "header", "footer", "nav", "aside", "address", "form", "fieldset", "title",
        "caption", "center", "main", "figure", "figcaption", "body", "html", "tbody", "thead", "tfoot",
    };

    private readonly ExtractionContext _context;
    private readonly ContentLocation _location;
    private readonly TextBlockWriter _writer;
    private readonly StringBuilder _run = new();

    // Comments' text: no client shows it, but anyone can read it in the message's source, so a
    // list hidden in a comment is read (tags in it skipped), apart from the visible text's lines;
    // and so are alt and title texts, which clients show in place of an image or over an element.
    private readonly TextBlockWriter _hidden;
    private bool _commentTag;

    // What style sheets show (content strings and the attributes content: attr() names), read
    // with the comments; and whether the raw text being skipped is a style element's.
    private readonly CssContentText _css;
    private bool _inStyle;

    // A tag is kept to this many characters: its name, and the alt and title text a client shows
    // in place of an image or over an element (more is not a label a person reads).
    internal const int MaxTagChars = 4096;
    private readonly StringBuilder _tag = new();

    // The tables open, innermost last, and how many past the limit are open inside them.
    private readonly List<TableFrame> _tables = [];
    private int _flattened;

    // A table being read. Rows of one cell before its first row of several: a table that has no
    // other is layout (its text is read with the rest of the text), and is not sent as a table.
    private sealed class TableFrame
    {
        public ITableSink? Sink { get; set; }

        public long Row { get; set; }

        public List<(long Row, Cell[] Cells)> SingleCellRows { get; } = [];

        public List<Cell>? Cells { get; set; }

        // The open cell's text; null between cells.
        public StringBuilder? Cell { get; set; }
    }

    private TableFrame? Current => _tables.Count > 0 ? _tables[^1] : null;

    private bool CellOpen => Current?.Cell is not null;

    public HtmlTextExtractor(ExtractionContext context, ContentLocation location)
    {
        _context = context;
        _location = location;
        _writer = new TextBlockWriter(context.Sink, location);
        _hidden = new TextBlockWriter(context.Sink, location);
        _css = new CssContentText(_hidden);
    }

    private enum State
    {
        Text,
        TagStart,
        Tag,
        Comment,
        Declaration,
        RawText,
    }

    public void Extract(TextReader reader)
    {
        char[] buffer = new char[16 * 1024];
        State state = State.Text;
        char quote = '\0';
        string rawEnd = string.Empty;
        int rawMatch = 0;
        int dashes = 0;
        int n;
        try
        {
            while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                _context.ThrowIfCancelled();
                for (int i = 0; i < n; i++)
                {
                    char c = buffer[i];
                    switch (state)
                    {
                        case State.Text:
                            if (c == '<')
                            {
                                state = State.TagStart;
                            }
                            else
                            {
                                _run.Append(c);
                            }

                            break;
                        case State.TagStart:
                            if (c == '!')
                            {
                                state = State.Declaration;
                                dashes = 0;
                                _tag.Clear();
                            }
                            else if (char.IsAsciiLetter(c) || c == '/' || c == '?')
                            {
                                FlushRun();
                                _tag.Clear().Append(c);
                                quote = '\0';
                                state = State.Tag;
                            }
                            else
                            {
                                // "a < b" in text is not a tag.
                                _run.Append('<');
                                if (c == '<')
                                {
                                    break;
                                }

                                _run.Append(c);
                                state = State.Text;
                            }

                            break;
                        case State.Declaration:
                            // "<!--" starts a comment; anything else (<!DOCTYPE, <![CDATA[) ends at '>'.
                            if (c == '-' && _tag.Length < 2)
                            {
                                _tag.Append(c);
                                if (_tag.Length == 2)
                                {
                                    FlushRun();
                                    state = State.Comment;
                                    dashes = 0;
                                    _commentTag = false;
                                }
                            }
                            else if (c == '>')
                            {
                                state = State.Text;
                            }
                            else
                            {
                                _tag.Append('x');
                            }

                            break;
                        case State.Comment:
                            if (c == '-')
                            {
                                dashes++;
                            }
                            else
                            {
                                if (c == '>' && dashes >= 2)
                                {
                                    state = State.Text;
                                    _hidden.Append('\n');
                                }
                                else
                                {
                                    for (; dashes > 0; dashes--)
                                    {
                                        CommentText('-');
                                    }

                                    CommentText(c);
                                }

                                dashes = 0;
                            }

                            break;
                        case State.Tag:
                            if (quote != '\0')
                            {
                                if (c == quote)
                                {
                                    quote = '\0';
                                }

                                if (_tag.Length < MaxTagChars)
                                {
                                    _tag.Append(c);
                                }
                            }
                            else if (c is '"' or '\'')
                            {
                                quote = c;
                                if (_tag.Length < MaxTagChars)
                                {
                                    _tag.Append(c);
                                }
                            }
                            else if (c == '>')
                            {
                                string? raw = OnTag();
                                if (raw is not null)
                                {
                                    _inStyle = raw == "style";
                                    rawEnd = "</" + raw;
                                    rawMatch = 0;
                                    state = State.RawText;
                                }
                                else
                                {
                                    state = State.Text;
                                }
                            }
                            else if (_tag.Length < MaxTagChars)
                            {
                                _tag.Append(c);
                            }

                            break;
                        case State.RawText:
                            if (_inStyle)
                            {
                                _css.Append(c);
                            }

                            // Skip to the matching end tag; case-insensitive, no nesting.
                            if (char.ToLowerInvariant(c) == rawEnd[rawMatch])
                            {
                                if (++rawMatch == rawEnd.Length)
                                {
                                    if (_inStyle)
                                    {
                                        _css.End();
                                        _inStyle = false;
                                    }

                                    _tag.Clear().Append('/');
                                    state = State.Tag;
                                    quote = '\0';
                                    _tag.Append(rawEnd.AsSpan(2));
                                }
                            }
                            else
                            {
                                rawMatch = char.ToLowerInvariant(c) == rawEnd[0] ? 1 : 0;
                            }

                            break;
                    }
                }
            }

            FlushRun();
            _flattened = 0;
            while (_tables.Count > 0)
            {
                EndTable();
            }

            _writer.Flush();
            _hidden.Flush();
            if (_css.PastLimit)
            {
                _context.Sink.OnUnscannable(_location, UnscannableReason.TooManyParts,
                    $"style sheet names more than {CssContentText.MaxAttributes} attributes to show; those past it are not read");
            }
        }
        finally
        {
            // Cut short (a limit, cancellation): the tables read so far still count.
            for (int i = _tables.Count - 1; i >= 0; i--)
            {
                _tables[i].Sink?.Complete();
            }

            _tables.Clear();
        }
    }

    /// <summary>Acts on a complete tag; returns the element name when its content is raw text to skip.</summary>
    private string? OnTag()
    {
        string tag = _tag.ToString();
        bool end = tag.StartsWith('/');
        int nameStart = end ? 1 : 0;
        int nameEnd = nameStart;
        while (nameEnd < tag.Length && (char.IsAsciiLetterOrDigit(tag[nameEnd]) || tag[nameEnd] is '-' or ':'))
        {
            nameEnd++;
        }

        string name = tag[nameStart..nameEnd].ToLowerInvariant();
        bool selfClosing = tag.EndsWith('/');
        if (!end)
        {
            ShownAttributes(tag, nameEnd, name is "input" or "textarea");
        }

        switch (name)
        {
            case "table":
                if (end)
                {
                    EndTable();
                }
                else
                {
                    StartTable();
                }

                return null;
            case "tr" when Current is { } frame && _flattened == 0:
                EndRow(frame);
                if (!end)
                {
                    frame.Cells = new List<Cell>();
                }

                _writer.LineBreak();
                return null;
            case "td" or "th" when Current is { } frame && _flattened == 0:
                EndCell(frame);
                if (!end)
                {
                    frame.Cells ??= new List<Cell>();
                    frame.Cell = new StringBuilder();
                    if (_writer.LastChar != '\n')
                    {
                        _writer.Append('\t');
                    }
                }

                return null;
            case "td" or "th":
                Write(" ");
                return null;
        }

        if (!end && !selfClosing && _rawText.Contains(name))
        {
            return name;
        }

        if (_blocks.Contains(name))
        {
            if (CellOpen)
            {
                Write(" ");
            }
            else
            {
                _writer.LineBreak();
            }
        }

        return null;
    }

    // A character of a comment: its text kept, markup in it (an Outlook conditional comment's) skipped.
    private void CommentText(char c)
    {
        if (_commentTag)
        {
            if (c == '>')
            {
                _commentTag = false;
                _hidden.Append(' ');
            }
        }
        else if (c == '<')
        {
            _commentTag = true;
        }
        else
        {
            // As a span: a long comment is handed on in blocks cut at a line break or a space.
            _hidden.Append(new ReadOnlySpan<char>(in c));
        }
    }

    private void FlushRun()
    {
        if (_run.Length == 0)
        {
            return;
        }

        string text = _run.ToString();
        _run.Clear();
        if (text.Contains('&'))
        {
            text = WebUtility.HtmlDecode(text);
        }

        // HTML collapses white space; line structure comes from the block elements.
        var collapsed = new StringBuilder(text.Length);
        bool space = _writer.LastChar is '\n' or ' ' or '\t';
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || c == '\u00A0')
            {
                if (!space)
                {
                    collapsed.Append(' ');
                    space = true;
                }
            }
            else
            {
                collapsed.Append(c);
                space = false;
            }
        }

        Write(collapsed.ToString());
    }

    private void Write(string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        _writer.Append(text);
        Current?.Cell?.Append(text);
    }

    private void StartTable()
    {
        if (_flattened > 0 || _tables.Count >= ExtractionLimits.MaxNestedTables)
        {
            _flattened++;
            Write(" ");
            return;
        }

        _writer.LineBreak();
        _tables.Add(new TableFrame());
    }

    private void EndTable()
    {
        if (_flattened > 0)
        {
            _flattened--;
            return;
        }

        if (Current is not { } frame)
        {
            return;
        }

        EndRow(frame);
        _writer.LineBreak();
        frame.Sink?.Complete();
        _tables.RemoveAt(_tables.Count - 1);
    }

    private static void EndCell(TableFrame frame)
    {
        if (frame.Cell is { } cell)
        {
            frame.Cells!.Add(Cell.FromText(cell.ToString().Trim()));
            frame.Cell = null;
        }
    }

    private void EndRow(TableFrame frame)
    {
        EndCell(frame);
        if (frame.Cells is { Count: > 0 } cells)
        {
            _context.AddCells(cells.Count);
            if (frame.Sink is null && cells.Count == 1)
            {
                frame.SingleCellRows.Add((frame.Row++, cells.ToArray()));
            }
            else
            {
                if (frame.Sink is null)
                {
                    frame.Sink = _context.Sink.BeginTable(_location);
                    foreach (var (row, single) in frame.SingleCellRows)
                    {
                        frame.Sink.OnRow(row, single);
                    }

                    frame.SingleCellRows.Clear();
                }

                frame.Sink.OnRow(frame.Row++, cells.ToArray());
            }
        }

        frame.Cells = null;
    }
}
