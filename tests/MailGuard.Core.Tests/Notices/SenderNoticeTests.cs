using System.Text;
using System.Text.RegularExpressions;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.Inspection;
using MailGuard.Mime;

namespace MailGuard.Core.Tests.Notices;

/// <summary>
/// The notices to senders: each kind's banner and next steps, findings in plain words per file,
/// the buttons each kind may offer (never "ask for release" on a returned message), the
/// organisation's words, the reviewer's note, contact, From, and HTML that fetches nothing.
/// </summary>
public sealed partial class SenderNoticeTests
{
    private const string Id = "01jc3k5m7nxy7k3f9q2d";
    private const string RequestUrl = "https://mailguard.corp.example/request/" + Id + "/AAAAAAAAAAAAAAAAAAAAAAAA";
    private const string WithdrawUrl = "https://mailguard.corp.example/request/withdraw/" + Id + "/BBBBBBBBBBBBBBBBBBBBBBBB";

    public static TheoryData<PolicyNoticeKind> SenderKinds { get; } =
    [
        PolicyNoticeKind.Held, PolicyNoticeKind.Returned, PolicyNoticeKind.Released, PolicyNoticeKind.Deleted,
        PolicyNoticeKind.Expired, PolicyNoticeKind.ReleaseRequestReceived, PolicyNoticeKind.RecipientsHidden,
    ];

