using System.Buffers;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Text as a reader sees it, for the detectors: characters that show nothing (zero-width spaces
/// and joiners, soft hyphens, direction marks, the byte-order mark) are dropped, and the fullwidth
/// forms of ASCII letters and digits (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) and the ideographic
/// space read as what they look like. "AB1&#8203;23456C" and "ＡＢ１２３４５６Ｃ" are NI numbers
/// to whoever reads them, so they are to MailGuard. So are the Cyrillic and Greek letters drawn
/// exactly as Latin ones ("АВ123456С" with Cyrillic А, В and С): they read as the Latin letter.
/// No detector reads Cyrillic or Greek words, so folding them changes nothing else. Digits of
/// other scripts ("١٢/٠٣/١٩٦٥") read as the digits they are, and the mathematical bold, italic
/// and double-struck letters and digits ("𝐀𝐁𝟏𝟐𝟑𝟒𝟓𝟔𝐂") as the plain ones. Fullwidth
/// punctuation is left alone: a fullwidth comma is no CSV delimiter to a spreadsheet. Text
/// inside a direction override reads in the order it is shown ("&#x202E;C654321BA" shows as
/// AB123456C; see <see cref="Reorder"/>). ASCII text
/// is returned as it is after one vectorised look.
/// </summary>
internal static class VisibleText
{
    // Decimal digits of other scripts (Arabic-Indic, Devanagari, Bengali, Thai...: Unicode's Nd
    // characters below U+FF10): what each stands for, 0 to 9, is Unicode's, whatever it looks like.
    private static readonly string OtherDigits = string.Concat(Enumerable.Range(0x80, 0xFF10 - 0x80)
        .Select(c => (char)c).Where(c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.DecimalDigitNumber));

    // Every character Fold changes.
    private static readonly SearchValues<char> s_changed = SearchValues.Create(
        "\u00AD\u034F\u061C\u180E\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2061\u2062\u2063\u2064"
        + "\u2066\u2067\u2068\u2069\u206A\u206B\u206C\u206D\u206E\u206F\uFEFF\u3000"
        + "\uFF10\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF17\uFF18\uFF19"
        + "\uFF21\uFF22\uFF23\uFF24\uFF25\uFF26\uFF27\uFF28\uFF29\uFF2A\uFF2B\uFF2C\uFF2D\uFF2E\uFF2F\uFF30\uFF31\uFF32\uFF33\uFF34\uFF35\uFF36\uFF37\uFF38\uFF39\uFF3A"
        + "\uFF41\uFF42\uFF43\uFF44\uFF45\uFF46\uFF47\uFF48\uFF49\uFF4A\uFF4B\uFF4C\uFF4D\uFF4E\uFF4F\uFF50\uFF51\uFF52\uFF53\uFF54\uFF55\uFF56\uFF57\uFF58\uFF59\uFF5A"
        + HomoglyphsFrom + OtherDigits + MathematicalHigh);

    // The high surrogate of U+1D400-1D7FF, Mathematical Alphanumeric Symbols: bold, italic,
    // script, double-struck... Latin letters and digits that read as the plain ones ("𝟏𝟐").
    private const string MathematicalHigh = "\uD835";

    // Cyrillic and Greek letters that are drawn as the Latin letter at the same index of
    // HomoglyphsTo (Unicode's confusables for Latin capitals and the common small letters).
    private const string HomoglyphsFrom =
        "\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421\u0422\u0423\u0425\u0405\u0406\u0408"
        + "\u0430\u0435\u043E\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u04BB\u0501"
        + "\u0391\u0392\u0395\u0396\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7\u03BF";

    private const string HomoglyphsTo =
        "ABEKMHOPCTYXSIJ"
        + "aeopcyxsijhd"
        + "ABEZHIKMNOPTYXo";

    /// <summary>Whether <see cref="Fold(Span{char})"/> would change <paramref name="text"/>.</summary>
    public static bool NeedsFolding(ReadOnlySpan<char> text) =>
        text.ContainsAnyExceptInRange('\0', '\u007F') && text.ContainsAny(s_changed);

    /// <summary><paramref name="text"/> folded, or the same string when nothing changes.</summary>
    public static string Fold(string text)
    {
        if (!NeedsFolding(text))
        {
            return text;
        }

        var chars = text.ToCharArray();
        return new string(chars, 0, Fold(chars.AsSpan()));
    }

    /// <summary>Folds <paramref name="text"/> in place; returns its new length (dropped characters close up).</summary>
    public static int Fold(Span<char> text)
    {
        int first = text.ContainsAnyExceptInRange('\0', '\u007F') ? text.IndexOfAny(s_changed) : -1;
        if (first < 0)
        {
            return text.Length;
        }

        if (text[first..].ContainsAny('\u202D', '\u202E'))
        {
            Reorder(text);
        }

        int written = first;
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c < '\u00AD' || !s_changed.Contains(c))
            {
                text[written++] = c;
            }
            else if (c >= '\uFF10')
            {
                // U+FF10-FF5A sit 0xFEE0 above their ASCII forms.
                text[written++] = (char)(c - 0xFEE0);
            }
            else if (c == '\u3000')
            {
                text[written++] = ' ';
            }
            else if (HomoglyphsFrom.IndexOf(c) is var homoglyph and >= 0)
            {
                text[written++] = HomoglyphsTo[homoglyph];
            }
            else if (c == '\uD835')
            {
                // A letter or digit of U+1D400-1D7FF as its plain form (one char for two); any
                // other symbol there, or a lone surrogate, is kept as it is.
                if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) && Mathematical(char.ConvertToUtf32(c, text[i + 1])) is char plain)
                {
                    text[written++] = plain;
                    i++;
                }
                else
                {
                    text[written++] = c;
                }
            }
            else if (System.Globalization.CharUnicodeInfo.GetDecimalDigitValue(c) is var digit and >= 0)
            {
                text[written++] = (char)('0' + digit);
            }
        }

        return written;
    }

    // The deepest nesting of direction controls Unicode's bidirectional algorithm honours (BD2).
    private const int MaxDirectionDepth = 125;

    /// <summary>
    /// Direction overrides put in the order a reader sees: between RIGHT-TO-LEFT OVERRIDE (U+202E)
    /// and its POP DIRECTIONAL FORMATTING (U+202C), or the end of the line, characters are shown
    /// right to left whatever they are, so "&#x202E;C654321BA&#x202C;" shows as AB123456C; a
    /// LEFT-TO-RIGHT OVERRIDE (U+202D) inside turns its part back. Each character's level is
    /// that of the overrides around it (rule X6), and each run at a level or above is reversed,
    /// from the highest level down (rule L2). Embeddings and isolates (U+202A, U+202B,
    /// U+2066-2068) nest like overrides but force no direction: Latin letters and digits keep
    /// their order within them, and they are dropped with the controls after this.
    /// </summary>
    private static void Reorder(Span<char> text)
    {
        Span<byte> stack = stackalloc byte[MaxDirectionDepth + 1];
        byte[]? rented = text.Length > 1024 ? ArrayPool<byte>.Shared.Rent(text.Length) : null;
        Span<byte> levels = rented is null ? stackalloc byte[text.Length] : rented.AsSpan(0, text.Length);
        int depth = 0;
        int lineStart = 0;
        byte max = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : '\n';
            if (c is '\n' or '\r' or '\u2029' or '\u0085' or (>= '\u001C' and <= '\u001E'))
            {
                // A paragraph ends every override and embedding (rule X8).
                ReverseRuns(text[lineStart..i], levels[lineStart..i], max);
                depth = 0;
                max = 0;
                lineStart = i + 1;
                continue;
            }

            byte level = depth == 0 ? (byte)0 : stack[depth - 1];
            switch (c)
            {
                case '\u202E' or '\u202D' or '\u202A' or '\u202B' or '\u2066' or '\u2067' or '\u2068':
                    if (depth < MaxDirectionDepth)
                    {
                        // An override takes the next odd (right to left) or even level; an embedding or isolate keeps the level.
                        stack[depth++] = c switch
                        {
                            '\u202E' => (byte)(level + 1 | 1),
                            '\u202D' => (byte)(level + 2 & ~1),
                            _ => level,
                        };
                    }

                    break;
                case '\u202C' or '\u2069':
                    if (depth > 0)
                    {
                        depth--;
                    }

                    break;
            }

            levels[i] = level;
            max = Math.Max(max, level);
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Rule L2: from the highest level down to 1, every run of characters at that level or above is reversed.
    private static void ReverseRuns(Span<char> line, ReadOnlySpan<byte> levels, byte max)
    {
        for (int level = max; level >= 1; level--)
        {
            int i = 0;
            while (i < line.Length)
            {
                if (levels[i] < level)
                {
                    i++;
                    continue;
                }

                int start = i;
                while (i < line.Length && levels[i] >= level)
                {
                    i++;
                }

                line[start..i].Reverse();
            }
        }
    }

    // A Mathematical Alphanumeric Symbol's plain Latin letter or digit: the letters run in
    // alphabets of 52 (A-Z, a-z) from U+1D400 to U+1D6A3, the digits in sets of ten from U+1D7CE.
    private static char? Mathematical(int codePoint)
    {
        if (codePoint is >= 0x1D400 and <= 0x1D6A3)
        {
            int letter = (codePoint - 0x1D400) % 52;
            return letter < 26 ? (char)('A' + letter) : (char)('a' + letter - 26);
        }

        return codePoint is >= 0x1D7CE and <= 0x1D7FF ? (char)('0' + ((codePoint - 0x1D7CE) % 10)) : null;
    }
}
