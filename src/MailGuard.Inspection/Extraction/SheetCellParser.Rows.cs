namespace MailGuard.Inspection.Extraction;

/// <summary>A sheet row's start and end tags read in one step, as <see cref="SheetCellParser"/> reads cells.</summary>
internal static partial class SheetCellParser
{
    /// <summary>
    /// A row's start or end tag at the scanner's position, as <see cref="ReadCell"/> reads a cell:
    /// the bytes it takes, whether it is the end tag, and the start tag's row number.
    /// </summary>
    public static int ReadRowTag(ByteXmlScanner xml, out bool end, out long number)
    {
        while (true)
        {
            var window = xml.Window;
            int used = TryParseRowTag(window, out end, out number);
            if (used != NeedMore || !xml.Ensure(window.Length + 1))
            {
                return Math.Max(used, NotSimple);
            }
        }
    }

    /// <summary>
    /// A row's end tag (&lt;/row&gt;) or start tag as Excel writes it (&lt;row r="7" spans="1:7"
    /// x14ac:dyDescent="0.25"&gt;, or the empty &lt;row r="7"/&gt;) at the start of <paramref name="w"/>: the
    /// bytes it takes, or <see cref="NotSimple"/> or <see cref="NeedMore"/>. <paramref name="number"/> is
    /// the r attribute's value, 0 when there is none (the token reader counts on from the last row).
    /// An r that is not plain digits, a prefixed r and a prefixed row are the token reader's.
    /// </summary>
    public static int TryParseRowTag(ReadOnlySpan<byte> w, out bool end, out long number)
    {
        number = 0;
        end = false;
        int m = Match(w, "</row>"u8);
        if (m != 0)
        {
            end = true;
            return m > 0 ? 6 : More(w);
        }

        m = Match(w, "<row"u8);
        if (m <= 0)
        {
            return m < 0 ? More(w) : NotSimple;
        }

        if (w.Length < 5)
        {
            return More(w);
        }

        if (w[4] is not ((byte)' ' or (byte)'>' or (byte)'/' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return NotSimple;
        }

        if (At(w, 4, " r=\""u8))
        {
            // Excel's shape: r first. The first r decides the row (to the token reader too, whatever
            // follows), so the rest of the tag only has to end.
            int digits = 8;
            int close = digits;
            while (close < w.Length && (uint)(w[close] - '0') < 10)
            {
                close++;
            }

            if (close < w.Length && w[close] == (byte)'"' && XlsxExtractor.TryParseDigits(w[digits..close], 18, out number))
            {
                int after = TagEnd(w, close + 1);
                if (after > 0)
                {
                    return after;
                }
            }

            number = 0;
        }

        bool numbered = false;
        int i = 4;
        while (true)
        {
            var step = NextAttribute(w, ref i, prefixed: true, out var name, out var value);
            switch (step)
            {
                case Step.End or Step.EmptyEnd:
                    return i;
                case Step.NeedMore:
                    return More(w);
                case Step.NotSimple:
                    return NotSimple;
            }

            if (name.Length == 1 && name[0] == (byte)'r')
            {
                // As the token reader: the first r counts; it must be plain digits here.
                if (!numbered && !XlsxExtractor.TryParseDigits(value, 18, out number))
                {
                    return NotSimple;
                }

                numbered = true;
            }
            else if (name.EndsWith(":r"u8))
            {
                // x:r is r to the token reader, which matches attributes by local name.
                return NotSimple;
            }
        }
    }

    /// <summary>
    /// The index past the '&gt;' that ends a start tag, from <paramref name="i"/> (outside any quoted
    /// value), skipping quoted values as the token reader does; 0 when the window ends first.
    /// </summary>
    private static int TagEnd(ReadOnlySpan<byte> w, int i)
    {
        while (i < w.Length)
        {
            byte b = w[i];
            if (b == (byte)'>')
            {
                return i + 1;
            }

            if (b is (byte)'"' or (byte)'\'')
            {
                // Values are a few bytes ("1:7", "0.25"): a plain loop beats a vector search.
                i++;
                while (i < w.Length && w[i] != b)
                {
                    i++;
                }
            }

            i++;
        }

        return 0;
    }
}
