using System.Buffers;

namespace MailGuard.Inspection;

/// <summary>
/// The working buffers of a part's readers (CSV tokenizer, sheet scanner, capture of decoded
/// text) come from <see cref="ArrayPool{T}.Shared"/>: one message after another would otherwise
/// allocate, zero and page in a fresh array of 64-128 KB per part.
/// </summary>
internal static class PooledArray
{
    /// <summary>
    /// Replaces <paramref name="buffer"/> with a rented array of at least <paramref name="size"/>
    /// elements that starts with <paramref name="count"/> elements copied from
    /// <paramref name="from"/>, and returns the old one to the pool.
    /// </summary>
    public static void Grow<T>(ref T[] buffer, int size, int from, int count)
    {
        T[] grown = ArrayPool<T>.Shared.Rent(size);
        Array.Copy(buffer, from, grown, 0, count);
        ArrayPool<T>.Shared.Return(buffer);
        buffer = grown;
    }

    /// <summary>Returns <paramref name="buffer"/> to the pool (once: it is left empty).</summary>
    public static void Return<T>(ref T[] buffer)
    {
        T[] old = buffer;
        buffer = [];
        if (old.Length > 0)
        {
            ArrayPool<T>.Shared.Return(old);
        }
    }
}
