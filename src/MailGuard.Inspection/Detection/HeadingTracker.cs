namespace MailGuard.Inspection.Detection;

/// <summary>
/// Answers "is there a heading line above this position in the same paragraph?" for a table
/// flattened to text: one line holds the column names ("Name  DOB  NHS No"), the rows below
/// carry no labels of their own. A heading line holds one of the tracked words and another
/// column name; a blank line ends the paragraph. Queries must come in ascending position, so a
/// whole text is examined once, line by line, however many values are asked about.
/// </summary>
internal sealed class HeadingTracker(string text, KeywordSet words)
{
    private int _scannedTo;
    private bool _active;

    public bool IsActive(int position)
    {
        var lineStart = position == 0 ? 0 : text.LastIndexOf('\n', position - 1) + 1;
        if (lineStart < _scannedTo)
        {
            // Same line as the previous query (or out of order): the answer has not changed.
            return _active;
        }

        var span = text.AsSpan();
        while (_scannedTo < lineStart)
        {
            var newline = span[_scannedTo..lineStart].IndexOf('\n');
            var end = newline < 0 ? lineStart : _scannedTo + newline;
            var line = span[_scannedTo..end];
            if (line.IsWhiteSpace())
            {
                _active = false;
            }
            else if (line.Length <= 400 && ContextWords.ContainsWord(line, words) && ContextWords.CountWords(line, ContextWords.ColumnHeadings) >= 2)
            {
                _active = true;
            }

            _scannedTo = end + 1;
        }

        _scannedTo = Math.Max(_scannedTo, lineStart);
        return _active;
    }
}
