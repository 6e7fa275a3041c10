using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Core.Store;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Tests.Notices;

public sealed class HeldDigestNoticeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 7, 0, 0, TimeSpan.Zero);

    private static readonly string Findings = FindingsJson.Serialize(
    [
        new Finding(FindingKinds.PersonalData, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2), [], "1,598 rows: name, date of birth, immigration status"),
        new Finding(FindingKinds.UkNino, 1598, Confidence.High, new ContentLocation("/2", "people.xlsx", "Sheet1", 2, 3), ["AB****56C", "ZX****01D"]),
    ]);

    private static QuarantineRecord Held(string id, TimeSpan age, string rule, string subject = "Applications", int recipients = 12) => new(
        id, QuarantineStatus.Held, "clerk@corp.example", Enumerable.Range(0, recipients).Select(i => $"r{i}@ext.example").ToList(), Now - age, 1234,
        rule, "Personal data about several people is going outside the organisation.", subject, "1,598 rows: name, date of birth, immigration status", Findings, null, null, null);

    private static HeldDigestRequest Request(IReadOnlyList<QuarantineRecord> held, string? console = "https://mailguard.example.org", bool more = false) =>
        new("mailguard.corp.example", "security@corp.example", "01kaj0000000000dgst", new DateOnly(2026, 11, 21), Now, TimeZoneInfo.Utc, held, more, console);

    private static (MimeDocument Doc, string Text, string Html) Parse(byte[] bytes)
    {
        var doc = MimeDocument.Load(bytes);
        var parts = doc.Message.Body.Children;
        return (doc, Read(parts[0]), Read(parts[1]));
    }

    private static string Read(MimeEntity e)
    {
        using var s = e.OpenDecodedContent();
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    private static readonly QuarantineRecord[] Three =
    [
        Held("01kaa00000000000000a", TimeSpan.FromHours(50), "personal-data-external", "<script>alert(1)</script> list"),
        Held("01kaa00000000000000b", TimeSpan.FromHours(3), "exposed-recipients", recipients: 240),
        Held("01kaa00000000000000c", TimeSpan.FromMinutes(20), "personal-data-external", recipients: 1),
    ];

    [Fact]
    public void Build_ThreeHeld_HeadersOfAnAutomaticReportToTheTeam()
    {
        var (doc, _, _) = Parse(HeldDigestNotice.Build(Request(Three)));
        using (doc)
        {
            var h = doc.Message.Headers;
            Assert.Equal("security@corp.example", doc.Message.To.Single().Address);
            Assert.Equal("postmaster@mailguard.corp.example", doc.Message.From.Single().Address);
            Assert.Equal("[MailGuard] digest 2026-11-21: 3 messages held for review", doc.Message.Subject);
            Assert.Equal("auto-generated", h["Auto-Submitted"]!.Value.Trim());
            Assert.Equal("digest; day=2026-11-21", h[PolicyNotice.NoticeHeader]!.Value.Trim());
            Assert.Equal("<01kaj0000000000dgst.digest@mailguard.corp.example>", h["Message-ID"]!.Value.Trim());
            Assert.Equal("multipart/alternative", doc.Message.Body.ContentType.MimeType);
            Assert.Equal(["text/plain", "text/html"], doc.Message.Body.Children.Select(c => c.ContentType.MimeType));
        }
    }

    [Fact]
    public void Build_ThreeHeld_CountsByRuleOldestAgeAndOneEntryPerMessage()
    {
        var (doc, text, _) = Parse(HeldDigestNotice.Build(Request(Three)));
        doc.Dispose();

        Assert.Contains("3 messages held for review. The oldest has waited 2 days 2 h (held 2026-11-19 05:00 UTC).", text, StringComparison.Ordinal);
        Assert.Contains(" - personal-data-external: 2\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains(" - exposed-recipients: 1\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith(" - 01kaa00000000000000a", StringComparison.Ordinal));
        Assert.True(first > 0, text);
        Assert.Equal(" - 01kaa00000000000000a, held 2026-11-19 05:00 UTC by rule personal-data-external", lines[first]);
        Assert.Equal("   From clerk@corp.example to 12 recipients", lines[first + 1]);
        Assert.Equal("   Subject: <script>alert(1)</script> list", lines[first + 2]);
        Assert.Equal("   Found: 1,598 rows: name, date of birth, immigration status [personal-data ×1,598, uk-nino ×1,598]", lines[first + 3]);
        Assert.Equal("   https://mailguard.example.org/messages/01kaa00000000000000a", lines[first + 4]);
        // Oldest first.
        Assert.True(text.IndexOf("01kaa00000000000000a", StringComparison.Ordinal) < text.IndexOf("01kaa00000000000000b", StringComparison.Ordinal));
        Assert.True(text.IndexOf("01kaa00000000000000b", StringComparison.Ordinal) < text.IndexOf("01kaa00000000000000c", StringComparison.Ordinal));
        Assert.Contains("From clerk@corp.example to 1 recipient\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_FindingsWithEvidence_DigestHoldsNoEvidenceAtAll()
    {
        byte[] bytes = HeldDigestNotice.Build(Request(Three));
        string all = Encoding.UTF8.GetString(bytes);

        Assert.DoesNotContain("AB****56C", all, StringComparison.Ordinal);
        Assert.DoesNotContain("ZX****01D", all, StringComparison.Ordinal);
        Assert.DoesNotContain("****", all, StringComparison.Ordinal);
        Assert.DoesNotContain("people.xlsx", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HtmlPart_EscapesSubjectAndLinksToConsole()
    {
        var (doc, _, html) = Parse(HeldDigestNotice.Build(Request(Three)));
        doc.Dispose();

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; list", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://mailguard.example.org/messages/01kaa00000000000000b\">", html, StringComparison.Ordinal);
        Assert.All(html.ReplaceLineEndings("\n").Split('\n'), l => Assert.True(l.Length < 998, "line over RFC 5322's 998"));
    }

    [Fact]
    public void Build_ThreeHeld_CrlfLineEndsOnly()
    {
        // MimeKit writes LF line ends by default on Linux; what goes out over SMTP must be CRLF.
        string all = Encoding.UTF8.GetString(HeldDigestNotice.Build(Request(Three)));

        Assert.DoesNotContain("\n", all.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", all.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoPublicUrl_NoLinks()
    {
        string all = Encoding.UTF8.GetString(HeldDigestNotice.Build(Request(Three, console: null)));

        Assert.DoesNotContain("http", all, StringComparison.Ordinal);
        Assert.Contains("Review them in the MailGuard console.", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NothingHeld_SaysSo()
    {
        var (doc, text, _) = Parse(HeldDigestNotice.Build(Request([])));
        using (doc)
        {
            Assert.Equal("[MailGuard] digest 2026-11-21: no messages held", doc.Message.Subject);
        }

        Assert.Contains("no messages are held for review", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MoreThanListed_ListsTheOldestAndCountsAll()
    {
        var many = Enumerable.Range(0, HeldDigestNotice.MaxListed + 5)
            .Select(i => Held($"01kaa{i:D15}", TimeSpan.FromMinutes(1000 - i), "exposed-recipients"))
            .ToList();

        var (doc, text, _) = Parse(HeldDigestNotice.Build(Request(many, more: true)));
        doc.Dispose();

        Assert.Contains($"more than {many.Count} messages held for review", text, StringComparison.Ordinal);
        Assert.Contains($" - exposed-recipients: {many.Count}", text, StringComparison.Ordinal);
        Assert.Contains($"The oldest {HeldDigestNotice.MaxListed} of them:", text, StringComparison.Ordinal);
        Assert.Contains("01kaa000000000000000", text, StringComparison.Ordinal);
        Assert.DoesNotContain($"01kaa{many.Count - 1:D15}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SubjectAndSummaryWithIdentifiers_MaskedOnOneLine()
    {
        var held = Held("01kaa00000000000000d", TimeSpan.FromHours(1), "identifiers-external", "Claims AB123456C\r\nBcc: evil@attacker.example\u2028\u202Eok") with
        {
            Summary = "6 rows in CE234567A\u2029claimants.csv",
        };

        var (doc, text, html) = Parse(HeldDigestNotice.Build(Request([held])));
        using (doc)
        {
            Assert.Contains("Subject: Claims AB****56C Bcc: e***@attacker.example ok", text, StringComparison.Ordinal);
            Assert.Contains("Found: 6 rows in CE****67A claimants.csv", text, StringComparison.Ordinal);
            foreach (string shown in new[] { text, html })
            {
                Assert.DoesNotContain("AB123456C", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("CE234567A", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("evil@attacker.example", shown, StringComparison.Ordinal);
                Assert.DoesNotContain(shown, c => c is '\u2028' or '\u2029' or '\u202E');
            }
        }
    }
}
