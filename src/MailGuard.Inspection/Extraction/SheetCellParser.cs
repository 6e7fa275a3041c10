namespace MailGuard.Inspection.Extraction;

/// <summary>A cell's t attribute (ECMA-376 Part 1 §18.18.11) as a code; <see cref="Unknown"/> for anything else.</summary>
internal enum SheetCellType : byte
{
    Number,
    SharedString,
    InlineString,
    FormulaString,
    Error,
    Boolean,
    IsoDate,
    Unknown,
}

/// <summary>One cell as <see cref="SheetCellParser"/> read it: raw bytes, valid until the scanner moves on.</summary>
internal ref struct SheetCell
{
    /// <summary>Zero-based column from the r attribute; -1 when absent or malformed.</summary>
    public int Column;

    public SheetCellType Type;

    /// <summary>The s attribute: an index into the workbook's cell formats.</summary>
    public int Style;

    /// <summary>An empty-element cell, or a start tag followed at once by its end tag.</summary>
    public bool Empty;

    /// <summary>The text came from an inline string (&lt;is&gt;&lt;t&gt;), not a value (&lt;v&gt;).</summary>
    public bool Inline;

    /// <summary>The raw text of the value or inline string, entities not yet resolved.</summary>
    public ReadOnlySpan<byte> Text;
}

/// <summary>
/// Reads the shapes nearly every cell and shared string of a workbook takes, as Excel, LibreOffice
/// and the common libraries write them, straight from the scanner's window in one pass:
/// <c>&lt;c r="B7" s="1" t="s"&gt;&lt;v&gt;12&lt;/v&gt;&lt;/c&gt;</c>, <c>&lt;c .../&gt;</c>,
/// <c>&lt;c t="inlineStr"&gt;&lt;is&gt;&lt;t&gt;text&lt;/t&gt;&lt;/is&gt;&lt;/c&gt;</c> and <c>&lt;si&gt;&lt;t&gt;text&lt;/t&gt;&lt;/si&gt;</c>.
/// Anything else (prefixes, spaces around '=', formulas, rich text, CDATA, comments) is
/// <see cref="NotSimple"/> and the caller reads it token by token, with the same result: the fast
/// path only ever decides what the general one would.
/// </summary>
internal static partial class SheetCellParser
{
    /// <summary>Not one of the simple shapes: read it token by token.</summary>
    public const int NotSimple = 0;

    /// <summary>The window ends before the shape does: read more and try again.</summary>
    public const int NeedMore = -1;

    /// <summary>A run longer than this without its end is left to the token reader.</summary>
    public const int MaxSimpleBytes = 4096;

    /// <summary>
    /// A whole cell at the scanner's position, reading on while the window ends inside it: the
    /// bytes it takes (then <see cref="ByteXmlScanner.Advance"/> past them), or 0 for the token reader.
    /// </summary>
    public static int ReadCell(ByteXmlScanner xml, out SheetCell cell)
    {
        while (true)
        {
            var window = xml.Window;
            int used = TryParseCell(window, out cell);
            if (used != NeedMore || !xml.Ensure(window.Length + 1))
            {
                return Math.Max(used, NotSimple);
            }
        }
    }

    /// <summary>A one-run shared-string item at the scanner's position, as <see cref="ReadCell"/> reads a cell.</summary>
    public static int ReadSharedString(ByteXmlScanner xml, out ReadOnlySpan<byte> text)
    {
        while (true)
        {
            var window = xml.Window;
            int used = TryParseSharedString(window, out text);
            if (used != NeedMore || !xml.Ensure(window.Length + 1))
            {
                return Math.Max(used, NotSimple);
            }
        }
    }

