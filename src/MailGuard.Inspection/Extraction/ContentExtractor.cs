using System.Buffers;
using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Turns the decoded bytes of one MIME part (an attachment or a body) into text blocks and
/// table rows on an <see cref="IContentSink"/>. The format is judged from the bytes; the name
/// and declared type are only compared with it. Expected failures (encryption, corruption,
/// limits, time) are reported as <see cref="IContentSink.OnUnscannable"/>; no exception
/// escapes, except <see cref="ArgumentNullException"/> for misuse.
/// </summary>
public static class ContentExtractor
{
    internal const int SniffLength = 16 * 1024;

    static ContentExtractor()
    {
        // Legacy 8-bit charsets (Windows-1252 fallback, declared ISO-8859-x, BIFF code pages).
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <param name="content">Decoded part bytes; read once, from its current position; need not be seekable. Not disposed.</param>
    /// <param name="fileName">The part's file name, if any; used for the type-mismatch check and member names.</param>
    /// <param name="declaredContentType">The part's Content-Type with parameters; a charset parameter helps decode legacy text.</param>
    /// <param name="nestingDepth">Depth of this part in archives/messages already opened by the caller.</param>
    /// <param name="embeddedMessage">Receives .eml members of archives; without it they are scanned as plain text.</param>
    /// <returns>The detected top-level format.</returns>
    public static ContentFormat Extract(
        Stream content,
        string? fileName,
        string? declaredContentType,
        ContentLocation location,
        IContentSink sink,
        ExtractionLimits limits,
        CancellationToken cancellationToken,
        EmbeddedMessageHandler? embeddedMessage = null,
        int nestingDepth = 0)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentOutOfRangeException.ThrowIfNegative(nestingDepth);

        using var budget = new CancellationTokenSource(limits.TimeBudget, limits.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var context = new ExtractionContext(sink, limits, embeddedMessage, linked.Token, budget.Token);
        try
        {
            return ExtractPart(context, content, fileName, declaredContentType, location, nestingDepth);
        }
        catch (ExtractionLimitException ex)
        {
            // The top: nothing above to stop, global or not.
            ex.ReportOnce(sink, location);
            return ContentFormat.Unknown;
        }
    }

    /// <summary>
    /// Sniffs and extracts one part or member. Format errors become Corrupt here, at the
    /// innermost location; limit exceptions travel up to the archive that owns them.
    /// </summary>
    /// <summary>
    /// Whether decoded bytes of unknown origin are worth extracting: a format recognised by its
    /// first bytes, signed or encrypted data, or text (see <see cref="TextSniffer.MayBeText"/>).
    /// </summary>
    internal static bool MayBeReadable(ReadOnlySpan<byte> data)
    {
        bool complete = data.Length <= SniffLength;
        var head = complete ? data : data[..SniffLength];
        return FormatSniffer.SniffBinary(head) != ContentFormat.Unknown
            || YEncExtractor.Sniff(head)
            || CryptoFormats.MayBeDer(head, complete)
            || CryptoFormats.ClassifyPgpBinary(head, complete) != CryptoKind.None
            || TextSniffer.MayBeText(head, complete);
    }

    internal static ContentFormat ExtractPart(ExtractionContext context, Stream input, string? fileName, string? declaredContentType, ContentLocation location, int depth)
    {
        ContentFormat format = ContentFormat.Unknown;
        Stream? spooled = null;
        byte[]? rentedPrefix = null;
        try
        {
            context.ThrowIfCancelled();
            long start = input.CanSeek ? input.Position : 0;
            byte[] prefix = System.Buffers.ArrayPool<byte>.Shared.Rent(SniffLength);
            rentedPrefix = prefix;
            int prefixLength = input.ReadAtLeast(prefix.AsSpan(0, SniffLength), SniffLength, throwOnEndOfStream: false);
            Stream stream;
            if (input.CanSeek)
            {
                input.Position = start;
                stream = input;
            }
            else
            {
                stream = new PrefixedStream(prefix, prefixLength, input);
            }

            ReadOnlySpan<byte> head = prefix.AsSpan(0, prefixLength);
            format = FormatSniffer.SniffBinary(head);
            if (format == ContentFormat.Empty)
            {
                return format;
            }

            if (format is ContentFormat.Zip or ContentFormat.OtherCompoundFile or ContentFormat.Pdf or ContentFormat.Tnef or ContentFormat.SevenZip or ContentFormat.Rar)
            {
                if (format is ContentFormat.Zip or ContentFormat.SevenZip or ContentFormat.Rar && depth >= context.Limits.MaxNestingDepth)
                {
                    context.Sink.OnUnscannable(location, UnscannableReason.NestingTooDeep, context.Limits.DescribeNesting());
                    return format;
                }

                stream = spooled = Spool(context, stream, start);
                format = format switch
                {
                    ContentFormat.Zip => ZipExtractor.Classify(stream),
                    ContentFormat.OtherCompoundFile => CompoundFile.Classify(stream),
                    _ => format,
                };
                stream.Position = 0;
            }

            if (format == ContentFormat.Unknown && YEncExtractor.Sniff(head))
            {
                format = ContentFormat.YEnc;
            }

            TextSniff? text = null;
            CryptoKind crypto = CryptoKind.None;
            byte[]? signedContent = null;
            bool headIsAll = prefixLength < SniffLength;
            bool mayBeDer = format == ContentFormat.Unknown && CryptoFormats.MayBeDer(head, headIsAll);
            if (format == ContentFormat.Unknown && (mayBeDer || CryptoFormats.ClassifyPgpBinary(head, headIsAll) != CryptoKind.None))
            {
                // A DER object or OpenPGP packets must be read whole to be believed (a 0x30 or a
                // high-bit byte is no proof); anything else falls through to text or unknown binary.
                stream = spooled = Spool(context, stream, start);
                if (stream.Length <= CryptoFormats.MaxDerBytes)
                {
                    byte[] all = new byte[stream.Length];
                    stream.ReadExactly(all);
                    stream.Position = 0;
                    crypto = mayBeDer ? CryptoFormats.ClassifyDer(all, out signedContent) : CryptoFormats.ClassifyPgpBinary(all, complete: true);
                    format = FormatOf(crypto);
                }
            }

            if (format == ContentFormat.Unknown)
            {
                text = TextSniffer.Sniff(head, prefixLength < SniffLength, fileName, declaredContentType);
                format = text?.Format ?? ContentFormat.Unknown;
                if (text is not null && head.IndexOf("-----BEGIN "u8) >= 0)
                {
                    // ASCII armour (RFC 4880 §6.2, RFC 7468): the text is read as text all the same.
                    crypto = CryptoFormats.ClassifyArmor(text.Encoding.GetString(head[text.BomLength..]));
                    format = crypto == CryptoKind.None ? format : FormatOf(crypto);
                }
            }

            TypeCheck.ReportMismatch(context.Sink, location, fileName, declaredContentType, format);

            if (format is ContentFormat.Gzip or ContentFormat.Tar or ContentFormat.Bzip2 or ContentFormat.Xz && depth >= context.Limits.MaxNestingDepth)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.NestingTooDeep, context.Limits.DescribeNesting());
                return format;
            }

            if (crypto == CryptoKind.Encrypted)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.Encrypted, text is null ? "encrypted message (S/MIME enveloped data or OpenPGP)" : "encrypted message (OpenPGP armour)");
            }

            if (text is not null && crypto != CryptoKind.None)
            {
                // Armoured signatures, keys and messages: what surrounds the armour is still text to read.
                TextExtractor.Extract(context, stream, text, location, prefixLength < SniffLength ? prefixLength : -1);
                return format;
            }

            switch (format)
            {
                case ContentFormat.Image:
                    ImageTextExtractor.Extract(context, stream, location);
                    break;
                case ContentFormat.Certificate:
                case ContentFormat.Signature:
                case ContentFormat.EncryptedMessage:
                    // Certificates and detached signatures say who signed, not what was sent: reported
                    // by type, not as findings. Encrypted content was reported above.
                    break;
                case ContentFormat.SignedMessage:
                    // S/MIME opaque signing: the signed content is a MIME entity (RFC 8551 §3.5.2),
                    // parsed and walked like an attached message where the caller parses MIME.
                    using (var signedEntity = new MemoryStream(signedContent!, writable: false))
                    {
                        if (context.EmbeddedMessage is not null)
                        {
                            context.EmbeddedMessage(signedEntity, location.Child("signed content"), depth + 1, context.CancellationToken);
                        }
                        else
                        {
                            ExtractPart(context, signedEntity, null, null, location.Child("signed content"), depth + 1);
                        }
                    }

                    break;
                case ContentFormat.Audio:
                case ContentFormat.Video:
                case ContentFormat.Executable:
                case ContentFormat.Font:
                case ContentFormat.Metafile:
                    BinaryStrings.Extract(context, stream, location, format);
                    break;
                case ContentFormat.Zip:
                case ContentFormat.OtherOoxml:
                case ContentFormat.OtherOpenDocument:
                    ZipExtractor.ExtractArchive(context, stream, fileName ?? "archive.zip", location, depth, packageFormat: format);
                    break;
                case ContentFormat.Xlsx:
                    XlsxExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.Docx:
                    DocxExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.Ods:
                case ContentFormat.Odt:
                    OpenDocumentExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.Xls:
                    XlsExtractor.Extract(context, stream, location);
                    break;
                case ContentFormat.EncryptedOoxml:
                    context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, "password-protected Office document (EncryptionInfo/EncryptedPackage)");
                    break;
                case ContentFormat.Doc:
                    DocExtractor.Extract(context, stream, location);
                    break;
                case ContentFormat.OutlookMessage:
                    OutlookMessageExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.OtherCompoundFile:
                    context.Sink.OnUnscannable(location, UnscannableReason.UnsupportedFormat, "OLE2 compound file of an unsupported kind");
                    break;
                case ContentFormat.Pdf:
                    PdfExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.Gzip:
                    ArchiveExtractor.ExtractGzip(context, stream, head, fileName, location, depth);
                    break;
                case ContentFormat.Tar:
                    ArchiveExtractor.ExtractTar(context, stream, location, depth);
                    break;
                case ContentFormat.SevenZip:
                case ContentFormat.Rar:
                    SharpArchiveExtractor.ExtractArchive(context, stream, format, fileName ?? (format == ContentFormat.Rar ? "archive.rar" : "archive.7z"), location, depth);
                    break;
                case ContentFormat.Bzip2:
                case ContentFormat.Xz:
                    ArchiveExtractor.ExtractCompressed(context, stream, format, fileName, location, depth);
                    break;
                case ContentFormat.Rtf:
                    RtfExtractor.Extract(context, stream, location);
                    break;
                case ContentFormat.Tnef:
                    TnefExtractor.Extract(context, stream, location, depth);
                    break;
                case ContentFormat.YEnc:
                    YEncExtractor.Extract(context, stream, head, location, depth);
                    break;
                case ContentFormat.MailMessage when context.EmbeddedMessage is not null:
                    context.EmbeddedMessage(stream, location, depth, context.CancellationToken);
                    break;
                case ContentFormat.PlainText:
                case ContentFormat.MailMessage:
                case ContentFormat.VCard:
                case ContentFormat.Calendar:
                case ContentFormat.Html:
                case ContentFormat.Csv:
                case ContentFormat.Json:
                case ContentFormat.Xml:
                    // A part shorter than the sniffed prefix is known in full: size the text buffers to it
                    // (most bodies are a few kilobytes; 64 KiB buffers per part dominated a small message's cost).
                    TextExtractor.Extract(context, stream, text!, location, prefixLength < SniffLength ? prefixLength : -1);
                    break;
                default:
                    context.Sink.OnUnscannable(location, UnscannableReason.UnsupportedFormat, "binary content of an unknown format");
                    break;
            }

            return format;
        }
        catch (ExtractionLimitException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            context.ThrowIfCancelled();
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Parsers of hostile input fail in many ways (InvalidDataException, XmlException,
            // EndOfStreamException, library-specific types); all of them mean "cannot read this".
            context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, $"{format}: {ex.GetType().Name}: {ex.Message}");
            return format;
        }
        finally
        {
            spooled?.Dispose();
            if (rentedPrefix is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rentedPrefix);
            }
        }
    }

    private static ContentFormat FormatOf(CryptoKind kind) => kind switch
    {
        CryptoKind.Certificate => ContentFormat.Certificate,
        CryptoKind.DetachedSignature => ContentFormat.Signature,
        CryptoKind.SignedContent => ContentFormat.SignedMessage,
        CryptoKind.Encrypted => ContentFormat.EncryptedMessage,
        _ => ContentFormat.Unknown,
    };

    /// <summary>
    /// Gives a seekable stream for formats that read a directory at the end (zip, OLE2, PDF).
    /// A seekable input is wrapped in a view that does not dispose it; anything else is copied,
    /// in memory up to <see cref="ExtractionLimits.MaxInMemorySpoolBytes"/> and to a
    /// delete-on-close temporary file beyond. The caller disposes the result.
    /// </summary>
    internal static Stream Spool(ExtractionContext context, Stream input, long start)
    {
        if (input.CanSeek)
        {
            return new WindowStream(input, start, input.Length - start);
        }

        var memory = new PooledSpoolStream();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(81920);
        Stream target = memory;
        try
        {
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                context.ThrowIfCancelled();
                if (target == memory && memory.Length + n > context.Limits.MaxInMemorySpoolBytes)
                {
                    target = ContentSpool.ToFile(memory);
                }

                target.Write(buffer, 0, n);
            }
        }
        catch
        {
            target.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        target.Position = 0;
        return target;
    }
}
