using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Tokens;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Whether a PDF page's text can be known from the file. A viewer draws each letter from its
/// font's glyph; the text an extractor reads comes from the font's character map (/ToUnicode)
/// or, without one, from its encoding's glyph names. A font with neither gives the codes as
/// they are, so a page written with it shows names and NI numbers and reads as noise
/// ("-B=A@&lt;!9B"): a Type3 font (glyphs are drawings, named however the writer likes), an
/// encoding whose glyph names are private ("g12", "cid0034"), or a composite font addressed by
/// glyph number (Identity-H) without a character map. Fonts are read from the page's resources
/// (inherited from its parents if it has none) and from those of the forms (XObjects) it draws,
/// forms within forms to <see cref="MaxFormDepth"/>.
/// </summary>
internal static class PdfFonts
{
    // Resources are inherited at most this many page-tree levels up; references followed this many hops.
    private const int MaxHops = 16;

    // The most fonts of one page looked at (its own and its forms'): a page with more is read from its picture too.
    internal const int MaxFonts = 256;

    // The deepest forms within forms looked at: a page drawing deeper ones is read from its picture too.
    internal const int MaxFormDepth = 16;

    // The most resource dictionaries of one page looked at (the page's and its forms'): a page
    // with more is read from its picture too.
    internal const int MaxResources = 1024;

    // Glyph names every standard encoding uses beside the single letters and uniXXXX forms.
    private static readonly HashSet<string> s_known = new(StringComparer.Ordinal)
    {
        "space", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "period", "comma", "colon",
        "semicolon", "hyphen", "minus", "slash", "backslash", "parenleft", "parenright", "bracketleft", "bracketright",
        "braceleft", "braceright", "at", "ampersand", "quotesingle", "quoteright", "quoteleft", "quotedbl", "quotedblleft",
        "quotedblright", "apostrophe", "exclam", "question", "numbersign", "dollar", "percent", "asterisk", "plus", "equal",
        "less", "greater", "underscore", "bar", "asciitilde", "asciicircum", "grave", "sterling", "Euro", "bullet",
        "endash", "emdash", "ellipsis", "degree", "nbspace", "fi", "fl", "ff", "ffi", "ffl",
    };

