using MailGuard.Mime.Internal;

namespace MailGuard.Mime;

/// <summary>Structure that readers resolve differently: boundary readings, duplicates, reused boundaries, MIME outside the parts.</summary>
internal sealed partial class MimeParser
{
    // A delimiter-like line or a Content-Type field: the start of a part that parsers which
    // resynchronise on such lines would show.
    private static bool LooksLikeMime(ReadOnlySpan<byte> line) =>
        (line.Length > 2 && line[0] == (byte)'-' && line[1] == (byte)'-' && line[2] > (byte)' ' && line[2] != (byte)'-')
        || StartsWithIgnoreCase(line, "content-type:"u8)
        || StartsWithIgnoreCase(line, "content-transfer-encoding:"u8);

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> line, ReadOnlySpan<byte> lowerPrefix)
    {
        if (line.Length < lowerPrefix.Length)
        {
            return false;
        }

        for (int i = 0; i < lowerPrefix.Length; i++)
        {
            byte b = line[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b = (byte)(b + 32);
            }

            if (b != lowerPrefix[i])
            {
                return false;
            }
        }

        return true;
    }

    // An inner multipart that uses an enclosing one's boundary: Python ends the outer part at
    // each delimiter, MimeKit nests; which parts a reader sees depends on the reader.
    private void RecordReusedBoundary(MimeEntity entity, List<byte[]> candidates)
    {
        foreach (var enclosing in _stack)
        {
            foreach (var delimiter in candidates)
            {
                if (enclosing.AsSpan().SequenceEqual(delimiter))
                {
                    AddDefect(MimeDefectKind.ReusedBoundary, entity.BodyOffset, entity);
                    return;
                }
            }
        }
    }

    // Every distinct reading of the boundary parameter, the one a strict reader takes first.
    private static List<byte[]> BoundaryCandidates(MimeEntity entity)
    {
        var result = new List<byte[]>(2);
        var items = entity.ContentType.Parameters.Items;
        // The reading that takes the last of duplicate parameters tries the last one first.
        var ordered = entity.Document.Options.LastDuplicateWins ? items.Reverse() : items;
        foreach (var kv in ordered)
        {
            if (!kv.Key.Equals("boundary", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // An empty boundary is still one ("--" alone delimits): Python and MimeKit agree.
            string boundary = kv.Value.TrimEnd();
            Add(result, System.Text.Encoding.UTF8.GetBytes("--" + boundary));
            Add(result, Charsets.Latin1.GetBytes("--" + boundary));
            if (boundary.Length > 2 && boundary[0] == '\'' && boundary[^1] == '\'')
            {
                // boundary='x': a token may contain quotes (RFC 2045), but clients strip them.
                Add(result, System.Text.Encoding.UTF8.GetBytes("--" + boundary[1..^1]));
            }
        }

        return result;

        static void Add(List<byte[]> list, byte[] candidate)
        {
            foreach (var c in list)
            {
                if (c.AsSpan().SequenceEqual(candidate))
                {
                    return;
                }
            }

            list.Add(candidate);
        }
    }

    // Fields that decide the structure, given twice with different values, or parameters that
    // do: readers that take the first (MailGuard, MimeKit) and the last (others) see different
    // messages.
    private void RecordAmbiguousFields(MimeEntity entity)
    {
        foreach (string field in s_structuralFields)
        {
            string? first = null;
            foreach (var h in entity.Headers.GetAll(field))
            {
                if (first is null)
                {
                    first = h.Value.Trim();
                }
                else if (!string.Equals(first, h.Value.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    AddDefect(MimeDefectKind.DuplicateStructuralField, h.Offset, entity, field);
                    break;
                }
            }
        }

        RecordDuplicateParameters(entity, entity.ContentType.Parameters, "boundary", "charset", "name");
        if (entity.ContentDisposition is { } disposition)
        {
            RecordDuplicateParameters(entity, disposition.Parameters, "filename");
        }
    }

    private static readonly string[] s_structuralFields = ["Content-Type", "Content-Transfer-Encoding", "Content-Disposition"];

    private void RecordDuplicateParameters(MimeEntity entity, ParameterList parameters, params string[] names)
    {
        foreach (string name in names)
        {
            string? first = null;
            foreach (var kv in parameters.Items)
            {
                if (!kv.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (first is null)
                {
                    first = kv.Value;
                }
                else if (!string.Equals(first, kv.Value, StringComparison.Ordinal))
                {
                    AddDefect(MimeDefectKind.DuplicateParameter, entity.HeaderOffset, entity, name);
                    break;
                }
            }
        }
    }
}
