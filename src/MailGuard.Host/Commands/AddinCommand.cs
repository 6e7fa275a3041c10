using MailGuard.Host.Review;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard addin manifest --url https://console.example.org [--output FILE] [--id GUID]`: the XML
/// manifest an Exchange or Microsoft 365 admin deploys (docs/admin-outlook-addin.md), with every URL
/// under the console's public URL. Exit 0 when written, 2 on a bad URL or an unwritable file.
/// </summary>
internal static class AddinCommand
{
    public static int Manifest(string url, string? output, Guid? id, TextWriter stdout, TextWriter stderr)
    {
        if (!AddinManifest.TryParseBase(url, out var baseUrl, out string? problem))
        {
            stderr.WriteLine("mailguard addin manifest: " + problem);
            return 2;
        }

        string xml = AddinManifest.Build(baseUrl!, id ?? AddinManifest.IdFor(baseUrl!));
        if (output is null)
        {
            stdout.Write(xml);
            return 0;
        }

        try
        {
            File.WriteAllText(output, xml, new System.Text.UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"mailguard addin manifest: cannot write {output}: {ex.Message}");
            return 2;
        }

        stderr.WriteLine($"mailguard addin manifest: wrote {output} for {baseUrl}");
        return 0;
    }
}