    /// <summary>
    /// Why the page's letters cannot all be known ("font F1, which has no character map"), or
    /// null when every font's can.
    /// </summary>
    public static string? UnmappedFont(PdfDocument document, Page page)
    {
        IToken? Resolve(IToken? token) => PdfFonts.Resolve(document, token);

        DictionaryToken? node = page.Dictionary;
        DictionaryToken? resources = null;
        for (var level = 0; node is not null && level < MaxHops; level++)
        {
            if (node.TryGet(NameToken.Resources, out var found) && Resolve(found) is DictionaryToken dictionary)
            {
                resources = dictionary;
                break;
            }

            node = node.TryGet(NameToken.Parent, out var parent) ? Resolve(parent) as DictionaryToken : null;
        }

        if (resources is null)
        {
            return null;
        }

        // The page's fonts and those of the forms it draws (a form XObject has resources of its
        // own, and a table drawn inside one is shown as any other), forms within forms too.
        var pending = new Stack<(DictionaryToken Resources, int Depth)>();
        pending.Push((resources, 0));
        var seen = new HashSet<DictionaryToken>(ReferenceEqualityComparer.Instance);
        int fontsSeen = 0;
        while (pending.Count > 0)
        {
            var (current, depth) = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            if (seen.Count > MaxResources)
            {
                return $"more than the {MaxResources} sets of resources looked at";
            }

            if (current.TryGet(NameToken.Font, out var fontsToken) && Resolve(fontsToken) is DictionaryToken fonts)
            {
                fontsSeen += fonts.Data.Count;
                if (fontsSeen > MaxFonts)
                {
                    return $"more than the {MaxFonts} fonts looked at";
                }

                foreach (var (name, token) in fonts.Data)
                {
                    if (Resolve(token) is DictionaryToken font && !IsMapped(font, Resolve))
                    {
                        return $"font {name}, which has no character map";
                    }
                }
            }

            if (current.TryGet(NameToken.Xobject, out var objectsToken) && Resolve(objectsToken) is DictionaryToken objects)
            {
                foreach (var (_, token) in objects.Data)
                {
                    if (Resolve(token) is StreamToken form && form.StreamDictionary.TryGet(NameToken.Resources, out var formResources)
                        && Resolve(formResources) is DictionaryToken inner && !seen.Contains(inner))
                    {
                        if (depth == MaxFormDepth)
                        {
                            return $"forms nested more than {MaxFormDepth} deep";
                        }

                        pending.Push((inner, depth + 1));
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The object <paramref name="token"/> refers to, following at most a few references (a loop ends there).</summary>
    internal static IToken? Resolve(PdfDocument document, IToken? token)
    {
        for (var hops = 0; token is IndirectReferenceToken reference && hops < MaxHops; hops++)
        {
            token = document.Structure.GetObject(reference.Data)?.Data;
        }

        return token;
    }

    private static bool IsMapped(DictionaryToken font, Func<IToken?, IToken?> resolve)
    {
        if (font.ContainsKey(NameToken.ToUnicode))
        {
            return true;
        }

        var subtype = font.TryGet(NameToken.Subtype, out var s) && resolve(s) is NameToken n ? n.Data : string.Empty;
        var encoding = font.TryGet(NameToken.Encoding, out var e) ? resolve(e) : null;
        if (subtype == "Type0")
        {
            // Glyph numbers mean nothing without a map; a predefined CMap (a named CJK encoding) does.
            return encoding is NameToken cmap && !cmap.Data.StartsWith("Identity", StringComparison.Ordinal);
        }

        var differences = encoding is DictionaryToken dictionary && dictionary.TryGet(NameToken.Differences, out var d) ? resolve(d) as ArrayToken : null;
        if (differences is null)
        {
            // A standard encoding (or the font's own built-in one) names its glyphs; a Type3
            // font's built-in encoding is whatever its drawings are called.
            return subtype != "Type3";
        }

        int names = 0, unknown = 0;
        foreach (var entry in differences.Data)
        {
            if (resolve(entry) is NameToken glyph)
            {
                names++;
                unknown += IsStandardName(glyph.Data) ? 0 : 1;
            }
        }

        // Most names private ("g12", "glyph34"): the codes say nothing about the letters.
        return names == 0 ? subtype != "Type3" : unknown * 2 <= names;
    }

    private static bool IsStandardName(string name)
    {
        // A name with a suffix ("a.sc", "one.oldstyle") is its base glyph's.
        var dot = name.IndexOf('.');
        var baseName = dot > 0 ? name[..dot] : name;
        if (baseName.Length == 1 && char.IsAsciiLetter(baseName[0]))
        {
            return true;
        }

        // "uni0041", "u1F600": the code point itself.
        if ((baseName.Length == 7 && baseName.StartsWith("uni", StringComparison.Ordinal) && baseName[3..].All(char.IsAsciiHexDigit))
            || (baseName.Length is >= 5 and <= 7 && baseName[0] == 'u' && baseName[1..].All(char.IsAsciiHexDigit)))
        {
            return true;
        }

        // Accented letters ("eacute", "Odieresis") and the common punctuation.
        return s_known.Contains(baseName) || (baseName.Length > 1 && char.IsAsciiLetter(baseName[0]) && IsAccented(baseName[1..]));
    }

    private static bool IsAccented(string rest) => rest is "acute" or "grave" or "circumflex" or "dieresis" or "tilde" or "ring" or "cedilla" or "caron" or "macron" or "breve" or "ogonek" or "dotaccent" or "slash" or "stroke";
}
