using System.Text;
using MailGuard.Core.Notices;
using MailGuard.Core.Policy;
using MailGuard.EndToEnd.Tests.Review;
using MailGuard.Inspection;
using MailGuard.Mime;
using MailGuard.Testing;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Notifications;

/// <summary>
/// Every notice to a sender rendered in a real browser (Debian's headless Chromium): the HTML
/// part of the notice as built, opened from a file. The banner and the findings are visible, the
/// layout fits a mail reading pane, and the page asks for nothing beyond itself (no resources,
/// scripts or images). Screenshots go to TestResults/screenshots/notices/, and to
/// docs/images/notices/ when MAILGUARD_UPDATE_SCREENSHOTS=1.
/// </summary>
public sealed class NoticeRenderingTests
{
    /// <summary>A mail program's reading pane is about this wide; the notice's card is 600 px.</summary>
    private const int PaneWidth = 760;

    private const string Id = "01jc3k5m7nxy7k3f9q2d";
    private const string RequestUrl = "https://mailguard.corp.example/request";

    private readonly ITestOutputHelper _output;

    public NoticeRenderingTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<(PolicyNoticeKind Kind, string File, string Banner)> Notices { get; } =
    [
        (PolicyNoticeKind.Held, "held.png", "Held for review"),
        (PolicyNoticeKind.Returned, "returned.png", "Not sent"),
        (PolicyNoticeKind.Released, "released.png", "Released"),
        (PolicyNoticeKind.Deleted, "deleted.png", "Not sent: deleted"),
        (PolicyNoticeKind.Expired, "expired.png", "Not sent: expired"),
        (PolicyNoticeKind.ReleaseRequestReceived, "release-requested.png", "Release requested"),
        (PolicyNoticeKind.RecipientsHidden, "recipients-hidden.png", "Delivered: recipients hidden"),
    ];

