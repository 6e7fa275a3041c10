using System.Net;
using System.Xml.Linq;
using MailGuard.Host.Review;
using MailGuard.Testing;

namespace MailGuard.Host.Tests.Review;

/// <summary>
/// The add-in's files under /addin/ and `mailguard addin manifest`, offline: a well-formed manifest
/// with the Smart Alerts entries, every URL in it under the given URL and served by the console.
/// Microsoft's current manifest XSDs (with LaunchEvents and Runtimes) are not available here, so
/// the structure the schema requires is checked element by element instead.
/// </summary>
public sealed class AddinTests
{
    private const string Token = "mgt_0123456789ab_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0cw";

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = Cli.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Manifest_WellFormed_SmartAlertsEntries_UrlsUnderTheDeployment()
    {
        var (exit, xml, err) = Run("addin", "manifest", "--url", "https://console.example.org");
        Assert.True(exit == 0, err);
        var document = XDocument.Parse(xml, LoadOptions.None);
        XNamespace o = AddinManifest.OfficeApp, v11 = AddinManifest.Overrides11, bt = AddinManifest.BasicTypes, xsi = AddinManifest.Xsi;
        var root = document.Root!;
        Assert.Equal(o + "OfficeApp", root.Name);
        Assert.Equal("MailApp", (string?)root.Attribute(xsi + "type"));
        Assert.True(Guid.TryParse((string?)root.Element(o + "Id"), out var id));
        Assert.Equal(AddinManifest.IdFor(new Uri("https://console.example.org/")), id);
        // The schema's sequence for a MailApp, in order.
        Assert.Equal(
            ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl", "HighResolutionIconUrl", "AppDomains", "Hosts", "Requirements", "FormSettings", "Permissions", "Rule", "DisableEntityHighlighting", "VersionOverrides"],
            root.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("ReadWriteItem", (string?)root.Element(o + "Permissions"));

        var inner = Assert.Single(root.Descendants(v11 + "VersionOverrides"));
        Assert.Equal("VersionOverridesV1_1", (string?)inner.Attribute(xsi + "type"));
        Assert.Equal("1.12", (string?)inner.Element(v11 + "Requirements")!.Element(bt + "Sets")!.Attribute("DefaultMinVersion"));
        var launch = Assert.Single(inner.Descendants(v11 + "LaunchEvent"));
        Assert.Equal("OnMessageSend", (string?)launch.Attribute("Type"));
        Assert.Equal("onMessageSendHandler", (string?)launch.Attribute("FunctionName"));
        Assert.Equal("SoftBlock", (string?)launch.Attribute("SendMode"));
        var runtime = Assert.Single(inner.Descendants(v11 + "Runtime"));
        Assert.Equal("javascript", (string?)runtime.Element(v11 + "Override")!.Attribute("type"));
        Assert.Equal("mailguardMoveToBcc", (string?)inner.Descendants(v11 + "FunctionName").Single());
        Assert.Equal(AddinManifest.MoveToBccButton, (string?)inner.Descendants(v11 + "Control").Single().Attribute("id"));

        // Every resid names a resource, and every resource URL is under the deployment's /addin/.
        var resources = inner.Element(v11 + "Resources")!.Descendants().Where(e => e.Attribute("id") is not null).ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("DefaultValue")!);
        foreach (var resid in inner.Descendants().Attributes("resid"))
        {
            Assert.True(resources.ContainsKey(resid.Value), "no resource " + resid.Value);
        }

        var urls = Urls(document);
        Assert.Equal(AddinManifest.Paths.Select(p => "https://console.example.org/" + p).Order(StringComparer.Ordinal), urls.Where(u => u.Contains("/addin/", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal));
        Assert.All(urls, u => Assert.StartsWith("https://console.example.org", u, StringComparison.Ordinal));
        Assert.Contains("https://console.example.org/addin/commands.js", urls);

        // The same URL gives the same add-in; another, another one.
        Assert.Equal(xml, Run("addin", "manifest", "--url", "https://console.example.org/").Out);
        Assert.NotEqual(id, AddinManifest.IdFor(new Uri("https://mailguard.example.net/")));
    }

    [Fact]
    public void Manifest_BadUrl_Exit2_OutputFileWritten()
    {
        foreach (string bad in new[] { "console.example.org", "http://console.example.org", "https://console.example.org/?x=1", "ftp://console.example.org" })
        {
            var (exit, output, err) = Run("addin", "manifest", "--url", bad);
            Assert.Equal(2, exit);
            Assert.Equal("", output);
            Assert.Contains("mailguard addin manifest:", err, StringComparison.Ordinal);
        }

        string file = Path.Combine(Path.GetTempPath(), "mailguard-manifest-" + Guid.NewGuid().ToString("N") + ".xml");
        try
        {
            var (exit, _, _) = Run("addin", "manifest", "--url", "https://console.example.org/mailguard", "--output", file);
            Assert.Equal(0, exit);
            var urls = Urls(XDocument.Load(file));
            Assert.Contains("https://console.example.org/mailguard/addin/commands.html", urls);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Console_ServesEveryManifestUrl_WithSettings_OnlyWithAToken()
    {
        await using (var without = await ConsoleHarness.StartAsync())
        {
            using var response = await without.ApiClient(null).GetAsync("/addin/commands.js");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var console = await ConsoleHarness.StartAsync(new Dictionary<string, string?> { ["Addin:CheckToken"] = Token, ["Addin:ClientTimeout"] = "00:00:02.500" });
        var client = console.ApiClient(null);
        // The manifest for this console's URL (http on loopback is allowed for tests): every URL it names answers 200.
        var (exit, xml, err) = Run("addin", "manifest", "--url", console.Address.ToString());
        Assert.True(exit == 0, err);
        var urls = Urls(XDocument.Parse(xml)).Where(u => u.StartsWith(console.Address.GetLeftPart(UriPartial.Authority) + "/addin/", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Equal(AddinManifest.Paths.Count, urls.Count);
        foreach (string url in urls)
        {
            using var response = await client.GetAsync(new Uri(url).PathAndQuery);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
            string type = response.Content.Headers.ContentType!.MediaType!;
            Assert.Equal(url.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : url.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/html", type);
            // Outlook frames the add-in and it loads Office.js; nothing else is allowed.
            string csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self' https://appsforoffice.microsoft.com", csp, StringComparison.Ordinal);
            Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("X-Frame-Options"));
        }

        string script = await client.GetStringAsync("/addin/commands.js");
        string first = script.Split('\n')[0];
        Assert.StartsWith("var MAILGUARD_ADDIN_SETTINGS = {", first, StringComparison.Ordinal);
        Assert.Contains($"\"token\":\"{Token}\"", first, StringComparison.Ordinal);
        Assert.Contains("\"timeoutMs\":2500", first, StringComparison.Ordinal);
        Assert.Contains($"\"checkUrl\":\"{console.Address.GetLeftPart(UriPartial.Authority)}/api/v1/check\"", first, StringComparison.Ordinal);
        Assert.Contains("Office.actions.associate(\"onMessageSendHandler\"", script, StringComparison.Ordinal);

        // The console's own pages keep their policy: no scripts, no framing.
        using var login = await client.GetAsync("/login");
        ConsoleAssert.SecurityHeaders(login);
        using var unknown = await client.GetAsync("/addin/secrets.json");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        ConsoleAssert.SecurityHeaders(unknown);
    }

    private static List<string> Urls(XDocument document) =>
        [.. document.Descendants().Attributes().Where(a => a.Value.StartsWith("http", StringComparison.Ordinal) && !a.IsNamespaceDeclaration && a.Name.LocalName is "DefaultValue").Select(a => a.Value)
            .Concat(document.Descendants().Where(e => e.Name.LocalName == "AppDomain").Select(e => e.Value))];
}
