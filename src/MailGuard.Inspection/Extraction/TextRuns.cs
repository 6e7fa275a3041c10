using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The runs of one rich-text item (a shared string's or an inline cell's &lt;t&gt; pieces) joined:
/// nearly every item is one run, so its string is kept as it is and a builder is made only for
/// a second.
/// </summary>
internal sealed class TextRuns
{
    private readonly StringBuilder _joined = new();
    private string? _single;
    private int _count;

    /// <summary>How many runs since <see cref="Clear"/>.</summary>
    public int Count => _count;

    /// <summary>The runs joined; null when there are none.</summary>
    public string? Value => _count switch { 0 => null, 1 => _single, _ => _joined.ToString() };

    public void Clear()
    {
        _joined.Clear();
        _single = null;
        _count = 0;
    }

    public void Add(string run)
    {
        if (_count == 1)
        {
            _joined.Append(_single);
        }

        if (_count >= 1)
        {
            _joined.Append(run);
        }

        _single = run;
        _count++;
    }
}
