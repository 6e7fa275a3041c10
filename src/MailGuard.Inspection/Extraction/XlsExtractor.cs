using System.Globalization;
using ExcelDataReader;
using ExcelDataReader.Exceptions;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// Legacy BIFF workbooks (.xls) through ExcelDataReader, which already turns date-formatted
/// numbers into DateTime. A workbook encrypted with a real password is PasswordProtected; one
/// "encrypted" with Excel's default password (VelvetSweatshop) is read by the library.
/// </summary>
internal static class XlsExtractor
{
    public static void Extract(ExtractionContext context, Stream stream, ContentLocation location)
    {
        IExcelDataReader reader;
        try
        {
            reader = ExcelReaderFactory.CreateBinaryReader(stream, new ExcelReaderConfiguration { LeaveOpen = true });
        }
        catch (InvalidPasswordException ex)
        {
            context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, ex.Message);
            return;
        }

        using (reader)
        {
            try
            {
                ReadSheets(context, reader, location);
            }
            catch (InvalidPasswordException ex)
            {
                context.Sink.OnUnscannable(location, UnscannableReason.PasswordProtected, ex.Message);
            }
        }
    }

    private static void ReadSheets(ExtractionContext context, IExcelDataReader reader, ContentLocation location)
    {
        do
        {
            context.ThrowIfCancelled();
            ITableSink table = context.Sink.BeginTable(location with { Sheet = reader.Name, Row = null, Column = null });
            try
            {
                long rowIndex = 0;
                while (reader.Read())
                {
                    var cells = new Cell[reader.FieldCount];
                    int last = -1;
                    for (int i = 0; i < cells.Length; i++)
                    {
                        cells[i] = ToCell(reader.GetValue(i));
                        if (cells[i].Kind != CellKind.Empty)
                        {
                            last = i;
                        }
                    }

                    if (last >= 0)
                    {
                        if ((rowIndex & 0xFF) == 0)
                        {
                            context.ThrowIfCancelled();
                        }

                        context.AddCells(last + 1);
                        table.OnRow(rowIndex, last + 1 == cells.Length ? cells : cells[..(last + 1)]);
                    }

                    rowIndex++;
                }
            }
            finally
            {
                table.Complete();
            }
        }
        while (reader.NextResult());
    }

    private static Cell ToCell(object? value) => value switch
    {
        null or DBNull => Cell.Empty,
        string s => Cell.FromText(s),
        DateTime d => XlsxExtractor.DateCell(d, null),
        double n => new Cell(n.ToString("R", CultureInfo.InvariantCulture), CellKind.Number, Number: n),
        int n => new Cell(n.ToString(CultureInfo.InvariantCulture), CellKind.Number, Number: n),
        bool b => new Cell(b ? "TRUE" : "FALSE", CellKind.Boolean),
        TimeSpan t => new Cell(t.ToString("c", CultureInfo.InvariantCulture), CellKind.Number, Number: t.TotalDays),
        _ => Cell.FromText(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