    [GeneratedRegex(@"(?:src|background|srcset)\s*=|url\(|<script|<img|<link|<iframe|<object|<embed|<form|@import|javascript:|\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex Fetching();

    [GeneratedRegex(@"href=""([^""]*)""")]
    private static partial Regex Href();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    /// <summary>Whether any tag (text between tags is escaped, so it cannot be one) loads or runs something.</summary>
    internal static bool AnyTagFetches(string html) => Tag().Matches(html).Any(t => Fetching().IsMatch(t.Value));

    internal static PolicyNoticeRequest Request(PolicyNoticeKind kind) => new(
        kind,
        "mailguard.corp.example",
        Id,
        "sam.clerk@corp.example",
        "sam.clerk@corp.example",
        "Q3 claimants <b>list</b> for AB123456C",
        "Personal data about many people is going outside the organisation",
        [
            new Finding(FindingKinds.ExposedRecipients, 14, Confidence.High, new ContentLocation("/", "To/Cc"), ["a***@school1.example"]),
            new Finding(FindingKinds.PersonalData, 30, Confidence.High, new ContentLocation("/2", "claimants_q3.csv").WithRows(2, 31), ["AB****56C"], "30 rows: name, NI number, date of birth"),
            new Finding(FindingKinds.UkNino, 30, Confidence.High, new ContentLocation("/2", "claimants_q3.csv", null, 2, 2), ["AB****56C", "CE****67A"]),
            new Finding(FindingKinds.DateOfBirth, 30, Confidence.Medium, new ContentLocation("/2", "claimants_q3.csv", null, 2, 3), ["**/**/1984"]),
            new Finding(FindingKinds.EmailAddress, 2, Confidence.High, new ContentLocation("/1"), ["j***@home.example"]),
            new Finding(FindingKinds.Unscannable, 1, Confidence.High, new ContentLocation("/3", "payroll.zip"), [], "Encrypted: entry is encrypted", "Encrypted"),
        ],
        null,
        ["a@school1.example"],
        new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
        null,
        kind == PolicyNoticeKind.Held ? RequestUrl : null,
        "Claimant data goes to partners through the secure portal, never by email.",
        kind is PolicyNoticeKind.Released or PolicyNoticeKind.Deleted or PolicyNoticeKind.Returned ? "Please send only the 3 rows the school asked for." : null,
        kind is PolicyNoticeKind.Held or PolicyNoticeKind.ReleaseRequestReceived ? WithdrawUrl : null,
        ByReviewer: false);

    internal static NotificationOptions Options(string? contact = "Information Governance, ext. 4321, ig@corp.example") => new()
    {
        Contact = contact,
        FromName = "Corp Mail Safety",
        FromAddress = "mail-safety@corp.example",
    };

    internal static (MimeDocument Doc, string Text, string Html) Parts(byte[] notice)
    {
        var doc = MimeDocument.Load(notice);
        var alternative = doc.Message.Body.Children[0];
        Assert.Equal("multipart/alternative", alternative.ContentType.MimeType);
        // Compared with \n line ends; the parts travel with CRLF.
        return (doc, Decode(alternative.Children[0]).Replace("\r\n", "\n", StringComparison.Ordinal), Decode(alternative.Children[1]));
    }

    private static string Decode(MimeEntity e)
    {
        using var s = e.OpenDecodedContent();
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    [Theory]
    [MemberData(nameof(SenderKinds))]
    public void Build_EveryKind_HtmlFetchesNothingEscapesEverythingAndTextSaysTheSame(PolicyNoticeKind kind)
    {
        var (doc, text, html) = Parts(PolicyNotice.Build(Request(kind), Options()));
        using (doc)
        {
            Assert.False(AnyTagFetches(html));
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.Contains("<table role=\"presentation\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            // Links are only the notice's own buttons, to https.
            Assert.All(Href().Matches(html), m => Assert.StartsWith("https://mailguard.corp.example/request/", m.Groups[1].Value, StringComparison.Ordinal));
            Assert.DoesNotContain("<b>list</b>", html, StringComparison.Ordinal);
            Assert.Contains("Q3 claimants &lt;b&gt;list&lt;/b&gt; for AB****56C", html, StringComparison.Ordinal);
            foreach (string part in new[] { text, html, doc.Message.Subject! })
            {
                Assert.DoesNotContain("AB123456C", part, StringComparison.Ordinal);
            }

            // The same words in both parts: the reference, the contact, every step.
            foreach (string shared in new[] { "MG-7K3F-9Q2D", "Information Governance, ext. 4321, ig@corp.example" })
            {
                Assert.Contains(shared, text, StringComparison.Ordinal);
                Assert.Contains(System.Net.WebUtility.HtmlEncode(shared), html, StringComparison.Ordinal);
            }

            Assert.Equal("Corp Mail Safety", doc.Message.From[0].Name);
            Assert.Equal("mail-safety@corp.example", doc.Message.From[0].Address);
        }
    }

    [Fact]
    public void Build_Held_PlainWordsPerFileRowsFromOneButtonsForRequestAndWithdraw()
    {
        var (doc, text, html) = Parts(PolicyNotice.Build(Request(PolicyNoticeKind.Held), Options()));
        using (doc)
        {
            Assert.Equal("Held for review: Q3 claimants <b>list</b> for AB****56C", doc.Message.Subject);
            Assert.StartsWith("HELD FOR REVIEW\n", text, StringComparison.Ordinal);
            // The table's people cover rows 2-31 (header on row 1); a value's finding says where it starts.
            Assert.Contains("claimants_q3.csv\n  - Personal data about 30 people: name, NI number, date of birth, for example AB****56C (rows 2-31).\n", text, StringComparison.Ordinal);
            Assert.Contains("Personal data about 30 people: name, NI number, date of birth, for example AB****56C (rows 2-31).</li>", html, StringComparison.Ordinal);
            Assert.Contains("  - 30 National Insurance numbers, for example AB****56C, CE****67A (from row 2).\n", text, StringComparison.Ordinal);
            Assert.Contains("  - 30 dates of birth, for example **/**/1984 (from row 2).\n", text, StringComparison.Ordinal);
            Assert.Contains("The message itself\n  - 2 email addresses, for example j***@home.example.\n", text, StringComparison.Ordinal);
            Assert.Contains("payroll.zip\n  - MailGuard could not check this: it is encrypted or protected by a password.\n", text, StringComparison.Ordinal);
            Assert.Contains("Recipients: 14 external recipients would have seen each other's addresses in To/Cc.", text, StringComparison.Ordinal);
            Assert.Contains("From your organisation: Claimant data goes to partners through the secure portal, never by email.", text, StringComparison.Ordinal);
            Assert.Contains("Why: Personal data about many people is going outside the organisation.", text, StringComparison.Ordinal);
            Assert.Contains("Ask for release: " + RequestUrl + "\n", text, StringComparison.Ordinal);
            Assert.Contains("Withdraw this message: " + WithdrawUrl + "\n", text, StringComparison.Ordinal);
            Assert.Contains("withdraw the held message first", text, StringComparison.Ordinal);
            Assert.Contains("Move the external recipients from To and Cc to Bcc.", text, StringComparison.Ordinal);
            Assert.Equal([RequestUrl, WithdrawUrl], Href().Matches(html).Select(m => m.Groups[1].Value));
            Assert.Contains(">Ask for release</a>", html, StringComparison.Ordinal);
            Assert.Contains(">Withdraw this message</a>", html, StringComparison.Ordinal);
            Assert.Contains(">Held for review</td>", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Build_Returned_OffersResendNeverRelease_EvenWithAReleaseLinkGiven()
    {
        var request = Request(PolicyNoticeKind.Returned) with { ReleaseRequestUrl = RequestUrl, WithdrawUrl = WithdrawUrl };
        var (doc, text, html) = Parts(PolicyNotice.Build(request, Options()));
        using (doc)
        {
            foreach (string part in new[] { text, html })
            {
                Assert.DoesNotContain("ask for release", part, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("ask the security team to release", part, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("/request/", part, StringComparison.Ordinal);
                Assert.DoesNotContain("withdraw", part, StringComparison.OrdinalIgnoreCase);
            }

            Assert.StartsWith("NOT SENT\n", text, StringComparison.Ordinal);
            Assert.Contains("send it again as a new message", text, StringComparison.Ordinal);
            Assert.Contains("Nothing is held, so there is nothing to release.", text, StringComparison.Ordinal);
            Assert.Contains("Note from the reviewer: Please send only the 3 rows the school asked for.", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(PolicyNoticeKind.Released, "RELEASED\n", "is being delivered")]
    [InlineData(PolicyNoticeKind.Deleted, "NOT SENT: DELETED\n", "deleted by a reviewer")]
    [InlineData(PolicyNoticeKind.Expired, "NOT SENT: EXPIRED\n", "not released in time")]
    [InlineData(PolicyNoticeKind.ReleaseRequestReceived, "RELEASE REQUESTED\n", "has reached the reviewers")]
    [InlineData(PolicyNoticeKind.RecipientsHidden, "DELIVERED: RECIPIENTS HIDDEN\n", "put external recipients in Bcc")]
    public void Build_FollowUps_BannerWhatHappenedAndNoReleaseButton(PolicyNoticeKind kind, string banner, string says)
    {
        var (doc, text, html) = Parts(PolicyNotice.Build(Request(kind), Options()));
        using (doc)
        {
            Assert.StartsWith(banner, text, StringComparison.Ordinal);
            Assert.Contains(says, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ask for release", text, StringComparison.Ordinal);
            Assert.DoesNotContain(">Ask for release<", html, StringComparison.Ordinal);
            bool note = kind is PolicyNoticeKind.Released or PolicyNoticeKind.Deleted;
            Assert.Equal(note, text.Contains("Note from the reviewer: Please send only the 3 rows the school asked for.", StringComparison.Ordinal));
            Assert.Equal(kind == PolicyNoticeKind.ReleaseRequestReceived, html.Contains(">Withdraw this message</a>", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Build_NoContactNoFrom_NoContactLineAndPostmasterAtTheServer()
    {
        var (doc, text, html) = Parts(PolicyNotice.Build(Request(PolicyNoticeKind.Held), new NotificationOptions()));
        using (doc)
        {
            Assert.DoesNotContain("Questions?", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Questions?", html, StringComparison.Ordinal);
            Assert.Equal("MailGuard", doc.Message.From[0].Name);
            Assert.Equal("postmaster@mailguard.corp.example", doc.Message.From[0].Address);
        }
    }

    [Fact]
    public void Build_NoteRuleMessageAndContactWithIdentifiersOrMarkup_MaskedAndEscaped()
    {
        var request = Request(PolicyNoticeKind.Released) with
        {
            NoteToSender = "Released; next time drop AB123456C's row <script>alert(1)</script>",
            SenderMessage = "Ask <a href=\"https://evil.example\">IG</a>",
        };
        var (doc, text, html) = Parts(PolicyNotice.Build(request, Options("<img src=x onerror=alert(1)>")));
        using (doc)
        {
            Assert.Contains("Note from the reviewer: Released; next time drop AB****56C's row <script>alert(1)</script>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
            Assert.DoesNotContain("href=\"https://evil.example\"", html, StringComparison.Ordinal);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
            Assert.False(AnyTagFetches(html));
        }
    }

    [Fact]
    public void FindingWords_EveryKnownKindHasAPlainName()
    {
        foreach (var field in typeof(FindingKinds).GetFields().Where(f => f.IsLiteral))
        {
            string kind = (string)field.GetRawConstantValue()!;
            Assert.NotEqual(kind, FindingWords.Name(kind, 2));
            Assert.DoesNotContain('-', FindingWords.Name(kind, 1));
        }

        Assert.Equal("National Insurance number", FindingWords.Name("uk-nino", 1));
        Assert.Equal("National Insurance numbers", FindingWords.Name("uk-nino", 30));
        Assert.Equal("new-kind", FindingWords.Name("new-kind", 3));
    }

    [Theory]
    [InlineData("01jc3k5m7nxy7k3f9q2d", "MG-7K3F-9Q2D")]
    [InlineData("01jc3k5m7nabcdefgh00", "MG-CDEF-GH00")]
    public void Reference_IsTheIdsRandomEndInTwoGroups_AndParsesBack(string id, string reference)
    {
        Assert.Equal(reference, NoticeReference.For(id));
        Assert.True(NoticeReference.TryParse(NoticeReference.For(id), out string suffix));
        Assert.EndsWith(suffix, id, StringComparison.Ordinal);
        Assert.True(NoticeReference.TryParse(NoticeReference.For(id).ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), out string again));
        Assert.Equal(suffix, again);
    }

    [Fact]
    public void Reference_Deterministic_ReadOutAmbiguitiesAccepted_OtherTextRefused()
    {
        Assert.Equal(NoticeReference.For(Id), NoticeReference.For(Id));
        Assert.True(NoticeReference.TryParse("mg-7k3f-9q2d", out string s));
        Assert.Equal("7k3f9q2d", s);
        Assert.True(NoticeReference.TryParse("MG-0OIL-9Q2D", out s));
        Assert.Equal("0011" + "9q2d", s);
        Assert.False(NoticeReference.TryParse("7K3F-9Q2D", out _));
        Assert.False(NoticeReference.TryParse("MG-7K3F-9Q2", out _));
        Assert.False(NoticeReference.TryParse("MG-7K3F-9Q2DX", out _));
        Assert.False(NoticeReference.TryParse("MG-7K3F-9Q2U", out _));
        Assert.Matches("^MG-[0-9A-Z]{4}-[0-9A-Z]{4}$", NoticeReference.For("not a queue id"));
    }
}
