using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The text a style sheet puts on the page: the strings of its <c>content</c> declarations
/// (<c>.r1::before { content: "Amy Lowe AB123456C" }</c>), which clients that honour style
/// sheets (Apple Mail, Thunderbird) show as if it were the element's own text, and the names of
/// the attributes such a declaration shows (<c>content: attr(data-ni)</c>), whose values the
/// HTML reader then reads wherever it meets them. Fed the characters of a <c>style</c> element
/// one at a time; CSS escapes in strings (<c>\41</c>, <c>\"</c>) are decoded. Each declaration's
/// strings are written together (adjacent strings show as one text) and end a line.
/// </summary>
internal sealed class CssContentText(TextBlockWriter writer)
{
    // The longest word kept while reading one (a property, a function or an attribute name): as
    // long as a whole tag the HTML reader keeps, so any attribute it can read can be named here.
    private const int MaxWord = HtmlTextExtractor.MaxTagChars;

    // The most attribute names kept: a style sheet naming more is not a mail layout, and the
    // HTML reader reports it unscannable (PastLimit).
    internal const int MaxAttributes = 64;

    private readonly StringBuilder _word = new();
    private string _last = string.Empty;
    private readonly StringBuilder _escape = new();
    private readonly HashSet<string> _attributes = new(StringComparer.OrdinalIgnoreCase);
    private bool _inContent;
    private bool _inAttr;
    private bool _wrote;
    private char _quote;
    private bool _escaped;
    private bool _comment;
    private char _previous;

    /// <summary>Whether a style sheet named more attributes to show than <see cref="MaxAttributes"/> (those past it are not read).</summary>
    public bool PastLimit { get; private set; }

    /// <summary>Attributes a <c>content: attr(...)</c> declaration shows, by name (no case).</summary>
    public IReadOnlySet<string> Attributes => _attributes;

    public void Append(char c)
    {
        char previous = _previous;
        _previous = c;
        if (_quote != '\0')
        {
            String(c);
            return;
        }

        if (_comment)
        {
            _comment = !(previous == '*' && c == '/');
            return;
        }

        if (previous == '/' && c == '*')
        {
            _comment = true;
            _previous = '\0';
            return;
        }

        if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        {
            if (_word.Length < MaxWord)
            {
                _word.Append(char.ToLowerInvariant(c));
            }

            return;
        }

        if (_word.Length > 0)
        {
            // A word just ended: the name a ':' or '(' after it (past white space) belongs to.
            _last = _word.ToString();
            _word.Clear();
            if (_inAttr && !_attributes.Contains(_last))
            {
                if (_attributes.Count < MaxAttributes)
                {
                    _attributes.Add(_last);
                }
                else
                {
                    PastLimit = true;
                }
            }
        }

        if (c is ' ' or '\t' or '\n' or '\r' or '\f')
        {
            return;
        }

        string word = _last;
        _last = string.Empty;
        switch (c)
        {
            case ':' when word == "content":
                _inContent = true;
                break;
            case '(' when _inContent && word == "attr":
                _inAttr = true;
                break;
            case ')' when _inAttr:
                _inAttr = false;
                break;
            case ';' or '}' or '{':
                EndDeclaration();
                break;
            case '"' or '\'' when _inContent:
                _quote = c;
                break;
        }
    }

    /// <summary>The style element has ended: whatever declaration was open ends with it.</summary>
    public void End()
    {
        EndDeclaration();
        _quote = '\0';
        _escaped = false;
        _comment = false;
        _word.Clear();
        _last = string.Empty;
        _previous = '\0';
    }

    private void EndDeclaration()
    {
        if (_wrote)
        {
            writer.Append('\n');
        }

        _wrote = false;
        _inContent = false;
        _inAttr = false;
    }

    // A character inside a content string: its end, an escape, or text shown.
    private void String(char c)
    {
        if (_escaped)
        {
            if (char.IsAsciiHexDigit(c) && _escape.Length < 6)
            {
                _escape.Append(c);
                return;
            }

            _escaped = false;
            if (_escape.Length > 0)
            {
                // "\41 " is A; the one white space after the hex digits belongs to the escape.
                Write(CodePoint(_escape.ToString()));
                _escape.Clear();
                if (c is ' ' or '\t' or '\n')
                {
                    return;
                }
            }
            else
            {
                // "\"" is a quote; an escaped line break continues the string.
                if (c != '\n')
                {
                    Write(c.ToString());
                }

                return;
            }
        }

        if (c == '\\')
        {
            _escaped = true;
        }
        else if (c == _quote || c == '\n')
        {
            _quote = '\0';
        }
        else
        {
            Write(c.ToString());
        }
    }

    private static string CodePoint(string hex)
    {
        int value = int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return value is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(value) : "\uFFFD";
    }

    private void Write(string text)
    {
        writer.Append(text);
        _wrote = true;
    }
}
