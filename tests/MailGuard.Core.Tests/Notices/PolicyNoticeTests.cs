using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Tests.Notices;

public sealed class PolicyNoticeTests
{
    private const string Id = "0123456789ab7k3f9q2d";

    private const string Original =
        "From: Clerk <clerk@corp.example>\r\nTo: a@x.example, b@y.example\r\nSubject: <script>alert(1)</script> extract\r\n\r\n" +
        "Name,NI Number\r\nJane Example,AB123456C\r\n";

    private static PolicyNoticeRequest Request(PolicyNoticeKind kind) => new(
        kind,
        "mailguard.corp.example",
        Id,
        "clerk@corp.example",
        "clerk@corp.example",
        "<script>alert(1)</script> extract",
        "Personal data about several people is going outside the organisation.",
        [
            new Finding(FindingKinds.PersonalData, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2), [], "1,598 rows: name, date of birth, immigration status"),
            new Finding(FindingKinds.UkNino, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2, 3), ["AB****56C"]),
        ],
        new RecipientExposure(240, 0, 10, 3, 0, 240, ["a***@x.example"]),
        ["a@x.example", "b@y.example"],
        new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
        new MemoryStream(Encoding.UTF8.GetBytes(Original)));

    private static string Text(MimeEntity e)
    {
        using var s = e.OpenDecodedContent();
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    [Fact]
    public void Build_Returned_IsRfc3464ReportWithHumanPartsStatusAndOriginal()
    {
        using var doc = MimeDocument.Load(PolicyNotice.Build(Request(PolicyNoticeKind.Returned)));
        var root = doc.Message.Body;
        Assert.Equal("multipart/report", root.ContentType.MimeType);
        Assert.Equal("delivery-status", root.ContentType.Parameters["report-type"]);
        Assert.Equal(3, root.Children.Count);
        var human = root.Children[0];
        Assert.Equal("multipart/alternative", human.ContentType.MimeType);
        Assert.Equal(["text/plain", "text/html"], human.Children.Select(c => c.ContentType.MimeType));
        Assert.Equal("message/delivery-status", root.Children[1].ContentType.MimeType);
        Assert.Contains("Status: 5.7.1", Text(root.Children[1]), StringComparison.Ordinal);
        Assert.Equal(MimeEntityKind.Message, root.Children[2].Kind);
        Assert.Equal("<script>alert(1)</script> extract", root.Children[2].Message!.Subject);
        Assert.Equal("auto-replied", doc.Message.Headers["Auto-Submitted"]!.Value);
        Assert.Equal("postmaster@mailguard.corp.example", doc.Message.From[0].Address);
    }

    [Fact]
    public void Build_Returned_HumanPartSaysWhatWhyAndHowToFixWithoutUnmaskedData()
    {
        using var doc = MimeDocument.Load(PolicyNotice.Build(Request(PolicyNoticeKind.Returned)));
        var human = doc.Message.Body.Children[0];
        string text = Text(human.Children[0]);
        string html = Text(human.Children[1]);
        Assert.Contains("NOT SENT", text, StringComparison.Ordinal);
        Assert.Contains("Personal data about 1,598 people: name, date of birth, immigration status", text, StringComparison.Ordinal);
        Assert.Contains("AB****56C", text, StringComparison.Ordinal);
        Assert.Contains("240 external recipients", text, StringComparison.Ordinal);
        Assert.Contains("Bcc", text, StringComparison.Ordinal);
        Assert.Contains("MG-7K3F-9Q2D", text, StringComparison.Ordinal);
        foreach (string part in new[] { text, html })
        {
            Assert.DoesNotContain("AB123456C", part, StringComparison.Ordinal);
            Assert.DoesNotContain("a@x.example", part, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SubjectTemplates_AreEditable()
    {
        var options = new NotificationOptions { Templates = new NoticeTemplates { HeldSubject = "Quarantined ({reference})" } };
        using var doc = MimeDocument.Load(PolicyNotice.Build(Request(PolicyNoticeKind.Held), options));
        Assert.Equal("Quarantined (MG-7K3F-9Q2D)", doc.Message.Subject);
        Assert.StartsWith("HELD FOR REVIEW", Text(doc.Message.Body.Children[0].Children[0]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", false)]
    [InlineData("<>", "", false)]
    [InlineData("MAILER-DAEMON@x.example", "", false)]
    [InlineData("clerk@corp.example", "Auto-Submitted: auto-generated\r\n", false)]
    [InlineData("clerk@corp.example", "Auto-Submitted: no\r\n", true)]
    [InlineData("clerk@corp.example", "Precedence: bulk\r\n", false)]
    [InlineData("clerk@corp.example", "List-Id: <news.corp.example>\r\n", false)]
    [InlineData("clerk@corp.example", "X-MailGuard-Notice: returned; reference=x\r\n", false)]
    [InlineData("clerk@corp.example", "", true)]
    public void MayNotifySender_NeverNullAutomaticListOrLoop(string sender, string extraHeaders, bool expected)
    {
        using var doc = MimeDocument.Load(Encoding.ASCII.GetBytes("From: x@y.example\r\n" + extraHeaders + "\r\nbody\r\n"));
        Assert.Equal(expected, PolicyNotice.MayNotifySender(sender, doc.Message.Headers));
    }

    [Theory]
    [InlineData(PolicyNoticeKind.Held)]
    [InlineData(PolicyNoticeKind.Returned)]
    [InlineData(PolicyNoticeKind.RecipientsHidden)]
    [InlineData(PolicyNoticeKind.SecurityAlert)]
    public void Build_CopiedFieldsWithIdentifiersAndLineBreaks_MaskedOnOneLineInSubjectTextAndHtml(PolicyNoticeKind kind)
    {
        var templates = new NotificationOptions { Templates = new NoticeTemplates { RecipientsHiddenSubject = "Recipients hidden: {subject}", SecurityAlertSubject = "[MailGuard] {subject}: {reason}" } };
        var request = Request(kind) with
        {
            OriginalSubject = "NI AB123456C\r\nBcc: evil@attacker.example\u2028\u202Efdp.exe",
            Reason = "reviewer said: see AB123456C\u2029now",
            Findings =
            [
                new Finding(FindingKinds.PersonalData, 6, Confidence.High, new ContentLocation("/2", "AB123456C\nclaimants.csv", "CE234567A", 2), [], "6 rows in AB123456C\u2028claimants.csv"),
            ],
        };

        using var doc = MimeDocument.Load(PolicyNotice.Build(request, templates));
        var human = doc.Message.Body.Children[0];
        string subject = doc.Message.Subject!;
        string text = Text(human.Children[0]);
        string html = Text(human.Children[1]);

        Assert.Contains("NI AB****56C Bcc: e***@attacker.example fdp.exe", subject, StringComparison.Ordinal);
        foreach (string shown in new[] { subject, text, html })
        {
            Assert.DoesNotContain("AB123456C", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("CE234567A", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("evil@attacker.example", shown, StringComparison.Ordinal);
            Assert.DoesNotContain(shown, c => c is '\u2028' or '\u2029' or '\u202E');
        }

        Assert.DoesNotContain(subject, c => c is '\r' or '\n');
        if (kind is PolicyNoticeKind.SecurityAlert)
        {
            Assert.Contains("6 rows in AB****56C claimants.csv", text, StringComparison.Ordinal);
            Assert.Contains("in AB****56C claimants.csv, sheet CE****67A, row 2", text, StringComparison.Ordinal);
        }
        else if (kind is PolicyNoticeKind.Held or PolicyNoticeKind.Returned)
        {
            // The file's name heads its findings; rows are counted from 1, as a spreadsheet shows them.
            Assert.Contains("\nAB****56C claimants.csv\r\n", text, StringComparison.Ordinal);
            Assert.Contains("Personal data about 6 people (sheet CE****67A, from row 2).", text, StringComparison.Ordinal);
            Assert.Contains("Why: reviewer said: see AB****56C now.", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Build_LongNonAsciiSubject_FoldedIntoShortEncodedWordsThatDecodeBack()
    {
        string subject = string.Concat(Enumerable.Repeat("Grüße 😀 ", 40));
        var request = Request(PolicyNoticeKind.Held) with { OriginalSubject = subject };

        byte[] bytes = PolicyNotice.Build(request);

        string head = Encoding.UTF8.GetString(bytes)[..Encoding.UTF8.GetString(bytes).IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.All(head.Split("\r\n"), line => Assert.True(line.Length <= 998, $"a header line of {line.Length} characters"));
        Assert.All(System.Text.RegularExpressions.Regex.Matches(head, @"=\?utf-8\?B\?[^?]*\?=").Select(m => m.Value), w => Assert.True(w.Length <= 75, w));
        using var doc = MimeDocument.Load(bytes);
        Assert.StartsWith("Held for review: Grüße 😀 Grüße", doc.Message.Subject, StringComparison.Ordinal);
        Assert.Equal(subject.Trim()[..200], doc.Message.Subject!["Held for review: ".Length..]);
    }

    [Fact]
    public void Build_200CharNonAsciiSubject_EncodedWordsWithin75AndHeaderLinesWithin78()
    {
        string subject = string.Concat(Enumerable.Repeat("Grüße 😀 Jörg ", 20))[..200];
        var request = Request(PolicyNoticeKind.Held) with { OriginalSubject = subject };

        byte[] bytes = PolicyNotice.Build(request);

        string all = Encoding.UTF8.GetString(bytes);
        string head = all[..all.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var words = System.Text.RegularExpressions.Regex.Matches(head, @"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=").Select(m => m.Value).ToList();
        Assert.True(words.Count >= 4, head);
        Assert.All(words, w => Assert.True(w.Length <= 75, $"an encoded word of {w.Length} characters: {w}"));
        Assert.All(head.Split("\r\n"), line => Assert.True(line.Length <= 78, $"a header line of {line.Length} characters: {line}"));
        using var doc = MimeDocument.Load(bytes);
        Assert.Equal("Held for review: " + subject.TrimEnd(), doc.Message.Subject);
    }

    [Theory]
    [InlineData(PolicyNoticeKind.Returned, "From: a@x.example\r\nSubject: plain\r\n\r\nbody\r\n")]
    [InlineData(PolicyNoticeKind.Returned, "From: a@x.example\nSubject: bare line feeds\n\nbody\n.\nend\n")]
    [InlineData(PolicyNoticeKind.Held, "From: a@x.example\r\nSubject: no final line break\r\n\r\nbody")]
    [InlineData(PolicyNoticeKind.Held, "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--")]
    [InlineData(PolicyNoticeKind.Returned, "Subject: =?utf-8?B?w6k=?=\r\n\r\nh\u00e9llo\r\n\r\n\r\n")]
    public void Build_OriginalAttached_ByteForByte(PolicyNoticeKind kind, string original)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(original);
        var request = Request(kind) with { Original = new MemoryStream(bytes) };

        byte[] notice = PolicyNotice.Build(request);

        using var doc = MimeDocument.Load(notice);
        var attached = doc.Message.Body.Children[^1];
        Assert.Equal("message/rfc822", attached.ContentType.MimeType);
        Assert.Equal("original.eml", attached.FileName);
        // The attachment runs from its body to the CRLF of the closing delimiter (RFC 2046 §5.1.1).
        byte[] expected = [.. bytes, .. Encoding.ASCII.GetBytes($"\r\n--{doc.Message.Body.ContentType.Boundary}--\r\n")];
        Assert.Equal(expected, notice.AsSpan((int)attached.BodyOffset).ToArray());
    }

    [Fact]
    public void Build_Returned_MimeKitReadsTheDeliveryStatus()
    {
        byte[] notice = PolicyNotice.Build(Request(PolicyNoticeKind.Returned));

        using var message = MimeKit.MimeMessage.Load(new MemoryStream(notice));
        var report = Assert.IsType<MimeKit.MultipartReport>(message.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = Assert.IsType<MimeKit.MessageDeliveryStatus>(report[1]);
        // MimeKit ends the part with a blank line, which it reads back as an empty last group.
        Assert.Equal(3, status.StatusGroups.Count(g => g.Count > 0));
        Assert.Equal("dns; mailguard.corp.example", status.StatusGroups[0]["Reporting-MTA"]!.Trim());
        Assert.Equal("rfc822; b@y.example", status.StatusGroups[2]["Final-Recipient"]!.Trim());
        Assert.Equal("5.7.1", status.StatusGroups[2]["Status"]!.Trim());
        Assert.Equal(Id + ".returned.1795255200000@mailguard.corp.example", message.MessageId);
        Assert.Equal("returned; reference=" + Id, message.Headers[PolicyNotice.NoticeHeader]!.Trim());
    }

    [Theory]
    [InlineData(PolicyNoticeKind.Held)]
    [InlineData(PolicyNoticeKind.SecurityAlert)]
    public void Build_AnyKind_CrlfLineEndsOutsideTheOriginal(PolicyNoticeKind kind)
    {
        string notice = Encoding.UTF8.GetString(PolicyNotice.Build(Request(kind)));

        Assert.DoesNotContain("\n", notice.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.EndsWith("--\r\n", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RecipientMimeKitWouldRefuse_WrittenAsGiven()
    {
        // A dot-string with ".." is no RFC 5322 addr-spec, and MimeKit's parser says so; the
        // notice still goes to the address it was asked to.
        string notice = Encoding.UTF8.GetString(PolicyNotice.Build(Request(PolicyNoticeKind.Held) with { To = "old..style@corp.example" }));

        Assert.Contains("\r\nTo: <old..style@corp.example>\r\n", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUp_Called_BuildsWithoutThrowing() => PolicyNotice.WarmUp();

    [Fact]
    public void Build_NullRecipient_Refused() =>
        Assert.Throws<ArgumentException>(() => PolicyNotice.Build(Request(PolicyNoticeKind.Returned) with { To = "" }));
}
