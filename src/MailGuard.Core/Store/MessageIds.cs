using System.Security.Cryptography;

namespace MailGuard.Core.Store;

/// <summary>
/// Queue ids: 10 characters of millisecond time and 10 random characters in a lower-case base32
/// alphabet. Time first so ids sort by arrival (like Postfix's long queue ids); 50 random bits so
/// nodes sharing one store never collide; safe as a file name and in an SMTP reply.
/// </summary>
public static class MessageIds
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    public static string New(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        Span<char> id = stackalloc char[20];
        ulong ms = (ulong)timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        for (int i = 9; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        ulong r = BitConverter.ToUInt64(random);
        for (int i = 10; i < 20; i++)
        {
            id[i] = Alphabet[(int)(r & 31)];
            r >>= 5;
        }

        return new string(id);
    }

    /// <summary>The smallest id that <see cref="New"/> can make at <paramref name="time"/>: ids sort by time, so "older than" is a range of the primary key.</summary>
    public static string LowerBound(DateTimeOffset time)
    {
        Span<char> id = stackalloc char[20];
        ulong ms = (ulong)Math.Max(0, time.ToUnixTimeMilliseconds());
        for (int i = 9; i >= 0; i--)
        {
            id[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        id[10..].Fill(Alphabet[0]);
        return new string(id);
    }

    /// <summary>True for a string of the shape <see cref="New"/> makes (checked before using an id in a path).</summary>
    public static bool IsValid(ReadOnlySpan<char> id)
    {
        if (id.Length != 20)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!Alphabet.Contains(c))
            {
                return false;
            }
        }

        return true;
    }
}