    /// <summary>
    /// A whole cell at the start of <paramref name="w"/>: the bytes it takes, or
    /// <see cref="NotSimple"/> or <see cref="NeedMore"/>.
    /// </summary>
    public static int TryParseCell(ReadOnlySpan<byte> w, out SheetCell cell)
    {
        cell = default;
        cell.Column = -1;
        if (w.Length < 3)
        {
            return w.Length < 2 || w[..2].SequenceEqual("<c"u8) ? NeedMore : NotSimple;
        }

        if (w[0] != (byte)'<' || w[1] != (byte)'c' || w[2] is not ((byte)' ' or (byte)'>' or (byte)'/' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return NotSimple;
        }

        // Excel's own tag first, then any other attribute by attribute.
        int i = ExcelTag(w, ref cell);
        if (i == 0)
        {
            i = AnyTag(w, ref cell);
        }

        if (i <= 0 || cell.Empty)
        {
            return i;
        }

        // The content: a value (nearly every cell), nothing, or a one-run inline string, then the end tag.
        var rest = w[i..];
        int m = Match(rest, "<v>"u8);
        if (m != 0)
        {
            return m < 0 ? More(w) : Element(w, i + 3, "</v></c>"u8, ref cell);
        }

        m = Match(rest, "</c>"u8);
        if (m != 0)
        {
            cell.Empty = true;
            return m < 0 ? More(w) : i + 4;
        }

        m = Match(rest, "<is><t>"u8);
        int open = 7;
        if (m == 0)
        {
            m = Match(rest, "<is><t xml:space=\"preserve\">"u8);
            open = 28;
        }

        // Inline text in a cell of another type is not shown, but the token reader still reads
        // (and may refuse) it: left to that reader, rather than read here for nothing.
        if (m <= 0 || cell.Type != SheetCellType.InlineString)
        {
            return m < 0 ? More(w) : NotSimple;
        }

        cell.Inline = true;
        return Element(w, i + open, "</t></is></c>"u8, ref cell);
    }

    /// <summary>
    /// A cell's start tag as Excel and most libraries write it: r, s and t in that order (each may
    /// be missing), one space before each, double quotes; r letters then digits, s up to seven
    /// digits, t one byte. The index past the tag (<see cref="SheetCell.Empty"/> for "/&gt;"), or 0 for
    /// any other tag or a window that ends inside it (<see cref="AnyTag"/> reads those), so this
    /// only ever decides what AnyTag would.
    /// </summary>
    private static int ExcelTag(ReadOnlySpan<byte> w, ref SheetCell cell)
    {
        int i = 2;
        if (At(w, i, " r=\""u8))
        {
            i += 4;
            // The column from its letters as they are read (as ColumnIndex reads them).
            int start = i;
            int column = 0;
            while (i < w.Length && (uint)((w[i] | 0x20) - 'a') < 26)
            {
                column = (column * 26) + ((w[i] | 0x20) - 'a' + 1);
                i++;
            }

            int digits = i;
            while (i < w.Length && (uint)(w[i] - '0') < 10)
            {
                i++;
            }

            // At most three letters: XFD, the last column, is three.
            if (digits == start || digits - start > 3 || i == digits || i >= w.Length || w[i] != (byte)'"')
            {
                return 0;
            }

            cell.Column = Math.Min(column, 16385) - 1;
            i++;
        }

        if (At(w, i, " s=\""u8))
        {
            i += 4;
            int start = i;
            int style = 0;
            while (i < w.Length && (uint)(w[i] - '0') < 10 && i - start < 7)
            {
                style = (style * 10) + (w[i] - '0');
                i++;
            }

            if (i == start || i >= w.Length || w[i] != (byte)'"')
            {
                return 0;
            }

            // Up to seven digits, as StyleIndex reads them.
            cell.Style = style;
            i++;
        }

        if (At(w, i, " t=\""u8))
        {
            if (i + 5 >= w.Length || w[i + 5] != (byte)'"' || w[i + 4] is (byte)'&' or (byte)'"')
            {
                return 0;
            }

            cell.Type = TypeOf(w[i + 4]);
            i += 6;
        }

        if (i < w.Length && w[i] == (byte)'>')
        {
            return i + 1;
        }

        if (At(w, i, "/>"u8))
        {
            cell.Empty = true;
            return i + 2;
        }

        return 0;
    }

    // w holds literal at i.
    private static bool At(ReadOnlySpan<byte> w, int i, ReadOnlySpan<byte> literal) => i <= w.Length && w[i..].StartsWith(literal);

    /// <summary>
    /// A cell's start tag from its attributes on, in any order and quoting: the index past it
    /// (<see cref="SheetCell.Empty"/> for "/&gt;"), or <see cref="NotSimple"/> or <see cref="NeedMore"/>.
    /// </summary>
    private static int AnyTag(ReadOnlySpan<byte> w, ref SheetCell cell)
    {
        cell.Column = -1;
        cell.Style = 0;
        cell.Type = SheetCellType.Number;
        int i = 2;
        while (true)
        {
            var step = NextAttribute(w, ref i, prefixed: false, out var name, out var value);
            if (step == Step.End)
            {
                break;
            }

            if (step != Step.Attribute)
            {
                cell.Empty = step == Step.EmptyEnd;
                return step switch { Step.EmptyEnd => i, Step.NeedMore => More(w), _ => NotSimple };
            }

            if (name.Length != 1)
            {
                continue;
            }

            if (name[0] is (byte)'r' or (byte)'s' or (byte)'t' && HasReference(value))
            {
                // t="&#115;" is t="s" to Excel: the token reader resolves references first.
                return NotSimple;
            }

            // As the token reader: the last of a repeated attribute wins.
            switch (name[0])
            {
                case (byte)'r':
                    cell.Column = XlsxExtractor.ColumnIndex(value);
                    break;
                case (byte)'s':
                    cell.Style = StyleIndex(value);
                    break;
                case (byte)'t':
                    cell.Type = TypeOf(value);
                    break;
            }
        }

        return i;
    }

    private enum Step
    {
        Attribute,
        End,
        EmptyEnd,
        NotSimple,
        NeedMore,
    }

    /// <summary>
    /// The next attribute of a start tag from <paramref name="i"/> (spaces first), moving
    /// <paramref name="i"/> past it: a name of plain name bytes (with <paramref name="prefixed"/>,
    /// also ':'), '=' at once, a quoted value. Or the tag's end ('&gt;', or "/&gt;"), <paramref name="i"/>
    /// past it; anything else is <see cref="Step.NotSimple"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Step NextAttribute(ReadOnlySpan<byte> w, ref int i, bool prefixed, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        while (i < w.Length && IsSpace(w[i]))
        {
            i++;
        }

        if (i >= w.Length)
        {
            return Step.NeedMore;
        }

        if (w[i] == (byte)'>')
        {
            i++;
            return Step.End;
        }

        if (w[i] == (byte)'/')
        {
            if (i + 1 >= w.Length)
            {
                return Step.NeedMore;
            }

            i += 2;
            return w[i - 1] == (byte)'>' ? Step.EmptyEnd : Step.NotSimple;
        }

        int nameStart = i;
        while (i < w.Length && (IsNameByte(w[i]) || (prefixed && w[i] == (byte)':')))
        {
            i++;
        }

        if (i + 1 >= w.Length)
        {
            return Step.NeedMore;
        }

        // A prefixed name (unless allowed), a space before '=' or a stray byte: the token reader's business.
        if (i == nameStart || w[i] != (byte)'=' || w[i + 1] is not ((byte)'"' or (byte)'\''))
        {
            return Step.NotSimple;
        }

        name = w[nameStart..i];
        byte quote = w[i + 1];

        // Values here are a few bytes ("B7", "1", "s"): a plain loop beats a vector search.
        int end = i + 2;
        while (end < w.Length && w[end] != quote)
        {
            end++;
        }

        if (end >= w.Length)
        {
            return Step.NeedMore;
        }

        value = w[(i + 2)..end];
        i = end + 1;
        return Step.Attribute;
    }

