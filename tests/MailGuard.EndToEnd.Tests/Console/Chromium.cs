using MailGuard.Testing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

// Not "...Tests.Console": a namespace of that name would hide System.Console from every test namespace.
namespace MailGuard.EndToEnd.Tests.Review;

/// <summary>
/// Debian's headless Chromium driven through Debian's chromedriver (packages chromium and
/// chromium-driver). Both paths are given to Selenium, so its Selenium Manager never runs and
/// nothing is downloaded. A throw-away profile per instance; chromedriver listens on loopback only.
/// </summary>
internal sealed class Chromium : IDisposable
{
    public const int Width = 1400;
    public const int Height = 1000;

    private readonly string _profile;
    private readonly ChromeDriverService _service;

    private Chromium(string profile, ChromeDriverService service, ChromeDriver driver)
    {
        _profile = profile;
        _service = service;
        Driver = driver;
    }

    public ChromeDriver Driver { get; }

    public static Chromium Start()
    {
        string browser = Tools.Require("chromium");
        string driverPath = Tools.Require("chromedriver");
        string profile = TempDirectory.Create("chromium");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        service.AllowedIPAddresses = "127.0.0.1";
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--force-device-scale-factor=1",
            $"--window-size={Width},{Height}",
            "--user-data-dir=" + profile);
        try
        {
            var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(30));
            // --window-size is the outer window; pin the page's viewport too, so screenshots are Width x Height.
            driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
            {
                ["width"] = Width,
                ["height"] = Height,
                ["deviceScaleFactor"] = 1,
                ["mobile"] = false,
            });
            return new Chromium(profile, service, driver);
        }
        catch
        {
            service.Dispose();
            TempDirectory.Delete(profile);
            throw;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (a page load, a redirect); fails with <paramref name="what"/>.</summary>
    public T Wait<T>(Func<IWebDriver, T> condition, string what, double seconds = 10)
    {
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(seconds)) { Message = what };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    /// <summary>Waits for a page whose path is <paramref name="path"/> to have loaded.</summary>
    public void WaitForPath(string path, string what) =>
        Wait(d => new Uri(d.Url).AbsolutePath == path && Equals(((IJavaScriptExecutor)d).ExecuteScript("return document.readyState"), "complete"), what);

    public void Screenshot(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        Driver.GetScreenshot().SaveAsFile(path);
    }

    public void Dispose()
    {
        try
        {
            Driver.Quit();
        }
        finally
        {
            Driver.Dispose();
            _service.Dispose();
            TempDirectory.Delete(_profile);
        }
    }
}
