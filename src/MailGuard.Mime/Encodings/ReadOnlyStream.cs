namespace MailGuard.Mime;

/// <summary>
/// Base for the read-only, forward streams that MailGuard layers over content (decoders,
/// slices, guards): everything but reading is refused unless a subclass says otherwise.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    /// <summary>Always true.</summary>
    public override bool CanRead => true;

    /// <summary>False unless a subclass can seek (a slice of a seekable source can).</summary>
    public override bool CanSeek => false;

    /// <summary>Always false: content is never changed through these streams.</summary>
    public override bool CanWrite => false;

    /// <summary>Throws <see cref="NotSupportedException"/>: a decoded length is known only once read to the end.</summary>
    public override long Length => throw new NotSupportedException();

    /// <summary>Throws <see cref="NotSupportedException"/> unless a subclass can seek.</summary>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Forwards to <see cref="Read(Span{byte})"/>, the one read subclasses implement.</summary>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Fills <paramref name="buffer"/> with the next bytes; 0 at the end.</summary>
    public abstract override int Read(Span<byte> buffer);

    /// <summary>Throws <see cref="NotSupportedException"/> unless a subclass can seek.</summary>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <summary>Where <see cref="Stream.Seek"/> with <paramref name="offset"/> from <paramref name="origin"/> goes, for a stream at <paramref name="position"/> of <paramref name="length"/> bytes.</summary>
    public static long SeekTarget(long offset, SeekOrigin origin, long position, long length) => origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => length + offset,
    };

    /// <summary>Does nothing: there is never anything written to flush.</summary>
    public override void Flush()
    {
    }

    /// <summary>Throws <see cref="NotSupportedException"/>.</summary>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Throws <see cref="NotSupportedException"/>.</summary>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
