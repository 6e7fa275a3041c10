using System.Text;
using MailGuard.Inspection.Extraction;
using MailGuard.Inspection.Tests.Extraction;

namespace MailGuard.Inspection.Tests.Detection;

/// <summary>
/// Exports that hold records in a format of their own rather than rows (a contacts file, a
/// system's JSON or XML export) are counted as the tables they are: one person per record.
/// </summary>
public sealed class RecordFormatTests
{
    private static InspectionResult InspectAttachment(string fileName, string contentType, string content) =>
        TestData.InspectAttachment(fileName, contentType, Encoding.UTF8.GetBytes(content));

    private static string Card(params string[] lines) => "BEGIN:VCARD\r\nVERSION:3.0\r\n" + string.Join("\r\n", lines) + "\r\nEND:VCARD\r\n";

    [Fact]
    public void VCards_PeoplesOwnContactDetails_OnePersonACard()
    {
        var cards = string.Concat(Enumerable.Range(0, 25).Select(i => Card(
            $"N:{TestData.Surname(i)};{TestData.Forename(i)};;;", $"FN:{TestData.Forename(i)} {TestData.Surname(i)}",
            $"TEL;TYPE=CELL:{TestData.Mobile(i)}", $"ADR;TYPE=HOME:;;{i + 1} Mill Lane;Leeds;;{TestData.Postcode(i)};UK")));

        var personal = Assert.Single(InspectAttachment("contacts.vcf", "text/vcard", cards).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(25, personal.Count);
        Assert.Equal("contacts.vcf, rows 2-26", personal.Location.ToString());
    }

    [Fact]
    public void VCard_OnePersonsCard_NotPersonalData()
    {
        // The sender's own card, attached to a message: one person is below every threshold.
        var card = Card("FN:Karen Holt", "TEL;TYPE=CELL:07700 900123", "ADR;TYPE=HOME:;;14 Mill Lane;Leeds;;LS6 2AB;UK", "BDAY:1975-03-02");

        Assert.DoesNotContain(InspectAttachment("karen.vcf", "text/x-vcard", card).Findings, f => f.Kind == FindingKinds.PersonalData);
    }

    [Fact]
    public void VCards_BuyersAtTheirCompanies_BusinessContacts()
    {
        var cards = string.Concat(Enumerable.Range(0, 25).Select(i => Card(
            $"FN:{TestData.Forename(i)} {TestData.Surname(i)}", $"ORG:Supplier {i} Ltd", "TITLE:Buyer",
            $"TEL;TYPE=WORK:0113 496 {i:0000}", $"EMAIL;TYPE=WORK:buyer{i}@supplier{i}.example")));

        var findings = InspectAttachment("suppliers.vcf", "text/vcard", cards).Findings;

        Assert.DoesNotContain(findings, f => f.Kind == FindingKinds.PersonalData);
        Assert.Equal(25, Assert.Single(findings, f => f.Kind == FindingKinds.BusinessContacts).Count);
    }

    private static string Person(int i) =>
        $"{{\"firstName\": \"{TestData.Forename(i)}\", \"lastName\": \"{TestData.Surname(i)}\", \"dateOfBirth\": \"{1950 + i}-0{1 + (i % 9)}-1{i % 10}\", " +
        $"\"address\": {{\"line1\": \"{i + 1} Mill Lane\", \"postcode\": \"{TestData.Postcode(i)}\"}}, \"active\": true, \"score\": {i}}}";

    public static TheoryData<string, string, string> JsonShapes() => new()
    {
        // An array of objects; the same inside an envelope; one object a line; objects keyed by id;
        // rows as arrays with their header first.
        { "array", "[" + string.Join(",\n", Enumerable.Range(0, 30).Select(Person)) + "]", "users.json, rows 2-31" },
        { "envelope", "{\"exportedAt\": \"2026-11-30T09:00:00Z\", \"count\": 30, \"users\": [" + string.Join(",", Enumerable.Range(0, 30).Select(Person)) + "]}", "users.json, sheet users, rows 2-31" },
        { "lines", string.Join("\n", Enumerable.Range(0, 30).Select(Person)) + "\n", "users.json, rows 2-31" },
        { "keyed", "{" + string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"P{i:000}\": {Person(i)}")) + "}", "users.json, rows 2-31" },
        {
            "rows", "{\"values\": [[\"Name\", \"DOB\", \"NI number\"], " + string.Join(",", Enumerable.Range(0, 30).Select(i =>
                $"[\"{TestData.Forename(i)} {TestData.Surname(i)}\", \"{TestData.Dob(i)}\", \"{TestData.Nino(i)}\"]")) + "]}",
            "users.json, sheet values, rows 2-31"
        },
    };

    [Theory]
    [MemberData(nameof(JsonShapes))]
    public void Json_RecordsOfPeople_OnePersonARecord(string shape, string json, string where)
    {
        var personal = Assert.Single(InspectAttachment("users.json", "application/json", json).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.True(personal.Count == 30, $"{shape}: {personal.Count} people");
        Assert.Equal(where, personal.Location.ToString());
    }

    [Fact]
    public void Json_OnePersonsRecord_NotPersonalData() =>
        Assert.DoesNotContain(InspectAttachment("me.json", "application/json", Person(1)).Findings, f => f.Kind == FindingKinds.PersonalData);

    [Fact]
    public void Json_ProductCatalogue_NoPersonalData()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 60).Select(i =>
            $"{{\"sku\": \"{4006381333931L + (i * 11)}\", \"name\": \"Widget {i}\", \"price\": {i}.99, \"released\": \"2026-0{1 + (i % 9)}-01\", \"supplier\": {{\"name\": \"Acme Ltd\", \"email\": \"sales@acme.example\"}}}}")) + "]";

        Assert.DoesNotContain(InspectAttachment("catalogue.json", "application/json", json).Findings, f => f.Kind is FindingKinds.PersonalData or FindingKinds.PaymentCard);
    }

    [Fact]
    public void Json_StoresWithAddressesAndPhones_NoPeople_CustomersAtThemAre()
    {
        // Shops, pharmacies and libraries are named by their own names ("Leeds Trinity"), which
        // read like people's: the key says whose they are. A customer list with a store key is
        // still a list of people.
        string Stores(string key) => "[" + string.Join(",", Enumerable.Range(0, 12).Select(i =>
            $"{{\"{key}\": \"{TestData.Surname(i)} {TestData.Surname(i + 20)}\", \"address\": \"{i + 1} Mill Lane, Leeds {TestData.Postcode(i)}\", \"opened\": \"19{60 + i}-04-01\", \"phone\": \"0113 496 {1000 + i}\"}}")) + "]";
        foreach (var key in new[] { "store", "shop", "pharmacy", "library", "outlet" })
        {
            Assert.DoesNotContain(InspectAttachment("stores.json", "application/json", Stores(key)).Findings, f => f.Kind == FindingKinds.PersonalData);
        }

        var customers = "[" + string.Join(",", Enumerable.Range(0, 12).Select(i =>
            $"{{\"name\": \"{TestData.Forename(i)} {TestData.Surname(i)}\", \"store\": \"Leeds Trinity\", \"home_address\": \"{i + 1} Mill Lane, Leeds {TestData.Postcode(i)}\", \"mobile\": \"07700 900{100 + i}\"}}")) + "]";
        Assert.Equal(12, Assert.Single(InspectAttachment("customers.json", "application/json", customers).Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void Json_NotWellFormed_ReadAsText()
    {
        // A cut-off export is still read: as text, so its identifiers are found.
        var json = "[" + string.Join(",", Enumerable.Range(0, 10).Select(i => $"{{\"ni\": \"{TestData.Nino(i)}\", \"name\": \"{TestData.Forename(i)}\""));

        Assert.Equal(10, Assert.Single(InspectAttachment("cut.json", "application/json", json).Findings, f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Fact]
    public void Xml_RepeatedElements_OnePersonAnElement()
    {
        var xml = "<?xml version=\"1.0\"?><Export><Generated>2026-11-30</Generated><Pupils>" + string.Concat(Enumerable.Range(0, 25).Select(i =>
            $"<Pupil upn=\"A{100000000000L + i}\"><Forename>{TestData.Forename(i)}</Forename><Surname>{TestData.Surname(i)}</Surname>" +
            $"<DOB>{2010 + (i % 5)}-0{1 + (i % 9)}-1{i % 10}</DOB><Address><Line1>{i + 1} Mill Lane</Line1><Postcode>{TestData.Postcode(i)}</Postcode></Address></Pupil>")) +
            "</Pupils></Export>";

        var personal = Assert.Single(InspectAttachment("pupils.xml", "application/xml", xml).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(25, personal.Count);
        Assert.Equal("pupils.xml, sheet Pupil, rows 2-26", personal.Location.ToString());
    }

    [Fact]
    public void Xml_PeopleAsAttributes_OnePersonAnElement()
    {
        var xml = "<people>" + string.Concat(Enumerable.Range(0, 25).Select(i =>
            $"<person name=\"{TestData.Forename(i)} {TestData.Surname(i)}\" nino=\"{TestData.Nino(i)}\"/>")) + "</people>";

        Assert.Equal(25, Assert.Single(InspectAttachment("people.xml", "text/xml", xml).Findings, f => f.Kind == FindingKinds.PersonalData).Count);
    }

    [Fact]
    public void Xml_NotWellFormed_ReadAsTextWithTagsAsBreaks()
    {
        // No closing root: read as text, each element's value apart from the next, attribute values too.
        var xml = "<?xml version=\"1.0\"?><list>" + string.Concat(Enumerable.Range(0, 10).Select(i => $"<ni>{TestData.Nino(i)}</ni><dob>{TestData.Dob(i)}</dob>")) +
            string.Concat(Enumerable.Range(10, 5).Select(i => $"<p ni=\"{TestData.Nino(i)}\" dob='{TestData.Dob(i)}'/>"));

        Assert.Equal(15, Assert.Single(InspectAttachment("cut.xml", "application/xml", xml).Findings, f => f.Kind == FindingKinds.UkNino).Count);
    }

    [Theory]
    [InlineData(61, true)]
    [InlineData(62, false)]
    public void Xml_AtMostMaxDepth_ReadAsATree(int wrappers, bool table)
    {
        // Text 64 levels down is read from the tree; one level more, the document is text.
        var xml = string.Concat(Enumerable.Range(0, wrappers).Select(i => $"<w{i}>")) + "<Pupils>" +
            string.Concat(Enumerable.Range(0, 10).Select(i => $"<Pupil><Name>{TestData.Forename(i)} {TestData.Surname(i)}</Name><NI>{TestData.Nino(i)}</NI></Pupil>")) +
            "</Pupils>" + string.Concat(Enumerable.Range(0, wrappers).Reverse().Select(i => $"</w{i}>"));

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(xml), "deep.xml", "application/xml");

        Assert.Equal(table, sink.Tables.Count == 1);
        Assert.Contains(TestData.Nino(9), table ? string.Concat(sink.Tables[0].Rows[^1].Cells.Select(c => c.Text)) : sink.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<a>", 10_000)]
    [InlineData("<a>x ", 500_000)]
    public void Xml_NestedDeep_ReadWithoutFailing(string open, int levels)
    {
        // Elements in elements, half a million deep with text at every level: read without
        // recursion past a few dozen levels (a frame a level would overflow the stack).
        var xml = string.Concat(Enumerable.Repeat(open, levels)) + TestData.Nino(1) + string.Concat(Enumerable.Repeat("</a>", levels));

        var result = InspectAttachment("deep.xml", "application/xml", xml);

        Assert.Single(result.Findings, f => f.Kind == FindingKinds.UkNino);
    }

    [Fact]
    public void Xml_RowsOfCells_ReadAsTheSheetTheyAre()
    {
        // Excel's "XML Spreadsheet 2003": <Row><Cell><Data>..., the header among the rows.
        static string Row(params string[] cells) => "<Row>" + string.Concat(cells.Select(c => $"<Cell><Data ss:Type=\"String\">{c}</Data></Cell>")) + "</Row>";
        var xml = "<?xml version=\"1.0\"?><?mso-application progid=\"Excel.Sheet\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" " +
            "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"Claimants\"><Table>" + Row("Name", "Date of birth", "NI number") +
            string.Concat(Enumerable.Range(0, 15).Select(i => Row($"{TestData.Forename(i)} {TestData.Surname(i)}", TestData.Dob(i), TestData.Nino(i)))) + "</Table></Worksheet></Workbook>";

        var personal = Assert.Single(InspectAttachment("claimants.xml", "application/vnd.ms-excel", xml).Findings, f => f.Kind == FindingKinds.PersonalData);

        Assert.Equal(15, personal.Count);
        Assert.Equal("claimants.xml, sheet Claimants, rows 2-16", personal.Location.ToString());
    }

    [Fact]
    public void Json_RecordOfAHundredThousandFields_ReadInLinearTime()
    {
        // Past the header's columns every field goes to "Other": appended, not copied each time.
        var record = "{" + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"\"f{i}\": \"v{i}\"")) + $", \"last\": \"NI {TestData.Nino(3)}\"}}";
        var json = "[" + record + "," + record + "]";
        InspectionResult result = null!;

        var elapsed = Extraction.Timing.BestCpuTime(1, () => result = InspectAttachment("wide.json", "application/json", json));

        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"{elapsed.TotalMilliseconds:F0} ms");
        Assert.Contains(result.Findings, f => f.Kind == FindingKinds.UkNino);
    }

    [Theory]
    [InlineData(64, 64, false)]
    [InlineData(65, 64, true)]
    public void Json_KindsOfRecord_AtMost64Tables(int kinds, int tables, bool lastAsText)
    {
        // Each array of objects is a table of its own, up to 64; records of any more are text.
        var json = "{" + string.Join(",", Enumerable.Range(0, kinds).Select(i => $"\"list{i}\": [{{\"code\": \"value{i}\"}}]")) + "}";

        RecordingSink sink = Extract.Run(Encoding.UTF8.GetBytes(json), "lists.json");

        Assert.Equal(tables, sink.Tables.Count);
        Assert.Equal(lastAsText, sink.AllText.Contains($"code: value{kinds - 1}", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(128, false)]
    [InlineData(129, true)]
    public void Json_FieldsOfARecord_AtMost128Columns(int fields, bool lastInOther)
    {
        var json = "[{" + string.Join(",", Enumerable.Range(0, fields).Select(i => $"\"f{i}\": \"v{i}\"")) + "}]";

        var table = Assert.Single(Extract.Run(Encoding.UTF8.GetBytes(json), "wide.json").Tables);

        Assert.Equal(Math.Min(fields, 128) + 1, table.Rows[0].Cells.Length);
        Assert.Equal(lastInOther ? $"f{fields - 1}: v{fields - 1}" : string.Empty, table.Rows[1].Cells[^1].Text);
    }

    [Theory]
    [InlineData(64, false)]
    [InlineData(65, true)]
    public void Json_FieldFirstSeenPastTheHeaderRecords_GoesToOther(int record, bool inOther)
    {
        // The header is decided from the first 64 records; a field first seen later has no column.
        var json = "[" + string.Join(",", Enumerable.Range(1, record).Select(i => i == record ? "{\"id\": \"x\", \"late\": \"y\"}" : "{\"id\": \"x\"}")) + "]";

        var table = Assert.Single(Extract.Run(Encoding.UTF8.GetBytes(json), "late.json").Tables);

        Assert.Equal(inOther, table.Rows[0].Cells.All(c => c.Text != "late"));
        Assert.Equal(inOther ? "late: y" : string.Empty, table.Rows[^1].Cells[^1].Text);
    }

    [Theory]
    [InlineData("json", 0, true)]
    [InlineData("json", 1, false)]
    [InlineData("xml", 0, true)]
    [InlineData("xml", 1, false)]
    public void Document_AtMostItsSizeLimit_ReadForItsRecords(string format, int over, bool records)
    {
        // Padded with white space to exactly the limit (16 MB of JSON, 8 MB of XML), or one more.
        var people = Enumerable.Range(0, 10).Select(i => (Name: $"{TestData.Forename(i)} {TestData.Surname(i)}", Nino: TestData.Nino(i))).ToList();
        var body = format == "json"
            ? "[" + string.Join(",", people.Select(p => $"{{\"name\": \"{p.Name}\", \"ni\": \"{p.Nino}\"}}")) + "]"
            : "<people>" + string.Concat(people.Select(p => $"<person><name>{p.Name}</name><ni>{p.Nino}</ni></person>")) + "</people>";
        var limit = format == "json" ? RecordExtractor.MaxJsonChars : RecordExtractor.MaxXmlChars;
        var document = body + new string(' ', limit - body.Length + over);

        RecordingSink sink = Extract.Run(Encoding.ASCII.GetBytes(document), "people." + format);

        Assert.Equal(records, sink.Tables.Count == 1);
        Assert.Contains(TestData.Nino(9), records ? string.Concat(sink.Tables[0].Rows[^1].Cells.Select(c => c.Text)) : sink.AllText, StringComparison.Ordinal);
    }
}
