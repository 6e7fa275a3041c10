using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

internal static class Extract
{
    public static readonly ContentLocation Root = new("/2", "attachment");

    public static RecordingSink Run(byte[] bytes, string? fileName = null, string? contentType = null, ExtractionLimits? limits = null, bool seekable = false, EmbeddedMessageHandler? onMessage = null)
    {
        var sink = new RecordingSink();
        Stream stream = seekable ? new MemoryStream(bytes) : new ForwardOnlyStream(new MemoryStream(bytes));
        ContentExtractor.Extract(stream, fileName, contentType, Root with { FileName = fileName ?? "attachment" }, sink, limits ?? new ExtractionLimits(), CancellationToken.None, onMessage);
        return sink;
    }

    public static RecordingSink Fixture(string name, string? fileName = null, string? contentType = null) =>
        Run(Fixtures.Bytes(name), fileName ?? name, contentType);
}
