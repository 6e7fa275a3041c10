using System.Collections.Frozen;
using System.Text;
using System.Text.RegularExpressions;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// What a reviewer may see of the offending content, masked: the header and first rows of a table
/// that holds people, with every cell of a personal column masked and identifiers masked in the
/// rest; or the sentences of prose around the identifiers found in it, identifiers masked.
/// Nothing unmasked leaves the detectors through it.
/// </summary>
/// <param name="Header">The table's header row (identifiers masked), or null for prose or a headerless table.</param>
/// <param name="Rows">The first data rows of a table, masked; empty for prose.</param>
/// <param name="Sentences">Sentences of prose around identifiers, masked; empty for a table.</param>
/// <param name="TotalRows">Data rows in the table (the preview shows the first few); 0 for prose.</param>
public sealed record ContentPreview(ContentLocation Location, IReadOnlyList<string>? Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Sentences, long TotalRows = 0);

/// <summary>Builds <see cref="ContentPreview"/>s: table rows when a table turns out to hold people, sentences as prose is read.</summary>
internal static partial class ContentPreviews
{
    // Capitalised words that are never a name ("Dear", "Date", "Regards"): shown as they are.
    private static readonly FrozenSet<string> s_notNames =
        WordLists.Load("not-names.txt")[string.Empty].ToFrozenSet(StringComparer.Ordinal);

    // A capitalised word (Jane, Quill-Marsh, McDonald) or one in capitals (SMITH): possibly a name.
    [GeneratedRegex(@"\b(?:\p{Lu}\p{Ll}[\p{L}'\-]*|\p{Lu}{3,})\b", RegexOptions.CultureInvariant)]
    private static partial Regex NameLikeWord();

    /// <summary>
    /// Prose names people in words the identifier scanner does not mask: every word that could be
    /// a name is masked like evidence (first and last letter kept), so a preview (kept in the
    /// store beside held mail that may be encrypted) never holds a name in clear.
    /// </summary>
    public static string MaskNames(string text) =>
        NameLikeWord().Replace(text, m => s_notNames.Contains(m.Value) ? m.Value : Masker.Generic(m.Value));

    /// <summary>Rows of a table a preview shows.</summary>
    public const int MaxRows = 5;

    /// <summary>Sentences per location a preview shows.</summary>
    public const int MaxSentences = 3;

    /// <summary>Characters of one sentence (or one cell) a preview keeps.</summary>
    public const int MaxChars = 300;

    /// <summary>The masked preview of a table: personal columns masked whole, the other cells through the redactor.</summary>
    public static ContentPreview Table(ContentLocation location, IReadOnlyList<Cell>? header, IReadOnlyList<Cell[]> rows, IReadOnlyList<DataKind> columnKinds, long totalRows, DateOnly reference)
    {
        var masked = new List<IReadOnlyList<string>>(rows.Count);
        foreach (var row in rows)
        {
            var cells = new string[row.Length];
            for (var i = 0; i < row.Length; i++)
            {
                var text = row[i].Text ?? "";
                var kind = i < columnKinds.Count ? columnKinds[i] : DataKind.Unknown;
                // Redacted before it is cut, so an identifier is never cut in half and missed.
                cells[i] = text.Length == 0 ? "" : kind is DataKind.Unknown or DataKind.NotPersonal or DataKind.Organisation or DataKind.Reference ? Bounded(TextRedactor.Redact(text, reference)) : Masker.Generic(Bounded(text));
            }

            masked.Add(cells);
        }

        var headerText = header?.Select(c => Bounded(TextRedactor.Redact(c.Text ?? "", reference))).ToArray();
        return new ContentPreview(location, headerText, masked, [], totalRows);
    }

    /// <summary>
    /// Adds to <paramref name="sentences"/> (up to <see cref="MaxSentences"/>, no repeats) each
    /// sentence of <paramref name="text"/> that holds one of <paramref name="matches"/>, with every
    /// match in it masked as finding evidence is.
    /// </summary>
    public static void AddSentences(string text, IReadOnlyList<TextMatch> matches, List<string> sentences)
    {
        if (matches.Count == 0 || sentences.Count >= MaxSentences)
        {
            return;
        }

        var ordered = matches.OrderBy(m => m.Start).ToList();
        var covered = -1;
        foreach (var m in ordered)
        {
            if (sentences.Count >= MaxSentences)
            {
                return;
            }

            if (m.Start < covered)
            {
                continue;
            }

            var start = SentenceStart(text, m.Start);
            var end = SentenceEnd(text, m.End);
            // A match cut by either end of the sentence (an address over two lines, a bound on
            // length) is left out at the start and taken whole at the end: never half shown.
            foreach (var other in ordered)
            {
                if (other.Start < start && other.End > start)
                {
                    start = other.End;
                }
            }

            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var other in ordered)
                {
                    if (other.Start < end && other.End > end)
                    {
                        end = Math.Max(other.End, SentenceEnd(text, other.End));
                        changed = true;
                    }
                }
            }

            covered = end;
            var sentence = new StringBuilder();
            var position = start;
            foreach (var other in ordered)
            {
                if (other.Start < position)
                {
                    // Overlaps a match already masked: its remainder is part of that identifier.
                    position = Math.Max(position, Math.Min(other.End, end));
                    continue;
                }

                if (other.Start >= end)
                {
                    break;
                }

                sentence.Append(text, position, other.Start - position).Append(TextScanner.Mask(text, other));
                position = other.End;
            }

            sentence.Append(text, position, end - position);
            var line = Bounded(MaskNames(string.Join(' ', sentence.ToString().Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim()));
            if (line.Length > 0 && !sentences.Contains(line))
            {
                sentences.Add(line);
            }
        }
    }

    private static int SentenceStart(string text, int at)
    {
        for (var i = at - 1; i >= 0; i--)
        {
            if (text[i] == '\n' || (text[i] is '.' or '!' or '?' && i + 1 < text.Length && char.IsWhiteSpace(text[i + 1])))
            {
                return i + 1;
            }

            if (at - i > MaxChars)
            {
                return i;
            }
        }

        return 0;
    }

    private static int SentenceEnd(string text, int at)
    {
        for (var i = at; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                return i;
            }

            if (text[i] is '.' or '!' or '?' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                return i + 1;
            }

            if (i - at > MaxChars)
            {
                return i;
            }
        }

        return text.Length;
    }

    private static string Bounded(string text) => text.Length <= MaxChars ? text : text[..MaxChars] + "…";
}
