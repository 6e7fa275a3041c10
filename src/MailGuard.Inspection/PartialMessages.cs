using System.Globalization;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>
/// message/partial (RFC 2046 §5.2.2): a message split into numbered fragments that share an id.
/// When every fragment of a message is here, they are joined in order and the joined message is
/// inspected like any attached one; a fragment whose others are missing cannot be read with
/// certainty, so what it holds is inspected as it stands and it is reported unscannable.
/// </summary>
internal static class PartialMessages
{
    public static void Inspect(List<MimeEntity> fragments, ContentLocation location, int depth, MessageWalker walker)
    {
        if (fragments.Count == 0)
        {
            return;
        }

        foreach (var group in fragments.GroupBy(f => f.ContentType.Parameters["id"] ?? string.Empty, StringComparer.Ordinal))
        {
            var byNumber = new SortedDictionary<int, MimeEntity>();
            int total = 0;
            foreach (var fragment in group)
            {
                if (int.TryParse(fragment.ContentType.Parameters["number"], NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number > 0)
                {
                    byNumber.TryAdd(number, fragment);
                }

                if (int.TryParse(fragment.ContentType.Parameters["total"], NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t > 0)
                {
                    total = t;
                }
            }

            if (group.Key.Length > 0 && total > 0 && byNumber.Count == total && byNumber.Keys.Last() == total)
            {
                using var joined = Join(byNumber.Values, walker.Options.Extraction.MaxTotalExpandedBytes, out bool complete);
                if (complete)
                {
                    foreach (var fragment in byNumber.Values)
                    {
                        walker.MarkInspected(fragment.OpenDecodedContent, digest: true);
                    }

                    walker.OpenEmbedded(joined, location.Child("reassembled message"), depth + 1);
                    continue;
                }
            }

            foreach (var fragment in group)
            {
                var at = location with { PartPath = fragment.Path };
                string number = fragment.ContentType.Parameters["number"] ?? "?";
                walker.Analyzer.OnUnscannable(at, UnscannableReason.Incomplete, $"fragment {number} of {(total > 0 ? total.ToString(CultureInfo.InvariantCulture) : "?")} of a split message (message/partial) whose other fragments are not in this message");
                walker.InspectLeaf(fragment.OpenDecodedContent, fragment.FileName, "text/plain", at, depth, digest: true);
            }
        }
    }

    // The fragments' bodies in order make the message (RFC 2046 §5.2.2.1; the first carries its headers).
    private static Stream Join(IEnumerable<MimeEntity> ordered, long maxBytes, out bool complete)
    {
        var joined = new MemoryStream();
        complete = true;
        foreach (var fragment in ordered)
        {
            using var content = fragment.OpenDecodedContent();
            content.CopyTo(joined);
            if (joined.Length > maxBytes)
            {
                complete = false;
                break;
            }
        }

        joined.Position = 0;
        return joined;
    }
}
