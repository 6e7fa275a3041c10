using System.Globalization;
using System.Text;
using MailGuard.Inspection.Detection;
using MailGuard.Inspection.Extraction;

namespace MailGuard.Inspection.Tests.Extraction;

/// <summary>The rented buffers the readers and table counters work in, held to what they replace.</summary>
public sealed class PooledBufferTests
{
    [Fact]
    public void SpoolStream_WrittenInPiecesAcrossBlocks_ReadsBackEveryByteFromAnyPosition()
    {
        var random = new Random(14);
        var data = new byte[300_007];
        random.NextBytes(data);
        using var spool = new PooledSpoolStream();
        for (int at = 0; at < data.Length;)
        {
            int n = Math.Min(data.Length - at, random.Next(1, 100_000));
            spool.Write(data, at, n);
            at += n;
        }

        Assert.Equal(data.Length, spool.Length);
        foreach (long start in new long[] { 0, 1, 65_535, 65_536, 65_537, 131_072, 299_999, data.Length })
        {
            spool.Position = start;
            var rest = new MemoryStream();
            var piece = new byte[random.Next(1, 70_000)];
            int n;
            while ((n = spool.Read(piece)) > 0)
            {
                rest.Write(piece, 0, n);
            }

            Assert.Equal(data.AsSpan((int)start).ToArray(), rest.ToArray());
        }

        spool.Seek(-3, SeekOrigin.End);
        Assert.Equal(data[^3], (byte)spool.ReadByte());
        spool.Position = data.Length + 10;
        Assert.Equal(0, spool.Read(new byte[8]));
    }

