using System.Buffers;
using System.Text;

namespace MailGuard.Smtp;

/// <summary>
/// One SMTP reply: a three-digit code (RFC 5321 §4.2), an optional enhanced status code
/// (RFC 3463, announced with RFC 2034 ENHANCEDSTATUSCODES) and one or more text lines.
/// On the wire every line repeats the code and the enhanced code; all but the last use
/// "ddd-" and the last uses "ddd " (RFC 5321 §4.2.1, RFC 2034 §4).
/// </summary>
public readonly struct SmtpReply : IEquatable<SmtpReply>
{
    private readonly string[]? _lines;

    /// <summary>Validates everything that could break the wire form, so a constructed reply can always be sent.</summary>
    /// <param name="code">200..599; RFC 5321 §4.2 defines no other first digits for replies.</param>
    /// <param name="enhancedCode">"class.subject.detail" (RFC 3463 §2) whose class matches the code's first digit, or null.</param>
    /// <param name="lines">Text lines without CR or LF; none gives a single line with just the codes.</param>
    /// <exception cref="ArgumentException">A code, enhanced code or line that cannot be sent as given; a bug in the caller.</exception>
    public SmtpReply(int code, string? enhancedCode, params string[] lines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(lines);
        if (enhancedCode is not null && !IsEnhancedCode(enhancedCode, code / 100))
        {
            throw new ArgumentException($"'{enhancedCode}' is not an RFC 3463 status code of class {code / 100}.", nameof(enhancedCode));
        }

        foreach (var line in lines)
        {
            ArgumentNullException.ThrowIfNull(line, nameof(lines));
            // A CR or LF in a text line would let text forge extra replies on the wire.
            if (line.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException("Reply text must not contain CR or LF.", nameof(lines));
            }
        }

        Code = code;
        EnhancedCode = enhancedCode;
        _lines = lines.Length == 0 ? [string.Empty] : (string[])lines.Clone();
    }

    /// <summary>The three-digit reply code; 0 only for <c>default(SmtpReply)</c>.</summary>
    public int Code { get; }

    /// <summary>RFC 3463 enhanced status code such as "5.7.1", or null when the reply carries none.</summary>
    public string? EnhancedCode { get; }

    /// <summary>The text lines, without codes; never empty for a constructed reply.</summary>
    public IReadOnlyList<string> Lines => _lines ?? [];

    /// <summary>The lines joined with a space, for logs and exceptions.</summary>
    public string Text => string.Join(' ', Lines);

    /// <summary>2xx: the requested action completed (RFC 5321 §4.2.1).</summary>
    public bool IsPositiveCompletion => Code is >= 200 and < 300;

    /// <summary>3xx: the server waits for more (354 after DATA, 334 during AUTH).</summary>
    public bool IsPositiveIntermediate => Code is >= 300 and < 400;

    /// <summary>4xx: try again later.</summary>
    public bool IsTransientFailure => Code is >= 400 and < 500;

    /// <summary>5xx: do not repeat the same request.</summary>
    public bool IsPermanentFailure => Code is >= 500 and < 600;

    /// <summary>The reply as sent on the wire, every line ending in CRLF.</summary>
    public string ToWireString()
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc/>
    public override string ToString() => ToWireString().TrimEnd('\r', '\n').Replace("\r\n", " | ", StringComparison.Ordinal);

    /// <summary>Writes the wire form. Text is UTF-8: RFC 6531 §3.7.4 permits it once SMTPUTF8 is in use, and ASCII text is unaffected.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Code == 0)
        {
            throw new InvalidOperationException("default(SmtpReply) cannot be written.");
        }

        var lines = Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var separator = i == lines.Count - 1 ? ' ' : '-';
            var text = lines[i];
            var enhanced = EnhancedCode;
            var maxBytes = 4 + (enhanced?.Length + 1 ?? 0) + Encoding.UTF8.GetMaxByteCount(text.Length) + 2;
            var span = writer.GetSpan(maxBytes);
            var n = 0;
            span[n++] = (byte)('0' + Code / 100);
            span[n++] = (byte)('0' + Code / 10 % 10);
            span[n++] = (byte)('0' + Code % 10);
            span[n++] = (byte)separator;
            if (enhanced is not null)
            {
                n += Encoding.ASCII.GetBytes(enhanced, span[n..]);
                if (text.Length > 0)
                {
                    span[n++] = (byte)' ';
                }
            }

            n += Encoding.UTF8.GetBytes(text, span[n..]);
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
            writer.Advance(n);
        }
    }

    /// <summary>
    /// Builds a reply from received lines ("250-..." ... "250 ..."), taking the enhanced code
    /// from the first line when it starts with one. Returns false when the lines are not a
    /// well-formed reply (mixed codes, bad separators), which a client treats as a protocol error.
    /// </summary>
    public static bool TryParse(IReadOnlyList<string> wireLines, out SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(wireLines);
        reply = default;
        if (wireLines.Count == 0)
        {
            return false;
        }

        var code = 0;
        string? enhanced = null;
        var texts = new string[wireLines.Count];
        for (var i = 0; i < wireLines.Count; i++)
        {
            var line = wireLines[i];
            if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
            {
                return false;
            }

            var lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            if (lineCode is < 200 or > 599 || (i > 0 && lineCode != code))
            {
                return false;
            }

            code = lineCode;
            var last = i == wireLines.Count - 1;
            if (line.Length > 3 && line[3] != (last ? ' ' : '-'))
            {
                return false;
            }

            if (line.Length == 3 && !last)
            {
                return false;
            }

            var text = line.Length > 4 ? line[4..] : string.Empty;
            var space = text.IndexOf(' ');
            var first = space < 0 ? text : text[..space];
            if (IsEnhancedCode(first, code / 100))
            {
                enhanced ??= first;
                text = space < 0 ? string.Empty : text[(space + 1)..];
            }

            texts[i] = text;
        }

        reply = new SmtpReply(code, enhanced, texts);
        return true;
    }

    /// <summary>True for "class.subject.detail" per RFC 3463 §2 (subject and detail 1..3 digits).</summary>
    public static bool IsEnhancedCode(ReadOnlySpan<char> value, int expectedClass)
    {
        if (value.Length < 5 || value[0] - '0' != expectedClass || expectedClass is not (2 or 4 or 5) || value[1] != '.')
        {
            return false;
        }

        var rest = value[2..];
        var dot = rest.IndexOf('.');
        return dot is >= 1 and <= 3 && IsDigits(rest[..dot]) && rest.Length - dot - 1 is >= 1 and <= 3 && IsDigits(rest[(dot + 1)..]);

        static bool IsDigits(ReadOnlySpan<char> s)
        {
            foreach (var c in s)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc/>
    public bool Equals(SmtpReply other) =>
        Code == other.Code && EnhancedCode == other.EnhancedCode && Lines.SequenceEqual(other.Lines);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SmtpReply other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Code, EnhancedCode, Lines.Count > 0 ? Lines[0] : null);

    /// <summary>Same code, enhanced code and lines (ordinal); see <see cref="Equals(SmtpReply)"/>.</summary>
    public static bool operator ==(SmtpReply left, SmtpReply right) => left.Equals(right);

    /// <summary>Negation of <see cref="operator ==(SmtpReply, SmtpReply)"/>.</summary>
    public static bool operator !=(SmtpReply left, SmtpReply right) => !left.Equals(right);
}
