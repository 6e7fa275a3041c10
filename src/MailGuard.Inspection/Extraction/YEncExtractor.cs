using MailGuard.Mime;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A body that is a yEnc-encoded file ("=ybegin ... name=report.xlsx" lines, as newsreaders and
/// some mailers send binaries): decoded and read as the file it carries.
/// </summary>
internal static class YEncExtractor
{
    /// <summary>The head starts with an "=ybegin " line, or has one after a few lines of text.</summary>
    public static bool Sniff(ReadOnlySpan<byte> head) =>
        head.StartsWith("=ybegin "u8) || head.IndexOf("\n=ybegin "u8) is >= 0 and < 4096;

    public static void Extract(ExtractionContext context, Stream stream, ReadOnlySpan<byte> head, ContentLocation location, int depth)
    {
        string? name = NameOf(head);
        using var decoded = new DecodingStream(stream, new YEncDecoder(), leaveOpen: true);
        ContentExtractor.ExtractPart(context, decoded, name, null, name is null ? location : location.Child(name), depth + 1);
    }

    // "=ybegin line=128 size=123456 name=mybinary.dat": the name runs to the end of the line.
    private static string? NameOf(ReadOnlySpan<byte> head)
    {
        int begin = head.IndexOf("=ybegin "u8);
        var line = head[begin..];
        int eol = line.IndexOfAny((byte)'\r', (byte)'\n');
        string text = System.Text.Encoding.Latin1.GetString(eol < 0 ? line : line[..eol]);
        int name = text.IndexOf(" name=", StringComparison.Ordinal);
        return name < 0 ? null : text[(name + 6)..].Trim();
    }
}
