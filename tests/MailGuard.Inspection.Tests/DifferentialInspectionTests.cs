using MailGuard.Testing;
using Xunit.Abstractions;

namespace MailGuard.Inspection.Tests;

/// <summary>
/// Every leaf that MimeKit decodes, parsing a message on its own, must have been inspected by
/// MailGuard (the same content, white space aside): for the shared MIME and DLP corpora and the
/// evasion corpus. A part a mainstream client shows and MailGuard did not read fails the test.
/// </summary>
public sealed class DifferentialInspectionTests(ITestOutputHelper output)
{
    private static readonly InspectionOptions s_options = new() { RecordInspectedContent = true };

    public static IEnumerable<object[]> Corpora() => [["mime"], ["dlp"], ["evasion"]];

    [Theory]
    [MemberData(nameof(Corpora))]
    public void EveryLeafMimeKitDecodes_IsInspected(string corpus)
    {
        var files = Files(corpus);
        if (files is null)
        {
            return;
        }

        var inspector = new MessageInspector(s_options, new DomainSet([EvasionCorpus.InternalDomain]), new DomainSet([]));
        var missed = new List<string>();
        int leaves = 0;
        int secondReadings = 0;
        foreach (string file in files)
        {
            byte[] bytes = File.ReadAllBytes(file);
            InspectionResult result;
            using (var doc = MailGuard.Mime.MimeDocument.Load(bytes))
            {
                result = inspector.Inspect(doc, null);
            }

            secondReadings += result.SecondReadings > 0 ? 1 : 0;
            var inspected = result.InspectedContent.ToHashSet(StringComparer.Ordinal);
            using var message = MimeKit.MimeMessage.Load(new MemoryStream(bytes));
            foreach (var (path, digest, ours) in Leaves(message.Body, ""))
            {
                leaves++;
                if (!inspected.Contains(digest) && !(ours is not null && inspected.Contains(ours)))
                {
                    missed.Add($"{Path.GetFileName(file)} {path}");
                }
            }
        }

        output.WriteLine($"{corpus}: {files.Count} messages, {leaves} leaves MimeKit decodes, {missed.Count} not inspected; {secondReadings} messages read a second time");
        Assert.True(missed.Count == 0, "leaves MimeKit decodes that MailGuard did not inspect:\n" + string.Join("\n", missed));
    }

    private static byte[] Decode(Stream stream)
    {
        using (stream)
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private static byte[] Significant(byte[] bytes) => bytes.Where(b => b is not ((byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t')).ToArray();

    private static bool DifferOnlyInLastBytes(byte[] a, byte[] b)
    {
        int common = a.AsSpan().CommonPrefixLength(b);
        return Math.Max(a.Length, b.Length) - common <= 2;
    }

    private static string Hex(UInt128 digest) => digest.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);

    private static List<string>? Files(string corpus)
    {
        if (corpus == "evasion")
        {
            return EvasionCorpus.Carriers.Concat(EvasionCorpus.Controls).ToList();
        }

        string directory = corpus == "mime" ? RepoPaths.MimeCorpus : RepoPaths.DlpCorpus;
        if (!Directory.Exists(directory))
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", $"shared corpus missing under CI: {directory}");
            return null;
        }

        return Directory.GetFiles(directory, "*.eml").Order(StringComparer.Ordinal).ToList();
    }

    // MimeKit's leaves with content, the digest MailGuard keeps of a part it inspected, and, where
    // the encoded data is damaged at its end (a final partial quantum, which decoders recover
    // differently: MimeKit drops it, MailGuard and Python decode its whole bytes), the digest of
    // MailGuard's decoding of the same encoded bytes when the two differ only in those last bytes.
    private static IEnumerable<(string Path, string Digest, string? Ours)> Leaves(MimeKit.MimeEntity? entity, string path)
    {
        switch (entity)
        {
            case MimeKit.Multipart multipart:
                for (int i = 0; i < multipart.Count; i++)
                {
                    foreach (var leaf in Leaves(multipart[i], path + "/" + (i + 1)))
                    {
                        yield return leaf;
                    }
                }

                break;
            case MimeKit.MessagePart { Message: { } inner }:
                foreach (var leaf in Leaves(inner.Body, path + "/message"))
                {
                    yield return leaf;
                }

                break;
            case MimeKit.MimePart { Content: { } content }:
                byte[] theirs = Decode(content.Open());
                if (Significant(theirs).Length > 0)
                {
                    string? ours = null;
                    if (content.Encoding is MimeKit.ContentEncoding.Base64 && content.Stream is { } encoded)
                    {
                        using var raw = new MemoryStream();
                        encoded.Position = 0;
                        encoded.CopyTo(raw);
                        raw.Position = 0;
                        byte[] mine = Decode(new MailGuard.Mime.DecodingStream(raw, new MailGuard.Mime.Base64Decoder()));
                        if (DifferOnlyInLastBytes(Significant(mine), Significant(theirs)))
                        {
                            ours = Hex(InspectedContent.Digest(mine));
                        }
                    }

                    yield return (path.Length == 0 ? "/" : path, Hex(InspectedContent.Digest(theirs)), ours);
                }

                break;
        }
    }
}
