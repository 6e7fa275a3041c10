using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MailGuard.Host.Review;

/// <summary>
/// The XML add-in manifest (Office Add-ins manifest schema 1.1, MailApp) for the add-in the console
/// serves: event-based activation on OnMessageSend (Smart Alerts, Mailbox 1.12) in soft-block send
/// mode, the HTML runtime with the JavaScript-only override classic Outlook on Windows loads, and a
/// compose button running the same "Move to Bcc" function the Smart Alerts dialog offers (Mailbox
/// 1.14's commandId). Every URL is under the deployment's console URL. Elements are written in the
/// order the schema's sequences require.
/// </summary>
internal static class AddinManifest
{
    public const string OfficeApp = "http://schemas.microsoft.com/office/appforoffice/1.1";
    public const string BasicTypes = "http://schemas.microsoft.com/office/officeappbasictypes/1.0";
    public const string Overrides10 = "http://schemas.microsoft.com/office/mailappversionoverrides";
    public const string Overrides11 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1";
    public const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>The Smart Alerts handler and the Move to Bcc function, as commands.js associates them.</summary>
    public const string SendHandler = "onMessageSendHandler";
    public const string MoveToBccFunction = "mailguardMoveToBcc";
    public const string MoveToBccButton = "mailguardMoveToBccButton";

