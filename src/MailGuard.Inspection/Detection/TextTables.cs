using System.Text;

namespace MailGuard.Inspection.Detection;

/// <summary>
/// Finds tables inside text: a CSV pasted into a body, a .txt export, an HTML table flattened
/// to tab- or pipe-separated lines. A run of at least three consecutive lines that split into
/// the same number of cells on one delimiter is a table and is read by the table analyzer, so
/// "Name | DOB" above fifty unlabelled rows counts fifty people, where prose rules would only
/// see a label on the first row.
/// </summary>
internal static class TextTables
{
    private const int MinLines = 3;

    internal enum Delimiter
    {
        Tab,
        Pipe,
        Semicolon,
        Comma,
        Spaces,
    }

    internal readonly record struct Block(int FirstLine, int LineCount, Delimiter Delimiter);

    /// <summary>Splits <paramref name="text"/> into table blocks and the prose left around them.</summary>
    public static string Extract(string text, List<string> lines, List<Block> blocks)
    {
        lines.Clear();
        blocks.Clear();

        // Cheap exit: prose without any delimiter-rich line has no table.
        if (text.AsSpan().IndexOfAny("\t|,;") < 0 && !text.Contains("   ", StringComparison.Ordinal))
        {
            return text;
        }

        foreach (var range in text.AsSpan().Split('\n'))
        {
            lines.Add(text[range].TrimEnd('\r'));
        }

        if (lines.Count < MinLines)
        {
            return text;
        }

        var i = 0;
        while (i <= lines.Count - MinLines)
        {
            var found = false;
            foreach (var delimiter in (ReadOnlySpan<Delimiter>)[Delimiter.Tab, Delimiter.Pipe, Delimiter.Semicolon, Delimiter.Comma, Delimiter.Spaces])
            {
                var cells = CountCells(lines[i], delimiter);
                if (cells < MinCells(delimiter))
                {
                    continue;
                }

                // PDF text layers often double-space table rows: blank lines between rows of the
                // same shape do not end the table.
                var end = i + 1;
                var rows = 1;
                while (true)
                {
                    var next = end;
                    while (next < lines.Count && string.IsNullOrWhiteSpace(lines[next]) && next - end < 2)
                    {
                        next++;
                    }

                    if (next < lines.Count && CountCells(lines[next], delimiter) == cells)
                    {
                        end = next + 1;
                        rows++;
                        continue;
                    }

                    break;
                }

                if (rows >= MinLines)
                {
                    blocks.Add(new Block(i, end - i, delimiter));
                    i = end;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                i++;
            }
        }

        if (blocks.Count == 0)
        {
            return text;
        }

        // The prose around the tables, with each table replaced by a paragraph break.
        var prose = new StringBuilder(text.Length);
        var line = 0;
        foreach (var block in blocks)
        {
            for (; line < block.FirstLine; line++)
            {
                prose.Append(lines[line]).Append('\n');
            }

            prose.Append('\n');
            line = block.FirstLine + block.LineCount;
        }

        for (; line < lines.Count; line++)
        {
            prose.Append(lines[line]).Append('\n');
        }

        return prose.ToString();
    }

    // Commas and runs of spaces occur in prose, so they need more cells than a tab or a pipe.
    private static int MinCells(Delimiter delimiter) => delimiter is Delimiter.Comma or Delimiter.Spaces ? 3 : 2;

    /// <summary>Counts the cells <see cref="Split"/> would return, without allocating.</summary>
    public static int CountCells(string line, Delimiter delimiter)
    {
        if (line.Length < 3 || line.Length > 4000)
        {
            return 0;
        }

        var span = line.AsSpan().Trim();
        switch (delimiter)
        {
            case Delimiter.Tab:
                return span.Count('\t') + 1;
            case Delimiter.Pipe:
                span = span.Trim('|');
                return span.Count('|') + 1;
            case Delimiter.Spaces:
                {
                    var count = 1;
                    for (var i = 0; i + 1 < span.Length; i++)
                    {
                        if (span[i] == ' ' && span[i + 1] == ' ')
                        {
                            count++;
                            while (i + 1 < span.Length && span[i + 1] == ' ')
                            {
                                i++;
                            }
                        }
                    }

                    return count;
                }

            default:
                {
                    var separator = delimiter == Delimiter.Comma ? ',' : ';';
                    if (span.IndexOf(separator) < 0)
                    {
                        return 1;
                    }

                    // A sentence ("1. Mrs Janet Price (aged 67), of 14 Elm Grove, Leeds, neighbour.")
                    // has commas too, but a CSV record does not end with a full stop.
                    if (delimiter == Delimiter.Comma && span[^1] == '.' && span.Count(' ') >= 4)
                    {
                        return 1;
                    }

                    var count = 1;
                    var quoted = false;
                    var cellStart = true;
                    for (var i = 0; i < span.Length; i++)
                    {
                        var c = span[i];
                        if (c == '"' && quoted && i + 1 < span.Length && span[i + 1] == '"')
                        {
                            i++;
                        }
                        else if (c == '"' && (quoted || cellStart))
                        {
                            quoted = !quoted;
                        }
                        else if (c == separator && !quoted)
                        {
                            count++;
                            cellStart = true;
                            continue;
                        }

                        if (c != ' ')
                        {
                            cellStart = false;
                        }
                    }

                    return count;
                }
        }
    }

    /// <summary>Cells of one line. Commas and semicolons honour CSV quoting (RFC 4180), without embedded newlines.</summary>
    public static IEnumerable<string> Split(string line, Delimiter delimiter)
    {
        var span = line.AsSpan().Trim();
        if (delimiter == Delimiter.Pipe)
        {
            span = span.Trim('|');
        }

        var text = span.ToString();
        switch (delimiter)
        {
            case Delimiter.Tab:
                return text.Split('\t').Select(c => c.Trim());
            case Delimiter.Pipe:
                return text.Split('|').Select(c => c.Trim());
            case Delimiter.Spaces:
                return SplitSpaces(text);
            default:
                return SplitQuoted(text, delimiter == Delimiter.Comma ? ',' : ';');
        }
    }

    private static IEnumerable<string> SplitSpaces(string text)
    {
        // Columns of fixed-width text are separated by two or more spaces; one space is a word break.
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ' && i + 1 < text.Length && text[i + 1] == ' ')
            {
                yield return text[start..i].Trim();
                while (i < text.Length && text[i] == ' ')
                {
                    i++;
                }

                start = i;
                continue;
            }

            i++;
        }

        yield return text[start..].Trim();
    }

    private static IEnumerable<string> SplitQuoted(string text, char separator)
    {
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        cell.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.ToString().Trim().Length == 0)
            {
                cell.Clear();
                quoted = true;
            }
            else if (c == separator)
            {
                yield return cell.ToString().Trim();
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        yield return cell.ToString().Trim();
    }
}
