using System.Text;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Collects text and hands it to the sink in blocks of about <see cref="BlockChars"/>, cut at
/// a line break so a pattern (a postcode, "DOB: 14/03/1987") is not split between two calls.
/// </summary>
internal sealed class TextBlockWriter
{
    internal const int BlockChars = 32 * 1024;

    private readonly IContentSink _sink;
    private readonly ContentLocation _location;
    private readonly StringBuilder _buffer = new();

    public TextBlockWriter(IContentSink sink, ContentLocation location)
    {
        _sink = sink;
        _location = location;
    }

    public int Length => _buffer.Length;

    public char LastChar => _buffer.Length == 0 ? '\n' : _buffer[^1];

    public void Append(ReadOnlySpan<char> text)
    {
        _buffer.Append(text);
        if (_buffer.Length >= BlockChars)
        {
            FlushToLastLineBreak();
        }
    }

    public void Append(char c)
    {
        _buffer.Append(c);
        if (_buffer.Length >= BlockChars && c == '\n')
        {
            Flush();
        }
    }

    /// <summary>Ends the current line unless it is already ended; blank lines collapse.</summary>
    public void LineBreak()
    {
        if (_buffer.Length > 0 && _buffer[^1] != '\n')
        {
            Append('\n');
        }
    }

    public void Flush()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        string text = _buffer.ToString();
        _buffer.Clear();
        if (!string.IsNullOrWhiteSpace(text))
        {
            _sink.OnText(_location, text);
        }
    }

    private void FlushToLastLineBreak()
    {
        int cut = -1;
        for (int i = _buffer.Length - 1; i >= 0 && i >= _buffer.Length - 4096; i--)
        {
            if (_buffer[i] == '\n')
            {
                cut = i + 1;
                break;
            }
        }

        if (cut < 0)
        {
            // One very long line: cut at a space, or anywhere if it is one token.
            cut = _buffer.Length;
            for (int i = _buffer.Length - 1; i >= 0 && i >= _buffer.Length - 4096; i--)
            {
                if (char.IsWhiteSpace(_buffer[i]))
                {
                    cut = i + 1;
                    break;
                }
            }
        }

        string text = _buffer.ToString(0, cut);
        _buffer.Remove(0, cut);
        if (!string.IsNullOrWhiteSpace(text))
        {
            _sink.OnText(_location, text);
        }
    }
}
