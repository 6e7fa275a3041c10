using System.Buffers;
using MailGuard.Mime.Internal;

namespace MailGuard.Mime.Tests;

public class PooledArrayTests
{
    // Buffers start rented (or empty), as every caller's do: Grow hands the old one back.
    [Fact]
    public void Grow_AtThePooledSize_RentedAndHandedBack()
    {
        // Exactly MaxPooledBytes: from the pool, and back to it on Return (the same thread's
        // next rent of that size gets the very array again).
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16);
        new byte[] { 1, 2, 3 }.CopyTo(buffer, 0);
        PooledArray.Grow(ref buffer, PooledArray.MaxPooledBytes, 0, 3);
        Assert.Equal(PooledArray.MaxPooledBytes, buffer.Length);
        Assert.Equal([1, 2, 3], buffer[..3]);
        byte[] grown = buffer;

        PooledArray.Return(ref buffer);
        Assert.Empty(buffer);
        byte[] again = ArrayPool<byte>.Shared.Rent(PooledArray.MaxPooledBytes);
        Assert.Same(grown, again);
        ArrayPool<byte>.Shared.Return(again);
    }

    [Fact]
    public void Grow_OnePastThePooledSize_PlainArrayNeverHandedToThePool()
    {
        // One element more: a plain array of exactly that size, which Return drops (the pool
        // would refuse an array it did not give) instead of keeping 32 MB for the next message.
        char[] buffer = ArrayPool<char>.Shared.Rent(16);
        buffer[0] = 'a';
        buffer[1] = 'b';
        int size = (PooledArray.MaxPooledBytes / sizeof(char)) + 1;
        PooledArray.Grow(ref buffer, size, 0, 2);
        Assert.Equal(size, buffer.Length);
        Assert.Equal(['a', 'b'], buffer[..2]);
        char[] grown = buffer;

        PooledArray.Return(ref buffer);
        Assert.Empty(buffer);
        char[] rented = ArrayPool<char>.Shared.Rent(size);
        Assert.NotSame(grown, rented);
        ArrayPool<char>.Shared.Return(rented);
    }
}
