namespace MailGuard.Core.Store;

/// <summary>
/// Keys given in configuration as base64 (Quarantine:EncryptionKey, Console:LinkKey). Problems are
/// returned as text for start-up validation and never repeat the value: it is a secret.
/// </summary>
public static class Base64Key
{
    /// <summary>The decoded key, or null with <paramref name="problem"/> set (null and no problem when the value is empty).</summary>
    public static byte[]? Parse(string? value, int minBytes, int maxBytes, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            problem = "is not base64";
            return null;
        }

        if (key.Length >= minBytes && key.Length <= maxBytes)
        {
            return key;
        }

        problem = minBytes == maxBytes
            ? $"must be {minBytes} bytes of base64 (got {key.Length} bytes)"
            : key.Length < minBytes
                ? $"must be at least {minBytes} bytes of base64 (got {key.Length} bytes)"
                : $"must be at most {maxBytes} bytes of base64 (got {key.Length} bytes)";
        return null;
    }
}
