using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using MailGuard.Core.Store;
using MailGuard.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;

namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// One relay with the shipped policy and the console on 127.0.0.1:0, two held messages sent
/// through it over SMTP by .NET's own mail client, a reviewer account and one Chromium session,
/// shared by the tests of a class. Started on first use, so that skipped tests start nothing.
/// </summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    public const string Sender = "clerk@corp.example";
    public const string ApplicantsSubject = "Spring intake applicants";
    public const string ScriptSubject = "Minutes <script>alert('subject')</script>";
    public const string ScriptFileName = "<script>alert('file')</script>.txt";
    public const string Reviewer = "rita.reviewer";
    public const string SecondReviewer = "sam.second";
    public const string SecurityTeam = "security@corp.example";
    public const string PublicUrl = "https://mailguard.corp.example";
    public const string BulkSubjectA = "Bulk one: lunch invitation";
    public const string BulkSubjectB = "Bulk two: coffee invitation";
    public const string RequestSubject = "Travel claims to partners";
    public const string BulkPersonalSubject = "Bulk three: staff list";

    private readonly Lock _gate = new();
    private Task? _start;
    private TestRelay? _relay;
    private Chromium? _browser;
    private readonly Dictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private string? _current;

    internal TestRelay Relay => _relay ?? throw new InvalidOperationException("not started");

    internal Chromium Browser => _browser ?? throw new InvalidOperationException("not started");

    public Uri BaseUri { get; private set; } = null!;

    public static string[] ExternalRecipients { get; } = Enumerable.Range(0, 12).Select(i => $"applicant{i}@ext{i % 4}.example").ToArray();

    /// <summary>Starts everything on the first call; later calls share its outcome (a failure too, without starting again).</summary>
    public Task StartAsync()
    {
        lock (_gate)
        {
            return _start ??= StartCoreAsync();
        }
    }

    private async Task StartCoreAsync()
    {
        // The browser first: without one (CI=true, nothing installed) nothing else is started.
        _browser = Chromium.Start();
        _relay = await TestRelay.StartAsync(
            new Dictionary<string, string?> { ["Console:Listen"] = "http://127.0.0.1:0", ["Console:PublicUrl"] = PublicUrl, ["Console:TimeZone"] = "Europe/London" },
            services =>
            {
                // The shipped rules without notices to the sender or per-hold alerts, so the pickup
                // directory holds only released mail and the release-request alert.
                var overrides = Enumerable.Range(0, 5).SelectMany(i => new[] { ($"Policy:Rules:{i}:NotifySender", "false"), ($"Policy:Rules:{i}:NotifySecurityTeam", "false") })
                    .Append(("Policy:Notifications:SecurityTeam", SecurityTeam))
                    .Append(("Policy:Notifications:Digest:Enabled", "false"))
                    .ToArray();
                services.AddSingleton(TestPolicies.ShippedForCorp(overrides));
                services.AddSingleton<IMessageDisposition, InspectingDisposition>();
            });
        BaseUri = _relay.Services.GetRequiredService<MailGuard.Host.Review.ReviewConsole>().Addresses[0];
        var accounts = _relay.Services.GetRequiredService<MailGuard.Host.Review.ConsoleAccounts>();
        foreach (string name in new[] { Reviewer, SecondReviewer })
        {
            string? password = await accounts.CreateUserAsync(name, ConsoleRole.Reviewer, "test");
            Assert.NotNull(password);
            _passwords[name] = password;
        }

        await SendAsync(ApplicantsSubject, "Dear colleagues, the list of this spring's applicants is attached.", "applicants.csv", "text/csv", ApplicantsCsv());
        await SendAsync(ScriptSubject, "Minutes of Tuesday's meeting attached.", ScriptFileName, "text/plain", "Nothing to see here.\r\n"u8.ToArray());
        await SendAsync(BulkSubjectA, "Lunch on Friday, all welcome.", "menu.txt", "text/plain", "Soup\r\n"u8.ToArray());
        await SendAsync(BulkSubjectB, "Coffee on Monday, all welcome.", "agenda.txt", "text/plain", "Coffee\r\n"u8.ToArray());
        await SendAsync(BulkPersonalSubject, "The staff list for the partners.", "staff.csv", "text/csv", ApplicantsCsv());
        await SendAsync(RequestSubject, "Our travel claims policy is attached.", "policy.txt", "text/plain", "Claims within 30 days.\r\n"u8.ToArray());
    }

    /// <summary>The sender's release-request link for a held message, as the held notice would carry it, on this console.</summary>
    public string RequestLink(string messageId) =>
        Relay.Services.GetRequiredService<MailGuard.Core.Notices.ReleaseRequestLinks>().Link(Url("/request"), messageId);

    /// <summary>Logs the reviewer in through the login form the first time; the session cookie serves the rest.</summary>
    public void EnsureLoggedIn() => LogInAs(Reviewer);

    /// <summary>Logs <paramref name="name"/> in through the login form, logging out whoever is logged in first (four-eyes needs two people).</summary>
    public void LogInAs(string name)
    {
        if (_current == name)
        {
            return;
        }

        var driver = Browser.Driver;
        if (_current is not null)
        {
            driver.Navigate().GoToUrl(Url("/messages"));
            Browser.WaitForPath("/messages", "the held list before logging out");
            driver.FindElement(By.CssSelector("header .who form button")).Click();
            _current = null;
        }

        driver.Navigate().GoToUrl(Url("/messages"));
        // Anonymous: the console sends the browser to its login page.
        Browser.WaitForPath("/login", "the login page");
        driver.FindElement(By.Name("Name")).SendKeys(name);
        driver.FindElement(By.Name("Password")).SendKeys(_passwords[name]);
        Assert.NotEmpty(driver.FindElement(By.Name("__af")).GetAttribute("value") ?? "");
        driver.FindElement(By.CssSelector("form button[type=submit]")).Click();
        Browser.WaitForPath("/messages", "the held list after logging in");
        Assert.Contains($"{name} (reviewer)", driver.FindElement(By.CssSelector("header .who")).Text, StringComparison.Ordinal);
        _current = name;
    }

    public string Url(string pathAndQuery) => new Uri(BaseUri, pathAndQuery).ToString();

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 never disposes a class fixture asynchronously,
    // and a fixture that is not disposed leaves chromedriver and Chromium running.
    public async Task DisposeAsync()
    {
        try
        {
            _browser?.Dispose();
        }
        finally
        {
            if (_relay is not null)
            {
                await _relay.DisposeAsync();
            }
        }
    }

    private static byte[] ApplicantsCsv() => Encoding.UTF8.GetBytes(
        "Name,Date of Birth,NI Number\r\n" +
        string.Join("\r\n", Enumerable.Range(0, 8).Select(i => $"Person {(char)('A' + i)} Example,1{i}/03/1980,AB12345{i}C")) + "\r\n");

    /// <summary>Real SMTP from an independent client: System.Net.Mail, 12 external addresses in To (the exposed-recipients rule holds it).</summary>
    private async Task SendAsync(string subject, string body, string fileName, string mediaType, byte[] attachment)
    {
        using var message = new MailMessage { From = new MailAddress(Sender, "Clerk"), Subject = subject, Body = body };
        foreach (string to in ExternalRecipients)
        {
            message.To.Add(to);
        }

        var part = new Attachment(new MemoryStream(attachment), fileName, mediaType);
        part.ContentDisposition!.FileName = fileName;
        part.ContentDisposition.DispositionType = DispositionTypeNames.Attachment;
        message.Attachments.Add(part);
        using var client = new SmtpClient("127.0.0.1", Relay.Port) { EnableSsl = false, DeliveryMethod = SmtpDeliveryMethod.Network };
        await client.SendMailAsync(message);
    }
}
