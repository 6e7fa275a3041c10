using System.Collections.ObjectModel;
using System.Text;
using MailGuard.Testing;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// The review console in a real browser (Debian's headless Chromium): mail sent through the relay
/// is held, a reviewer finds it, opens it and releases it with a reason, and the relay delivers it.
/// Screenshots of the list and message pages go to TestResults/screenshots/ (docs/images/console/
/// too when MAILGUARD_UPDATE_SCREENSHOTS=1).
/// </summary>
public sealed class BrowserTests : IClassFixture<ConsoleBrowserFixture>
{
    private readonly ConsoleBrowserFixture _fixture;
    private readonly ITestOutputHelper _output;

    public BrowserTests(ConsoleBrowserFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    private IWebDriver Driver => _fixture.Browser.Driver;

    /// <summary>
    /// The mixed hold: exposed recipients and a table of NI numbers. Every matched rule is listed,
    /// the Bcc fix is not offered, the preview shows the table's first rows masked; releasing asks
    /// to confirm what leaves, the first reviewer's confirmation is an approval (four-eyes, on by
    /// default for the identifier rule), and a second reviewer's confirmed release delivers it.
    /// </summary>
    [RequiresToolFact("chromium", "chromedriver")]
    public async Task MixedHold_EveryRuleNoBccFix_ConfirmedByTwoReviewers_DeliveredAndAudited()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();

        // The held list: destination, severity, every rule, age; times in the configured zone.
        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.ApplicantsSubject);
        Assert.Equal(ConsoleBrowserFixture.Sender, cells[2].Text);
        Assert.Equal("4 domains: ext0.example (3), ext1.example (3), ext2.example (3), …", cells[4].Text);
        Assert.Equal("high", cells[5].Text);
        Assert.Equal("8 rows: name, date of birth, NI number", cells[6].Text);
        Assert.Equal("exposed-recipients, personal-data-external, identifiers-external", cells[7].Text);
        Assert.Equal("held", cells[9].Text);
        Assert.Contains("Received (Europe/London)", Driver.FindElement(By.CssSelector("table#held thead")).Text, StringComparison.Ordinal);
        Screenshot("list.png");

        cells[3].FindElement(By.TagName("a")).Click();
        _fixture.Browser.Wait(d => new Uri(d.Url).AbsolutePath.StartsWith("/messages/", StringComparison.Ordinal), "the message page");
        string id = new Uri(Driver.Url).AbsolutePath["/messages/".Length..];
        _output.WriteLine($"held message {id}");
        Assert.Equal(ConsoleBrowserFixture.ApplicantsSubject + " held", Driver.FindElement(By.TagName("h1")).Text);
        Assert.DoesNotContain("just now ago", Driver.FindElement(By.CssSelector("dl.kv")).Text, StringComparison.Ordinal);
        Assert.Equal(["exposed-recipients", "personal-data-external", "identifiers-external"], Table("Matched rules").Select(r => r[0]));
        Assert.Equal("high", Driver.FindElement(By.Id("severity")).Text);

        // Findings with masked evidence; the trail starts with the hold.
        var findings = Table("Findings");
        Assert.Equal("12", Assert.Single(findings, r => r[0] == "exposed-recipients")[1]);
        var personal = Assert.Single(findings, r => r[0] == "personal-data");
        Assert.Equal("8", personal[1]);
        Assert.Contains("applicants.csv", personal[3], StringComparison.Ordinal);
        Assert.Equal(["mailguard", "hold"], Assert.Single(Table("Audit trail"))[1..3]);
        Assert.Contains(Table("Attachments"), r => r[1] == "applicants.csv");

