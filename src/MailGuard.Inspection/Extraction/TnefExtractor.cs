using MimeKit;
using MimeKit.Tnef;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Outlook's TNEF (winmail.dat, application/ms-tnef): the message body and the attachments it
/// carries, which Outlook shows as ordinary attachments. Read with MimeKit's TNEF reader; every
/// attachment goes through the same sniffing and extraction as a MIME part, counted against the
/// archive limits (entries, expansion, nesting).
/// </summary>
internal static class TnefExtractor
{
    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location, int depth)
    {
        var tnef = new TnefPart { Content = new MimeContent(stream, ContentEncoding.Binary) };
        MimeMessage message;
        try
        {
            message = tnef.ConvertToMessage();
        }
        catch (TnefException ex)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, "TNEF: " + ex.Message);
            return;
        }

        using (message)
        {
            int index = 0;
            foreach (var entity in message.BodyParts)
            {
                context.ThrowIfCancelled();
                context.AddEntry();
                index++;
                switch (entity)
                {
                    case MessagePart { Message: { } inner } when context.EmbeddedMessage is not null:
                        {
                            using var bytes = new MemoryStream();
                            inner.WriteTo(bytes, context.CancellationToken);
                            bytes.Position = 0;
                            context.AddExpanded(bytes.Length);
                            context.EmbeddedMessage(bytes, location.Child(entity.ContentDisposition?.FileName ?? "attached message"), depth + 1, context.CancellationToken);
                            break;
                        }

                    case MimePart { Content: { } content } part:
                        {
                            string? name = part.FileName;
                            var at = name is null ? location : location.Child(name);
                            using var decoded = content.Open();
                            using var counted = new ExpandedCounter(decoded, context);
                            ContentExtractor.ExtractPart(context, counted, name, part.ContentType.ToString(), at, depth + 1);
                            break;
                        }
                }
            }
        }
    }

    // Counts what the attachments expand to against the total expansion limit.
    private sealed class ExpandedCounter(Stream inner, ExtractionContext context) : MailGuard.Mime.ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            context.AddExpanded(n);
            return n;
        }
    }
}
