using System.Text;

namespace MailGuard.Inspection.Tests.Extraction;

public class TextExtractionTests
{
    // An HTML body as the message walker hands it over.
    private static RecordingSink Html(string html) => Extract.Run(Encoding.UTF8.GetBytes(html), "body.html", "text/html");

    static TextExtractionTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public void Extract_CsvFixture_EmitsEveryRowIncludingHeader()
    {
        RecordingSink sink = Extract.Fixture("people.csv");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.True(table.Completed);
        Assert.Equal(11, table.Rows.Count);
        Assert.Equal(["Name", "DOB", "NI Number", "Postcode"], table.RowTexts(0));
        Assert.Equal(["Brian O'Connell", "1979-11-02", "CE654321A", "M14 5RB"], table.RowTexts(2));
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), table.Rows.Select(r => r.Index));
        Assert.Empty(sink.Texts);
    }

    [Fact]
    public void Extract_CsvWithQuotesAndEmbeddedNewlines_KeepsFieldsWhole()
    {
        string csv = "Name,Address,Note\r\n\"Marsh, Alice\",\"12 Cardigan Road\r\nLeeds LS6 3QT\",\"said \"\"hi\"\"\"\r\nBob,,x\r\n";
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(csv), "list.csv");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["Marsh, Alice", "12 Cardigan Road\r\nLeeds LS6 3QT", "said \"hi\""], table.RowTexts(1));
        Assert.Equal(CellKind.Empty, table.Rows[2].Cells[1].Kind);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    [InlineData(',')]
    public void Extract_CsvDelimiter_IsSniffedWithoutName(char delimiter)
    {
        var sb = new StringBuilder();
        sb.Append($"Name{delimiter}DOB{delimiter}NI Number\n");
        for (int i = 0; i < 6; i++)
        {
            sb.Append($"Person {i}{delimiter}0{i + 1}/03/1987{delimiter}AB12345{i}C\n");
        }

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(sb.ToString()), fileName: null);
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.Equal(7, table.Rows.Count);
        Assert.Equal(["Person 2", "03/03/1987", "AB123452C"], table.RowTexts(3));
    }

    [Fact]
    public void Extract_CommasEachFollowedByASpaceWithoutName_ReadAsTextWhereTheTableIsStillFound()
    {
        // Exports write "a,b,c"; people write "OKAFOR, Amelia - DOB ... - 14 Fern Road, Leeds".
        // Commas each followed by a space, with no CSV name or type, are read as text, in which
        // the analyzer still finds a run of comma rows as a table of people.
        var sb = new StringBuilder("Name, DOB, NI Number\n");
        for (int i = 0; i < 6; i++)
        {
            sb.Append($"Person {i}, 0{i + 1}/03/1987, AB12345{i}C\n");
        }

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(sb.ToString()), fileName: null);
        Assert.Empty(sink.Tables);
        Assert.Contains("Person 2, 03/03/1987, AB123452C", sink.AllText, StringComparison.Ordinal);

        // Named .csv it is a CSV as written, spaces and all.
        Assert.Equal(["Person 2", " 03/03/1987", " AB123452C"], Assert.Single(Extract.Run(Encoding.UTF8.GetBytes(sb.ToString()), "list.csv").Tables).RowTexts(3));

        var analyzer = new MailGuard.Inspection.Detection.ContentAnalyzer(new MailGuard.Inspection.Detection.ContentAnalyzerOptions { MinPeople = 2 });
        MailGuard.Inspection.Extraction.ContentExtractor.Extract(new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString())), null, null, Extract.Root, analyzer, new MailGuard.Inspection.Extraction.ExtractionLimits(), CancellationToken.None);
        Assert.Equal(6, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.PersonalData).Count);
        Assert.Equal(6, Assert.Single(analyzer.Findings, f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Fact]
    public void Extract_ProseWithCommas_IsText()
    {
        string letter = "Dear Alice,\nThank you for your letter, which arrived today.\nWe will reply soon.\nRegards,\nBob";
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(letter), "letter.txt");
        Assert.Empty(sink.Tables);
        Assert.Equal(letter, sink.AllText);
    }

    [Fact]
    public void Extract_Html_StripsTagsScriptsStylesAndDecodesEntities()
    {
        string html = "<!DOCTYPE html><html><head><style>p { color: red }</style><script>var x = '<p>no</p>';</script></head>"
            + "<body><p>Dear&nbsp;Ms Marsh &amp; family,</p><div>DOB: 14/03/1987</div><!-- hidden <b>comment</b> -->"
            + "<p>Caf&eacute; &#163;5 &lt;ok&gt;</p></body></html>";
        RecordingSink sink = Html(html);
        string text = sink.AllText;
        Assert.Contains("Dear Ms Marsh & family,\nDOB: 14/03/1987\nCafé £5 <ok>", text);
        Assert.DoesNotContain("color", text);
        Assert.DoesNotContain("var x", text);

        // The comment is read, apart from the visible text and without its markup.
        Assert.EndsWith("\n hidden  comment  \n", text);
        Assert.Empty(sink.Tables);
    }

    [Fact]
    public void Extract_HtmlComments_ReadAfterTheVisibleText_MarkupSkipped_TablesUntouched()
    {
        // A list hidden in a comment is in the message's source for anyone to read; an Outlook
        // conditional comment's markup is not text; a comment inside a table is no cell of it.
        string rows = string.Join("\n", Enumerable.Range(0, 6).Select(i => $"Person {i},AB 12 34 5{i} C"));
        string html = "<html><head><!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]--></head><body>"
            + "<p>Update below.</p><!--\nName,NI number\n" + rows + "\n-->"
            + "<table><tr><td>Name</td><td>Team</td></tr><tr><td>Alice Marsh<!-- was: Alice Smith --></td><td>Housing</td></tr></table><p>Thanks</p></body></html>";
        RecordingSink sink = Html(html);
        string text = sink.AllText;

        Assert.StartsWith("Update below.\n", text);
        Assert.Contains("Name\tTeam\nAlice Marsh\tHousing\n", text);
        Assert.Contains("\nName,NI number\n" + rows + "\n", text);
        Assert.Contains(" was: Alice Smith ", text);
        Assert.True(text.IndexOf("Name,NI number", StringComparison.Ordinal) > text.IndexOf("Thanks", StringComparison.Ordinal));
        Assert.DoesNotContain("AllowPNG", text);
        Assert.Equal([["Name", "Team"], ["Alice Marsh", "Housing"]], Assert.Single(sink.Tables).Rows.Select(r => r.Cells.Select(c => c.Text).ToArray()));
    }

    [Fact]
    public void Extract_HtmlAltAndTitleTexts_ReadAfterTheVisibleText()
    {
        // A client shows alt text in place of an image it does not load, and a title over the
        // element: read, with entities decoded, whether quoted or not; other attributes are not.
        string html = "<html><body><p>Photos:</p><img src=\"cid:a\" alt=\"Alice Marsh, DOB 14/03/1987\"><img src=cid:b alt=Bob>"
            + "<span title='Carol &amp; Dan, AB 12 34 56 C' data-x=\"not read\">#3</span><p>End</p></body></html>";
        RecordingSink sink = Html(html);

        Assert.StartsWith("Photos:\n#3\nEnd", sink.AllText);
        Assert.Contains("\nAlice Marsh, DOB 14/03/1987\nBob\nCarol & Dan, AB 12 34 56 C\n", sink.AllText);
        Assert.DoesNotContain("not read", sink.AllText);
        Assert.DoesNotContain("cid:", sink.AllText);
    }

    [Fact]
    public void Extract_HtmlStyleSheetContent_ReadAfterTheVisibleText()
    {
        // Clients that honour style sheets show a content declaration's strings (adjacent ones as
        // one text, CSS escapes decoded) and the attributes its attr() names; nothing else of
        // the style sheet (font names, comments) is text, and no other attribute is read.
        string html = "<html><head><style>p{color:red;font-family:\"Segoe UI\"} .a::before{content:\"Alice \\4D arsh\" \", DOB 14/03/1987\"}"
            + " .b::after{ CONTENT : 'Bob\\'s' } .c::before{content:attr(data-ni) \" \" attr(DATA-DOB)} /* content:\"not read\" */</style></head>"
            + "<body><p class=a>x</p><p class=b>y</p><p class=c data-ni=\"AB 12 34 56 C\" data-dob='01/02/1990' data-other=\"not shown\">z</p></body></html>";
        RecordingSink sink = Html(html);
        string text = sink.AllText;

        Assert.StartsWith("x\ny\nz", text);
        Assert.Contains("\nAlice Marsh, DOB 14/03/1987\nBob's\n", text);
        Assert.Contains("\nAB 12 34 56 C\n01/02/1990\n", text);
        Assert.DoesNotContain("Segoe", text);
        Assert.DoesNotContain("not read", text);
        Assert.DoesNotContain("not shown", text);
    }

    [Fact]
    public void Extract_HtmlFormFields_ValuesAndPlaceholdersRead()
    {
        // Clients that draw forms show an input's value, or its placeholder while it is empty, in
        // the box; a button's or an option's value is not shown (an option's text is, as text).
        string html = "<html><body><form><input type=text value=\"Alice Marsh, AB 12 34 56 C\"><input placeholder='DOB 14/03/1987'>"
            + "<textarea placeholder=\"Bob Stone\">Carol Dean</textarea><select><option value=\"opt-not-shown\">Dan Lee</option></select>"
            + "<button value=\"btn-not-shown\">Send</button></form></body></html>";
        RecordingSink sink = Html(html);

        Assert.Contains("\nAlice Marsh, AB 12 34 56 C\nDOB 14/03/1987\nBob Stone\n", sink.AllText);
        Assert.Contains("Carol Dean", sink.AllText);
        Assert.Contains("Dan Lee", sink.AllText);
        Assert.DoesNotContain("not-shown", sink.AllText);
    }

    [Fact]
    public void Extract_HtmlStyleSheetAttributes_KeptToTheLimit()
    {
        // A style sheet may name MaxAttributes attributes for content: attr(); one more is not read.
        int limit = MailGuard.Inspection.Extraction.CssContentText.MaxAttributes;
        string style = string.Concat(Enumerable.Range(0, limit + 1).Select(i => $".c{i}::before{{content:attr(data-a{i})}}"));
        string html = $"<html><head><style>{style}</style></head><body><p data-a{limit - 1}=\"last kept\" data-a{limit}=\"one past\">x</p></body></html>";
        RecordingSink sink = Html(html);

        Assert.Contains("\nlast kept\n", sink.AllText);
        Assert.DoesNotContain("one past", sink.AllText);

        // A long attribute name is kept whole.
        string name = "data-" + new string('n', 300);
        sink = Html($"<style>p::after{{content:attr({name})}}</style><p {name}=\"AB 12 34 56 C\">x</p>");
        Assert.Contains("\nAB 12 34 56 C\n", sink.AllText);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Extract_HtmlAltTextAtTheTagLimit_ReadWhole_PastItCut(int past, bool whole)
    {
        // A tag is kept to MaxTagChars characters (name and attributes, without '<' and '>'):
        // an alt text whose closing quote is the last of them is read whole; one character more
        // loses only the quote; two, the text's last character.
        const string Before = "img alt=\"";
        string value = new string('a', MailGuard.Inspection.Extraction.HtmlTextExtractor.MaxTagChars - Before.Length - 2 + past) + "Z";
        RecordingSink sink = Html("<html><body><p>x</p><" + Before + value + "\"></body></html>");

        Assert.Equal(MailGuard.Inspection.Extraction.HtmlTextExtractor.MaxTagChars + past, Before.Length + value.Length + 1);
        Assert.Equal(whole, sink.AllText.Contains(value + "\n", StringComparison.Ordinal));
        Assert.Contains(value[..^1], sink.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_HtmlTable_EmitsTableRowsAndText()
    {
        string html = "<html><body><p>Attendees:</p><table><tr><th>Name</th><th>NINO</th></tr>"
            + "<tr><td>Alice <b>Marsh</b></td><td>AB 12 34 56 C</td></tr><tr><td>Bob</td><td></td></tr></table><p>End</p></body></html>";
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(html), "body.html");
        RecordedTable table = Assert.Single(sink.Tables);
        Assert.True(table.Completed);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal(["Name", "NINO"], table.RowTexts(0));
        Assert.Equal(["Alice Marsh", "AB 12 34 56 C"], table.RowTexts(1));
        Assert.Contains("Alice Marsh\tAB 12 34 56 C", sink.AllText);
        Assert.Contains("End", sink.AllText);
    }

    [Fact]
    public void Extract_HtmlLayoutTableOfOneColumn_TextOnlyNotATable()
    {
        // Mail layouts wrap the whole message in a one-column table: its text is read with the
        // body's, and only a table with rows of several cells (here the list nested in one of
        // its cells) is a table. A title row of one cell above a table's header stays in it.
        string people = "<table><tr><th>Name</th><th>NINO</th></tr><tr><td>Alice Marsh</td><td>AB 12 34 56 C</td></tr></table>";
        string wrapped = $"<html><body><table width=600><tr><td>Hello,</td></tr><tr><td>{people}</td></tr><tr><td>Thanks</td></tr></table></body></html>";
        string titled = "<html><body><table><tr><td colspan=2>Attendees</td></tr><tr><th>Name</th><th>NINO</th></tr><tr><td>Alice Marsh</td><td>AB 12 34 56 C</td></tr></table></body></html>";

        RecordingSink layout = Extract.Run(Encoding.UTF8.GetBytes(wrapped), "body.html");
        RecordingSink table = Extract.Run(Encoding.UTF8.GetBytes(titled), "body.html");

        Assert.Equal([["Name", "NINO"], ["Alice Marsh", "AB 12 34 56 C"]], Assert.Single(layout.Tables).Rows.Select(r => r.Cells.Select(c => c.Text).ToArray()));
        Assert.Contains("AB 12 34 56 C", layout.AllText, StringComparison.Ordinal);
        Assert.Contains("Hello,", layout.AllText, StringComparison.Ordinal);
        Assert.Equal([["Attendees"], ["Name", "NINO"], ["Alice Marsh", "AB 12 34 56 C"]], Assert.Single(table.Tables).Rows.Select(r => r.Cells.Select(c => c.Text).ToArray()));
    }

    [Fact]
    public void Extract_Utf16LittleEndianWithBom_DecodesText()
    {
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Zoë Brontë, NI AB123456C\n")];
        RecordingSink sink = Extract.Run(bytes, "notes.txt");
        Assert.Equal("Zoë Brontë, NI AB123456C\n", sink.AllText);
    }

    [Fact]
    public void Extract_Utf16BigEndianWithoutBom_DecodesText()
    {
        byte[] bytes = Encoding.BigEndianUnicode.GetBytes("Postcode LS6 3QT for Zoë\n");
        RecordingSink sink = Extract.Run(bytes, "notes.txt");
        Assert.Equal("Postcode LS6 3QT for Zoë\n", sink.AllText);
    }

    [Fact]
    public void Extract_Utf16LittleEndianWithoutBom_DecodesText()
    {
        byte[] bytes = Encoding.Unicode.GetBytes("Postcode LS6 3QT for Zoë\n");
        RecordingSink sink = Extract.Run(bytes, null);
        Assert.Equal("Postcode LS6 3QT for Zoë\n", sink.AllText);
    }

    [Fact]
    public void Extract_Utf32WithBom_DecodesText()
    {
        var utf32 = new UTF32Encoding(bigEndian: false, byteOrderMark: true);
        byte[] bytes = [.. utf32.GetPreamble(), .. utf32.GetBytes("Zoë 😀\n")];
        Assert.Equal("Zoë 😀\n", Extract.Run(bytes, "a.txt").AllText);
    }

    [Fact]
    public void Extract_Windows1252Text_DecodesLegacyBytes()
    {
        byte[] bytes = Encoding.GetEncoding(1252).GetBytes("Café costs £5 – “quoted” €\n");
        RecordingSink sink = Extract.Run(bytes, "legacy.txt");
        Assert.Equal("Café costs £5 – “quoted” €\n", sink.AllText);
    }

    [Fact]
    public void Extract_Utf8WithLateLegacyByte_KeepsBothEncodings()
    {
        // Valid UTF-8 in the sniffed window, one Windows-1252 byte far beyond it.
        byte[] head = Encoding.UTF8.GetBytes(new string('a', 20000) + " Zoë ");
        byte[] tail = Encoding.GetEncoding(1252).GetBytes("£5\n");
        RecordingSink sink = Extract.Run([.. head, .. tail], "mixed.txt");
        Assert.EndsWith(" Zoë £5\n", sink.AllText);
    }

    [Fact]
    public void Extract_DeclaredLatin2Charset_IsUsedForLegacyBytes()
    {
        Encoding latin2 = Encoding.GetEncoding("iso-8859-2");
        byte[] bytes = latin2.GetBytes("Łódź, Kraków\n");
        RecordingSink sink = Extract.Run(bytes, "a.txt", "text/plain; charset=iso-8859-2");
        Assert.Equal("Łódź, Kraków\n", sink.AllText);
    }

    [Fact]
    public void Extract_VCard_UnfoldsLines()
    {
        string vcard = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alice Marsh\r\nADR;TYPE=home:;;12 Cardigan\r\n  Road;Leeds;;LS6 3QT;UK\r\nNOTE:line one\\nline two\\, ok\r\nEND:VCARD\r\n";
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(vcard), "alice.vcf", "text/vcard");
        var card = VCardRow(sink, 1);
        Assert.Equal("12 Cardigan Road, Leeds, LS6 3QT, UK", card["Home address"]);
        Assert.Equal("line one\nline two, ok", card["Notes"]);
    }

    [Fact]
    public void Extract_VCard21QuotedPrintable_DecodesValue()
    {
        string vcard = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Marsh;Zo=C3=AB\r\nADR;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:;;12 Caf=C3=A9 Road=\r\n;Leeds;;LS6 3QT\r\nEND:VCARD\r\n";
        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(vcard), "a.vcf");
        var card = VCardRow(sink, 1);
        Assert.Equal("12 Café Road, Leeds, LS6 3QT", card["Home address"]);
        Assert.Equal("Zo=C3=AB Marsh", card["Name"]);
    }

    [Fact]
    public void Extract_VCards_OneRowPerCardInTheColumnsAContactsListHas()
    {
        // 2.1, 3.0 and 4.0 forms: bare types, TYPE lists, Apple's item groups, tel: URIs, a
        // basic-format birthday, a photo left out, a second mobile kept for scanning, a fax
        // apart from the phones, and a last card cut short.
        string vcard = string.Join("\r\n",
            "BEGIN:VCARD", "VERSION:2.1", "N:Holt;Karen;;Ms;", "TEL;CELL;VOICE:07700 900123", "TEL;CELL:07700 900124",
            "TEL;HOME;FAX:0113 496 0999", "BDAY:19750302", "END:VCARD",
            "BEGIN:VCARD", "VERSION:3.0", "FN:Tom Lowe", "item1.EMAIL;type=INTERNET;type=HOME;type=pref:tom.lowe@example.net",
            "item1.X-ABLabel:_$!<Home>!$_", "TEL;TYPE=\"work,voice\":tel:+44-113-496-0123", "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ",
            " AAAQABAAD", "ORG:Acme Ltd;Sales", "TITLE:Buyer", "END:VCARD",
            "BEGIN:VCARD", "VERSION:4.0", "FN:Amy Khan", "BDAY:1990-07-14T00:00:00Z", "ADR;TYPE=work:;;1 Civic Sq;Leeds;;LS1 1UR;UK", "");
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(vcard), "contacts.vcf", "text/vcard");

        var table = Assert.Single(sink.Tables);
        Assert.Equal(4, table.Rows.Count);
        var karen = VCardRow(sink, 1);
        Assert.Equal("Ms Karen Holt", karen["Name"]);
        Assert.Equal("07700 900123", karen["Mobile"]);
        Assert.Equal("07700 900124; 0113 496 0999", karen["Other"]);
        Assert.Equal("1975-03-02", karen["Date of birth"]);
        var tom = VCardRow(sink, 2);
        Assert.Equal("tom.lowe@example.net", tom["Home email"]);
        Assert.Equal("+44-113-496-0123", tom["Work phone"]);
        Assert.Equal("Acme Ltd, Sales", tom["Organisation"]);
        Assert.Equal("Buyer", tom["Job title"]);
        Assert.DoesNotContain(tom.Values, v => v.Contains("9j", StringComparison.Ordinal));
        var amy = VCardRow(sink, 3);
        Assert.Equal("1990-07-14", amy["Date of birth"]);
        Assert.Equal("1 Civic Sq, Leeds, LS1 1UR, UK", amy["Work address"]);
        Assert.Empty(sink.AllText);
    }

    [Fact]
    public void Extract_VCardsBuiltToBeSlow_ReadInLinearTime()
    {
        // 100,000 quoted-printable soft line breaks in one value, and a card of 100,000 phone
        // numbers: each once, and everything still read (the last number goes to the text).
        var softBreaks = "BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:" + string.Concat(Enumerable.Repeat("ab=\r\n", 100_000)) + "NI AB123456C\r\nEND:VCARD\r\n";
        var phones = "BEGIN:VCARD\r\nFN:Amy Holt\r\n" + string.Concat(Enumerable.Range(0, 100_000).Select(i => $"TEL:07700 9{i:00000}\r\n")) + "TEL:CE 12 34 56 A\r\nEND:VCARD\r\n";
        RecordingSink first = null!, second = null!;

        var elapsed = Timing.BestCpuTime(1, () =>
        {
            first = Extract.Run(Encoding.ASCII.GetBytes(softBreaks), "slow.vcf");
            second = Extract.Run(Encoding.ASCII.GetBytes(phones), "many.vcf");
        });

        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"{elapsed.TotalMilliseconds:F0} ms");
        Assert.EndsWith("abNI AB123456C", VCardRow(first, 1)["Notes"], StringComparison.Ordinal);
        Assert.Contains("CE 12 34 56 A\n", second.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_VCardExtensionProperty_Read()
    {
        // X- properties may carry anything: read, not skipped; a photo is still left out.
        string vcard = "BEGIN:VCARD\r\nFN:Amy Holt\r\nX-NI-NUMBER:AB123456C\r\nPHOTO;ENCODING=b:/9j/4AAQ\r\nEND:VCARD\r\n";

        Assert.Equal("AB123456C", VCardRow(Extract.Run(Encoding.ASCII.GetBytes(vcard), "a.vcf"), 1)["Other"]);
    }

    [Theory]
    [InlineData(2094, true)]
    [InlineData(2095, false)]
    public void Extract_VCardOtherColumn_HoldsUpTo4096Characters(int last, bool inTheCard)
    {
        // The first note has its column; the next go to Other, "; " between, up to 4,096
        // characters; a value that would take it past that is read as text instead.
        string vcard = "BEGIN:VCARD\r\nFN:Amy Holt\r\nNOTE:first\r\nNOTE:" + new string('a', 2000) + "\r\nNOTE:" + new string('b', last) + "\r\nEND:VCARD\r\n";
        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(vcard), "a.vcf");

        var other = VCardRow(sink, 1)["Other"];
        Assert.Equal(inTheCard ? 4096 : 2000, other.Length);
        Assert.Equal(!inTheCard, sink.AllText.Contains(new string('b', last), StringComparison.Ordinal));
    }

    private static Dictionary<string, string> VCardRow(RecordingSink sink, int row)
    {
        var table = Assert.Single(sink.Tables);
        var header = table.Rows[0].Cells;
        var cells = table.Rows[row].Cells;
        return Enumerable.Range(0, header.Length).Where(i => cells[i].Text.Length > 0).ToDictionary(i => header[i].Text, i => cells[i].Text);
    }

    [Fact]
    public void Extract_Calendar_UnfoldsLines()
    {
        string ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Case review for A\r\n lice Marsh\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(ics), "invite.ics", "text/calendar");
        Assert.Contains("SUMMARY:Case review for Alice Marsh\n", sink.AllText);
    }

    [Fact]
    public void Extract_LongText_IsSplitAtLineBreaks()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5000; i++)
        {
            sb.Append("Line ").Append(i).Append(" postcode LS6 3QT\n");
        }

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(sb.ToString()), "long.txt");
        Assert.True(sink.Texts.Count > 1);
        Assert.All(sink.Texts.SkipLast(1), t => Assert.EndsWith("\n", t.Text));
        Assert.Equal(sb.ToString(), string.Concat(sink.Texts.Select(t => t.Text)));
    }
}