        // The preview: the header and the first 5 rows, every personal column masked.
        var preview = Driver.FindElement(By.CssSelector(".preview table.preview"));
        Assert.Equal("Name Date of Birth NI Number", preview.FindElement(By.TagName("thead")).Text);
        var rows = preview.FindElements(By.CssSelector("tbody tr")).Select(tr => tr.FindElements(By.TagName("td")).Select(td => td.Text).ToArray()).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.All(r, cell => Assert.Contains('*', cell)));
        Assert.Contains("first 5 of 8 rows", Driver.FindElement(By.CssSelector(".preview .muted")).Text, StringComparison.Ordinal);
        string main = Driver.FindElement(By.TagName("main")).Text;
        for (int i = 0; i < 8; i++)
        {
            Assert.DoesNotContain($"AB12345{i}C", main, StringComparison.Ordinal);
            Assert.DoesNotContain($"1{i}/03/1980", main, StringComparison.Ordinal);
            Assert.DoesNotContain($"Person {(char)('A' + i)} Example", main, StringComparison.Ordinal);
        }

        // Buttons follow every rule: no Bcc fix (it would send the table to 4 domains), release is an approval.
        Assert.Empty(Driver.FindElements(By.CssSelector("button[name=verb][value=release-bcc-fix]")));
        Assert.Contains("needs two reviewers", Driver.FindElement(By.Id("four-eyes")).Text, StringComparison.Ordinal);
        Assert.Equal("Approve release", Driver.FindElement(By.CssSelector("button[name=verb][value=release]")).Text);

        const string reason = "Checked with the sender: the applicants agreed to share addresses.";
        Driver.FindElement(By.Id("reason")).SendKeys(reason);
        Screenshot("message.png");
        Driver.FindElement(By.CssSelector("button[name=verb][value=release]")).Click();

        // Nothing done yet: the confirmation says what would leave.
        const string leaves = "8 people's names, dates of birth and NI numbers (applicants.csv) to 4 external domains (ext0.example, ext1.example, ext2.example and 1 more)";
        Assert.Equal(leaves, _fixture.Browser.Wait(d => d.FindElement(By.Id("leaves")), "the confirmation").Text);
        Assert.Equal(reason, Driver.FindElement(By.Id("confirm-reason")).GetAttribute("value"));
        Assert.Equal(["mailguard", "hold"], Assert.Single(Table("Audit trail"))[1..3]);
        Screenshot("confirm.png");
        Driver.FindElement(By.Id("confirm-release")).Click();
        _fixture.Browser.Wait(d => d.FindElement(By.CssSelector("[role=status]")).Text.Contains("Your approval is recorded", StringComparison.Ordinal), "the approval");
        var approval = Assert.Single(Table("Audit trail"), r => r[2] == "release-approved");
        Assert.Equal(ConsoleBrowserFixture.Reviewer, approval[1]);
        Assert.Contains(leaves, approval[4], StringComparison.Ordinal);
        Assert.Empty(PickedUpTo(ConsoleBrowserFixture.ExternalRecipients[0]));

        // The second reviewer confirms and releases.
        _fixture.LogInAs(ConsoleBrowserFixture.SecondReviewer);
        Driver.Navigate().GoToUrl(_fixture.Url("/messages/" + id));
        _fixture.Browser.WaitForPath("/messages/" + id, "the message page for the second reviewer");
        Assert.Contains("Approved by " + ConsoleBrowserFixture.Reviewer, Driver.FindElement(By.Id("four-eyes")).Text, StringComparison.Ordinal);
        Assert.Equal("Release", Driver.FindElement(By.CssSelector("button[name=verb][value=release]")).Text);
        Driver.FindElement(By.Id("reason")).SendKeys("Second pair of eyes: agreed.");
        Driver.FindElement(By.CssSelector("button[name=verb][value=release]")).Click();
        _fixture.Browser.Wait(d => d.FindElement(By.Id("leaves")), "the second confirmation");
        Driver.FindElement(By.Id("confirm-release")).Click();
        _fixture.Browser.WaitForPath("/messages", "the held list after releasing");
        Assert.Contains($"{id}: release done (released)", Driver.FindElement(By.CssSelector("[role=status]")).Text, StringComparison.Ordinal);

        // Released: the relay delivers it to every envelope recipient, unchanged.
        var delivered = await WaitForPickupAsync(m => m.Content.AsSpan().IndexOf(Encoding.UTF8.GetBytes("Subject: " + ConsoleBrowserFixture.ApplicantsSubject + "\r\n")) >= 0, "the released message");
        Assert.Equal(ConsoleBrowserFixture.ExternalRecipients.Order(StringComparer.Ordinal), delivered.RcptTo.Order(StringComparer.Ordinal));
        Assert.Equal(ConsoleBrowserFixture.Sender, delivered.MailFrom);

        // The audit log: both reviewers, the confirmation, the release.
        Driver.Navigate().GoToUrl(_fixture.Url("/audit?message=" + id));
        _fixture.Browser.WaitForPath("/audit", "the audit log");
        var audit = Table("Audit log");
        Assert.Equal(ConsoleBrowserFixture.SecondReviewer, Assert.Single(audit, r => r[2] == "release")[1]);
        Assert.Equal(ConsoleBrowserFixture.Reviewer, Assert.Single(audit, r => r[2] == "release-approved")[1]);
        Assert.Equal(leaves, Assert.Single(audit, r => r[2] == "release-confirmed")[5]);
        Assert.All(audit, r => Assert.Equal(ConsoleBrowserFixture.ApplicantsSubject, r[6]));
        _fixture.EnsureLoggedIn();
    }

    /// <summary>A hold for exposed recipients alone offers the Bcc fix and needs no confirmation.</summary>
    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ExposedRecipientsOnly_OffersBccFix_NoConfirmation()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();
        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.ScriptSubject);
        Assert.Equal("low", cells[5].Text);
        Assert.Equal("exposed-recipients", cells[7].Text);
        cells[3].FindElement(By.TagName("a")).Click();
        _fixture.Browser.Wait(d => new Uri(d.Url).AbsolutePath.StartsWith("/messages/", StringComparison.Ordinal), "the message page");
        Assert.Single(Driver.FindElements(By.CssSelector("button[name=verb][value=release-bcc-fix]")));
        Assert.Empty(Driver.FindElements(By.Id("four-eyes")));
        Assert.Equal(["exposed-recipients"], Table("Matched rules").Select(r => r[0]));
        Assert.Empty(Driver.FindElements(By.CssSelector("table.preview")));
    }

    /// <summary>
    /// The sender asks for release through the link in the held notice: the list marks the message,
    /// and the security team is mailed a link to it in the console.
    /// </summary>
    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ReleaseRequest_MarkedInList_SecurityTeamAlertedWithConsoleLink()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();
        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.RequestSubject);
        Assert.Empty(cells[3].FindElements(By.CssSelector(".marker")));
        string id = cells[0].FindElement(By.TagName("input")).GetAttribute("value")!;

        // The sender's page, reached from the notice's link.
        Driver.Navigate().GoToUrl(_fixture.RequestLink(id));
        _fixture.Browser.Wait(d => d.FindElement(By.Name("justification")), "the release-request page").SendKeys("The partners need these claims by Friday.");
        Driver.FindElement(By.CssSelector("main form button[type=submit]")).Click();
        _fixture.Browser.Wait(d => d.FindElement(By.TagName("main")).Text.Contains("your request is with the reviewers", StringComparison.Ordinal), "the request recorded");

        var alert = await WaitForPickupAsync(m => m.RcptTo.Contains(ConsoleBrowserFixture.SecurityTeam), "the security team's alert");
        string text = Encoding.UTF8.GetString(alert.Content);
        Assert.Contains("Subject: [MailGuard] release requested: " + id, text, StringComparison.Ordinal);
        Assert.Contains(ConsoleBrowserFixture.PublicUrl + "/messages/" + id, text, StringComparison.Ordinal);
        Assert.Contains("The partners need these claims by Friday.", text, StringComparison.Ordinal);

        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        Assert.Equal("release requested", _fixture.Browser.Wait(_ => Row(ConsoleBrowserFixture.RequestSubject)[3].FindElement(By.CssSelector(".marker")), "the marker").Text);
        Driver.Navigate().GoToUrl(_fixture.Url("/messages/" + id));
        _fixture.Browser.WaitForPath("/messages/" + id, "the message page");
        Assert.Contains(Table("Audit trail"), r => r[2] == "release-request-alert" && r[4].Contains(ConsoleBrowserFixture.SecurityTeam, StringComparison.Ordinal));
    }

    /// <summary>
    /// Multi-select: a release that includes personal data stops at a confirmation listing what
    /// each message sends; two messages deleted together with one reason, each audited.
    /// </summary>
    [RequiresToolFact("chromium", "chromedriver")]
    public async Task BulkActions_ReleaseConfirmsPersonalData_DeleteTwoWithOneReason()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();
        Driver.Navigate().GoToUrl(_fixture.Url("/messages?sort=severity"));
        _fixture.Browser.WaitForPath("/messages", "the held list sorted by severity");
        var severities = Driver.FindElements(By.CssSelector("table#held tbody tr td:nth-child(6)")).Select(td => td.Text).ToList();
        Assert.Equal(severities.OrderByDescending(s => s switch { "high" => 2, "medium" => 1, _ => 0 }), severities);

        string a = Tick(ConsoleBrowserFixture.BulkSubjectA);
        string b = Tick(ConsoleBrowserFixture.BulkSubjectB);
        Driver.FindElement(By.Id("bulk-reason")).SendKeys("Duplicates of an invitation sent properly with Bcc.");
        Driver.FindElement(By.Id("bulk-delete")).Click();
        _fixture.Browser.Wait(d => d.FindElement(By.CssSelector("[role=status]")).Text == "delete of 2 messages: 2 done.", "the bulk result");
        Assert.Empty(Driver.FindElements(By.LinkText(ConsoleBrowserFixture.BulkSubjectA)));
        foreach (string id in new[] { a, b })
        {
            Driver.Navigate().GoToUrl(_fixture.Url("/audit?message=" + id));
            _fixture.Browser.WaitForPath("/audit", "the audit log");
            var delete = Assert.Single(Table("Audit log"), r => r[2] == "delete");
            Assert.Equal(ConsoleBrowserFixture.Reviewer, delete[1]);
            Assert.Equal("Duplicates of an invitation sent properly with Bcc.", delete[4]);
        }

        // A bulk release with a message of personal data in it: nothing done until confirmed.
        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        string personal = Tick(ConsoleBrowserFixture.BulkPersonalSubject);
        string script = Tick(ConsoleBrowserFixture.ScriptSubject);
        Driver.FindElement(By.Id("bulk-reason")).SendKeys("Both checked.");
        Driver.FindElement(By.Id("bulk-release")).Click();
        var listed = _fixture.Browser.Wait(d => d.FindElement(By.Id("bulk-leaves")), "the bulk confirmation");
        Assert.Equal(ConsoleBrowserFixture.BulkPersonalSubject + ": 8 people's names, dates of birth and NI numbers (staff.csv) to 4 external domains (ext0.example, ext1.example, ext2.example and 1 more)", listed.Text);
        Assert.Contains("Confirm the release of 2 messages", Driver.FindElement(By.Id("bulk-confirm")).Text, StringComparison.Ordinal);
        Screenshot("bulk-confirm.png");
        Driver.FindElement(By.LinkText("Cancel")).Click();
        _fixture.Browser.WaitForPath("/messages", "the held list after cancelling");
        Assert.Equal("held", Row(ConsoleBrowserFixture.BulkPersonalSubject)[9].Text);
        Assert.Equal("held", Row(ConsoleBrowserFixture.ScriptSubject)[9].Text);
        Assert.DoesNotContain((await ((MailGuard.Core.Store.IQuarantineStore)_fixture.Relay.Store).ListAuditAsync(personal, 100)), e => e.Action is "release" or "release-approved");
        Assert.DoesNotContain((await ((MailGuard.Core.Store.IQuarantineStore)_fixture.Relay.Store).ListAuditAsync(script, 100)), e => e.Action is "release" or "release-approved");
    }

    /// <summary>Ticks the row of <paramref name="subject"/>; returns its message id.</summary>
    private string Tick(string subject)
    {
        var box = Row(subject)[0].FindElement(By.TagName("input"));
        box.Click();
        Assert.True(box.Selected);
        return box.GetAttribute("value")!;
    }

    private IEnumerable<PickedUp> PickedUpTo(string recipient) => PickedUp.ReadAll(_fixture.Relay.PickupDirectory).Where(m => m.RcptTo.Contains(recipient));

    /// <summary>Waits for a message in the pickup directory that <paramref name="match"/> accepts.</summary>
    private async Task<PickedUp> WaitForPickupAsync(Func<PickedUp, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (PickedUp.ReadAll(_fixture.Relay.PickupDirectory).FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "not delivered in time: " + what);
            await Task.Delay(50);
        }
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ScriptInSubjectAndFileName_RenderedAsText()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();

        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.ScriptSubject);
        Assert.Equal(ConsoleBrowserFixture.ScriptSubject, cells[3].Text);
        AssertInert();

        cells[3].FindElement(By.TagName("a")).Click();
        _fixture.Browser.Wait(d => new Uri(d.Url).AbsolutePath.StartsWith("/messages/", StringComparison.Ordinal), "the message page");
        Assert.StartsWith(ConsoleBrowserFixture.ScriptSubject, Driver.FindElement(By.TagName("h1")).Text, StringComparison.Ordinal);
        Assert.Contains(Table("Attachments"), r => r[1] == ConsoleBrowserFixture.ScriptFileName);
        Assert.Contains(Driver.FindElements(By.CssSelector("dl.kv dd")), dd => dd.Text == ConsoleBrowserFixture.ScriptSubject);
        AssertInert();
        Screenshot("console-script.png", docs: false);
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task Reviewer_AdminUsers_NotAllowedPage()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();

        Assert.Empty(Driver.FindElements(By.CssSelector("header a[href='/admin/users']")));
        Driver.Navigate().GoToUrl(_fixture.Url("/admin/users"));
        _fixture.Browser.WaitForPath("/denied", "the not-allowed page");
        Assert.Equal("Not allowed · MailGuard", Driver.Title);
        Assert.Equal("Not allowed", Driver.FindElement(By.TagName("h1")).Text);
        Assert.DoesNotContain("Users", Driver.FindElement(By.TagName("main")).Text.Replace("Not allowed", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>The page runs no script: none in the DOM, no alert open, and the markup shows the text escaped.</summary>
    private void AssertInert()
    {
        Assert.Equal(0L, ((IJavaScriptExecutor)Driver).ExecuteScript("return document.getElementsByTagName('script').length"));
        Assert.Throws<NoAlertPresentException>(() => Driver.SwitchTo().Alert());
        Assert.Contains("&lt;script&gt;", Driver.PageSource, StringComparison.Ordinal);
    }

    /// <summary>The cells of the held list's row whose subject link reads <paramref name="subject"/>.</summary>
    private ReadOnlyCollection<IWebElement> Row(string subject) =>
        _fixture.Browser.Wait(d => d.FindElements(By.CssSelector("main table tbody tr"))
            .Select(tr => tr.FindElements(By.TagName("td")))
            .FirstOrDefault(td => td.Count == 10 && (td[3].Text == subject || td[3].Text.StartsWith(subject + " ", StringComparison.Ordinal))), $"a row for '{subject}'")!;

    /// <summary>The text of every body row of the table after the heading <paramref name="heading"/> (h1 or h2).</summary>
    private List<string[]> Table(string heading)
    {
        var table = Driver.FindElement(By.XPath($"//*[self::h1 or self::h2][normalize-space()='{heading}']/following-sibling::table[1]"));
        return table.FindElements(By.CssSelector("tbody tr")).Select(tr => tr.FindElements(By.TagName("td")).Select(td => td.Text).ToArray()).ToList();
    }

    private void Screenshot(string name, bool docs = true)
    {
        string path = Path.Combine(RepoPaths.Root, "TestResults", "screenshots", name);
        _fixture.Browser.Screenshot(path);
        _output.WriteLine("screenshot: " + path);
        if (docs && Environment.GetEnvironmentVariable("MAILGUARD_UPDATE_SCREENSHOTS") == "1")
        {
            string copy = Path.Combine(RepoPaths.Root, "docs", "images", "console", name);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(path, copy, overwrite: true);
            _output.WriteLine("updated: " + copy);
        }
    }
}
