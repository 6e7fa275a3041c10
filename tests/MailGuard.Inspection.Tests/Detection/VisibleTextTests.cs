using System.Globalization;
using MailGuard.Inspection.Tests.Extraction;
using System.Text;
using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Detection;

public class VisibleTextTests
{
    [Fact]
    public void Fold_EveryCharacter_DropsOnlyFormatCharactersAndMapsOnlyToNfkcOrLatinLookalikes()
    {
        // Against the Unicode data .NET carries: whatever is dropped is a format character (Cf);
        // whatever is changed becomes its compatibility form (NFKC), or is a Greek or Cyrillic
        // letter drawn as a Latin one; everything else is kept.
        int dropped = 0, mapped = 0, homoglyphs = 0, digits = 0;
        for (int c = 0; c <= 0xFFFF; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }

            var text = new[] { 'a', (char)c, 'b' };
            int length = VisibleText.Fold(text.AsSpan());
            if (length == 2)
            {
                // (The combining grapheme joiner is a mark, and as invisible.)
                Assert.Equal(c == 0x034F ? UnicodeCategory.NonSpacingMark : UnicodeCategory.Format, CharUnicodeInfo.GetUnicodeCategory((char)c));
                Assert.Equal("ab", new string(text, 0, 2));
                dropped++;
            }
            else if (text[1] != (char)c && c is >= 0x0370 and <= 0x052F)
            {
                // A Greek or Cyrillic letter drawn as a Latin one: the same case, a Latin letter.
                Assert.True(char.IsAsciiLetter(text[1]) && char.IsUpper((char)c) == char.IsUpper(text[1]), $"U+{c:X4} became '{text[1]}'");
                homoglyphs++;
            }
            else if (text[1] != (char)c && CharUnicodeInfo.GetDecimalDigitValue((char)c) is var digit and >= 0 && c < 0xFF10)
            {
                // A decimal digit of another script: the ASCII digit of its value.
                Assert.Equal((char)('0' + digit), text[1]);
                digits++;
            }
            else if (text[1] != (char)c)
            {
                Assert.Equal(((char)c).ToString().Normalize(NormalizationForm.FormKC), text[1].ToString());
                Assert.True(char.IsAsciiLetterOrDigit(text[1]) || text[1] == ' ', $"U+{c:X4} became '{text[1]}'");
                mapped++;
            }
        }

