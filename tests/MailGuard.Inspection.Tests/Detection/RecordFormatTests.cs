using System.Text;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests.Detection;

/// <summary>
/// Exports that hold records in a format of their own rather than rows (a contacts file, a
/// system's JSON or XML export) are counted as the tables they are: one person per record.
/// </summary>
public sealed class RecordFormatTests
{
    private static InspectionResult InspectAttachment(string fileName, string contentType, string content)
    {
        string message = "From: officer@council.example.gov.uk\r\nTo: someone@partner.example\r\nSubject: export\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nAttached.\r\n" +
            $"--b\r\nContent-Type: {contentType}; name=\"{fileName}\"\r\nContent-Disposition: attachment; filename=\"{fileName}\"\r\n" +
            "Content-Transfer-Encoding: base64\r\n\r\n" + Convert.ToBase64String(Encoding.UTF8.GetBytes(content), Base64FormattingOptions.InsertLineBreaks) + "\r\n--b--\r\n";
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["council.example.gov.uk"]), DomainSet.PersonalMailboxes);
        using var doc = MimeDocument.Load(Encoding.UTF8.GetBytes(message));
        return inspector.Inspect(doc, null);
    }

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
}
