using System.Collections.ObjectModel;
using System.Text;
using MailGuard.Testing;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// The review console in a real browser (Debian's headless Chromium): mail sent through the relay
/// is held, a reviewer finds it, opens it and releases it with a reason, and the relay delivers it.
/// Screenshots of the list and message pages go to TestResults/screenshots/ (docs/screenshots/
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

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task HeldMessage_ReleasedWithReason_DeliveredAndAudited()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();

        // The held list: newest first, one row per message with what the reviewer decides on.
        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.ApplicantsSubject);
        Assert.Equal(ConsoleBrowserFixture.Sender, cells[1].Text);
        Assert.Equal(ConsoleBrowserFixture.ApplicantsSubject, cells[2].Text);
        Assert.Equal("12", cells[3].Text);
        Assert.Equal("8 rows: name, date of birth, NI number", cells[4].Text);
        Assert.Equal("exposed-recipients", cells[5].Text);
        Assert.Equal("held", cells[7].Text);
        Screenshot("console-list.png");

        cells[2].FindElement(By.TagName("a")).Click();
        _fixture.Browser.Wait(d => new Uri(d.Url).AbsolutePath.StartsWith("/messages/", StringComparison.Ordinal), "the message page");
        string id = new Uri(Driver.Url).AbsolutePath["/messages/".Length..];
        _output.WriteLine($"held message {id}");
        Assert.Equal(ConsoleBrowserFixture.ApplicantsSubject + " held", Driver.FindElement(By.TagName("h1")).Text);
        Assert.DoesNotContain("just now ago", Driver.FindElement(By.CssSelector("dl.kv")).Text, StringComparison.Ordinal);

        // Findings with masked evidence and where they were found; the trail starts with the hold.
        var findings = Table("Findings");
        var exposed = Assert.Single(findings, r => r[0] == "exposed-recipients");
        Assert.Equal("12", exposed[1]);
        Assert.Contains("***@", exposed[4], StringComparison.Ordinal);
        var personal = Assert.Single(findings, r => r[0] == "personal-data");
        Assert.Equal("8", personal[1]);
        Assert.Contains("applicants.csv", personal[3], StringComparison.Ordinal);
        Assert.DoesNotContain("AB123450C", Driver.FindElement(By.TagName("main")).Text, StringComparison.Ordinal);
        var hold = Assert.Single(Table("Audit trail"));
        Assert.Equal(["mailguard", "hold"], hold[1..3]);
        Assert.Contains(Table("Attachments"), r => r[1] == "applicants.csv");

        const string reason = "Checked with the sender: the applicants agreed to share addresses.";
        Driver.FindElement(By.Id("reason")).SendKeys(reason);
        Screenshot("console-message.png");
        Driver.FindElement(By.CssSelector("button[name=verb][value=release]")).Click();
        _fixture.Browser.WaitForPath("/messages", "the held list after releasing");
        Assert.Contains($"{id}: release done (released)", Driver.FindElement(By.CssSelector("[role=status]")).Text, StringComparison.Ordinal);
        Assert.Empty(Driver.FindElements(By.LinkText(ConsoleBrowserFixture.ApplicantsSubject)));

        // Released: the relay delivers it to every envelope recipient, unchanged (and tells the sender).
        var delivered = Assert.Single(await _fixture.Relay.WaitForPickupAsync(2), p => p.MailFrom.Length > 0);
        Assert.Equal(ConsoleBrowserFixture.ExternalRecipients.Order(StringComparer.Ordinal), delivered.RcptTo.Order(StringComparer.Ordinal));
        Assert.Equal(ConsoleBrowserFixture.Sender, delivered.MailFrom);
        Assert.Contains("Subject: " + ConsoleBrowserFixture.ApplicantsSubject + "\r\n", Encoding.UTF8.GetString(delivered.Content), StringComparison.Ordinal);

        // The audit log names the reviewer and the reason.
        Driver.Navigate().GoToUrl(_fixture.Url("/audit?message=" + id));
        _fixture.Browser.WaitForPath("/audit", "the audit log");
        var release = Assert.Single(Table("Audit log"), r => r[2] == "release");
        Assert.Equal(ConsoleBrowserFixture.Reviewer, release[1]);
        Assert.Equal(id, release[3]);
        Assert.Equal(reason, release[4]);
    }

    [RequiresToolFact("chromium", "chromedriver")]
    public async Task ScriptInSubjectAndFileName_RenderedAsText()
    {
        await _fixture.StartAsync();
        _fixture.EnsureLoggedIn();

        Driver.Navigate().GoToUrl(_fixture.Url("/messages"));
        _fixture.Browser.WaitForPath("/messages", "the held list");
        var cells = Row(ConsoleBrowserFixture.ScriptSubject);
        Assert.Equal(ConsoleBrowserFixture.ScriptSubject, cells[2].Text);
        AssertInert();

        cells[2].FindElement(By.TagName("a")).Click();
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
            .FirstOrDefault(td => td.Count == 8 && td[2].Text == subject), $"a row for '{subject}'")!;

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
            string copy = Path.Combine(RepoPaths.Root, "docs", "screenshots", name);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(path, copy, overwrite: true);
            _output.WriteLine("updated: " + copy);
        }
    }
}