    [Fact]
    public void SpoolStream_WriteAnywhereButTheEnd_RefusedAndDisposedReadRefused()
    {
        var spool = new PooledSpoolStream();
        spool.Write("abc"u8);
        spool.Position = 1;
        Assert.Throws<NotSupportedException>(() => spool.Write("x"u8));
        spool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => spool.Read(new byte[1]));
    }

    [Fact]
    public void KeySet_AgreesWithAHashSetThroughGrowthAndAfterRelease()
    {
        var random = new Random(7);
        var set = new KeySet(250_000);
        for (int pass = 0; pass < 2; pass++)
        {
            var expected = new HashSet<long>();
            for (int i = 0; i < 60_000; i++)
            {
                // Duplicates on purpose: keys drawn from a range smaller than the draws.
                long key = random.NextInt64(1, 40_000) << (pass * 20);
                Assert.Equal(expected.Add(key), set.Add(key));
            }

            Assert.Equal(expected.Count, set.Count);
            set.Release();
            Assert.Equal(0, set.Count);
        }
    }

    [Theory]
    [InlineData(TableColumn.DistinctCap, 64)]
    [InlineData(4_096, 8_192)]
    [InlineData(TableRowShapes.PersonKeyCap, 524_288)]
    [InlineData(1, 2)]
    [InlineData(3_000, 8_192)]
    public void KeySet_FilledToItsCap_NoMoreSlotsThanDoublingWouldHold(int capacity, int slotsAtCap)
    {
        // It grows fourfold while that stays within what its cap needs (half full), then doubles:
        // a hostile table with thousands of contact columns must not hold more than before.
        var set = new KeySet(capacity);
        for (long key = 1; !set.IsFull; key++)
        {
            set.Add(key);
            Assert.True(set.Slots >= set.Count * 2, "more than half full");
        }

        Assert.Equal(capacity, set.Count);
        Assert.Equal(slotsAtCap, set.Slots);
        set.Release();
        Assert.Equal(0, set.Slots);
    }

    [Fact]
    public void RowShapes_RowsKeptUntilReleased()
    {
        var shapes = new TableRowShapes();
        for (int row = 0; row < 5_000; row++)
        {
            shapes.Add(row, mask: 1ul << (row % 3), personKey: row + 1, rowKey: row + 1);
        }

        Assert.Equal(5_000, shapes.Rows.Length);
        Assert.Equal((1ul << 1, 4_001L), shapes.Rows[4_000]);
        Assert.Equal(5_000, shapes.Complete().Values.Sum(s => s.Count));
        shapes.Release();
        Assert.Equal(0, shapes.Rows.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" uniqueCount=\"0\"")]
    [InlineData(" uniqueCount=\"3\"")]
    [InlineData(" uniqueCount=\"-5\"")]
    [InlineData(" uniqueCount=\"99999999999\"")]
    [InlineData(" uniqueCount=\"2000000000\"")]
    [InlineData(" uniqueCount=\"x\"")]
    public void SharedStrings_WhateverUniqueCountClaims_EveryStringRead(string attribute)
    {
        // The count sizes the list; it must never decide what is read.
        var sst = new StringBuilder($"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"{attribute}>");
        var sheet = new StringBuilder("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\">");
        for (int i = 0; i < 10; i++)
        {
            sst.Append(CultureInfo.InvariantCulture, $"<si><t>value {i}</t></si>");
            sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{(char)('A' + i)}1\" t=\"s\"><v>{i}</v></c>");
        }

        sst.Append("</sst>");
        sheet.Append("</row></sheetData></worksheet>");
        var sink = ReadSheet(sst.ToString(), sheet.ToString());

        var (_, cells) = Assert.Single(Assert.Single(sink.Tables).Rows);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"value {i}"), cells.Select(c => c.Text));
    }

    [Theory]
    [InlineData("65536", 65_536)]
    [InlineData("65537", 65_536)]
    [InlineData("65535", 65_535)]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    [InlineData("-1", 0)]
    [InlineData("12x", 0)]
    [InlineData("", 0)]
    public void SharedStringCapacity_AtAndPastItsCap(string declared, int expected)
    {
        Assert.Equal(65_536, XlsxExtractor.MaxPresizedSharedStrings);
        Assert.Equal(expected, XlsxExtractor.SharedStringCapacity(Encoding.ASCII.GetBytes(declared)));
    }

    [Fact]
    public void NumberCells_TextAsWritten()
    {
        // A number cell's text is its value as written (a leading zero, spaces, a sign, a fraction,
        // an exponent kept), whatever the parsed number.
        string[] written = ["0", "7", "42", "9999", "10000", "0012", "00", " 42", "42 ", "-3", "1.5", "1E3"];
        var sheet = new StringBuilder("<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
        for (int round = 0; round < 2; round++)
        {
            sheet.Append(CultureInfo.InvariantCulture, $"<row r=\"{round + 1}\">");
            for (int i = 0; i < written.Length; i++)
            {
                sheet.Append(CultureInfo.InvariantCulture, $"<c r=\"{(char)('A' + i)}{round + 1}\"><v>{written[i]}</v></c>");
            }

            sheet.Append("</row>");
        }

        sheet.Append("</sheetData></worksheet>");
        var sink = ReadSheet(null, sheet.ToString());

        var rows = Assert.Single(sink.Tables).Rows.Select(r => r.Cells).ToArray();
        Assert.Equal(2, rows.Length);
        foreach (var cells in rows)
        {
            Assert.Equal(written, cells.Select(c => c.Text));
            Assert.All(cells, c => Assert.Equal(CellKind.Number, c.Kind));
        }

        Assert.Equal([0d, 7, 42, 9999, 10000, 12, 0, 42, 42, -3, 1.5, 1000], rows[0].Select(c => c.Number!.Value));
    }

    [Fact]
    public void SharedStrings_SstNamedAgainAfterItems_EveryStringReadNothingThrown()
    {
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        string sst = $"<sst xmlns=\"{ns}\" uniqueCount=\"1\"><si><t>a</t></si><si><t>b</t></si><sst uniqueCount=\"1\"/><si><t>c</t></si></sst>";
        string sheet = $"<worksheet xmlns=\"{ns}\"><sheetData><row r=\"1\"><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c></row></sheetData></worksheet>";
        var sink = ReadSheet(sst, sheet);

        var (_, cells) = Assert.Single(Assert.Single(sink.Tables).Rows);
        Assert.Equal(["a", "b", "c"], cells.Select(c => c.Text));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SheetRow_TextPastTheBufferAmongSharedStrings_EveryCellAsWritten(bool ranges)
    {
        // A row's own text (numbers, dates, inline strings) goes after the shared strings in one
        // buffer, and a shared-string cell is a range of its item: a row whose inline text makes
        // the buffer grow mid-row keeps the ranges placed before (and after) it, and the next row
        // starts over on the same tail. Each row also sets a cell twice: the later one counts.
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        string longText = string.Concat(Enumerable.Repeat("Wide & long text ", 2_000));
        string sst = $"<sst xmlns=\"{ns}\"><si><t>Amy Lowe</t></si><si><t>AB123456C</t></si><si><t></t></si></sst>";
        var sheet = new StringBuilder($"<worksheet xmlns=\"{ns}\"><sheetData>");
        for (int r = 1; r <= 3; r++)
        {
            sheet.Append(CultureInfo.InvariantCulture, $"<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>0</v></c><c r=\"B{r}\"><v>{r}7</v></c>")
                .Append(CultureInfo.InvariantCulture, $"<c r=\"C{r}\" t=\"inlineStr\"><is><t>{System.Security.SecurityElement.Escape(longText)}{r}</t></is></c>")
                .Append(CultureInfo.InvariantCulture, $"<c r=\"D{r}\" t=\"s\"><v>1</v></c><c r=\"E{r}\" t=\"s\"><v>2</v></c><c r=\"F{r}\" t=\"b\"><v>1</v></c>")
                .Append(CultureInfo.InvariantCulture, $"<c r=\"B{r}\"><v>0{r}</v></c></row>");
        }

        sheet.Append("</sheetData></worksheet>");
        var table = Assert.Single(ReadSheet(sst, sheet.ToString(), ranges).Tables);

        Assert.Equal(ranges, table is RecordedRangeTable);
        Assert.Equal(3, table.Rows.Count);
        for (int r = 1; r <= 3; r++)
        {
            var cells = table.Rows[r - 1].Cells;
            Assert.Equal(["Amy Lowe", $"0{r}", longText + r, "AB123456C", string.Empty, "TRUE"], cells.Select(c => c.Text));
            Assert.Equal([CellKind.Text, CellKind.Number, CellKind.Text, CellKind.Text, CellKind.Empty, CellKind.Boolean], cells.Select(c => c.Kind));
            Assert.Equal(r, cells[1].Number);
        }
    }

    [Fact]
    public void SheetRow_OneCellWrittenAgainPastTheRowCap_RefusedNotGrown()
    {
        // The same cell written again and again in one row: each copy's text stays in the row's
        // buffer until the row ends, so the row is capped (as a CSV record is) and the sheet
        // refused as corrupt past it. One cell fewer than the cap needs is read, the last copy kept.
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        string text = new('x', 1024 * 1024);
        string Sheet(int copies) => $"<worksheet xmlns=\"{ns}\"><sheetData><row r=\"1\">"
            + string.Concat(Enumerable.Range(0, copies).Select(i => $"<c r=\"A1\" t=\"inlineStr\"><is><t>{i}{text}</t></is></c>"))
            + "</row></sheetData></worksheet>";
        int fits = (int)(SheetRow.MaxRowChars / (text.Length + 2L));

        var cells = Assert.Single(Assert.Single(ReadSheet(null, Sheet(fits), ranges: true).Tables).Rows).Cells;
        Assert.Equal($"{fits - 1}{text}", Assert.Single(cells).Text);
        Assert.Throws<InvalidDataException>(() => ReadSheet(null, Sheet(fits + 1), ranges: true));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void SheetRow_TextAtTheRowCapRead_OneCharPastRefused(int past, bool read)
    {
        // Sixteen copies of one cell of MaxRowChars / 16 plain characters fill the row's text to
        // the cap exactly: read, the last copy kept. One character more in the last copy: refused.
        const string ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        int each = SheetRow.MaxRowChars / 16;
        string last = new('y', each + past);
        string sheet = $"<worksheet xmlns=\"{ns}\"><sheetData><row r=\"1\">"
            + string.Concat(Enumerable.Repeat($"<c r=\"A1\" t=\"inlineStr\"><is><t>{new string('x', each)}</t></is></c>", 15))
            + $"<c r=\"A1\" t=\"inlineStr\"><is><t>{last}</t></is></c></row></sheetData></worksheet>";

        if (read)
        {
            var cells = Assert.Single(Assert.Single(ReadSheet(null, sheet, ranges: true).Tables).Rows).Cells;
            Assert.Equal(last, Assert.Single(cells).Text);
        }
        else
        {
            Assert.Throws<InvalidDataException>(() => ReadSheet(null, sheet, ranges: true));
        }
    }

    [Fact]
    public void SharedStringTable_PastThePooledSize_EveryItemAndTheTailRead()
    {
        // Past MaxPooledLength chars the buffer is a plain array (the pool is not left holding a
        // huge workbook's buffer): items read back the same across the switch, the tail still
        // follows them, and disposing hands back only what the pool gave.
        var table = new SharedStringTable();
        string body = new('n', 1000);
        int items = (SharedStringTable.MaxPooledLength / 1000) + 10;
        for (int i = 0; i < items; i++)
        {
            table.Add($"{i}:{body}".AsSpan());
        }

        Assert.Equal(items, table.Count);
        Assert.All(new[] { 0, 1, items / 2, items - 1 }, i => Assert.Equal($"{i}:{body}", table[i].ToString()));
        "Amy".AsSpan().CopyTo(table.Tail(0, 3));
        Assert.Equal("Amy", table.Chars(3)[table.TailStart..].ToString());
        table.Dispose();
        table.Dispose();
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void DistinctValues_KeptUpToTheCapThenNoLongerTracked()
    {
        var column = new TableColumn(0) { Distinct = new KeySet(TableColumn.DistinctCap) };
        for (int i = 0; i < TableColumn.DistinctCap - 1; i++)
        {
            column.TrackDistinct(i);
        }

        Assert.True(column.NeedsDistinct);
        column.TrackDistinct(0);
        Assert.True(column.NeedsDistinct);
        column.TrackDistinct(TableColumn.DistinctCap - 1);
        Assert.False(column.NeedsDistinct);
        column.TrackDistinct(TableColumn.DistinctCap);
        Assert.Equal(TableColumn.DistinctCap, column.Distinct.Count);
        Assert.Equal(TableColumn.DistinctCap + 1, column.DistinctConsidered);
    }

    [Fact]
    public void RowShapes_RowKeysKeptUpToTheCapThenMarkedIncomplete()
    {
        var shapes = new TableRowShapes();
        for (int row = 0; row < TableRowShapes.RowKeyCap; row++)
        {
            shapes.Add(row, mask: 1, personKey: 0, rowKey: row + 1);
        }

        Assert.Equal(TableRowShapes.RowKeyCap, shapes.Rows.Length);
        Assert.True(shapes.RowsComplete);
        // No more rows' keys are kept; people's keys still are (none has been added).
        Assert.False(shapes.WantsRowKeys);
        Assert.True(shapes.WantsKeys);
        shapes.Add(TableRowShapes.RowKeyCap, mask: 1, personKey: 0, rowKey: 1);
        Assert.Equal(TableRowShapes.RowKeyCap, shapes.Rows.Length);
        Assert.False(shapes.RowsComplete);
        Assert.Equal(TableRowShapes.RowKeyCap + 1, shapes.Complete()[1].Count);
    }

    [Fact]
    public void RowShapes_PeopleDeduplicatedUpToTheCapThenCountedAsTheyCome()
    {
        var shapes = new TableRowShapes();
        long row = 0;
        for (long key = 1; key < TableRowShapes.PersonKeyCap; key++)
        {
            if (row < TableRowShapes.RowKeyCap)
            {
                Assert.True(shapes.WantsRowKeys);
            }

            shapes.Add(row++, mask: 1, personKey: key);
        }

        // Rows are counted a few rows late, so the wish for keys may lag; never the other way.
        Assert.False(shapes.WantsRowKeys);
        Assert.True(shapes.WantsKeys);

        // One key short of the cap, the same person again is not another row.
        shapes.Add(row++, mask: 1, personKey: 1);
        Assert.Equal(TableRowShapes.PersonKeyCap - 1L, shapes.Complete()[1].Count);

        // The key that fills it is kept; from then on rows are counted as they come (memory stays
        // flat), the same person again included.
        shapes.Add(row++, mask: 1, personKey: TableRowShapes.PersonKeyCap);
        Assert.Equal(TableRowShapes.PersonKeyCap, shapes.Complete()[1].Count);
        // Past both caps a row's key would change nothing: the classifier need not make it.
        Assert.False(shapes.WantsKeys);
        shapes.Add(row++, mask: 1, personKey: 1);
        Assert.Equal(TableRowShapes.PersonKeyCap + 1L, shapes.Complete()[1].Count);
    }

    [Fact]
    public void RowShapes_CountedAFewRowsLate_SameCountsOrderAndDuplicates()
    {
        // Rows wait a few places (while their key's slot is fetched) before they are counted: the
        // order, the keys and the same person met again, next row or some rows on, are as if at once.
        var shapes = new TableRowShapes();
        long[] keys = [5, 5, 6, 7, 8, 9, 10, 11, 12, 13, 5, 14, 6, 0, 0, 15];
        for (int row = 0; row < keys.Length; row++)
        {
            shapes.Add(row, mask: row % 3 == 0 ? 1ul : 2ul, personKey: keys[row], rowKey: keys[row] == 0 ? 100 + row : keys[row]);
        }

        var rows = shapes.Rows.ToArray();
        Assert.Equal(
            new long[] { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 113, 114, 15 },
            rows.Select(r => r.Key).ToArray());
        var counts = shapes.Complete();
        Assert.Equal(13, counts[1].Count + counts[2].Count);
        Assert.Equal((0L, 15L), (counts[1].FirstRow, counts[1].LastRow));

        // Nothing waits once released: a new table starts empty.
        shapes.Release();
        Assert.Equal(0, shapes.Rows.Length);
    }

    // One sheet part (and its shared strings, if any) read as Extract reads them, no date styles.
    private static RecordingSink ReadSheet(string? sharedStrings, string sheet, bool ranges = false)
    {
        var sink = new RecordingSink { Ranges = ranges };
        XlsxExtractor.ReadSheetPart(sink, sharedStrings is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(sharedStrings)), new MemoryStream(Encoding.UTF8.GetBytes(sheet)), [false], fast: true, bufferSize: 64 * 1024);
        return sink;
    }
}
