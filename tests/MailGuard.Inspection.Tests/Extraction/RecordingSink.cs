namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>Records everything an extractor sends, for assertions.</summary>
internal sealed class RecordingSink : IContentSink
{
    public List<(ContentLocation Location, string Text)> Texts { get; } = new();

    public List<RecordedTable> Tables { get; } = new();

    public List<(ContentLocation Location, UnscannableReason Reason, string Detail)> Unscannable { get; } = new();

    public List<(ContentLocation Location, string Declared, string Detected)> Mismatches { get; } = new();

    public string AllText => string.Join("\n", Texts.Select(t => t.Text));

    public void OnText(ContentLocation location, string text) => Texts.Add((location, text));

    /// <summary>Tables take rows as ranges (as the table analyzer does) when the reader offers them.</summary>
    public bool Ranges { get; init; }

    public ITableSink BeginTable(ContentLocation location)
    {
        var table = Ranges ? new RecordedRangeTable(location) : new RecordedTable(location);
        Tables.Add(table);
        return table;
    }

    public void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail) => Unscannable.Add((location, reason, detail));

    public void OnTypeMismatch(ContentLocation location, string declared, string detected) => Mismatches.Add((location, declared, detected));
}

internal class RecordedTable : ITableSink
{
    public RecordedTable(ContentLocation location) => Location = location;

    public ContentLocation Location { get; }

    public List<(long Index, Cell[] Cells)> Rows { get; } = new();

    public bool Completed { get; private set; }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells) => Rows.Add((rowIndex, cells.ToArray()));

    public void Complete() => Completed = true;

    public string[] RowTexts(int row) => Rows[row].Cells.Select(c => c.Text).ToArray();
}

/// <summary>A table that takes rows as ranges and records them as cells, made here (not by the reader's helpers).</summary>
internal sealed class RecordedRangeTable(ContentLocation location) : RecordedTable(location), ISpanTableSink
{
    public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        var cells = new Cell[fields.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = Cell.FromText(new string(chars.Slice(fields[i].Start, fields[i].Length)));
        }

        Rows.Add((rowIndex, cells));
    }

    public void OnRow(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed)
    {
        Assert.Equal(fields.Length, typed.Length);
        var cells = new Cell[fields.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            // The typed part carries no text of its own; an empty cell has an empty range.
            Assert.Equal(string.Empty, typed[i].Text);
            Assert.Equal(typed[i].Kind == CellKind.Empty, fields[i].Length == 0);
            cells[i] = typed[i].Kind == CellKind.Empty
                ? Cell.Empty
                : new Cell(new string(chars.Slice(fields[i].Start, fields[i].Length)), typed[i].Kind, typed[i].Date, typed[i].Number);
        }

        Rows.Add((rowIndex, cells));
    }
}

/// <summary>A sink that keeps only counts, for the speed and memory tests.</summary>
internal sealed class CountingSink : IContentSink, ITableSink
{
    public long Rows { get; private set; }

    public long Cells { get; private set; }

    public long TextChars { get; private set; }

    public List<UnscannableReason> Unscannable { get; } = new();

    public void OnText(ContentLocation location, string text) => TextChars += text.Length;

    public ITableSink BeginTable(ContentLocation location) => this;

    public void OnUnscannable(ContentLocation location, UnscannableReason reason, string detail) => Unscannable.Add(reason);

    public void OnTypeMismatch(ContentLocation location, string declared, string detected)
    {
    }

    public void OnRow(long rowIndex, IReadOnlyList<Cell> cells)
    {
        Rows++;
        Cells += cells.Count;
    }

    public void Complete()
    {
    }
}

internal static class Fixtures
{
    private static readonly Lazy<string> _folder = new(() =>
    {
        // Fixtures stay in the source tree (the test project is not edited to copy them).
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "MailGuard.Inspection.Tests", "Fixtures");
            if (File.Exists(Path.Combine(candidate, "make-fixtures.sh")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/MailGuard.Inspection.Tests/Fixtures not found above " + AppContext.BaseDirectory);
    });

    public static string PathOf(string name)
    {
        string path = Path.Combine(_folder.Value, name);
        Assert.True(File.Exists(path), $"Fixture {name} is missing; run Fixtures/make-fixtures.sh");
        return path;
    }

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));
}

/// <summary>Hides seekability, as a MIME decoder's output does.</summary>
internal sealed class ForwardOnlyStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _delayPerRead;

    public ForwardOnlyStream(Stream inner, TimeSpan delayPerRead = default)
    {
        _inner = inner;
        _delayPerRead = delayPerRead;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_delayPerRead > TimeSpan.Zero)
        {
            Thread.Sleep(_delayPerRead);
        }

        return _inner.Read(buffer, offset, count);
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
