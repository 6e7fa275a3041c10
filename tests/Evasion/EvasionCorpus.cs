using MailGuard.Mime;

namespace MailGuard.Testing;

/// <summary>
/// The evasion corpus written by make_corpus.py: carriers of one 50-person spreadsheet that must
/// be held, and honest controls that must be delivered. Internal domain: corp.example.
/// </summary>
internal static class EvasionCorpus
{
    public const string InternalDomain = "corp.example";

    public static string Directory => Path.Combine(MailGuard.Testing.RepoPaths.Root, "tests", "Evasion", "corpus");

    public static IReadOnlyList<string> Carriers => Files("carriers");

    public static IReadOnlyList<string> Controls => Files("controls");

    /// <summary>The envelope a client would give it: From's address, every To/Cc address.</summary>
    public static (string From, string[] To) Envelope(byte[] message)
    {
        using var doc = MimeDocument.Load(message);
        string from = doc.Message.From.FirstOrDefault()?.Address ?? "pat.clerk@corp.example";
        string[] to = doc.Message.To.Concat(doc.Message.Cc).Select(a => a.Address).Where(a => a.Contains('@')).Distinct().ToArray();
        // A carrier whose header block MailGuard reads short (bare CRs) has no To to read: the
        // client still sends it somewhere outside.
        return (from, to.Length > 0 ? to : ["recipient@partner.example"]);
    }

    private static List<string> Files(string folder)
    {
        var files = System.IO.Directory.GetFiles(Path.Combine(Directory, folder), "*.eml").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 0, $"no messages in {folder}: run make_corpus.py");
        return files;
    }
}
