using System.Text;

namespace MailGuard.Mime.Internal;

/// <summary>Charset lookup through System.Text.Encoding with the code-page provider registered.</summary>
internal static class Charsets
{
    private static readonly UTF8Encoding s_strictUtf8 = new(false, true);
    private static readonly Encoding s_latin1;

    static Charsets()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        // Windows-1252 is what "Latin-1" means in practice (WHATWG Encoding maps the label
        // iso-8859-1 to it); it decodes every byte, so it never fails.
        s_latin1 = Encoding.GetEncoding(1252);
    }

    public static Encoding Latin1 => s_latin1;

    /// <summary>Resolves a MIME charset name; null when unknown (the caller records a defect).</summary>
    public static Encoding? TryGet(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return null;
        }

        string name = charset.Trim().Trim('"');
        // RFC 2231 language suffix inside RFC 2047 charsets: "utf-8*en".
        int star = name.IndexOf('*');
        if (star > 0)
        {
            name = name[..star];
        }

        switch (name.ToLowerInvariant())
        {
            case "utf8":
            case "utf-8":
                return Encoding.UTF8;
            case "us-ascii":
            case "ascii":
            case "ansi_x3.4-1968":
                // Mail labelled us-ascii often carries 8-bit text; Latin-1 keeps every byte.
                return s_latin1;
            case "latin1":
            case "latin-1":
            case "iso-8859-1":
            case "iso8859-1":
                return s_latin1;
            case "cp1252":
                return s_latin1;
            case "x-unknown":
            case "unknown-8bit":
            case "x-user-defined":
                return null;
        }

        if (MimeCharsets.IsUtf7(name))
        {
            return MimeCharsets.Utf7;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (NotSupportedException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            // "iso8859-15" style names without the hyphen after "iso".
            if (name.StartsWith("iso", StringComparison.OrdinalIgnoreCase) && name.Length > 3 && char.IsDigit(name[3]))
            {
                try
                {
                    return Encoding.GetEncoding("iso-" + name[3..]);
                }
                catch (ArgumentException)
                {
                }
            }

            return null;
        }
    }

    /// <summary>Raw header bytes: UTF-8 when valid (RFC 6532), else Windows-1252 so no byte is lost.</summary>
    public static string DecodeHeaderBytes(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Ascii.IsValid(bytes))
        {
            return Encoding.ASCII.GetString(bytes);
        }

        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return s_latin1.GetString(bytes);
        }
    }
}
