using System.Buffers;

namespace MailGuard.Mime.Internal;

/// <summary>
/// The working buffers that live for one message or one part (the MIME line reader and decoders
/// here; the CSV tokenizer, sheet scanner, capture of decoded text and table keys in
/// MailGuard.Inspection) come from <see cref="ArrayPool{T}.Shared"/>: one message after another
/// would otherwise allocate, zero and page in fresh arrays of 64-128 KB.
/// </summary>
internal static class PooledArray
{
    /// <summary>
    /// Replaces <paramref name="buffer"/> with a rented array of at least <paramref name="size"/>
    /// elements that starts with <paramref name="count"/> elements copied from
    /// <paramref name="from"/>, and returns the old one to the pool (an empty start is not returned).
    /// </summary>
    public static void Grow<T>(ref T[] buffer, int size, int from, int count)
    {
        T[] grown = ArrayPool<T>.Shared.Rent(size);
        Array.Copy(buffer, from, grown, 0, count);
        Return(ref buffer);
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