        // Zero-width space, joiners, marks, soft hyphen, BOM...; 62 letters and digits and the
        // ideographic space; the decimal digits of Arabic, Devanagari, Thai and the other scripts.
        Assert.InRange(dropped, 25, 40);
        Assert.Equal(63, mapped);
        Assert.Equal(42, homoglyphs);
        Assert.InRange(digits, 300, 500);
    }

    [Theory]
    // Arabic-Indic, Extended Arabic-Indic (Persian) and Devanagari digits.
    [InlineData("\u0661\u0662/\u0660\u0663/\u0661\u0669\u0666\u0665", "12/03/1965")]
    [InlineData("AB\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6C", "AB123456C")]
    [InlineData("\u0967\u0968\u0969", "123")]
    // Mathematical bold letters and digits (two chars each) and double-struck digits.
    [InlineData("\uD835\uDC00\uD835\uDC01\uD835\uDFCF\uD835\uDFD0\uD835\uDFD1\uD835\uDFD2\uD835\uDFD3\uD835\uDFD4\uD835\uDC02", "AB123456C")]
    [InlineData("\uD835\uDC1A\uD835\uDFD9", "a1")]
    // Other symbols of the block (bold Greek alpha) and a lone surrogate stay as they are.
    [InlineData("x\uD835\uDEA8y", "x\uD835\uDEA8y")]
    [InlineData("x\uD835", "x\uD835")]
    public void Fold_DigitsOfOtherScriptsAndMathematicalLetters_ReadAsPlain(string text, string expected) =>
        Assert.Equal(expected, VisibleText.Fold(text));

    [Theory]
    [InlineData("AB\u200B12\u200C34\u200D56\u2060C", "AB123456C")]
    [InlineData("\uFEFFJG\u00AD123456A", "JG123456A")]
    [InlineData("\uFF2A\uFF27\uFF11\uFF12\uFF13\uFF14\uFF15\uFF16\uFF21", "JG123456A")]
    [InlineData("\u0410\u0412123456\u0421", "AB123456C")]
    [InlineData("\u039A\u039C 12 34 56 \u0391", "KM 12 34 56 A")]
    [InlineData("\u0418\u0432\u0430\u043D", "\u0418\u0432a\u043D")]
    [InlineData("Zo\u00EB\u3000O\u2019Neil", "Zo\u00EB O\u2019Neil")]
    // Overrides in the order shown: reversed to the end of the override or of the line; a
    // left-to-right override inside turns its part back; an embedding alone reorders no Latin text.
    [InlineData("NI \u202EC654321BA\u202C, DOB 12/03/1965", "NI AB123456C, DOB 12/03/1965")]
    [InlineData("x\u202Eabc\ndef", "xcba\ndef")]
    [InlineData("\u202Eab\u202Dcd\u202Cef\u202C", "fecdba")]
    [InlineData("\u202E\u202EAB\u202C\u202C", "BA")]
    [InlineData("\u202EAB123456C\u202C", "C654321BA")]
    [InlineData("\u202BAB 123\u202C", "AB 123")]
    // Fullwidth punctuation stays: a fullwidth comma is no delimiter to a spreadsheet.
    [InlineData("a\uFF0Cb\uFF1Ac", "a\uFF0Cb\uFF1Ac")]
    public void Fold_Examples(string text, string expected) => Assert.Equal(expected, VisibleText.Fold(text));

    [Theory]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public void Fold_OverrideInLongText_ReorderedAsInShortText(int padding)
    {
        // Past 1,024 characters the levels are kept in a pooled array rather than on the stack.
        var pad = new string('x', padding);
        Assert.Equal(pad + "\nAB123456C\n" + pad, VisibleText.Fold(pad + "\n\u202EC654321BA\n" + pad));
    }

    [Theory]
    [InlineData(124)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(300)]
    public void Fold_OverridesNestedPastTheLimit_StillRightToLeft(int depth)
    {
        // Unicode honours 125 levels of nesting; deeper overrides change nothing, and an odd
        // level (every RIGHT-TO-LEFT OVERRIDE's) still shows its text backwards.
        Assert.Equal("x BA", VisibleText.Fold("x " + new string('\u202E', depth) + "AB"));
    }

    [Fact]
    public void Fold_NothingToChange_SameString()
    {
        const string ascii = "Jane Doe, AB123456C, 01/02/1980";
        string accented = "Zo\u00EB Bront\u00EB, \u00A3120";
        Assert.Same(ascii, VisibleText.Fold(ascii));
        Assert.Same(accented, VisibleText.Fold(accented));
    }

    private static readonly Func<string, string>[] s_hide =
    [
        nino => string.Join('\u200B', nino.ToCharArray()),
        nino => nino[..4] + "\u00AD" + nino[4..],
        nino => new string(nino.Select(c => char.IsAsciiLetterOrDigit(c) ? (char)(c + 0xFEE0) : c).ToArray()),
        // Cyrillic letters drawn as the Latin ones (А В С Е Н К М Р Т Х У).
        nino => new string(nino.Select(c => "ABCEHKMPTXY".IndexOf(c) is var i and >= 0 ? "\u0410\u0412\u0421\u0415\u041D\u041A\u041C\u0420\u0422\u0425\u0423"[i] : c).ToArray()),
        // Written backwards inside a right-to-left override, which shows it the right way round.
        nino => "\u202E" + new string(nino.Reverse().ToArray()) + "\u202C",
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Analyze_HiddenNiNumbers_FoundInEveryReader(int hiding)
    {
        // The same twenty NI numbers, hidden the same way, in a CSV, a workbook's shared strings,
        // a body's text and an HTML table: each is read as what a reader sees.
        var hide = s_hide[hiding];
        var people = Enumerable.Range(0, 20).Select(i => (Name: $"{TestData.Forename(i)} {TestData.Surname(i)}", Nino: hide(TestData.Nino(i)))).ToArray();

        var csv = "Name,NI Number\n" + string.Join("\n", people.Select(p => $"{p.Name},{p.Nino}"));
        Assert.Equal(20, NiNumbers(Encoding.UTF8.GetBytes(csv), "people.csv"));

        Assert.Equal(20, NiNumbers(Workbooks.OfRows(people.Select(p => new[] { p.Name, p.Nino }).Prepend(["Name", "NI Number"])), "people.xlsx"));

        var html = "<table><tr><th>Name</th><th>NI number</th></tr>"
            + string.Concat(people.Select(p => $"<tr><td>{p.Name}</td><td>{Workbooks.CharacterReferences(p.Nino)}</td></tr>")) + "</table>";
        Assert.Equal(20, NiNumbers(Encoding.UTF8.GetBytes(html), "list.html"));

        var analyzer = TestData.NewAnalyzer();
        analyzer.OnText(new ContentLocation("/1"), "Staff:\n" + string.Join("\n", people.Select(p => $"{p.Name}, NI {p.Nino}, DOB 12/04/1980")));
        Assert.Equal(20, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ReadSheet_InlineStrings_FoldedPerCell(bool fast)
    {
        // Inline strings are the row's own text: hidden characters in one cell close up that cell
        // only, and the cells beside it keep their text.
        var rows = Enumerable.Range(0, 20).Select(i =>
            $"<row r=\"{i + 2}\"><c r=\"A{i + 2}\" t=\"inlineStr\"><is><t>{TestData.Forename(i)}&#8203; {TestData.Surname(i)}</t></is></c>"
            + $"<c r=\"B{i + 2}\" t=\"inlineStr\"><is><t>{string.Join("&#x200B;", TestData.Nino(i).ToCharArray())}</t></is></c><c r=\"C{i + 2}\"><v>{i}</v></c></row>");
        var sheet = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Name</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>NI Number</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>Count</t></is></c></row>"
            + string.Concat(rows) + "</sheetData></worksheet>";

        var sink = new MailGuard.Inspection.Tests.Extraction.RecordingSink();
        XlsxExtractor.ReadSheetPart(sink, null, new MemoryStream(Encoding.UTF8.GetBytes(sheet)), [false], fast, 64 * 1024);
        Assert.Equal([$"{TestData.Forename(0)} {TestData.Surname(0)}", TestData.Nino(0), "0"], sink.Tables[0].RowTexts(1));

        var analyzer = TestData.NewAnalyzer();
        XlsxExtractor.ReadSheetPart(analyzer, null, new MemoryStream(Encoding.UTF8.GetBytes(sheet)), [false], fast, 64 * 1024);
        Assert.Equal(20, analyzer.Findings.Single(f => f.Kind == FindingKinds.UkNino).Count);
    }

    private static int NiNumbers(byte[] content, string fileName)
    {
        var analyzer = TestData.NewAnalyzer();
        ContentExtractor.Extract(new MemoryStream(content), fileName, null, new ContentLocation("/2", fileName), analyzer, new ExtractionLimits(), CancellationToken.None);
        return analyzer.Findings.SingleOrDefault(f => f.Kind == FindingKinds.UkNino)?.Count ?? 0;
    }
}
