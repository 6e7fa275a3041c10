using MimeKit;

namespace MailGuard.Inspection;

/// <summary>
/// The second reading of a message whose parse recorded a defect: MimeKit parses a copy (each
/// header field cut to a size its parser handles cheaply) and every part it decodes, its
/// preambles and epilogues included, goes through the same inspection unless our own reading
/// already inspected the same content. Where the two parsers disagree about structure, neither
/// view is trusted alone: the message is inspected as both show it.
/// </summary>
internal static class SecondOpinion
{
    /// <summary>Nesting the walk over MimeKit's tree follows (MimeKit itself allows 1,024).</summary>
    public const int MaxDepth = 128;

    private const string Suffix = " (as MimeKit reads it)";

    public static void Walk(Mime.MimeDocument document, ContentLocation location, int depth, MessageWalker walker)
    {
        var ct = walker.CancellationToken;
        using var source = document.OpenSource();
        using var copy = HeaderCappedCopy.Create(source, walker.Options.Extraction.MaxInMemorySpoolBytes, ct);
        var parser = new MimeParser(copy, MimeFormat.Entity, persistent: true);
        MimeMessage message;
        try
        {
            message = parser.ParseMessage(ct);
        }
        catch (FormatException)
        {
            // MimeKit found no message at all (no header block): our reading is all there is.
            return;
        }

        using (message)
        {
            Visit(message.Body, "", location, depth, 0, walker);
        }
    }

    private static void Visit(MimeEntity? entity, string path, ContentLocation parent, int depth, int level, MessageWalker walker)
    {
        if (entity is null)
        {
            return;
        }

        walker.CancellationToken.ThrowIfCancellationRequested();
        var here = parent with { PartPath = (path.Length == 0 ? "/" : path) + Suffix };
        if (level > MaxDepth)
        {
            walker.Analyzer.OnUnscannable(here, UnscannableReason.NestingTooDeep, $"MIME nesting beyond {MaxDepth} levels in the second reading");
            return;
        }

        switch (entity)
        {
            case Multipart multipart:
                Text(multipart.Preamble, parent.Child("preamble") with { PartPath = here.PartPath }, depth, walker);
                for (int i = 0; i < multipart.Count; i++)
                {
                    Visit(multipart[i], path + "/" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), parent, depth, level + 1, walker);
                }

                Text(multipart.Epilogue, parent.Child("epilogue") with { PartPath = here.PartPath }, depth, walker);
                break;
            case MessagePart { Message: { } inner } part:
                var at = parent.Child(part.ContentDisposition?.FileName ?? "attached message") with { PartPath = here.PartPath };
                if (depth + 1 > walker.Options.MaxMessageDepth)
                {
                    walker.Analyzer.OnUnscannable(at, UnscannableReason.NestingTooDeep, $"message nesting limit ({walker.Options.MaxMessageDepth}) reached");
                    break;
                }

                Visit(inner.Body, path + "/message", at, depth + 1, level + 1, walker);
                break;
            case MimePart leaf:
                string? fileName = leaf.FileName;
                var location = fileName is null ? here : parent.Child(fileName) with { PartPath = here.PartPath };
                string declared = leaf.ContentType.MimeType + (leaf.ContentType.Charset is { } charset ? "; charset=" + charset : "");
                walker.InspectLeaf(() => leaf.Content?.Open() ?? Stream.Null, fileName, declared, location, depth, digest: true);
                break;
        }
    }

    private static void Text(string? text, ContentLocation location, int depth, MessageWalker walker)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            walker.InspectText(text, location, depth);
        }
    }
}
