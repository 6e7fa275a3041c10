using System.Text;

namespace MailGuard.Mime;

/// <summary>Header changes to apply to a message's top-level header block.</summary>
public sealed class HeaderEdits
{
    internal List<(string Name, string? Value)> Sets { get; } = new();

    internal HashSet<string> Removes { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Replaces the first field of that name in place (others of that name are removed); appends it when absent.</summary>
    public HeaderEdits Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().ContainsAny('\r', '\n'))
        {
            // A header value with line breaks could inject fields or end the header block.
            throw new ArgumentException("Header values must not contain line breaks; folding is done by the writer.", nameof(value));
        }

        Sets.Add((name, value));
        return this;
    }

    /// <summary>Removes every top-level field of that name (case-insensitive); a <see cref="Set"/> of the same name then adds its field after the last one instead of in place.</summary>
    public HeaderEdits Remove(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Removes.Add(name);
        return this;
    }
}

/// <summary>
/// Re-emits a parsed message with some top-level header fields changed or removed. Every
/// other byte (other fields, their order and folding, the body, line endings) is copied from
/// the source unchanged, so what is delivered is exactly what was sent but for the edit.
/// </summary>
public static class MimeWriter
{
    /// <summary>
    /// Writes the whole source of <paramref name="document"/> (which must still be open) to
    /// <paramref name="output"/> with <paramref name="edits"/> applied to the top-level header block.
    /// A set field takes the place of the first field of its name; a new one goes after the last
    /// field. Written fields use the source's line ending and are folded at spaces to 78 characters
    /// where the words allow (RFC 5322 §2.1.1).
    /// </summary>
    public static void Write(MimeDocument document, Stream output, HeaderEdits edits)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(edits);
        var headers = document.Message.Headers;
        string newline = DetectNewline(headers);
        var pendingSets = new List<(string Name, string? Value)>(edits.Sets);
        var replaced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        long position = document.StartOffset;
        long lastHeaderEnd = document.Message.Body.HeaderOffset;
        using var source = document.OpenSource();
        foreach (var h in headers)
        {
            lastHeaderEnd = h.Offset + h.SourceLength;
            bool remove = edits.Removes.Contains(h.Name);
            int setIndex = pendingSets.FindIndex(s => string.Equals(s.Name, h.Name, StringComparison.OrdinalIgnoreCase));
            bool alreadyReplaced = replaced.Contains(h.Name);
            if (!remove && setIndex < 0 && !alreadyReplaced)
            {
                continue;
            }

            Copy(source, document.StartOffset, position, h.Offset, output);
            position = h.Offset + h.SourceLength;
            if (setIndex >= 0 && !remove)
            {
                WriteField(output, pendingSets[setIndex].Name, pendingSets[setIndex].Value!, newline);
                replaced.Add(h.Name);
                pendingSets.RemoveAt(setIndex);
            }
        }

        // Fields that did not exist go at the end of the header block.
        if (pendingSets.Count > 0)
        {
            long insertAt = Math.Max(position, lastHeaderEnd);
            Copy(source, document.StartOffset, position, insertAt, output);
            position = insertAt;
            foreach (var (name, value) in pendingSets)
            {
                WriteField(output, name, value!, newline);
            }
        }

        Copy(source, document.StartOffset, position, document.EndOffset, output);
    }

    /// <summary>
    /// The header fields to write above a message's first line, in the message's own line ending and
    /// folded as <see cref="Write"/> folds them: a field added this way costs no copy of the message.
    /// </summary>
    public static byte[] FieldsAbove(MimeDocument document, IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(fields);
        string newline = DetectNewline(document.Message.Headers);
        using var output = new MemoryStream(256);
        var edits = new HeaderEdits();
        foreach (var (name, value) in fields)
        {
            // Through HeaderEdits for its checks: no empty name, no line break in a value.
            edits.Set(name, value);
        }

        foreach (var (name, value) in edits.Sets)
        {
            WriteField(output, name, value!, newline);
        }

        return output.ToArray();
    }

    private static string DetectNewline(HeaderList headers)
    {
        if (headers.Count > 0)
        {
            var raw = headers[0].RawField.Span;
            if (raw.EndsWith("\r\n"u8))
            {
                return "\r\n";
            }

            if (raw.EndsWith("\n"u8))
            {
                return "\n";
            }
        }

        return "\r\n";
    }

    /// <summary>Writes "Name: value" folded before a white space so lines stay within 78 characters where possible (RFC 5322 §2.1.1).</summary>
    private static void WriteField(Stream output, string name, string value, string newline)
    {
        var sb = new StringBuilder(name.Length + value.Length + 8);
        sb.Append(name).Append(':');
        int lineLength = sb.Length;
        foreach (string word in value.Split(' '))
        {
            if (lineLength + 1 + word.Length > 78 && lineLength > name.Length + 1)
            {
                sb.Append(newline).Append(' ');
                lineLength = 1;
            }
            else
            {
                sb.Append(' ');
                lineLength++;
            }

            sb.Append(word);
            lineLength += word.Length;
        }

        sb.Append(newline);
        output.Write(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void Copy(Stream source, long sourceStart, long from, long to, Stream output)
    {
        if (to <= from)
        {
            return;
        }

        source.Position = from - sourceStart;
        var buffer = new byte[81920];
        long remaining = to - from;
        while (remaining > 0)
        {
            int n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (n <= 0)
            {
                break;
            }

            output.Write(buffer, 0, n);
            remaining -= n;
        }
    }
}