    /// <summary>
    /// A shared-string item of one plain run (&lt;si&gt;&lt;t&gt;text&lt;/t&gt;&lt;/si&gt;) at the start of
    /// <paramref name="w"/>: the bytes it takes and its raw text, or <see cref="NotSimple"/> or <see cref="NeedMore"/>.
    /// </summary>
    public static int TryParseSharedString(ReadOnlySpan<byte> w, out ReadOnlySpan<byte> text)
    {
        text = default;
        int open = 7;
        int m = Match(w, "<si><t>"u8);
        if (m == 0)
        {
            m = Match(w, "<si><t xml:space=\"preserve\">"u8);
            open = 28;
        }

        if (m <= 0)
        {
            return m < 0 ? More(w) : NotSimple;
        }

        var cell = default(SheetCell);
        int used = Element(w, open, "</t></si>"u8, ref cell);
        text = cell.Text;
        return used;
    }

    /// <summary>The t attribute's value as a code (an xsd token: white space around it does not count).</summary>
    public static SheetCellType TypeOf(ReadOnlySpan<byte> t)
    {
        // Nearly every typed cell's t is one byte ("s", "n", "b", "e", "d"): read without trimming
        // (a lone white-space byte trims to nothing, which is a number).
        if (t.Length != 1)
        {
            t = t.Trim(" \t\r\n"u8);
            if (t.Length != 1)
            {
                return t.IsEmpty ? SheetCellType.Number
                    : t.SequenceEqual("inlineStr"u8) ? SheetCellType.InlineString
                    : t.SequenceEqual("str"u8) ? SheetCellType.FormulaString
                    : SheetCellType.Unknown;
            }
        }

        return TypeOf(t[0]);
    }

