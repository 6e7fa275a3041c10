using System.Globalization;
using System.Text;

namespace MailGuard.Inspection.Extraction;

internal enum PdfTokenKind
{
    End,
    Number,
    String,
    Name,
    ArrayStart,
    ArrayEnd,
    DictStart,
    DictEnd,
    Operator,
}

internal readonly record struct PdfToken(PdfTokenKind Kind, double Number = 0, byte[]? Bytes = null, string? Text = null);

/// <summary>
/// Tokens of PDF content streams and CMaps (ISO 32000-1 §7.2-7.3): numbers, literal and hex
/// strings (as raw bytes: their meaning depends on the font), names, arrays, dictionaries and
/// operators. Inline image data (BI ... ID ... EI) is skipped so its bytes are not read as text.
/// </summary>
internal sealed class PdfContentLexer
{
    private readonly byte[] _data;
    private int _pos;

    public PdfContentLexer(byte[] data) => _data = data;

    public PdfContentLexer(byte[] data, int position)
    {
        _data = data;
        _pos = position;
    }

    public int Position
    {
        get => _pos;
        set => _pos = Math.Clamp(value, 0, _data.Length);
    }

    /// <summary>False for object syntax, where "ID" is not an inline-image operator.</summary>
    public bool ContentStream { get; init; } = true;

    public PdfToken Next()
    {
        while (true)
        {
            SkipWhitespaceAndComments();
            if (_pos >= _data.Length)
            {
                return new PdfToken(PdfTokenKind.End);
            }

            byte b = _data[_pos];
            switch (b)
            {
                case (byte)'(':
                    _pos++;
                    return new PdfToken(PdfTokenKind.String, Bytes: ReadLiteralString());
                case (byte)'<':
                    if (_pos + 1 < _data.Length && _data[_pos + 1] == '<')
                    {
                        _pos += 2;
                        return new PdfToken(PdfTokenKind.DictStart);
                    }

                    _pos++;
                    return new PdfToken(PdfTokenKind.String, Bytes: ReadHexString());
                case (byte)'>':
                    _pos += _pos + 1 < _data.Length && _data[_pos + 1] == '>' ? 2 : 1;
                    return new PdfToken(PdfTokenKind.DictEnd);
                case (byte)'[':
                    _pos++;
                    return new PdfToken(PdfTokenKind.ArrayStart);
                case (byte)']':
                    _pos++;
                    return new PdfToken(PdfTokenKind.ArrayEnd);
                case (byte)'{' or (byte)'}' or (byte)')':
                    _pos++;
                    continue;
                case (byte)'/':
                    _pos++;
                    return new PdfToken(PdfTokenKind.Name, Text: ReadRegular());
            }

            if (b is (byte)'+' or (byte)'-' or (byte)'.' || (b >= '0' && b <= '9'))
            {
                string number = ReadRegular();
                return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                    ? new PdfToken(PdfTokenKind.Number, value)
                    : new PdfToken(PdfTokenKind.Number, 0);
            }

            string op = ReadRegular();
            if (op.Length == 0)
            {
                _pos++;
                continue;
            }

            if (op == "ID" && ContentStream)
            {
                SkipInlineImage();
                continue;
            }

            return new PdfToken(PdfTokenKind.Operator, Text: op);
        }
    }

    private static bool IsWhitespace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';

    private void SkipWhitespaceAndComments()
    {
        while (_pos < _data.Length)
        {
            byte b = _data[_pos];
            if (IsWhitespace(b))
            {
                _pos++;
            }
            else if (b == '%')
            {
                while (_pos < _data.Length && _data[_pos] is not (10 or 13))
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private string ReadRegular()
    {
        int start = _pos;
        while (_pos < _data.Length && !IsWhitespace(_data[_pos]) && !IsDelimiter(_data[_pos]))
        {
            _pos++;
        }

        string raw = Encoding.Latin1.GetString(_data, start, _pos - start);
        // Names may carry #xx escapes (§7.3.5).
        if (raw.Contains('#'))
        {
            var sb = new StringBuilder();
            for (int i = 0; i < raw.Length; i++)
            {
                if (raw[i] == '#' && i + 2 < raw.Length && int.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int v))
                {
                    sb.Append((char)v);
                    i += 2;
                }
                else
                {
                    sb.Append(raw[i]);
                }
            }

            raw = sb.ToString();
        }

        return raw;
    }

    private byte[] ReadLiteralString()
    {
        var bytes = new List<byte>();
        int depth = 1;
        while (_pos < _data.Length)
        {
            byte b = _data[_pos++];
            if (b == '\\' && _pos < _data.Length)
            {
                byte e = _data[_pos++];
                switch (e)
                {
                    case (byte)'n': bytes.Add(10); break;
                    case (byte)'r': bytes.Add(13); break;
                    case (byte)'t': bytes.Add(9); break;
                    case (byte)'b': bytes.Add(8); break;
                    case (byte)'f': bytes.Add(12); break;
                    case 13:
                        if (_pos < _data.Length && _data[_pos] == 10)
                        {
                            _pos++;
                        }

                        break;
                    case 10:
                        break;
                    case >= (byte)'0' and <= (byte)'7':
                        int value = e - '0';
                        for (int i = 0; i < 2 && _pos < _data.Length && _data[_pos] is >= (byte)'0' and <= (byte)'7'; i++)
                        {
                            value = (value * 8) + (_data[_pos++] - '0');
                        }

                        bytes.Add((byte)value);
                        break;
                    default:
                        bytes.Add(e);
                        break;
                }
            }
            else if (b == '(')
            {
                depth++;
                bytes.Add(b);
            }
            else if (b == ')')
            {
                if (--depth == 0)
                {
                    break;
                }

                bytes.Add(b);
            }
            else
            {
                bytes.Add(b);
            }
        }

        return [.. bytes];
    }

    private byte[] ReadHexString()
    {
        var bytes = new List<byte>();
        int high = -1;
        while (_pos < _data.Length)
        {
            byte b = _data[_pos++];
            if (b == '>')
            {
                break;
            }

            int v = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (v < 0)
            {
                continue;
            }

            if (high < 0)
            {
                high = v;
            }
            else
            {
                bytes.Add((byte)((high << 4) | v));
                high = -1;
            }
        }

        if (high >= 0)
        {
            bytes.Add((byte)(high << 4));
        }

        return [.. bytes];
    }

    private void SkipInlineImage()
    {
        // The data follows one whitespace byte and ends at whitespace + "EI" + whitespace/end.
        _pos++;
        while (_pos + 2 < _data.Length)
        {
            if (IsWhitespace(_data[_pos]) && _data[_pos + 1] == 'E' && _data[_pos + 2] == 'I'
                && (_pos + 3 >= _data.Length || IsWhitespace(_data[_pos + 3]) || IsDelimiter(_data[_pos + 3])))
            {
                _pos += 3;
                return;
            }

            _pos++;
        }

        _pos = _data.Length;
    }
}
