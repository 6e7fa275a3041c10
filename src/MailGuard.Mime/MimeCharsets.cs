using System.Text;

namespace MailGuard.Mime;

/// <summary>
/// Charset names as mail uses them, for code outside the parser that decodes text parts itself.
/// UTF-7 (RFC 2152) gets special care: .NET refuses <c>Encoding.GetEncoding("utf-7")</c>, yet mail
/// still declares it, and text in UTF-7 may spell any character as base64 ("+AEEAQg-" is "AB"), so
/// reading it as anything else would hide identifiers from the detectors.
/// </summary>
public static class MimeCharsets
{
#pragma warning disable SYSLIB0001 // UTF-7 is obsolete for new text, but received mail still uses it and must be read.
    private static readonly Encoding s_utf7 = new UTF7Encoding(allowOptionals: true);
#pragma warning restore SYSLIB0001

    /// <summary>UTF-7 with the RFC 2152 optional direct characters accepted, which <c>Encoding.GetEncoding</c> will not return.</summary>
    public static Encoding Utf7 => s_utf7;

    /// <summary>True for "utf-7", its IANA aliases and the x- names mail clients use; case, white space and quotes ignored.</summary>
    public static bool IsUtf7(string? charset) =>
        charset?.Trim().Trim('"').ToLowerInvariant() is "utf-7" or "utf7" or "unicode-1-1-utf-7" or "csunicode11utf7" or "x-unicode20utf7" or "x-unicode2-0-utf-7";

    /// <summary>The encoding for a MIME charset name (aliases and common misspellings included); null when unknown.</summary>
    public static Encoding? Resolve(string? charset) => Internal.Charsets.TryGet(charset);
}
