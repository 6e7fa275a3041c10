using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MailGuard.Core.Store;

namespace MailGuard.Core.Notices;

/// <summary>
/// The per-message link in a sender's held notice, `{ReleaseRequestUrl}/{messageId}/{token}`, with
/// which the sender asks for release with a justification. The token is an HMAC-SHA256 of the
/// message id under a key only the MailGuard nodes know, so a link cannot be made for another
/// message: the reference alone (it is in the SMTP reply and the notice) is not enough to
/// speak for a held message.
/// </summary>
/// <remarks>
/// The key is Console:LinkKey (the same on every node, or links made by one node fail on another)
/// or, without it, one generated once and kept in {Storage:Directory}/link.key. A changed key
/// invalidates the links already sent; nothing else depends on it.
/// </remarks>
public sealed class ReleaseRequestLinks
{
    public const int MinKeyBytes = 32;

    /// <summary>The token's length in characters: 18 bytes (144 bits, over the 128 that make guessing hopeless) in unpadded base64url.</summary>
    public const int TokenLength = 24;

    private const int TokenBytes = 18;

    // Upper bound only so that a pasted file cannot be a megabyte; HMAC hashes any key over 64 bytes first.
    private const int MaxKeyBytes = 1024;

    // Domain separation: the same key may come to sign other things (e.g. console links of another
    // kind), and a MAC over "id" alone would then be valid there too. Ends in NUL, which ids never hold.
    private static ReadOnlySpan<byte> Purpose => "MailGuard release-request link v1\0"u8;

    // The withdraw link's own purpose: a release-request token does not withdraw, nor the reverse.
    private static ReadOnlySpan<byte> WithdrawPurpose => "MailGuard withdraw link v1\0"u8;

    private readonly byte[] _key;

    public ReleaseRequestLinks(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"A link key is at least {MinKeyBytes} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>From Console:LinkKey; null with the problem when it is not base64 of at least 32 bytes (null and no problem when unset).</summary>
    public static ReleaseRequestLinks? FromBase64(string? value, out string? problem) =>
        Base64Key.Parse(value, MinKeyBytes, MaxKeyBytes, out problem) is { } key ? new ReleaseRequestLinks(key) : null;

    /// <summary>
    /// Reads the key kept in <paramref name="path"/>, making it first when there is none: 32 random
    /// bytes in base64, mode 0600, written to a temporary file and moved into place without
    /// replacing, so two processes starting at once agree on one key. Throws IOException when the
    /// file holds no usable key (an operator must look: replacing it would break links already sent).
    /// </summary>
    public static ReleaseRequestLinks FromKeyFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            CreateKeyFile(path);
        }

        string text = File.ReadAllText(path, Encoding.ASCII);
        return FromBase64(text, out string? problem) ?? throw new IOException($"{path}: the release-request link key {problem ?? "is empty"}");
    }

    /// <summary>The token for <paramref name="messageId"/>: <see cref="TokenLength"/> characters of base64url.</summary>
    public string Create(string messageId) => Create(messageId, withdraw: false);

    /// <summary>The token of the withdraw link for <paramref name="messageId"/>: like <see cref="Create(string)"/>, under another purpose.</summary>
    public string CreateWithdraw(string messageId) => Create(messageId, withdraw: true);

    /// <summary>The whole link: <paramref name="baseUrl"/> (trailing slashes ignored), the message id and its token.</summary>
    public string Link(string baseUrl, string messageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseUrl);
        return baseUrl.TrimEnd('/') + "/" + Uri.EscapeDataString(messageId) + "/" + Create(messageId);
    }

    /// <summary>
    /// The link with which the sender withdraws a held message: <paramref name="baseUrl"/> (the
    /// release-request URL), "withdraw", the message id and its withdraw token.
    /// </summary>
    public string WithdrawLink(string baseUrl, string messageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseUrl);
        return baseUrl.TrimEnd('/') + "/withdraw/" + Uri.EscapeDataString(messageId) + "/" + CreateWithdraw(messageId);
    }

    /// <summary>Whether <paramref name="token"/> was made by <see cref="Create(string)"/> for this id under this key; compared in constant time.</summary>
    public bool Verify(string? messageId, string? token) => Verify(messageId, token, withdraw: false);

    /// <summary>Whether <paramref name="token"/> was made by <see cref="CreateWithdraw"/> for this id under this key.</summary>
    public bool VerifyWithdraw(string? messageId, string? token) => Verify(messageId, token, withdraw: true);

    private string Create(string messageId, bool withdraw)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(messageId, withdraw, mac);
        return Base64Url.EncodeToString(mac[..TokenBytes]);
    }

    private bool Verify(string? messageId, string? token, bool withdraw)
    {
        if (string.IsNullOrEmpty(messageId) || token is not { Length: TokenLength })
        {
            return false;
        }

        // TryDecodeFromChars throws on a character outside the alphabet; IsValid tells without throwing.
        Span<byte> given = stackalloc byte[TokenBytes];
        if (!Base64Url.IsValid(token, out int length) || length != TokenBytes || Base64Url.DecodeFromChars(token, given) != TokenBytes)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(messageId, withdraw, mac);
        return CryptographicOperations.FixedTimeEquals(mac[..TokenBytes], given);
    }

    private void Mac(string messageId, bool withdraw, Span<byte> destination)
    {
        var purpose = withdraw ? WithdrawPurpose : Purpose;
        byte[] input = new byte[purpose.Length + Encoding.UTF8.GetByteCount(messageId)];
        purpose.CopyTo(input);
        Encoding.UTF8.GetBytes(messageId, input.AsSpan(purpose.Length));
        HMACSHA256.HashData(_key, input, destination);
    }

    private static void CreateKeyFile(string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created with 0600 rather than chmod-ed after: no moment in which others may read it.
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var file = new FileStream(temp, create))
            {
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
                file.Flush(flushToDisk: true);
            }

            try
            {
                // Without overwrite the move fails when the name exists (.NET links, then unlinks the
                // temporary name): of two processes making a key at once, the first one's stays.
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                return;
            }

            FileSync.SyncDirectory(directory);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
