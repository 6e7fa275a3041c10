using System.Text;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests;

/// <summary>
/// UTF-7 may spell every character in base64 ("+AEEAQg-" is "AB"): a text part declared UTF-7 must
/// be decoded as UTF-7, or the identifiers in it would be invisible to the detectors.
/// </summary>
public sealed class Utf7InspectionTests
{
    [Theory]
    [InlineData("utf-7")]
    [InlineData("UNICODE-1-1-UTF-7")]
    [InlineData("\"utf-7\"")]
    public void MimeCharsets_ResolvesUtf7Aliases(string name)
    {
        var encoding = MimeCharsets.Resolve(name);
        Assert.NotNull(encoding);
        Assert.Equal("NI AB123456C", encoding.GetString("NI +AEEAQgAxADIAMwA0ADUANgBD-"u8.ToArray()));
    }

    [Theory]
    [InlineData("+AEEAQgAxADIAMwA0ADUANgBD-", "+AEMARQAyADMANAA1ADYANwBB-", "+AEoASAAzADQANQA2ADcAOABC-")]
    [InlineData("AB123456C", "CE234567A", "JH345678B")]
    public void TextPartInUtf7_IdentifiersSpelledInBase64_AreFound(string first, string second, string third)
    {
        string body = string.Join("\r\n",
            "Case list:",
            "Ann Smith, NI " + first,
            "Bob Jones, NI " + second,
            "Cat Brown, NI " + third);
        byte[] raw = Encoding.ASCII.GetBytes(
            "From: clerk@corp.example\r\nTo: partner@ext.example\r\nSubject: cases\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-7\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + body + "\r\n");
        using var document = MimeDocument.Load(new MemoryStream(raw));
        var inspector = new MessageInspector(new InspectionOptions(), new DomainSet(["corp.example"]), new DomainSet([]));

        var result = inspector.Inspect(document, null);

        var ninos = Assert.Single(result.Findings, f => f.Kind == FindingKinds.UkNino);
        Assert.Equal(3, ninos.Count);
        Assert.DoesNotContain(result.Findings, f => f.Kind == FindingKinds.Unscannable);
    }
}
