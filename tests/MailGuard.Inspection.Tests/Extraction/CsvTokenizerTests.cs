using System.Text;
using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>
/// The CSV tokenizer (vectorised fast path for unquoted records, general path for quotes and
/// buffer edges) against a plain character-by-character reading of the same rules, on random
/// input read in random-sized pieces so that records straddle the buffer in every way.
/// </summary>
public class CsvTokenizerTests
{
    [Theory]
    [InlineData(',', 1)]
    [InlineData(',', 2)]
    [InlineData('\t', 3)]
    [InlineData(';', 4)]
    [InlineData('|', 5)]
    public void ReadRow_RandomInput_MatchesReferenceReading(char delimiter, int seed)
    {
        var rng = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var text = RandomCsv(rng, delimiter, rng.Next(0, round < 30 ? 3000 : 200_000));
            var expected = Reference(text, delimiter);
            var actual = new List<string[]>();
            var tokenizer = new CsvTokenizer(new ChunkedReader(text, rng), delimiter);
            while (tokenizer.ReadRow())
            {
                actual.Add(tokenizer.ToCells().Select(c => c.Text).ToArray());
            }

            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
    }

    [Fact]
    public void ReadRow_EveryReadSizeUpTo48_MatchesReferenceReading()
    {
        // Reads of a fixed small size put every record start at every offset from a buffer's
        // start, and make the reader move a partial record to the front at every point (a reader
        // that kept one record's separator positions for the next failed this when a move did
        // not drop them; random read sizes alone passed it).
        var rng = new Random(21);
        for (var size = 1; size <= 48; size++)
        {
            for (var round = 0; round < 3; round++)
            {
                var text = RandomCsv(rng, ',', 2_000);
                var actual = new List<string[]>();
                var tokenizer = new CsvTokenizer(new FixedReader(text, size), ',');
                while (tokenizer.ReadRow())
                {
                    actual.Add(tokenizer.ToCells().Select(c => c.Text).ToArray());
                }

                Assert.Equal(Reference(text, ','), actual);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void ReadRow_ReadsOfOnlyZeroWidthCharacters_NextReadTaken(int size)
    {
        // Reads that fold to nothing (zero-width spaces between every character, a run of them
        // longer than a read) are not the end of the text: the records read as the visible text does.
        var rng = new Random(size);
        var text = RandomCsv(rng, ',', 400);
        var hidden = string.Concat(text.Select(c => c + "\u200B")) + new string('\u200B', 64) + "\r\nlast,row\r\n";
        var actual = new List<string[]>();
        var tokenizer = new CsvTokenizer(new FixedReader(hidden, size), ',');
        while (tokenizer.ReadRow())
        {
            actual.Add(tokenizer.ToCells().Select(c => c.Text).ToArray());
        }

        Assert.Equal(Reference(text + "\r\nlast,row\r\n", ','), actual);
    }

    [Fact]
    public void ReadRow_FieldLongerThanTheBuffer_IsKeptWhole()
    {
        var big = new string('x', 150_000);
        var text = $"a,\"{big}\"\"q\",b\n{big},c\n";
        var tokenizer = new CsvTokenizer(new ChunkedReader(text, new Random(7)), ',');
        Assert.True(tokenizer.ReadRow());
        Assert.Equal(["a", big + "\"q", "b"], tokenizer.ToCells().Select(c => c.Text));
        Assert.True(tokenizer.ReadRow());
        Assert.Equal([big, "c"], tokenizer.ToCells().Select(c => c.Text));
        Assert.False(tokenizer.ReadRow());
    }

    [Fact]
    public void Extract_RecordWiderThanAnySpreadsheet_IsUnscannableNotBuffered()
    {
        var line = string.Join(",", Enumerable.Repeat("ab", CsvTokenizer.MaxFields + 10));
        var sink = Extract.Run(Encoding.UTF8.GetBytes($"{line}\n{line}\n"), "wide.csv");
        var (_, reason, _) = Assert.Single(sink.Unscannable);
        Assert.Equal(UnscannableReason.Corrupt, reason);
    }

    [Fact]
    public void Analyzer_ReadingRangesInPlace_AgreesWithReadingCells()
    {
        // The same table through the CSV reader (ranges of its buffer) and as cell arrays.
        var rng = new Random(11);
        var sb = new StringBuilder("Id,Name,Date of Birth,NI Number,Postcode,Email,Notes\r\n");
        for (var i = 0; i < 3000; i++)
        {
            sb.Append(i).Append(',')
              .Append(rng.Next(4) == 0 ? "\"Doe, Jane\"" : "Jane Doe").Append(',')
              .Append(rng.Next(10) == 0 ? "n/a" : $"{rng.Next(1, 28):D2}/{rng.Next(1, 13):D2}/{rng.Next(1940, 2005)}").Append(',')
              .Append(rng.Next(8) == 0 ? "" : $"AB{rng.Next(0, 1_000_000):D6}{"ABCD"[rng.Next(4)]}").Append(',')
              .Append($"LS{rng.Next(1, 28)} {rng.Next(1, 10)}AB").Append(',')
              .Append($"p{i}@example.org").Append(',')
              .Append(rng.Next(5) == 0 ? "called 07700 900123 re \"\"case\"\"" : "x").Append("\r\n");
        }

        var text = sb.ToString();
        var options = new ContentAnalyzerOptions { ReferenceDate = new DateOnly(2026, 11, 21) };
        var viaReader = new ContentAnalyzer(options);
        ContentExtractor.Extract(new MemoryStream(Encoding.UTF8.GetBytes(text)), "people.csv", null, new ContentLocation("/2", "people.csv"), viaReader, new ExtractionLimits(), CancellationToken.None);

        var viaCells = new ContentAnalyzer(options);
        var table = viaCells.BeginTable(new ContentLocation("/2", "people.csv"));
        var tokenizer = new CsvTokenizer(new StringReader(text), ',');
        long row = 0;
        while (tokenizer.ReadRow())
        {
            table.OnRow(row++, tokenizer.ToCells());
        }

        table.Complete();
        Assert.Equal(Describe(viaCells), Describe(viaReader));
        Assert.True(viaReader.MaxPeopleCount > 2000);
    }

    private static string Describe(ContentAnalyzer analyzer) =>
        string.Join("\n", analyzer.Findings.Select(f => $"{f.Kind} {f.Count} {f.Confidence} {f.Location} {f.Summary} [{string.Join(";", f.Evidence)}]"))
        + "\n" + string.Join("\n", analyzer.Tables.Select(t => $"{t.PeopleCount} {t.DataRows} {string.Join(";", t.Columns.Select(c => $"{c.Kind}/{c.Values}/{c.Valid}"))}"));

    private static string RandomCsv(Random rng, char delimiter, int length)
    {
        // Mostly ordinary fields, with quotes, doubled quotes, CR, LF and CRLF mixed in.
        var alphabet = new[] { "a", "b", "Z", "1", "9", " ", "\"", "\"\"", delimiter.ToString(), "\r", "\n", "\r\n", "xyz", "AB123456C" };
        var weights = new[] { 8, 6, 3, 6, 3, 3, 1, 1, 6, 1, 2, 2, 3, 2 };
        var total = weights.Sum();
        var sb = new StringBuilder(length + 16);
        while (sb.Length < length)
        {
            var pick = rng.Next(total);
            var i = 0;
            while (pick >= weights[i])
            {
                pick -= weights[i++];
            }

            sb.Append(alphabet[i]);
        }

        return sb.ToString();
    }

    /// <summary>The tokenizer's rules, one character at a time.</summary>
    private static List<string[]> Reference(string s, char d)
    {
        var records = new List<string[]>();
        var i = 0;
        var n = s.Length;
        while (i < n)
        {
            var fields = new List<string>();
            var atEnd = false;
            while (true)
            {
                var field = new StringBuilder();
                if (i < n && s[i] == '"')
                {
                    i++;
                    while (i < n)
                    {
                        if (s[i] == '"')
                        {
                            if (i + 1 < n && s[i + 1] == '"')
                            {
                                field.Append('"');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        field.Append(s[i++]);
                    }
                }

                while (i < n && s[i] != d && s[i] != '\r' && s[i] != '\n')
                {
                    field.Append(s[i++]);
                }

                fields.Add(field.ToString());
                if (i >= n)
                {
                    atEnd = true;
                    break;
                }

                var c = s[i++];
                if (c == d)
                {
                    continue;
                }

                if (c == '\r' && i < n && s[i] == '\n')
                {
                    i++;
                }

                break;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                if (atEnd)
                {
                    break;
                }

                continue;
            }

            records.Add([.. fields]);
        }

        return records;
    }

    /// <summary>Hands out text <c>size</c> characters at a time.</summary>
    private sealed class FixedReader(string text, int size) : TextReader
    {
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, text.Length - _pos), size);
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }

    /// <summary>Hands out text in random-sized pieces, as a network or decompressing stream would.</summary>
    private sealed class ChunkedReader(string text, Random rng) : TextReader
    {
        private int _pos;

        public override int Read(char[] buffer, int index, int count)
        {
            var n = Math.Min(Math.Min(count, text.Length - _pos), rng.Next(1, 70_000));
            text.CopyTo(_pos, buffer, index, n);
            _pos += n;
            return n;
        }
    }
}
