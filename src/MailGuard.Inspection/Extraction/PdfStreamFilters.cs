using System.IO.Compression;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace MailGuard.Inspection.Extraction;

/// <summary>
/// The stream decoders PdfPig uses for one extraction, each behind the extraction's expansion
/// limits (<see cref="ExtractionLimits.MaxTotalExpandedBytes"/>, <see cref="ExtractionLimits.MaxExpansionRatio"/>)
/// and time budget. Flate, which is nearly every PDF stream, is inflated here through
/// <see cref="ExpansionGuardStream"/>, so a deflate bomb stops at the limit instead of filling
/// memory first. LZW and RunLength output is sized from the encoded bytes before PdfPig decodes
/// them; the other filters cannot expand much (ASCII85 at most 4:1) and are checked on their output.
/// PdfPig may catch what a decoder throws (lenient parsing skips a bad font or image), so the
/// first limit hit is also kept in <see cref="Tripped"/> and rethrown by the extractor.
/// </summary>
internal sealed class PdfStreamFilters : BaseFilterProvider
{
    private readonly PdfExpansionGuard _guard;

    private PdfStreamFilters(Dictionary<string, IFilter> filters, PdfExpansionGuard guard)
        : base(filters)
    {
        _guard = guard;
    }

    public ExtractionLimitException? Tripped => _guard.Tripped;

    public static PdfStreamFilters Create(ExtractionContext context)
    {
        var guard = new PdfExpansionGuard(context);
        var flate = new GuardedFlateFilter(guard, new FlateFilter());
        var lzw = new CheckedFilter(guard, new LzwFilter(), "LZWDecode", LzwDecodedLength);
        var runLength = new CheckedFilter(guard, new RunLengthFilter(), "RunLengthDecode", RunLengthDecodedLength);
        var ascii85 = new CheckedFilter(guard, new Ascii85Filter(), "ASCII85Decode", null);
        var asciiHex = new CheckedFilter(guard, new AsciiHexDecodeFilter(), "ASCIIHexDecode", null);
        var dct = new CheckedFilter(guard, new DctDecodeFilter(), "DCTDecode", null);
        var jpx = new CheckedFilter(guard, new JpxDecodeFilter(), "JPXDecode", null);
        var jbig2 = new CheckedFilter(guard, new Jbig2DecodeFilter(), "JBIG2Decode", null);
        var ccitt = new CheckedFilter(guard, new CcittFaxDecodeFilter(), "CCITTFaxDecode", null);

        // The full names and the abbreviations of ISO 32000-1 Table 6 and §8.9.7 (inline images).
        var filters = new Dictionary<string, IFilter>(StringComparer.Ordinal)
        {
            ["FlateDecode"] = flate,
            ["Fl"] = flate,
            ["LZWDecode"] = lzw,
            ["LZW"] = lzw,
            ["RunLengthDecode"] = runLength,
            ["RL"] = runLength,
            ["ASCII85Decode"] = ascii85,
            ["A85"] = ascii85,
            ["ASCIIHexDecode"] = asciiHex,
            ["AHx"] = asciiHex,
            ["DCTDecode"] = dct,
            ["DCT"] = dct,
            ["JPXDecode"] = jpx,
            ["JBIG2Decode"] = jbig2,
            ["CCITTFaxDecode"] = ccitt,
            ["CCF"] = ccitt,
        };
        return new PdfStreamFilters(filters, guard);
    }

    /// <summary>Rethrows the first limit a decoder hit, even if PdfPig caught it.</summary>
    public void ThrowIfTripped()
    {
        if (Tripped is { } limit)
        {
            throw limit;
        }
    }

    /// <summary>
    /// RunLengthDecode (§7.4.5): a length byte 0-127 copies the next n + 1 bytes, 129-255 repeats
    /// the next byte 257 - n times, 128 ends. The output length, counted without making it.
    /// </summary>
    internal static long RunLengthDecodedLength(ReadOnlySpan<byte> input)
    {
        long length = 0;
        int i = 0;
        while (i < input.Length)
        {
            int n = input[i++];
            if (n == 128)
            {
                break;
            }

            if (n < 128)
            {
                length += n + 1;
                i += n + 1;
            }
            else
            {
                length += 257 - n;
                i++;
            }
        }

        return length;
    }

    /// <summary>
    /// LZWDecode (§7.4.4): the output length, from the lengths of the table's entries alone
    /// (each new entry is one longer than the code before it), so a small stream that claims
    /// gigabytes is refused before anything is decoded. EarlyChange 1, PDF's default, assumed:
    /// 0 only changes when the code width grows, which moves the total very little.
    /// </summary>
    internal static long LzwDecodedLength(ReadOnlySpan<byte> input)
    {
        const int Clear = 256;
        const int EndOfData = 257;
        Span<int> entryLength = stackalloc int[4096];
        int tableSize = 258;
        int width = 9;
        int previous = -1;
        long total = 0;
        long bits = 0;
        long bitCount = (long)input.Length * 8;
        while (bits + width <= bitCount)
        {
            int code = 0;
            for (int k = 0; k < width; k++, bits++)
            {
                code = (code << 1) | ((input[(int)(bits >> 3)] >> (7 - (int)(bits & 7))) & 1);
            }

            if (code == Clear)
            {
                (tableSize, width, previous) = (258, 9, -1);
                continue;
            }

            if (code == EndOfData)
            {
                break;
            }

            int length;
            if (code < 256)
            {
                length = 1;
            }
            else if (code < tableSize)
            {
                length = entryLength[code];
            }
            else if (code == tableSize && previous >= 0)
            {
                length = Length(entryLength, previous) + 1;
            }
            else
            {
                break;
            }

            if (previous >= 0 && tableSize < 4096)
            {
                entryLength[tableSize++] = Length(entryLength, previous) + 1;
            }

            total += length;
            previous = code;
            width = tableSize + 1 >= 2048 ? 12 : tableSize + 1 >= 1024 ? 11 : tableSize + 1 >= 512 ? 10 : 9;
        }

        return total;

        static int Length(Span<int> table, int code) => code < 256 ? 1 : table[code];
    }