    private static PolicyNoticeRequest Request(PolicyNoticeKind kind)
    {
        var links = new ReleaseRequestLinks(new byte[32]);
        bool held = kind is PolicyNoticeKind.Held or PolicyNoticeKind.ReleaseRequestReceived;
        return new PolicyNoticeRequest(
            kind,
            "mailguard.corp.example",
            Id,
            "sam.clerk@corp.example",
            "sam.clerk@corp.example",
            "Q3 claimants for the schools",
            "Personal data about many people is going outside the organisation",
            kind == PolicyNoticeKind.RecipientsHidden
                ? [new Finding(FindingKinds.ExposedRecipients, 14, Confidence.High, new ContentLocation("/", "To/Cc"), ["h***@school1.example"])]
                :
                [
                    new Finding(FindingKinds.ExposedRecipients, 14, Confidence.High, new ContentLocation("/", "To/Cc"), ["h***@school1.example"]),
                    new Finding(FindingKinds.PersonalData, 30, Confidence.High, new ContentLocation("/2", "claimants_q3.csv").WithRows(2, 31), ["AB****56C"], "30 rows: name, NI number, date of birth"),
                    new Finding(FindingKinds.UkNino, 30, Confidence.High, new ContentLocation("/2", "claimants_q3.csv", null, 2, 1), ["AB****56C", "CE****67A", "JK****78B"]),
                    new Finding(FindingKinds.DateOfBirth, 30, Confidence.High, new ContentLocation("/2", "claimants_q3.csv", null, 2, 2), ["14/**/19**", "02/**/19**"]),
                    new Finding(FindingKinds.UkNhsNumber, 4, Confidence.High, new ContentLocation("/3", "referrals.xlsx", "Open cases", 6, 3), ["943 *** **19"]),
                ],
            new RecipientExposure(14, 0, 6, 2, 0, 14, ["h***@school1.example"]),
            ["head@school1.example"],
            new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero),
            kind is PolicyNoticeKind.Returned or PolicyNoticeKind.Expired ? new MemoryStream("Subject: Q3 claimants\r\n\r\nattached\r\n"u8.ToArray()) : null,
            kind == PolicyNoticeKind.Held ? links.Link(RequestUrl, Id) : null,
            kind == PolicyNoticeKind.RecipientsHidden ? null : "Claimant data goes to schools through the secure portal (portal.corp.example), never by email.",
            kind is PolicyNoticeKind.Released or PolicyNoticeKind.Deleted or PolicyNoticeKind.Returned ? "The schools only need the three rows for their pupils; please send those through the portal." : null,
            held ? links.WithdrawLink(RequestUrl, Id) : null,
            ByReviewer: kind == PolicyNoticeKind.Returned);
    }

    private static string Html(PolicyNoticeKind kind)
    {
        var options = new NotificationOptions { FromName = "Corp Mail Safety", Contact = "Information Governance team: ext. 4321 or ig@corp.example" };
        using var doc = MimeDocument.Load(PolicyNotice.Build(Request(kind), options));
        var html = doc.Message.Body.Children[0].Children[1];
        Assert.Equal("text/html", html.ContentType.MimeType);
        using var s = html.OpenDecodedContent();
        return new StreamReader(s, System.Text.Encoding.UTF8).ReadToEnd();
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public void EveryNotice_RendersBannerAndFindings_FetchesNothing_FitsThePane()
    {
        string dir = TempDirectory.Create("notices");
        try
        {
            using var browser = Chromium.Start();
            var driver = browser.Driver;
            var js = (IJavaScriptExecutor)driver;
            foreach (var (kind, file, banner) in Notices)
            {
                string page = Path.Combine(dir, Path.ChangeExtension(file, ".html"));
                File.WriteAllText(page, Html(kind), new UTF8Encoding(false));
                Pane(driver, PaneWidth, 1000);
                driver.Navigate().GoToUrl(new Uri(page).AbsoluteUri);
                browser.Wait(d => Equals(((IJavaScriptExecutor)d).ExecuteScript("return document.readyState"), "complete"), kind + " notice loaded");

                var bannerCell = driver.FindElement(By.XPath($"//td[normalize-space()='{banner}']"));
                Assert.True(bannerCell.Displayed, kind + ": banner shown");
                Assert.True(bannerCell.Size.Height >= 40 && bannerCell.Size.Width >= 500, $"{kind}: banner {bannerCell.Size}");
                Assert.Matches(@"^rgba?\(255, 255, 255(, 1)?\)$", bannerCell.GetCssValue("color"));
                Assert.Contains("Reference MG-7K3F-9Q2D", driver.FindElement(By.TagName("body")).Text, StringComparison.Ordinal);
                if (kind != PolicyNoticeKind.RecipientsHidden && kind != PolicyNoticeKind.ReleaseRequestReceived)
                {
                    Assert.True(driver.FindElement(By.XPath("//li[contains(., '30 National Insurance numbers, for example AB****56C')]")).Displayed, kind + ": findings shown");
                }

                // Nothing fetched, nothing run: no resource entries, no scripts, no images, no frames.
                Assert.Equal(0L, js.ExecuteScript("return performance.getEntriesByType('resource').length"));
                Assert.Equal(0L, js.ExecuteScript("return document.scripts.length + document.images.length + document.querySelectorAll('iframe,object,embed,link,style').length"));
                // The card fits a reading pane: no sideways scrolling.
                Assert.True((long)js.ExecuteScript("return document.documentElement.scrollWidth")! <= PaneWidth, kind + ": wider than the pane");
                foreach (var button in driver.FindElements(By.CssSelector("a[href]")))
                {
                    Assert.StartsWith(RequestUrl + "/", button.GetAttribute("href"), StringComparison.Ordinal);
                    Assert.True(button.Displayed);
                }

                long height = (long)js.ExecuteScript("return document.documentElement.scrollHeight")!;
                Pane(driver, PaneWidth, (int)Math.Min(height, 3000));
                Screenshot(browser, file);
            }
        }
        finally
        {
            TempDirectory.Delete(dir);
        }
    }

    /// <summary>The page's viewport: the width of a reading pane, the notice's height (so the screenshot holds all of it).</summary>
    private static void Pane(OpenQA.Selenium.Chrome.ChromeDriver driver, int width, int height) =>
        driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = width,
            ["height"] = height,
            ["deviceScaleFactor"] = 1,
            ["mobile"] = false,
        });

    private void Screenshot(Chromium browser, string name)
    {
        string path = Path.Combine(RepoPaths.Root, "TestResults", "screenshots", "notices", name);
        browser.Screenshot(path);
        _output.WriteLine("screenshot: " + path);
        if (Environment.GetEnvironmentVariable("MAILGUARD_UPDATE_SCREENSHOTS") == "1")
        {
            string copy = Path.Combine(RepoPaths.Root, "docs", "images", "notices", name);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(path, copy, overwrite: true);
            _output.WriteLine("updated: " + copy);
        }
    }
}
