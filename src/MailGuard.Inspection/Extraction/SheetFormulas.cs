using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// What a sheet's formulas may show that their cached values do not say. A cell's value is the
/// result Excel saved with the file; a file written by a program (or by someone hiding a list)
/// may hold a formula and no result, or a result the formula would not give, and Excel and
/// LibreOffice calculate such formulas again when they open the file (always, for a file saved
/// by another calculation engine or marked for a full calculation on load). A formula's text is
/// not what the cell shows, but its string literals are what a text-building formula shows:
/// <c>="Amy Lowe"</c>, <c>=CONCATENATE("AB","123456C")</c>, <c>="AB"&amp;"123456C"</c>. So a formula cell
/// without a value is read as its literals joined, and literals a formula holds beside a
/// different value are read as text of the sheet, each once.
/// </summary>
internal sealed class SheetFormulas(ExtractionContext context, ContentLocation location)
{
    /// <summary>The longest formula Excel accepts, in characters; more of one is not read.</summary>
    internal const int MaxFormulaChars = 8192;

    // Literals written as text are remembered to this many, so that a formula filled down a
    // column is written once; past it, they are written as they come.
    internal const int MaxRemembered = 10_000;

    private readonly StringBuilder _formula = new();
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private TextBlockWriter? _writer;
    private bool _reportedLong;

    /// <summary>Whether a formula's text has been read since <see cref="Clear"/>.</summary>
    public bool Any => _formula.Length > 0;

    /// <summary>A new cell starts: no formula read for it yet.</summary>
    public void Clear() => _formula.Clear();

    /// <summary>
    /// A piece of the cell's formula text (decoded), kept to <see cref="MaxFormulaChars"/>; a
    /// longer formula (which Excel would not have written) is reported unscannable, once a sheet.
    /// </summary>
    public void Append(string piece)
    {
        int room = MaxFormulaChars - _formula.Length;
        _formula.Append(piece.AsSpan(0, Math.Clamp(room, 0, piece.Length)));
        if (piece.Length > room && !_reportedLong)
        {
            _reportedLong = true;
            context.Sink.OnUnscannable(location, UnscannableReason.Corrupt, $"a formula longer than Excel's {ExtractionLimits.Count(MaxFormulaChars)} characters; the rest is not read");
        }
    }

    /// <summary>
    /// The string literals of the formula read since <see cref="Clear"/>, joined in order
    /// (<c>""</c> in one is a quote); null when there are none or they are only white space
    /// (<c>=A2&amp;" "&amp;B2</c>, <c>=IF(A2="","",B2)</c>).
    /// </summary>
    public string? Literals() => LiteralsOf(_formula.ToString());

    /// <summary><see cref="Literals"/> of a formula's whole text (an OpenDocument cell's <c>table:formula</c>).</summary>
    public static string? LiteralsOf(string formula)
    {
        StringBuilder? literals = null;
        bool inside = false;
        for (int i = 0; i < formula.Length; i++)
        {
            char c = formula[i];
            if (c != '"')
            {
                if (inside)
                {
                    (literals ??= new StringBuilder()).Append(c);
                }

                continue;
            }

            if (inside && i + 1 < formula.Length && formula[i + 1] == '"')
            {
                literals!.Append('"');
                i++;
            }
            else
            {
                inside = !inside;
                literals ??= new StringBuilder();
            }
        }

        return literals is null || string.IsNullOrWhiteSpace(literals.ToString()) ? null : literals.ToString();
    }

    /// <summary>
    /// <paramref name="literals"/> of a formula whose cached value is <paramref name="cached"/>:
    /// written as text of the sheet, once, unless the value is what they say.
    /// </summary>
    public void Beside(string literals, string cached)
    {
        if (literals == cached.Trim() || (_written.Count < MaxRemembered ? !_written.Add(literals) : false))
        {
            return;
        }

        _writer ??= new TextBlockWriter(context.Sink, location);
        _writer.Append(literals);
        _writer.Append('\n');
    }

    /// <summary>The sheet is read: what was written goes to the sink.</summary>
    public void Flush() => _writer?.Flush();
}