    /// <summary>The extraction's limits as the PDF decoders see them.</summary>
    private sealed class PdfExpansionGuard
    {
        public PdfExpansionGuard(ExtractionContext context) => Context = context;

        public ExtractionContext Context { get; }

        public ExtractionLimitException? Tripped { get; private set; }

        public T Watch<T>(Func<T> decode)
        {
            try
            {
                return decode();
            }
            catch (ExtractionLimitException limit)
            {
                Tripped ??= limit;
                throw;
            }
        }

        /// <summary>Counts decoded bytes against the total and the ratio, as the guard stream does.</summary>
        public void Account(long encoded, long decoded, string filter)
        {
            Context.ThrowIfCancelled();
            Context.AddExpanded(decoded);
            if (Context.Limits.PastExpansionRatio(decoded, encoded))
            {
                throw Context.Limits.ExpansionRatioExceeded($"'PDF stream ({filter})'", decoded, encoded);
            }
        }
    }

    /// <summary>FlateDecode inflated through the expansion guard; predictors are left to PdfPig.</summary>
    private sealed class GuardedFlateFilter : IFilter
    {
        private readonly PdfExpansionGuard _guard;
        private readonly FlateFilter _inner;

        public GuardedFlateFilter(PdfExpansionGuard guard, FlateFilter inner)
        {
            _guard = guard;
            _inner = inner;
        }

        public bool IsSupported => true;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex) =>
            _guard.Watch(() =>
            {
                byte[] inflated = Inflate(input);
                DictionaryToken parameters = DecodeParameterResolver.GetFilterParameters(streamDictionary, filterIndex);
                if (parameters.TryGet(NameToken.Predictor, out IToken? token) && token is NumericToken { Int: > 1 })
                {
                    // PNG and TIFF predictors (§7.4.4.4) are PdfPig's; the size is already proven
                    // above, and un-predicting only makes the data smaller.
                    return _inner.Decode(input, streamDictionary, filterProvider, filterIndex);
                }

                return inflated;
            });

        private byte[] Inflate(Memory<byte> input)
        {
            // A zlib header (RFC 1950: CM 8, header a multiple of 31) is what the filter should
            // see; some writers emit raw deflate, which readers accept, so this one does too.
            ReadOnlySpan<byte> span = input.Span;
            int skip = span.Length >= 2 && (span[0] & 0x0F) == 8 && ((span[0] << 8) | span[1]) % 31 == 0 ? 2 : 0;
            var source = new CountingStream(new MemoryStream(input.ToArray(), skip, input.Length - skip, writable: false));
            var output = new MemoryStream(Math.Min(input.Length * 4, 1 << 20));
            try
            {
                using var deflate = new DeflateStream(source, CompressionMode.Decompress);
                using var guard = new ExpansionGuardStream(deflate, _guard.Context, () => source.BytesRead, null, "PDF stream");
                guard.CopyTo(output);
            }
            catch (InvalidDataException)
            {
                // A truncated or damaged stream still yields what was inflated before the error.
            }

            return output.ToArray();
        }
    }

    /// <summary>A PdfPig decoder whose output is sized first (when it can be) and counted after.</summary>
    private sealed class CheckedFilter : IFilter
    {
        private readonly PdfExpansionGuard _guard;
        private readonly IFilter _inner;
        private readonly string _name;
        private readonly SizeOf? _sizeOf;

        public CheckedFilter(PdfExpansionGuard guard, IFilter inner, string name, SizeOf? sizeOf)
        {
            _guard = guard;
            _inner = inner;
            _name = name;
            _sizeOf = sizeOf;
        }

        public delegate long SizeOf(ReadOnlySpan<byte> input);

        public bool IsSupported => _inner.IsSupported;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex) =>
            _guard.Watch(() =>
            {
                if (_sizeOf is not null)
                {
                    long expected = _sizeOf(input.Span);
                    _guard.Account(input.Length, expected, _name);
                    Memory<byte> decoded = _inner.Decode(input, streamDictionary, filterProvider, filterIndex);
                    if (decoded.Length > expected)
                    {
                        // The estimate reads the codes as this file should be written; count what it missed.
                        _guard.Account(input.Length, decoded.Length - expected, _name);
                    }

                    return decoded;
                }

                Memory<byte> output = _inner.Decode(input, streamDictionary, filterProvider, filterIndex);
                _guard.Account(input.Length, output.Length, _name);
                return output;
            });
    }
}
