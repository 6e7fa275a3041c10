using System.Text;
using UglyToad.PdfPig.Content;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// A page's letters, in the order the content stream draws them, as lines of text. A letter
/// drawn off the previous one's baseline, or well behind it on the same baseline, starts a new
/// line; a gap along the baseline wider than a fifth of an em is a word space. So table cells
/// drawn one by one stay on one line, as a reader sees them, and the detectors can read a table
/// of people from a PDF row by row. Content order rather than a geometric sort keeps two
/// columns of prose apart and costs no sorting. PdfPig's ContentOrderTextExtractor works the
/// same way, but (tried on the fixtures) keeps text placed back at the line start on the line
/// before, and adds blank lines between paragraphs, which the prose reader would take as
/// record boundaries that the replaced reader never produced. Measured in the previous
/// letter's own direction, so rotated text reads as lines too.
/// </summary>
internal sealed class PdfTextLayout
{
    // A fifth of an em: narrower than any font's space (a quarter em or more), wider than the
    // letter spacing of justified text. The hand-written reader it replaces used the same gap.
    private const double WordGap = 0.2;

    // Half an em off the baseline is another line; superscripts and subscripts rise less.
    private const double LineShift = 0.5;

    // Drawn more than an em behind the previous letter: the next line, or text placed out of order.
    private const double BackStep = 1.0;

    private readonly StringBuilder _text = new();

    /// <summary>The page's text, trimmed; empty when the page draws no letters.</summary>
    public string Read(IReadOnlyList<Letter> letters)
    {
        _text.Clear();
        Letter? previous = null;
        foreach (Letter letter in letters)
        {
            string value = letter.Value;
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (previous is not null)
            {
                Separate(previous, letter);
            }

            _text.Append(value);
            previous = letter;
        }

        return _text.ToString().Trim();
    }

    private void Separate(Letter previous, Letter letter)
    {
        (double dx, double dy) = Direction(previous);
        double vx = letter.StartBaseLine.X - previous.EndBaseLine.X;
        double vy = letter.StartBaseLine.Y - previous.EndBaseLine.Y;
        double along = (vx * dx) + (vy * dy);
        double across = (vy * dx) - (vx * dy);
        double em = Math.Min(Size(previous), Size(letter));
        if (Math.Abs(across) > Math.Max(1, LineShift * em) || along < -BackStep * em)
        {
            Append('\n');
        }
        else if (along > WordGap * em)
        {
            Append(' ');
        }
    }

    /// <summary>A space or line break, never two separators in a row, and a break replaces a space.</summary>
    private void Append(char separator)
    {
        if (_text.Length == 0)
        {
            return;
        }

        char last = _text[^1];
        if (last == '\n' || (char.IsWhiteSpace(last) && separator == ' '))
        {
            return;
        }

        if (last == ' ' && separator == '\n')
        {
            _text[^1] = '\n';
            return;
        }

        _text.Append(separator);
    }

    private static (double X, double Y) Direction(Letter letter)
    {
        double x = letter.EndBaseLine.X - letter.StartBaseLine.X;
        double y = letter.EndBaseLine.Y - letter.StartBaseLine.Y;
        double length = Math.Sqrt((x * x) + (y * y));
        if (length > 1e-6)
        {
            return (x / length, y / length);
        }

        // A zero-width letter (a glyph the font gives no width) still has an orientation.
        return letter.TextOrientation switch
        {
            TextOrientation.Rotate90 => (0, 1),
            TextOrientation.Rotate180 => (-1, 0),
            TextOrientation.Rotate270 => (0, -1),
            _ => (1, 0),
        };
    }

    private static double Size(Letter letter) => letter.PointSize > 0 ? letter.PointSize : 10;
}
