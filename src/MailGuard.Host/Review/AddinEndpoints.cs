using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailGuard.Host.Configuration;
using Microsoft.Extensions.Options;

namespace MailGuard.Host.Review;

/// <summary>
/// The Outlook add-in's files (addin/ in the repository, built into the binary) under /addin/,
/// anonymously: Outlook fetches them without credentials. commands.js starts with the deployment's
/// settings: where the check API is, the check-scoped token (Addin:CheckToken), the time budget
/// (Addin:ClientTimeout). Without a token there is no add-in: every /addin/ path is 404.
/// </summary>
internal static class AddinEndpoints
{
    public const string Prefix = "/addin";

    /// <summary>
    /// Outlook frames the add-in (no frame-ancestors) and it loads Office.js from Microsoft's CDN;
    /// everything else, the check API included, is this server's.
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'self' " + OfficeJsOrigin + "; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";

    public const string OfficeJsOrigin = "https://appsforoffice.microsoft.com";

    /// <summary>Set on a request that is answered with one of the add-in's files: its response gets <see cref="ContentSecurityPolicy"/>.</summary>
    public const string ServedItem = "mailguard.addin";

    /// <summary>Every file served, with its media type: what the manifest may point at.</summary>
    public static IReadOnlyDictionary<string, string> Files { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["commands.html"] = "text/html; charset=utf-8",
        ["commands.js"] = "text/javascript; charset=utf-8",
        ["icon-16.png"] = "image/png",
        ["icon-32.png"] = "image/png",
        ["icon-64.png"] = "image/png",
        ["icon-80.png"] = "image/png",
        ["icon-128.png"] = "image/png",
    };

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Prefix + "/{file}", Serve).AllowAnonymous();

    private static IResult Serve(HttpContext context, string file, IOptions<AddinOptions> addin)
    {
        if (string.IsNullOrEmpty(addin.Value.CheckToken) || !Files.TryGetValue(file, out string? type) || Read(file) is not { } content)
        {
            return Results.NotFound();
        }

        if (file == "commands.js")
        {
            // Settings first, as one JSON object (no script can be smuggled through a value).
            var settings = new
            {
                checkUrl = $"{context.Request.Scheme}://{context.Request.Host}{CheckEndpoint.Path}",
                token = addin.Value.CheckToken,
                timeoutMs = (int)addin.Value.ClientTimeout.TotalMilliseconds,
            };
            string json = JsonSerializer.Serialize(settings, new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });
            content = [.. Encoding.UTF8.GetBytes("var MAILGUARD_ADDIN_SETTINGS = " + json + ";\n"), .. content];
        }

        context.Items[ServedItem] = true;
        return Results.Bytes(content, type);
    }

    /// <summary>One of the add-in's files as built into the binary; null when there is no such file.</summary>
    public static byte[]? Read(string file)
    {
        using var stream = typeof(AddinEndpoints).Assembly.GetManifestResourceStream("addin/" + file);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
