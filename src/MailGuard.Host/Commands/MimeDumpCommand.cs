using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using MailGuard.Mime;

namespace MailGuard.Host.Commands;

/// <summary>
/// `mailguard mime-dump FILE`: the parse of one message as JSON in the schema
/// "mailguard-mime-oracle/1" (../shared/corpus/mime/README.md), so the parser can be compared
/// field by field with an independent implementation.
/// </summary>
internal static class MimeDumpCommand
{
    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        if (!File.Exists(path))
        {
            stderr.WriteLine($"mailguard: no such file: {path}");
            return 2;
        }

        using var output = new MemoryStream();
        Write(path, output);
        stdout.Write(System.Text.Encoding.UTF8.GetString(output.ToArray()));
        stdout.WriteLine();
        return 0;
    }

    public static void Write(string path, Stream output)
    {
        byte[] hash;
        long size;
        using (var fs = File.OpenRead(path))
        {
            size = fs.Length;
            hash = SHA256.HashData(fs);
        }

        using var doc = MimeDocument.Load(path);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("schema", "mailguard-mime-oracle/1");
        w.WriteString("file", Path.GetFileName(path));
        w.WriteNumber("file_size", size);
        w.WriteString("file_sha256", Convert.ToHexStringLower(hash));
        w.WritePropertyName("message");
        WriteMessage(w, doc.Message);
        w.WriteEndObject();
    }

    private static void WriteMessage(Utf8JsonWriter w, MimeMessage m)
    {
        w.WriteStartObject();
        w.WriteBoolean("unixfrom", m.HasUnixFrom);
        w.WriteStartObject("headers");
        WriteAddresses(w, "from", m.From);
        WriteAddresses(w, "to", m.To);
        WriteAddresses(w, "cc", m.Cc);
        WriteAddresses(w, "bcc", m.Bcc);
        WriteAddresses(w, "reply_to", m.ReplyTo);
        w.WriteString("subject", m.Subject);
        w.WriteString("message_id", m.MessageId);
        var dateHeader = m.Headers["Date"];
        if (dateHeader is null)
        {
            w.WriteNull("date");
        }
        else
        {
            w.WriteStartObject("date");
            w.WriteString("raw", dateHeader.Value.Trim());
            if (DateParser.TryParseDateTime(dateHeader.Value, out var d, out _))
            {
                w.WriteString("utc", d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                w.WriteNull("utc");
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WritePropertyName("body");
        WriteEntity(w, m.Body);
        w.WriteEndObject();
    }

    private static void WriteAddresses(Utf8JsonWriter w, string name, IReadOnlyList<MailboxAddress> list)
    {
        w.WriteStartArray(name);
        foreach (var a in list)
        {
            w.WriteStartObject();
            w.WriteString("name", a.Name);
            w.WriteString("address", a.Address);
            w.WriteString("group", a.Group);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteEntity(Utf8JsonWriter w, MimeEntity e)
    {
        w.WriteStartObject();
        w.WriteString("content_type", e.ContentType.MimeType);
        w.WriteString("charset", e.ContentType.Charset);
        w.WriteString("content_disposition", e.ContentDisposition?.Disposition);
        w.WriteString("filename", e.FileName);
        w.WriteString("content_transfer_encoding", e.TransferEncoding);
        switch (e.Kind)
        {
            case MimeEntityKind.Multipart:
                w.WriteString("kind", "multipart");
                w.WriteStartArray("parts");
                foreach (var child in e.Children)
                {
                    WriteEntity(w, child);
                }

                w.WriteEndArray();
                break;
            case MimeEntityKind.Message:
                w.WriteString("kind", "message");
                w.WritePropertyName("message");
                WriteMessage(w, e.Message!);
                break;
            default:
                w.WriteString("kind", "leaf");
                using (var s = e.OpenDecodedContent())
                using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buf = new byte[64 * 1024];
                    long size = 0;
                    int n;
                    while ((n = s.Read(buf)) > 0)
                    {
                        sha.AppendData(buf, 0, n);
                        size += n;
                    }

                    w.WriteNumber("size", size);
                    w.WriteString("sha256", Convert.ToHexStringLower(sha.GetHashAndReset()));
                }

                break;
        }

        w.WriteEndObject();
    }
}
