using System.Text;
using MailGuard.Mime;

namespace MailGuard.Inspection.Tests;

public sealed class RecipientExposureTests
{
    private static readonly DomainSet s_internal = new(["homeoffice.example.gov.uk", "justice.example.gov.uk"]);
    private static readonly DomainSet s_personal = new(["gmail.com", "hotmail.co.uk"]);

    private static RecipientExposure Analyze(string headers, MessageEnvelope? envelope = null)
    {
        using var doc = MimeDocument.Load(Encoding.UTF8.GetBytes(headers + "\r\n\r\nbody\r\n"));
        return RecipientAnalyzer.Analyze(doc.Message, envelope, s_internal, s_personal);
    }

    [Fact]
    public void Analyze_ToAndCcAcrossSeveralFields_CountsDistinctExternal()
    {
        var e = Analyze("To: a@x.example, b@y.example\r\nCc: A@X.example, c@gmail.com\r\nCc: d@hotmail.co.uk");
        Assert.Equal(4, e.VisibleExternal);
        Assert.Equal(4, e.DistinctExternalDomains);
        Assert.Equal(2, e.PersonalMailboxes);
    }

    [Fact]
    public void Analyze_SubdomainOfInternal_IsInternalCaseInsensitively()
    {
        var e = Analyze("To: a@UKVI.HomeOffice.Example.gov.uk, b@hmpps.justice.example.gov.uk, c@notjustice.example.gov.uk");
        Assert.Equal(2, e.VisibleInternal);
        Assert.Equal(1, e.VisibleExternal);
    }

    [Fact]
    public void Analyze_GroupsAndEncodedNames_AreFlattened()
    {
        var e = Analyze("To: Applicants: \"Doe, Jane\" <j@a.example>, =?utf-8?q?J=C3=B6rg?= <k@b.example>;, undisclosed-recipients:;");
        Assert.Equal(2, e.VisibleExternal);
        Assert.Equal(["j***@a.example", "k***@b.example"], e.MaskedExamples);
    }

    [Fact]
    public void Analyze_EnvelopeRecipientsNotInHeaders_AreHidden()
    {
        var env = new MessageEnvelope("s@homeoffice.example.gov.uk", ["a@x.example", "b@y.example", "c@z.example", "s@homeoffice.example.gov.uk"]);
        var e = Analyze("To: s@homeoffice.example.gov.uk", env);
        Assert.Equal(0, e.VisibleExternal);
        Assert.Equal(3, e.Hidden);
        Assert.Equal(3, e.ExternalRecipients);
        Assert.True(e.AnyExternal);
    }

    [Fact]
    public void Analyze_WithoutEnvelope_BccIsHidden()
    {
        var e = Analyze("To: undisclosed-recipients:;\r\nBcc: a@x.example, b@y.example");
        Assert.Equal(0, e.VisibleExternal);
        Assert.Equal(2, e.Hidden);
    }

    [Fact]
    public void Analyze_RelayedWithABccFieldInTheMessage_ItsAddressesAreVisible()
    {
        // A mail merge script wrote every address into a Bcc field of the message it relays:
        // each recipient gets that field. Relayed, they are exposed; the same file scanned as a
        // draft (no envelope) keeps them hidden, as a client strips the field when it sends.
        var addresses = Enumerable.Range(0, 12).Select(i => $"person{i}@isp{i}.example").ToList();
        string headers = "To: undisclosed-recipients:;\r\nBcc: " + string.Join(", ", addresses);
        var relayed = Analyze(headers, new MessageEnvelope("s@homeoffice.example.gov.uk", addresses));
        Assert.Equal(12, relayed.VisibleExternal);
        Assert.Equal(0, relayed.Hidden);

        var draft = Analyze(headers);
        Assert.Equal(0, draft.VisibleExternal);
        Assert.Equal(12, draft.Hidden);
    }

    [Fact]
    public void DomainSet_IdnForms_AreTheSameDomain()
    {
        var set = new DomainSet(["bücher.example"]);
        Assert.True(set.ContainsOrIsSubdomainOf("XN--BCHER-KVA.example"));
        Assert.True(set.ContainsOrIsSubdomainOf("shop.bücher.example."));
        Assert.False(set.ContainsOrIsSubdomainOf("bucher.example"));
    }

    [Theory]
    [InlineData("gmail.com")]
    [InlineData("GMail.COM")]
    [InlineData(" gmail.com ")]
    [InlineData("gmail.com.")]
    [InlineData("mail.gmail.com")]
    [InlineData("gmail.co")]
    [InlineData("bücher.example")]
    [InlineData("XN--BCHER-KVA.example")]
    [InlineData("shop.bücher.example")]
    [InlineData("SHOP.XN--BCHER-KVA.example.")]
    [InlineData("a.b.mail.gmail.com")]
    [InlineData("com")]
    [InlineData("")]
    [InlineData(".")]
    public void DomainSet_SpanLookup_AnswersAsTheStringLookup(string domain)
    {
        // The allocation-free lookups a table's e-mail cells use say what the configured set says.
        var set = new DomainSet(["gmail.com", "bücher.example"]);
        Assert.Equal(set.Contains(domain), set.Contains(domain.AsSpan()));
        Assert.Equal(set.ContainsOrIsSubdomainOf(domain), set.ContainsOrIsSubdomainOf(domain.AsSpan()));
    }

    [Theory]
    [InlineData(253, true)]
    [InlineData(254, false)]
    public void DomainSet_SpanLookup_DomainsUpTo253Characters(int length, bool found)
    {
        // 253 characters is the longest domain name (RFC 1035 less the root's dot); past it, nothing.
        var domain = string.Join('.', Enumerable.Repeat(new string('a', 62), 4))[..(length - 8)] + ".example";
        var set = new DomainSet([domain]);
        Assert.Equal(length, domain.Length);
        Assert.Equal(found, set.Contains(domain.AsSpan()));
        Assert.Equal(found, set.ContainsOrIsSubdomainOf(domain.AsSpan()));
    }
}
