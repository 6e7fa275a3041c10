using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Store;

namespace MailGuard.Core.Notices;

/// <summary>
/// The short reference a sender quotes (MG-7K3F-9Q2D): what the notices, the sender's pages and
/// the console show next to the queue id. It is the last 8 characters of the queue id (40 of its
/// 50 random bits, <see cref="MessageIds"/>) in capitals, so it is derived from the id alone, the
/// same on every node, and found again by searching for it. The alphabet has no I, L, O or U, so
/// what is read out over the phone is typed back the same.
/// </summary>
public static class NoticeReference
{
    public const string Prefix = "MG-";

    /// <summary>Characters of the queue id the reference shows: the last ones, which are random.</summary>
    public const int IdChars = 8;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>"MG-" and the id's last 8 characters in two groups of 4; for a string that is not a queue id, 8 characters of its SHA-256 in the same alphabet.</summary>
    public static string For(string messageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        string tail = MessageIds.IsValid(messageId) ? messageId[^IdChars..].ToUpperInvariant() : Hashed(messageId);
        return Prefix + tail[..4] + "-" + tail[4..];
    }

    /// <summary>
    /// The queue id's last 8 characters (lower case, as ids are written) that a reference as a sender
    /// may type it stands for: "MG-" then 8 characters with or without hyphens or spaces, in any case;
    /// O is read as 0 and I or L as 1. False for anything else.
    /// </summary>
    public static bool TryParse(string? text, out string idSuffix)
    {
        idSuffix = "";
        string value = (text ?? "").Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && !value.StartsWith("MG ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var chars = new StringBuilder(IdChars);
        foreach (char raw in value[3..])
        {
            if (raw is '-' or ' ')
            {
                continue;
            }

            char c = char.ToUpperInvariant(raw) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (!Alphabet.Contains(c, StringComparison.Ordinal) || chars.Length == IdChars)
            {
                return false;
            }

            chars.Append(char.ToLowerInvariant(c));
        }

        if (chars.Length != IdChars)
        {
            return false;
        }

        idSuffix = chars.ToString();
        return true;
    }

    private static string Hashed(string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        ulong bits = BitConverter.ToUInt64(hash);
        var chars = new char[IdChars];
        for (int i = 0; i < IdChars; i++)
        {
            chars[i] = Alphabet[(int)(bits & 31)];
            bits >>= 5;
        }

        return new string(chars);
    }
}
