using System.Buffers;
using System.Runtime.CompilerServices;

namespace MailGuard.Mime.Internal;

/// <summary>
/// The working buffers that live for one message or one part (the MIME line reader and decoders
/// here; the CSV tokenizer, sheet scanner, shared strings, capture of decoded text and table keys
/// in MailGuard.Inspection) come from <see cref="ArrayPool{T}.Shared"/>: one message after another
/// would otherwise allocate, zero and page in fresh arrays of 64-128 KB. Past
/// <see cref="MaxPooledBytes"/> a buffer is a plain array the GC takes back, so one huge part (a
/// workbook near the expansion limit) does not leave the pool holding it and every size it grew
/// through.
/// </summary>
internal static class PooledArray
{
    /// <summary>
    /// The largest buffer kept in the pool, in bytes (32 MB: the CSV reader's 16M-character
    /// record buffer and the 32 MB capture of an embedded part stay pooled).
    /// </summary>
    public const int MaxPooledBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Replaces <paramref name="buffer"/> with an array of at least <paramref name="size"/>
    /// elements (rented, or a plain one past <see cref="MaxPooledBytes"/>; not cleared either way)
    /// that starts with <paramref name="count"/> elements copied from <paramref name="from"/>, and
    /// returns the old one to the pool (an empty start or a plain array is not returned).
    /// </summary>
    public static void Grow<T>(ref T[] buffer, int size, int from, int count)
    {
        T[] grown = (long)size * Unsafe.SizeOf<T>() <= MaxPooledBytes
            ? ArrayPool<T>.Shared.Rent(size)
            : GC.AllocateUninitializedArray<T>(size);
        Array.Copy(buffer, from, grown, 0, count);
        Return(ref buffer);
        buffer = grown;
    }

    /// <summary>Returns <paramref name="buffer"/> to the pool if it came from there (once: it is left empty).</summary>
    public static void Return<T>(ref T[] buffer)
    {
        T[] old = buffer;
        buffer = [];
        if (old.Length > 0 && (long)old.Length * Unsafe.SizeOf<T>() <= MaxPooledBytes)
        {
            ArrayPool<T>.Shared.Return(old);
        }
    }
}