    /// <summary>An add-in id that stays the same for one URL, so writing the manifest again updates the add-in rather than adding a second one.</summary>
    public static Guid IdFor(Uri url)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes("mailguard-addin:" + url.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + url.AbsolutePath.TrimEnd('/')));
        byte[] bytes = hash[..16];
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8 (RFC 9562: custom), in .NET's little-endian layout
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // variant
        return new Guid(bytes);
    }

    /// <summary>The base URL checked: absolute https (or http for a test on loopback), no query or fragment.</summary>
    public static bool TryParseBase(string text, out Uri? url, out string? problem)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            problem = $"'{text}' is not an https URL without query or fragment (the console's public URL)";
            return false;
        }

        if (parsed.Scheme == "http" && !parsed.IsLoopback)
        {
            problem = "Outlook loads add-ins over https only; http is accepted for loopback tests alone";
            return false;
        }

        url = new Uri(parsed.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        problem = null;
        return true;
    }

    /// <summary>Every URL the manifest names, relative to the console: each must be served (AddinEndpoints.Files).</summary>
    public static IReadOnlyList<string> Paths { get; } =
        ["addin/commands.html", "addin/commands.js", "addin/icon-16.png", "addin/icon-32.png", "addin/icon-64.png", "addin/icon-80.png", "addin/icon-128.png"];

    public static string Build(Uri baseUrl, Guid id, string displayName = "MailGuard")
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        string Url(string path) => new Uri(baseUrl, path).AbsoluteUri;
        XNamespace o = OfficeApp, bt = BasicTypes, v10 = Overrides10, v11 = Overrides11, xsi = Xsi;
        XAttribute Type(string type) => new(xsi + "type", type);
        XElement Str(XName name, string resid, string value) => new(name, new XAttribute("id", resid), new XAttribute("DefaultValue", value));

        var icon = new XElement(v11 + "Icon",
            new XElement(bt + "Image", new XAttribute("size", "16"), new XAttribute("resid", "Icon.16")),
            new XElement(bt + "Image", new XAttribute("size", "32"), new XAttribute("resid", "Icon.32")),
            new XElement(bt + "Image", new XAttribute("size", "80"), new XAttribute("resid", "Icon.80")));
        var host = new XElement(v11 + "Host", Type("MailHost"),
            new XElement(v11 + "Runtimes",
                // The HTML page for Outlook on the web, new Outlook and Mac; classic Outlook on Windows runs the script alone.
                new XElement(v11 + "Runtime", new XAttribute("resid", "Runtime.Html"),
                    new XElement(v11 + "Override", new XAttribute("type", "javascript"), new XAttribute("resid", "Runtime.Js")))),
            new XElement(v11 + "DesktopFormFactor",
                new XElement(v11 + "FunctionFile", new XAttribute("resid", "Runtime.Html")),
                new XElement(v11 + "ExtensionPoint", Type("MessageComposeCommandSurface"),
                    new XElement(v11 + "OfficeTab", new XAttribute("id", "TabDefault"),
                        new XElement(v11 + "Group", new XAttribute("id", "mailguardGroup"),
                            new XElement(v11 + "Label", new XAttribute("resid", "Group.Label")),
                            new XElement(v11 + "Control", Type("Button"), new XAttribute("id", MoveToBccButton),
                                new XElement(v11 + "Label", new XAttribute("resid", "MoveToBcc.Label")),
                                new XElement(v11 + "Supertip",
                                    new XElement(v11 + "Title", new XAttribute("resid", "MoveToBcc.Label")),
                                    new XElement(v11 + "Description", new XAttribute("resid", "MoveToBcc.Tip"))),
                                icon,
                                new XElement(v11 + "Action", Type("ExecuteFunction"),
                                    new XElement(v11 + "FunctionName", MoveToBccFunction)))))),
                new XElement(v11 + "ExtensionPoint", Type("LaunchEvent"),
                    new XElement(v11 + "LaunchEvents",
                        // SoftBlock: a draft the check stops is not sent; if the add-in cannot run at all, Outlook lets the sender send.
                        new XElement(v11 + "LaunchEvent", new XAttribute("Type", "OnMessageSend"), new XAttribute("FunctionName", SendHandler), new XAttribute("SendMode", "SoftBlock"))),
                    new XElement(v11 + "SourceLocation", new XAttribute("resid", "Runtime.Html")))));

        var resources = new XElement(v11 + "Resources",
            new XElement(bt + "Images",
                new XElement(bt + "Image", new XAttribute("id", "Icon.16"), new XAttribute("DefaultValue", Url("addin/icon-16.png"))),
                new XElement(bt + "Image", new XAttribute("id", "Icon.32"), new XAttribute("DefaultValue", Url("addin/icon-32.png"))),
                new XElement(bt + "Image", new XAttribute("id", "Icon.80"), new XAttribute("DefaultValue", Url("addin/icon-80.png")))),
            new XElement(bt + "Urls",
                Str(bt + "Url", "Runtime.Html", Url("addin/commands.html")),
                Str(bt + "Url", "Runtime.Js", Url("addin/commands.js"))),
            new XElement(bt + "ShortStrings",
                Str(bt + "String", "Group.Label", displayName),
                Str(bt + "String", "MoveToBcc.Label", "Move to Bcc")),
            new XElement(bt + "LongStrings",
                Str(bt + "String", "MoveToBcc.Tip", "Moves the external To and Cc recipients MailGuard names to Bcc, so they cannot see each other's addresses.")));

        var overrides = new XElement(v10 + "VersionOverrides", Type("VersionOverridesV1_0"),
            new XElement(v11 + "VersionOverrides", Type("VersionOverridesV1_1"),
                new XElement(v11 + "Requirements",
                    new XElement(bt + "Sets", new XAttribute("DefaultMinVersion", "1.12"),
                        new XElement(bt + "Set", new XAttribute("Name", "Mailbox")))),
                new XElement(v11 + "Hosts", host),
                resources));

        var manifest = new XElement(o + "OfficeApp",
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute(XNamespace.Xmlns + "bt", BasicTypes),
            new XAttribute(XNamespace.Xmlns + "mailappor", Overrides10),
            Type("MailApp"),
            new XElement(o + "Id", id.ToString("D")),
            new XElement(o + "Version", "1.0.0.0"),
            new XElement(o + "ProviderName", displayName),
            new XElement(o + "DefaultLocale", "en-GB"),
            new XElement(o + "DisplayName", new XAttribute("DefaultValue", displayName)),
            new XElement(o + "Description", new XAttribute("DefaultValue", "Checks a message with the organisation's MailGuard policy when you press Send, and offers fixes such as moving recipients to Bcc.")),
            new XElement(o + "IconUrl", new XAttribute("DefaultValue", Url("addin/icon-64.png"))),
            new XElement(o + "HighResolutionIconUrl", new XAttribute("DefaultValue", Url("addin/icon-128.png"))),
            new XElement(o + "AppDomains", new XElement(o + "AppDomain", baseUrl.GetLeftPart(UriPartial.Authority))),
            new XElement(o + "Hosts", new XElement(o + "Host", new XAttribute("Name", "Mailbox"))),
            new XElement(o + "Requirements", new XElement(o + "Sets", new XElement(o + "Set", new XAttribute("Name", "Mailbox"), new XAttribute("MinVersion", "1.1")))),
            new XElement(o + "FormSettings",
                new XElement(o + "Form", Type("ItemEdit"),
                    new XElement(o + "DesktopSettings",
                        new XElement(o + "SourceLocation", new XAttribute("DefaultValue", Url("addin/commands.html"))),
                        new XElement(o + "RequestedHeight", "250")))),
            // ReadWriteItem: the add-in reads the draft and moves recipients (Smart Alerts needs no more).
            new XElement(o + "Permissions", "ReadWriteItem"),
            new XElement(o + "Rule", Type("RuleCollection"), new XAttribute("Mode", "Or"),
                new XElement(o + "Rule", Type("ItemIs"), new XAttribute("ItemType", "Message"), new XAttribute("FormType", "Edit"))),
            new XElement(o + "DisableEntityHighlighting", "false"),
            overrides);

        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), manifest);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            document.Save(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
