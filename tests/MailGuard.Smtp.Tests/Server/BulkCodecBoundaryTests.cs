using System.Buffers;
using System.Text;
using MailGuard.Smtp.Client;
using MailGuard.Smtp.Server;
using MailGuard.Smtp.Tests.Infrastructure;

namespace MailGuard.Smtp.Tests.Server;

/// <summary>
/// The bulk (vectorised) <see cref="DataFramer"/> and <see cref="DotStuffer"/> against the original
/// byte-at-a-time implementations (<see cref="ReferenceDataFramer"/>, <see cref="ReferenceDotStuffer"/>):
/// same output, same end of data, same counts, for every split of the input (a pipe's segments can
/// break anywhere: between CR and LF, right after a line-start dot, inside ".\r\n") and for output
/// buffers down to the 3-byte minimum.
/// </summary>
public sealed class BulkCodecBoundaryTests
{
    private static readonly string[] s_messages =
    [
        "line one\r\n..dot\r\n.\r\nNEXT",
        "x.\r\n.y\r\n\r\n.\r\n",
        ".\r\n",
        ".hidden\r\n.\r\n",
        "a\n.\nMAIL FROM:<x@y>\r\nb\r\n.\r\n",
        "a\n.\r\nMAIL FROM:<x@y>\r\n.\r\n",
        "a\r\n.\nMAIL FROM:<x@y>\r\n.\r\n",
        "a\r.\r\nb\r\n.\r\n",
        "a\r\n.\rX\r\n.\r\n",
        "a\rb\r\r\n\r\r\r\n\n\n\r\n.\r\n",
        "\n.\n\n.\r\n\r\n..\r\n...\n.\r\n",
        "..\r\n.\r\n",
        "...\r\n.\r\n",
        "no terminator\r\n.",
        "no terminator\r\n.\r",
        "no terminator\r\n",
        new string('x', 998) + "\r\n" + new string('y', 999) + "\r\n.\r\n",
        "." + new string('d', 998) + "\r\n" + new string('e', 997) + "\r\r\n.\r\n",
        new string('L', 1500) + "\n" + new string('M', 1200) + "\r\n.\r\nAFTER",
        "Subject: t\r\n\r\n" + string.Concat(Enumerable.Repeat("La La La La La La La La La La La La La La La La La La La La La La La La La La\r\n", 20)) + ".\r\n",
    ];

    public static TheoryData<string> Messages => new(s_messages);

    private static readonly int[] OutputSizes = [3, 4, 5, 64, 16 * 1024];

    [Theory]
    [MemberData(nameof(Messages))]
    public void DataFramer_EveryTwoWaySplit_MatchesReference(string message)
    {
        var bytes = Encoding.Latin1.GetBytes(message);
        var expected = DecodeReference(bytes);
        foreach (var outputSize in OutputSizes)
        {
            for (var split = 0; split <= bytes.Length; split++)
            {
                var actual = Decode(bytes, [split], outputSize);
                AssertSame(expected, actual, $"split {split}, output {outputSize}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void DataFramer_EveryThreeWaySplit_MatchesReference(string message)
    {
        var bytes = Encoding.Latin1.GetBytes(message);
        if (bytes.Length > 64)
        {
            // Long messages: three-way splits around every CR, LF and dot only.
            var interesting = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] is (byte)'\r' or (byte)'\n' or (byte)'.').SelectMany(i => new[] { i, i + 1 }).Distinct().ToArray();
            var expected = DecodeReference(bytes);
            foreach (var a in interesting)
            {
                foreach (var b in interesting.Where(b => b >= a).Take(12))
                {
                    AssertSame(expected, Decode(bytes, [a, b], 16 * 1024), $"splits {a},{b}");
                    AssertSame(expected, Decode(bytes, [a, b], 3), $"splits {a},{b}, output 3");
                }
            }

            return;
        }

        var reference = DecodeReference(bytes);
        for (var a = 0; a <= bytes.Length; a++)
        {
            for (var b = a; b <= bytes.Length; b++)
            {
                AssertSame(reference, Decode(bytes, [a, b], 16 * 1024), $"splits {a},{b}");
                AssertSame(reference, Decode(bytes, [a, b], 3), $"splits {a},{b}, output 3");
            }
        }
    }

    [Fact]
    public void DataFramer_ByteAtATime_MatchesReference()
    {
        foreach (var message in s_messages)
        {
            var bytes = Encoding.Latin1.GetBytes(message);
            AssertSame(DecodeReference(bytes), Decode(bytes, Enumerable.Range(1, bytes.Length).ToArray(), 3), "byte at a time");
        }
    }

    [Fact]
    public void DataFramer_RandomContentAndSplits_MatchesReference()
    {
        var random = new Random(20261122);
        byte[] alphabet = "ab.\r\n"u8.ToArray();
        for (var round = 0; round < 3000; round++)
        {
            var length = random.Next(1, round % 10 == 0 ? 3000 : 60);
            var bytes = new byte[length];
            for (var i = 0; i < length; i++)
            {
                // Mostly text, so that runs and long lines occur as well as dense control bytes.
                bytes[i] = random.Next(4) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)'x';
            }

            var splits = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(0, length + 1)).Order().ToArray();
            var outputSize = OutputSizes[random.Next(OutputSizes.Length)];
            AssertSame(DecodeReference(bytes), Decode(bytes, splits, outputSize), $"round {round}");
        }
    }

