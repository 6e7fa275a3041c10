using System.Security.Cryptography;

namespace MailGuard.Core.Store;

/// <summary>
/// Encrypts held message bytes at rest with AES-256-GCM, so a copied database file does not leak
/// the personal data it was built to protect. Layout: "MGE1" | 12-byte nonce | ciphertext |
/// 16-byte tag. The key comes from configuration (Quarantine:EncryptionKey, base64 of 32 bytes),
/// never from code.
/// </summary>
public sealed class ContentProtector
{
    private static ReadOnlySpan<byte> Magic => "MGE1"u8;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public ContentProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("An AES-256 key is 32 bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>Parses a base64 key; null with a problem message when it is not 32 bytes of base64.</summary>
    public static ContentProtector? FromBase64(string? value, out string? problem) =>
        Base64Key.Parse(value, 32, 32, out problem) is { } key ? new ContentProtector(key) : null;

    public static bool IsProtected(ReadOnlySpan<byte> data) => data.StartsWith(Magic);

    public byte[] Protect(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[Magic.Length + NonceSize + plaintext.Length + TagSize];
        Magic.CopyTo(output);
        var nonce = output.AsSpan(Magic.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(Magic.Length + NonceSize, plaintext.Length), output.AsSpan(output.Length - TagSize));
        return output;
    }

    /// <summary>Decrypts; throws <see cref="CryptographicException"/> when the data was altered or the key is wrong.</summary>
    public byte[] Unprotect(ReadOnlySpan<byte> data)
    {
        if (!IsProtected(data) || data.Length < Magic.Length + NonceSize + TagSize)
        {
            throw new CryptographicException("Not MailGuard-protected content.");
        }

        var nonce = data.Slice(Magic.Length, NonceSize);
        var cipher = data[(Magic.Length + NonceSize)..^TagSize];
        var tag = data[^TagSize..];
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(nonce, cipher, tag, plain);
        return plain;
    }
}
