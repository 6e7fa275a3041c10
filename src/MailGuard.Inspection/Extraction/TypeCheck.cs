namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Compares the detected format with the file name's extension and the declared media type.
/// Only families are compared (an HTML file called .txt is still text), so a mismatch means a
/// different kind of document: a spreadsheet renamed to .jpg, a zip called .pdf.
/// </summary>
internal static class TypeCheck
{
    public static string? ExtensionOf(string? fileName)
    {
        if (string.IsNullOrEmpty(fileName))
        {
            return null;
        }

        string name = fileName;
        int slash = Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }

        int dot = name.LastIndexOf('.');
        return dot >= 0 && dot < name.Length - 1 ? name[(dot + 1)..].ToLowerInvariant() : null;
    }

    public static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        int semi = contentType.IndexOf(';');
        return (semi >= 0 ? contentType[..semi] : contentType).Trim().ToLowerInvariant();
    }

    public static string? FamilyOf(ContentFormat format) => format switch
    {
        ContentFormat.PlainText or ContentFormat.Html or ContentFormat.Csv or ContentFormat.VCard or ContentFormat.Calendar
            or ContentFormat.Json or ContentFormat.Xml => "text",
        ContentFormat.MailMessage => "message",
        ContentFormat.Rtf => "rtf",
        ContentFormat.Pdf => "pdf",
        ContentFormat.Zip => "zip",
        ContentFormat.Gzip => "gzip",
        ContentFormat.Tar => "tar",
        ContentFormat.Xlsx => "xlsx",
        ContentFormat.Docx => "docx",
        ContentFormat.OtherOoxml => "ooxml",
        ContentFormat.Ods => "ods",
        ContentFormat.Odt => "odt",
        ContentFormat.OtherOpenDocument => "opendocument",
        ContentFormat.Xls => "xls",
        ContentFormat.Doc => "doc",
        ContentFormat.EncryptedOoxml => "encrypted-office",
        ContentFormat.OtherCompoundFile or ContentFormat.OutlookMessage => "ole2",
        ContentFormat.Image => "image",
        ContentFormat.SevenZip => "7z",
        ContentFormat.Rar => "rar",
        ContentFormat.Bzip2 => "bzip2",
        ContentFormat.Xz => "xz",
        ContentFormat.Certificate => "certificate",
        ContentFormat.Signature => "signature",
        ContentFormat.EncryptedMessage => "encrypted-message",
        ContentFormat.SignedMessage => "signed-message",
        ContentFormat.Audio => "audio",
        ContentFormat.Video => "video",
        ContentFormat.Executable => "executable",
        ContentFormat.Font => "font",
        ContentFormat.Metafile => "metafile",
        _ => null,
    };

    private static string? FamilyOfExtension(string? extension) => extension switch
    {
        "txt" or "text" or "csv" or "tsv" or "tab" or "log" or "htm" or "html" or "xhtml" or "xml" or "json" or "md"
            or "vcf" or "vcard" or "ics" or "ical" or "ifb" => "text",
        "eml" => "message",
        "rtf" => "rtf",
        "pdf" => "pdf",
        "zip" => "zip",
        "gz" or "tgz" => "gzip",
        "tar" => "tar",
        "xlsx" or "xlsm" => "xlsx",
        "docx" or "docm" => "docx",
        "pptx" or "pptm" or "ppsx" => "ooxml",
        "ods" => "ods",
        "odt" => "odt",
        "odp" or "odg" => "opendocument",
        "xls" => "xls",
        "doc" => "doc",
        "png" or "jpg" or "jpeg" or "jpe" or "gif" or "webp" or "tif" or "tiff" => "image",
        "7z" => "7z",
        "rar" => "rar",
        "bz2" or "tbz" or "tbz2" => "bzip2",
        "xz" or "txz" => "xz",
        "cer" or "crt" or "pem" or "der" or "p7b" or "p7c" => "certificate",
        "p7s" or "sig" => "signature",
        "p7m" => "pkcs7",
        "gpg" or "pgp" => "pgp",
        "mp3" or "wav" or "ogg" or "oga" or "flac" or "m4a" or "aac" or "aiff" or "aif" or "mid" or "midi" or "amr" or "opus" => "audio",
        "mp4" or "m4v" or "mov" or "avi" or "mkv" or "webm" or "wmv" or "flv" or "mpg" or "mpeg" or "3gp" or "ogv" => "video",
        "exe" or "dll" or "sys" or "so" or "dylib" or "elf" or "class" => "executable",
        "ttf" or "otf" or "ttc" or "woff" or "woff2" or "eot" or "fntdata" => "font",
        "emf" or "wmf" or "svm" => "metafile",
        _ => null,
    };

    private static string? FamilyOfMediaType(string? mediaType) => mediaType switch
    {
        null => null,
        "text/rtf" or "application/rtf" => "rtf",
        "message/rfc822" => "message",
        "application/pdf" => "pdf",
        "application/zip" or "application/x-zip-compressed" or "application/x-zip" => "zip",
        "application/gzip" or "application/x-gzip" => "gzip",
        "application/x-tar" => "tar",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "ooxml",
        "application/vnd.oasis.opendocument.spreadsheet" => "ods",
        "application/vnd.oasis.opendocument.text" => "odt",
        "application/vnd.ms-excel" => "xls",
        "application/msword" => "doc",
        "application/csv" or "application/json" or "application/xml" => "text",
        "application/x-bzip2" or "application/x-bzip" => "bzip2",
        "application/x-xz" => "xz",
        "application/x-7z-compressed" => "7z",
        "application/vnd.rar" or "application/x-rar-compressed" or "application/x-rar" => "rar",
        "application/pkcs7-signature" or "application/x-pkcs7-signature" or "application/pgp-signature" => "signature",
        "application/pkcs7-mime" or "application/x-pkcs7-mime" => "pkcs7",
        "application/pgp-encrypted" => "pgp",
        "application/pkix-cert" or "application/x-x509-ca-cert" or "application/x-x509-user-cert" or "application/x-pem-file"
            or "application/pgp-keys" or "application/x-pkcs7-certificates" => "certificate",
        "application/x-msdownload" or "application/x-dosexec" or "application/x-executable" or "application/x-elf"
            or "application/vnd.microsoft.portable-executable" or "application/x-mach-binary" => "executable",
        "application/font-woff" or "application/x-font-ttf" or "application/x-font-otf" => "font",
        _ when mediaType.StartsWith("text/", StringComparison.Ordinal) => "text",
        _ when mediaType.StartsWith("image/", StringComparison.Ordinal) => "image",
        _ when mediaType.StartsWith("audio/", StringComparison.Ordinal) => "audio",
        _ when mediaType.StartsWith("video/", StringComparison.Ordinal) => "video",
        _ when mediaType.StartsWith("font/", StringComparison.Ordinal) => "font",
        _ => null,
    };

    private static bool Compatible(string expected, string detected) =>
        expected == detected
        // Encrypted OOXML is an OLE2 file whatever the original extension was.
        || (detected == "encrypted-office" && expected is "xlsx" or "docx" or "ooxml" or "xls" or "doc")
        // OOXML and OpenDocument are zips; calling them .zip is not hiding anything.
        || (expected == "zip" && detected is "xlsx" or "docx" or "ooxml" or "ods" or "odt" or "opendocument")
        // A saved message is text; either label is honest.
        || (expected == "text" && detected == "message") || (expected == "message" && detected == "text")
        || (expected == "ole2" && detected is "xls" or "doc")
        // .p7m and application/pkcs7-mime are signed or enveloped data; .gpg/.pgp and application/pgp-encrypted likewise.
        || (expected == "pkcs7" && detected is "signed-message" or "encrypted-message" or "signature" or "certificate")
        || (expected == "pgp" && detected is "encrypted-message" or "signature" or "certificate")
        // PEM files and armoured signatures are text; a key or CSR in a .pem file is no disguise.
        || (expected is "certificate" or "signature" && detected is "text" or "certificate" or "signature")
        // A vector picture is a picture (image/x-emf, image/wmf).
        || (expected == "image" && detected == "metafile")
        // Ogg, MP4 and WebM hold sound or pictures alike.
        || (expected is "audio" or "video" && detected is "audio" or "video");

    public static void ReportMismatch(IContentSink sink, ContentLocation location, string? fileName, string? declaredContentType, ContentFormat format)
    {
        string? detected = FamilyOf(format);
        if (detected is null)
        {
            return;
        }

        string? extension = ExtensionOf(fileName);
        string? byName = FamilyOfExtension(extension);
        if (byName is not null && !Compatible(byName, detected))
        {
            sink.OnTypeMismatch(location, "." + extension, detected);
            return;
        }

        string? mediaType = MediaType(declaredContentType);
        string? byType = FamilyOfMediaType(mediaType);
        // Outlook labels CSV files application/vnd.ms-excel; that is habit, not disguise.
        if (byType == "xls" && format == ContentFormat.Csv)
        {
            return;
        }

        if (byType is not null && !Compatible(byType, detected))
        {
            sink.OnTypeMismatch(location, mediaType!, detected);
        }
    }
}