    [Fact]
    public void DataFramer_LongLines_CountedOncePerLineAcrossSplits()
    {
        var message = Encoding.Latin1.GetBytes(new string('a', 999) + "\r\n" + new string('b', 998) + "\r\n" + new string('c', 5000) + "\r\n.\r\n");
        for (var split = 0; split <= message.Length; split += 7)
        {
            var result = Decode(message, [split, split + 500, split + 1500], 64);
            Assert.True(result.Ended);
            Assert.Equal(2, result.LongLines);
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void DotStuffer_EveryTwoWaySplit_MatchesReference(string message)
    {
        var bytes = Encoding.Latin1.GetBytes(message);
        var expected = StuffReference(bytes);
        for (var split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(expected, Stuff(bytes, [split]));
        }
    }

    [Fact]
    public void DotStuffer_RandomContentAndSplits_MatchesReferenceAndRoundTrips()
    {
        var random = new Random(1122);
        byte[] alphabet = "ab.\r\n"u8.ToArray();
        for (var round = 0; round < 3000; round++)
        {
            var length = random.Next(0, round % 10 == 0 ? 3000 : 60);
            var bytes = new byte[length];
            for (var i = 0; i < length; i++)
            {
                bytes[i] = random.Next(3) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)'x';
            }

            var splits = Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(0, length + 1)).Order().ToArray();
            var stuffed = Stuff(bytes, splits);
            Assert.Equal(StuffReference(bytes), stuffed);

            // What we send decodes back to the content with every line end as CRLF, ending exactly at our marker.
            var decoded = Decode(stuffed, [], 16 * 1024);
            Assert.True(decoded.Ended);
            Assert.Equal(stuffed.Length, decoded.Consumed);
            Assert.Equal(0, decoded.BareLineFeeds);
        }
    }

    private sealed record Decoded(bool Ended, byte[] Output, int Consumed, int LongLines, int BareLineFeeds);

    private static Decoded DecodeReference(byte[] input)
    {
        var framer = new ReferenceDataFramer();
        framer.Reset();
        var output = new byte[input.Length * 3 + 3];
        var ended = framer.Decode(input, output, out var consumed, out var written);
        Assert.True(ended || consumed == input.Length);
        return new Decoded(ended, output[..written], consumed, framer.LongLineCount, framer.BareLineFeedCount);
    }

    /// <summary>Feeds <paramref name="input"/> in pieces cut at <paramref name="splits"/>, as ConsumeDataAsync feeds segments.</summary>
    private static Decoded Decode(byte[] input, int[] splits, int outputSize)
    {
        var framer = new DataFramer();
        framer.Reset();
        var buffer = new byte[outputSize];
        var output = new List<byte>();
        var cuts = splits.Where(s => s > 0 && s < input.Length).Append(input.Length).Distinct().Order().ToArray();
        var start = 0;
        var total = 0;
        foreach (var cut in cuts)
        {
            var piece = input.AsSpan(start, cut - start);
            var offset = 0;
            while (offset < piece.Length)
            {
                var ended = framer.Decode(piece[offset..], buffer, out var consumed, out var written);
                Assert.True(consumed > 0 || written > 0 || ended, "no progress");
                output.AddRange(buffer.AsSpan(0, written).ToArray());
                offset += consumed;
                total += consumed;
                if (ended)
                {
                    return new Decoded(true, output.ToArray(), total, framer.LongLineCount, framer.BareLineFeedCount);
                }
            }

            start = cut;
        }

        return new Decoded(false, output.ToArray(), total, framer.LongLineCount, framer.BareLineFeedCount);
    }

    private static void AssertSame(Decoded expected, Decoded actual, string where)
    {
        Assert.True(expected.Ended == actual.Ended, $"ended differs at {where}");
        Assert.True(expected.Consumed == actual.Consumed, $"consumed {actual.Consumed} instead of {expected.Consumed} at {where}");
        Assert.True(expected.Output.AsSpan().SequenceEqual(actual.Output), $"output differs at {where}: {Show(actual.Output)} instead of {Show(expected.Output)}");
        Assert.True(expected.LongLines == actual.LongLines, $"long lines {actual.LongLines} instead of {expected.LongLines} at {where}");
        Assert.True(expected.BareLineFeeds == actual.BareLineFeeds, $"bare LFs {actual.BareLineFeeds} instead of {expected.BareLineFeeds} at {where}");
    }

    private static string Show(byte[] bytes) =>
        bytes.Length > 80 ? $"<{bytes.Length} bytes>" : Encoding.Latin1.GetString(bytes).Replace("\r", "\\r").Replace("\n", "\\n");

    private static byte[] StuffReference(byte[] input)
    {
        var output = new ArrayBufferWriter<byte>();
        var stuffer = new ReferenceDotStuffer();
        stuffer.Write(input, output);
        stuffer.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Stuff(byte[] input, int[] splits)
    {
        var output = new ArrayBufferWriter<byte>();
        var stuffer = new DotStuffer();
        var start = 0;
        foreach (var cut in splits.Where(s => s > 0 && s < input.Length).Append(input.Length).Distinct().Order())
        {
            stuffer.Write(input.AsSpan(start, cut - start), output);
            start = cut;
        }

        stuffer.Complete(output);
        return output.WrittenSpan.ToArray();
    }
}