    // A one-byte t attribute's code.
    private static SheetCellType TypeOf(byte t)
    {
        return t switch
        {
            (byte)'n' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' => SheetCellType.Number,
            (byte)'s' => SheetCellType.SharedString,
            (byte)'b' => SheetCellType.Boolean,
            (byte)'e' => SheetCellType.Error,
            (byte)'d' => SheetCellType.IsoDate,
            _ => SheetCellType.Unknown,
        };
    }

    // An attribute value with a character or entity reference: a plain loop over its few bytes.
    private static bool HasReference(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if (b == (byte)'&')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The s attribute's value (an xsd unsignedInt: white space around it and a leading '+'
    /// allowed): its leading digits, 0 when it has none or they overflow.
    /// </summary>
    public static int StyleIndex(ReadOnlySpan<byte> s)
    {
        s = s.Trim(" \t\r\n"u8);
        if (!s.IsEmpty && s[0] == (byte)'+')
        {
            s = s[1..];
        }

        int style = 0;
        foreach (byte b in s)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            style = (style * 10) + (b - '0');
            if (style > 10_000_000)
            {
                return 0;
            }
        }

        return style;
    }

    // Text from start up to the next '<', then exactly the closing tags.
    private static int Element(ReadOnlySpan<byte> w, int start, ReadOnlySpan<byte> closing, ref SheetCell cell)
    {
        if (start > w.Length)
        {
            return More(w);
        }

        int lt = IndexOfLessThan(w[start..]);
        if (lt < 0)
        {
            return More(w);
        }

        int m = Match(w[(start + lt)..], closing);
        if (m <= 0)
        {
            return m < 0 ? More(w) : NotSimple;
        }

        cell.Text = w.Slice(start, lt);
        return start + lt + closing.Length;
    }

    // The first '<' of a value or item: nearly always a few bytes on ("12</v>", "Amy</t>"), where a
    // plain loop beats the setup of a vector search; past 16 bytes, the vector search.
    private static int IndexOfLessThan(ReadOnlySpan<byte> text)
    {
        int near = Math.Min(text.Length, 16);
        for (int i = 0; i < near; i++)
        {
            if (text[i] == (byte)'<')
            {
                return i;
            }
        }

        if (text.Length <= near)
        {
            return -1;
        }

        int far = text[near..].IndexOf((byte)'<');
        return far < 0 ? -1 : near + far;
    }

    // 1: w starts with literal; 0: it does not; -1: w is a proper prefix of literal.
    private static int Match(ReadOnlySpan<byte> w, ReadOnlySpan<byte> literal)
    {
        if (w.Length >= literal.Length)
        {
            return w.StartsWith(literal) ? 1 : 0;
        }

        return literal.StartsWith(w) ? -1 : 0;
    }

    // A shape cut by the window's end: read more, unless it is already longer than any simple one.
    private static int More(ReadOnlySpan<byte> w) => w.Length >= MaxSimpleBytes ? NotSimple : NeedMore;

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsNameByte(byte b) => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'_' or (byte)'-' or (byte)'.';
}
