using MailGuard.Inspection.Detection;
using MailGuard.Mime;

namespace MailGuard.Inspection;

/// <summary>
/// What a parse's defects mean for inspection. A limit the parser hit is an unscannable finding
/// that names the limit (what lies past it was not all read); structure that readers resolve
/// differently is a malformed-structure finding, even when no data is found in it. Defects that
/// every reader recovers from alike (a missing close delimiter, an unknown charset) are neither:
/// they only make inspection read the message a second time.
/// </summary>
internal static class StructureFindings
{
    public static void Report(MimeDocument document, ContentLocation location, ContentAnalyzer analyzer)
    {
        var options = document.Options;
        var seen = new HashSet<(MimeDefectKind, string)>();
        foreach (var defect in document.Defects)
        {
            if (!seen.Add((defect.Kind, defect.PartPath)))
            {
                continue;
            }

            var at = location with { PartPath = defect.PartPath };
            switch (defect.Kind)
            {
                case MimeDefectKind.MaxDepthExceeded:
                    analyzer.OnUnscannable(at, UnscannableReason.NestingTooDeep, $"MIME nesting depth limit ({options.MaxDepth:N0}) reached");
                    break;
                case MimeDefectKind.MaxPartsExceeded:
                    analyzer.OnUnscannable(at, UnscannableReason.TooManyParts, $"MIME part limit ({options.MaxParts:N0}) reached");
                    break;
                case MimeDefectKind.TooManyHeaders:
                    analyzer.OnUnscannable(at, UnscannableReason.HeaderLimitExceeded, $"header field limit ({options.MaxHeaderCount:N0} fields) reached");
                    break;
                case MimeDefectKind.HeaderBlockTooLarge:
                    analyzer.OnUnscannable(at, UnscannableReason.HeaderLimitExceeded, $"header block limit ({options.MaxHeaderBlockBytes:N0} bytes) reached");
                    break;
                case MimeDefectKind.HeaderLineTooLong:
                    analyzer.OnUnscannable(at, UnscannableReason.HeaderLimitExceeded, $"header line limit ({options.MaxHeaderLineBytes:N0} bytes) reached");
                    break;
                case MimeDefectKind.TooManyDefects:
                    analyzer.OnUnscannable(at, UnscannableReason.TooManyParts, $"MIME defect limit ({MimeDocument.MaxDefects - 1:N0}) reached");
                    break;
                case MimeDefectKind.DuplicateStructuralField:
                    analyzer.OnMalformedStructure(at, $"{defect.Detail} given twice with different values: clients disagree on which counts");
                    break;
                case MimeDefectKind.DuplicateParameter:
                    analyzer.OnMalformedStructure(at, $"the {defect.Detail} parameter given twice with different values: clients disagree on which counts");
                    break;
                case MimeDefectKind.ReusedBoundary:
                    analyzer.OnMalformedStructure(at, "a multipart inside another reuses its boundary: clients split it into different parts");
                    break;
                case MimeDefectKind.ContentOutsideParts:
                    analyzer.OnMalformedStructure(at, $"MIME parts in the {defect.Detail}, outside the message's parts");
                    break;
                case MimeDefectKind.BoundaryRecovered:
                    analyzer.OnMalformedStructure(at, "the boundary as written never occurs; clients that read it differently show other parts");
                    break;
                case MimeDefectKind.MissingParameterSeparator:
                    analyzer.OnMalformedStructure(at, "Content-Type parameters without the ';' before them: clients disagree on the structure");
                    break;
                case MimeDefectKind.WhiteSpaceBeforeColon when IsStructural(defect.Detail):
                    analyzer.OnMalformedStructure(at, $"'{defect.Detail} :' with a space before the colon: some readers ignore the field");
                    break;
                case MimeDefectKind.InvalidHeaderLineSkipped when StructureFollows(document, defect):
                    analyzer.OnMalformedStructure(at, "a line that is not a header field before the MIME fields: some readers end the headers there");
                    break;
            }
        }
    }

    /// <summary>Fields or parameters given twice: the message reads differently to clients that take the last one.</summary>
    public static bool HasDuplicates(MimeDocument document) =>
        document.Defects.Any(d => d.Kind is MimeDefectKind.DuplicateStructuralField or MimeDefectKind.DuplicateParameter);

    private static bool IsStructural(string? field) =>
        field is not null && (field.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
            || field.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || field.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase));

    // A skipped line before the fields that decide the structure changes what a reader that
    // ends the header block there sees; one after them does not.
    private static bool StructureFollows(MimeDocument document, MimeDefect defect)
    {
        var entity = document.Message.Body.DescendantsAndSelf().FirstOrDefault(e => e.Path == defect.PartPath);
        return entity is not null && entity.Headers.Any(h => IsStructural(h.Name) && h.Offset > defect.Offset);
    }
}
