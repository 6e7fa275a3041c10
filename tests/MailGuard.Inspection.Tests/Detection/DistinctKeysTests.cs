using MailGuard.Inspection.Detection;

namespace MailGuard.Inspection.Tests.Detection;

public class DistinctKeysTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(5_295, 3)]
    [InlineData(20_000, 4)]
    public void Of_AnswersAsAHashSetOfTheNonZeroKeys(int count, int seed)
    {
        // Keys as tables make them (a kind above a 32-bit hash), with repeats and zeros (rows
        // without a key) mixed in: every question a set answers must be answered the same.
        var rng = new Random(seed);
        var keys = Enumerable.Range(0, count)
            .Select(_ => rng.Next(10) == 0 ? 0L : ((long)rng.Next(1, 4) << 32) | (uint)rng.Next(Math.Max(1, count / 2)))
            .ToArray();
        var expected = keys.Where(k => k != 0).ToHashSet();

        var actual = DistinctKeys.Of(keys.ToArray());

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(keys.Where(k => k != 0).Distinct().ToArray(), actual.ToArray());
        Assert.True(actual.SetEquals(expected));
        Assert.True(expected.SetEquals(actual));
        Assert.All(keys.Where(k => k != 0).Take(100), k => Assert.True(actual.Contains(k)));
        Assert.False(actual.Contains(0));
        Assert.False(actual.Contains(5L << 32));
        var more = expected.Append(7L << 32).ToList();
        Assert.True(actual.IsProperSubsetOf(more));
        Assert.True(actual.IsSubsetOf(more));
        Assert.False(actual.IsSupersetOf(more));
        Assert.Equal(expected.Count > 0, actual.Overlaps(more));
        Assert.False(actual.SetEquals(more));
    }
}
